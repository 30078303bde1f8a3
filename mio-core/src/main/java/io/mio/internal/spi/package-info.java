/**
 * The backend boundary (not exported). {@link io.mio.internal.spi.Backends} chooses the backend once per JVM and
 * holds its {@link io.mio.internal.spi.BackendProvider}, which creates everything the public classes need: the
 * {@link io.mio.internal.spi.SelectorSpi} behind a {@code Poll} and its {@code Waker}, and one interface per kind
 * of source ({@link io.mio.internal.spi.TcpStreamSpi}, {@link io.mio.internal.spi.TcpListenerSpi},
 * {@link io.mio.internal.spi.TcpSocketSpi}, {@link io.mio.internal.spi.UdpSocketSpi},
 * {@link io.mio.internal.spi.UnixStreamSpi}, {@link io.mio.internal.spi.UnixListenerSpi},
 * {@link io.mio.internal.spi.UnixDatagramSpi}, {@link io.mio.internal.spi.PipeSpi},
 * {@link io.mio.internal.spi.SourceFdSpi}; the registrable ones share {@link io.mio.internal.spi.SourceSpi}).
 *
 * <p>A public source holds its backend's implementation and delegates: its methods are the backend-neutral argument
 * checks and one interface call. Each backend is one package ({@code io.mio.internal.linux},
 * {@code io.mio.internal.nio}); adding one adds a package and a case in {@code Backends}, and touches no public
 * class. The backend is fixed per JVM, so each interface has one loaded implementation and its calls stay
 * monomorphic (inlined by the JIT). A source registers only with a Poll of its own backend: the implementation
 * rejects another with {@link IllegalArgumentException}.
 *
 * <p>What an implementation needs from the public classes it gets from {@link io.mio.internal.Bridge}: the
 * {@link io.mio.internal.spi.SelectorSpi} behind a {@code Registry} ({@code Bridge.selector}), and the raw state of
 * {@code SocketAddressHolder} and {@code UnixAddress} for allocation-free address coding ({@code Bridge.holders()},
 * {@code Bridge.unixAddresses()}); {@link io.mio.internal.Bridge#mismatch} is the error for another backend's Poll.
 */
package io.mio.internal.spi;
