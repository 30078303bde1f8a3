package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.SourcePair;
import io.mio.internal.spi.UdpSocketSpi;
import io.mio.internal.spi.UnixDatagramSpi;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A non-blocking Unix domain datagram socket: mio's {@code net::UnixDatagram}.
 *
 * <p>Results follow {@link UdpSocket}'s convention: the size of the datagram moved ({@code 0} for an empty
 * one), or {@link #WOULD_BLOCK} ({@code -1}) when the call would block; {@link #recvFrom(ByteBuffer)} returns the
 * sender, or {@code null} when it would block. A receive buffer smaller than the datagram truncates it. Sends go
 * out whole or not at all; one larger than the socket's send buffer throws {@link java.net.SocketException}
 * (EMSGSIZE). {@code send} on an unconnected socket throws {@link java.net.SocketException} (ENOTCONN).
 *
 * <p>Thread-safe. {@link #close()} may race with calls on other threads: calls in flight finish on the
 * descriptor they started with, later calls throw {@link java.nio.channels.ClosedChannelException}.
 *
 * <p>Not available on the {@link io.mio.Backend#SELECTOR} backend (the JDK has no Unix-domain datagram channel):
 * the factories throw {@link UnsupportedOperationException}.
 *
 * <p>Errors: every method throws {@link java.nio.channels.ClosedChannelException} once the socket is closed; a failed
 * system call throws one of the JDK's {@link java.io.IOException}s (mostly {@link java.net.SocketException})
 * whose message names the call and the errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend);
 * would-block is never an exception.
 */
public final class UnixDatagram implements Source, AutoCloseable {
    /** The result of a send or receive that would block. */
    public static final int WOULD_BLOCK = UdpSocketSpi.WOULD_BLOCK;

    /** This backend's socket: every method below delegates to it. */
    private final UnixDatagramSpi impl;

    /** Both ends of a connected pair ({@link #pair()}); closing the pair closes both. */
    public record Pair(UnixDatagram first, UnixDatagram second) implements AutoCloseable {
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    private UnixDatagram(UnixDatagramSpi impl) {
        this.impl = impl;
    }

    /**
     * A datagram socket bound to {@code path}.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws java.net.BindException if the path exists (EADDRINUSE)
     */
    public static UnixDatagram bind(Path path) throws IOException {
        return bind(UnixAddress.of(path));
    }

    /** A datagram socket bound to {@code address}; see {@link #bind(Path)}. */
    public static UnixDatagram bind(UnixDomainSocketAddress address) throws IOException {
        return bind(UnixAddress.of(address));
    }

    /** A datagram socket bound to {@code address}, a path name or an abstract name. */
    public static UnixDatagram bind(UnixAddress address) throws IOException {
        return new UnixDatagram(Backends.provider().bindUnixDatagram(address));
    }

    /**
     * A datagram socket bound to no address: it can send (with {@link #sendTo} or after {@link #connect}), but
     * nobody can address a reply to it; its {@link #localAddr()} is unnamed.
     */
    public static UnixDatagram unbound() throws IOException {
        return new UnixDatagram(Backends.provider().unboundUnixDatagram());
    }

    /** Two connected, unnamed datagram sockets ({@code socketpair}), non-blocking and close-on-exec. */
    public static Pair pair() throws IOException {
        SourcePair<UnixDatagramSpi> p = Backends.provider().unixDatagramPair();
        return new Pair(new UnixDatagram(p.first()), new UnixDatagram(p.second()));
    }

    /**
     * Takes ownership of {@code fd}, a Unix domain datagram socket; makes it non-blocking and close-on-exec. On
     * failure the caller still owns {@code fd}, its flags unchanged.
     */
    public static UnixDatagram fromRawFd(int fd) throws IOException {
        return new UnixDatagram(Backends.provider().adoptUnixDatagram(fd));
    }

    /** Sets the default peer for {@link #send} and the only sender {@link #recv} accepts. */
    public void connect(Path path) throws IOException {
        connect(UnixAddress.of(path));
    }

    /** See {@link #connect(Path)}. */
    public void connect(UnixDomainSocketAddress address) throws IOException {
        connect(UnixAddress.of(address));
    }

    /**
     * See {@link #connect(Path)}.
     *
     * @throws IllegalArgumentException if {@code address} is unnamed
     */
    public void connect(UnixAddress address) throws IOException {
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to an unnamed Unix address");
        }
        impl.connect(address);
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK} (the receiver's queue is full)
     * @throws IOException if nobody is bound there (ECONNREFUSED surfaces as PortUnreachableException, ENOENT as IOException)
     */
    public int sendTo(ByteBuffer src, UnixAddress target) throws IOException {
        return impl.sendTo(src, target);
    }

    /** See {@link #sendTo(ByteBuffer, UnixAddress)}. */
    public int sendTo(ByteBuffer src, Path target) throws IOException {
        return sendTo(src, UnixAddress.of(target));
    }

    /** Sends {@code src[offset, offset + length)} as one datagram to {@code target}. */
    public int sendTo(byte[] src, int offset, int length, UnixAddress target) throws IOException {
        return impl.sendTo(src, offset, length, target);
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, Path target) throws IOException {
        return sendTo(src, 0, src.length, UnixAddress.of(target));
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, UnixAddress target) throws IOException {
        return sendTo(src, 0, src.length, target);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (position advances; 0 bytes for an empty one).
     *
     * @return the sender (unnamed if it is not bound), or {@code null} if none is waiting
     */
    public UnixAddress recvFrom(ByteBuffer dst) throws IOException {
        return impl.recvFrom(dst);
    }

    /** Sends {@code src}'s remaining bytes to the connected peer: its size, or {@link #WOULD_BLOCK}. */
    public int send(ByteBuffer src) throws IOException {
        return impl.send(src);
    }

    /** Sends {@code src[offset, offset + length)} to the connected peer. */
    public int send(byte[] src, int offset, int length) throws IOException {
        return impl.send(src, offset, length);
    }

    /** Sends all of {@code src} to the connected peer. */
    public int send(byte[] src) throws IOException {
        return send(src, 0, src.length);
    }

    /** Receives one datagram into {@code dst}'s remaining space: bytes stored, or {@link #WOULD_BLOCK}. */
    public int recv(ByteBuffer dst) throws IOException {
        return impl.recv(dst);
    }

    /** Receives one datagram into {@code dst[offset, offset + length)}: bytes stored, or {@link #WOULD_BLOCK}. */
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return impl.recv(dst, offset, length);
    }

    /** Receives one datagram into {@code dst}. */
    public int recv(byte[] dst) throws IOException {
        return recv(dst, 0, dst.length);
    }

    /** Like {@link #recv(ByteBuffer)} but leaves the datagram queued; position does not move. */
    public int peek(ByteBuffer dst) throws IOException {
        return impl.peek(dst);
    }

    /** Shuts down reading, writing, or both (read-closed / write-closed events follow). */
    public void shutdown(Shutdown how) throws IOException {
        impl.shutdown(how);
    }

    /** The local address (unnamed if not bound). */
    public UnixAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /**
     * The connected peer's address.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public UnixAddress peerAddr() throws IOException {
        return impl.peerAddr();
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /** The descriptor number, for interop; still owned by this socket. */
    public int rawFd() throws IOException {
        return impl.rawFd();
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
    public boolean isOpen() {
        return impl.isOpen();
    }

    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        impl.register(registry, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        impl.reregister(registry, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        impl.deregister(registry);
    }

    /** Deregisters (if registered) and closes; does not remove a path's socket file. Idempotent; thread-safe. */
    @Override
    public void close() {
        impl.close();
    }

    @Override
    public String toString() {
        return impl.toString();
    }
}
