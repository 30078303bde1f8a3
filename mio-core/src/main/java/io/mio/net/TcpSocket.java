package io.mio.net;

import io.mio.internal.Addresses;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.TcpSocketSpi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP socket being configured, for the options that must be set before {@code bind}, {@code listen} or
 * {@code connect} (SO_REUSEPORT, IPV6_V6ONLY, TCP_FASTOPEN, buffer sizes that size the TCP window, ...): the
 * builder behind {@link TcpListener} and {@link TcpStream}, like tokio's {@code TcpSocket}.
 *
 * <pre>{@code
 * TcpListener listener;
 * try (TcpSocket s = TcpSocket.newV4()) {
 *     s.setReuseAddr(true);
 *     s.setReusePort(true);
 *     s.bind(new InetSocketAddress("127.0.0.1", 8080));
 *     listener = s.listen(1024);
 * }
 * }</pre>
 *
 * <p>{@link #listen} and {@link #connect} hand the descriptor over to the new listener or stream; this object is
 * then spent (later calls throw {@link IllegalStateException}) and closing it does nothing. Closing it before that
 * closes the socket. The socket is non-blocking and close-on-exec from the start; unlike
 * {@link TcpListener#bind(InetSocketAddress)}, nothing is set implicitly (no SO_REUSEADDR unless you ask).
 *
 * <p>Not thread-safe: configure it on one thread, then share the listener or stream it produces.
 *
 * <p>Errors: {@link IllegalStateException} once {@code connect} or {@code listen} has spent the socket;
 * {@link java.nio.channels.ClosedChannelException} after {@link #close()}; a failed system call throws one of the
 * JDK's {@link IOException}s whose message names the option or call and the errno ({@link io.mio.OsError} gives
 * it as a value on the EPOLL backend); {@link UnsupportedOperationException}, naming the limit, for what the
 * {@link io.mio.Backend#SELECTOR} backend cannot do.
 */
public final class TcpSocket implements AutoCloseable {
    /** This backend's socket: every option and the bind, listen and connect go to it. */
    private final TcpSocketSpi impl;
    private final boolean v6;
    private String spentAs;

    private TcpSocket(TcpSocketSpi impl, boolean v6) {
        this.impl = impl;
        this.v6 = v6;
    }

    /** A new IPv4 TCP socket. */
    public static TcpSocket newV4() throws IOException {
        return new TcpSocket(Backends.provider().openTcpSocket(false), false);
    }

    /** A new IPv6 TCP socket. */
    public static TcpSocket newV6() throws IOException {
        return new TcpSocket(Backends.provider().openTcpSocket(true), true);
    }

    /** A new TCP socket of {@code address}'s family. */
    public static TcpSocket newFor(InetSocketAddress address) throws IOException {
        return Addresses.isV6(address) ? newV6() : newV4();
    }

    private void checkUnspent() {
        if (spentAs != null) {
            throw new IllegalStateException("this TcpSocket already became a " + spentAs + "; configure that instead");
        }
    }

    private void checkFamily(InetSocketAddress address, String what) {
        boolean addressV6 = Addresses.isV6(address);
        if (addressV6 && !v6) {
            throw new IllegalArgumentException("cannot " + what + " IPv6 address " + address + " with an IPv4 TcpSocket");
        }
        if (!addressV6 && v6) {
            throw new IllegalArgumentException("cannot " + what + " IPv4 address " + address
                    + " with an IPv6 TcpSocket (use an IPv4-mapped address ::ffff:a.b.c.d)");
        }
    }

    // ---- options ----------------------------------------------------------------------------------

    /** SO_REUSEADDR: bind to a port whose old connections are still in TIME_WAIT. */
    public TcpSocket setReuseAddr(boolean on) throws IOException {
        checkUnspent();
        impl.setReuseAddr(on);
        return this;
    }

    /** Whether SO_REUSEADDR is set. */
    public boolean reuseAddr() throws IOException {
        checkUnspent();
        return impl.reuseAddr();
    }

    /**
     * SO_REUSEPORT: several sockets (of the same user) may bind the same address and port when all of them set
     * it; the kernel spreads incoming connections among the listeners.
     */
    public TcpSocket setReusePort(boolean on) throws IOException {
        checkUnspent();
        impl.setReusePort(on);
        return this;
    }

    /** Whether SO_REUSEPORT is set. */
    public boolean reusePort() throws IOException {
        checkUnspent();
        return impl.reusePort();
    }

    /**
     * IPV6_V6ONLY: true refuses IPv4-mapped traffic on this IPv6 socket. Only before bind.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public TcpSocket setOnlyV6(boolean on) throws IOException {
        requireV6("IPV6_V6ONLY");
        checkUnspent();
        impl.setOnlyV6(on);
        return this;
    }

    /** @throws UnsupportedOperationException on an IPv4 socket */
    public boolean onlyV6() throws IOException {
        requireV6("IPV6_V6ONLY");
        checkUnspent();
        return impl.onlyV6();
    }

    private void requireV6(String option) {
        if (!v6) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this TcpSocket is IPv4");
        }
    }

    /** SO_KEEPALIVE: probe an idle connection (see the TCP_KEEP* setters for the timing). */
    public TcpSocket setKeepalive(boolean on) throws IOException {
        checkUnspent();
        impl.setKeepalive(on);
        return this;
    }

    /** Whether SO_KEEPALIVE is set. */
    public boolean keepalive() throws IOException {
        checkUnspent();
        return impl.keepalive();
    }

    /** TCP_KEEPIDLE: idle time before the first probe (whole seconds, 1..32767). */
    public TcpSocket setKeepaliveIdle(Duration idle) throws IOException {
        checkUnspent();
        impl.setKeepaliveIdle(idle);
        return this;
    }

    /** TCP_KEEPINTVL: time between probes (whole seconds, 1..32767). */
    public TcpSocket setKeepaliveInterval(Duration interval) throws IOException {
        checkUnspent();
        impl.setKeepaliveInterval(interval);
        return this;
    }

    /** TCP_KEEPCNT: unanswered probes before the connection is dropped (1..127). */
    public TcpSocket setKeepaliveRetries(int count) throws IOException {
        checkUnspent();
        impl.setKeepaliveRetries(count);
        return this;
    }

    /**
     * SO_LINGER: null (the default) closes in the background; {@link Duration#ZERO} resets the connection on
     * close (RST, no TIME_WAIT); a positive time makes close wait for unsent data, which blocks the closing
     * thread even on a non-blocking socket.
     */
    public TcpSocket setLinger(Duration linger) throws IOException {
        checkUnspent();
        impl.setLinger(linger);
        return this;
    }

    /** The SO_LINGER time, or null when lingering is off. */
    public Duration linger() throws IOException {
        checkUnspent();
        return impl.linger();
    }

    /** SO_RCVBUF; Linux doubles the value for bookkeeping, and {@link #recvBufferSize()} reports the doubled size. */
    public TcpSocket setRecvBufferSize(int bytes) throws IOException {
        checkUnspent();
        impl.setRecvBufferSize(bytes);
        return this;
    }

    /** SO_RCVBUF (the doubled size Linux keeps). */
    public int recvBufferSize() throws IOException {
        checkUnspent();
        return impl.recvBufferSize();
    }

    /** SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}. */
    public TcpSocket setSendBufferSize(int bytes) throws IOException {
        checkUnspent();
        impl.setSendBufferSize(bytes);
        return this;
    }

    /** SO_SNDBUF (the doubled size Linux keeps). */
    public int sendBufferSize() throws IOException {
        checkUnspent();
        return impl.sendBufferSize();
    }

    /** TCP_NODELAY. */
    public TcpSocket setNodelay(boolean on) throws IOException {
        checkUnspent();
        impl.setNodelay(on);
        return this;
    }

    /** Whether TCP_NODELAY is set. */
    public boolean nodelay() throws IOException {
        checkUnspent();
        return impl.nodelay();
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255. */
    public TcpSocket setTos(int tos) throws IOException {
        checkUnspent();
        impl.setTos(tos);
        return this;
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        checkUnspent();
        return impl.tos();
    }

    /**
     * TCP_FASTOPEN for a listener: accept data in the SYN, keeping up to {@code queueLength} pending fast-open
     * requests. Takes effect only if the kernel allows server-side fast open ({@code net.ipv4.tcp_fastopen} bit 2).
     */
    public TcpSocket setFastOpen(int queueLength) throws IOException {
        if (queueLength < 0) {
            throw new IllegalArgumentException("TCP_FASTOPEN queue length must not be negative: " + queueLength);
        }
        checkUnspent();
        impl.setFastOpen(queueLength);
        return this;
    }

    /** The TCP_FASTOPEN queue length (0: off). */
    public int fastOpen() throws IOException {
        checkUnspent();
        return impl.fastOpen();
    }

    // ---- turning into a listener or a stream --------------------------------------------------------

    /**
     * Binds to {@code address}.
     *
     * @throws IllegalArgumentException if the address family differs from this socket's
     * @throws java.net.BindException if the address is in use or not local
     */
    public TcpSocket bind(InetSocketAddress address) throws IOException {
        checkFamily(address, "bind to");
        checkUnspent();
        impl.bind(address);
        return this;
    }

    /** The local address (after bind or connect). */
    public InetSocketAddress localAddr() throws IOException {
        checkUnspent();
        return impl.localAddr();
    }

    /**
     * Listens with {@code backlog} and hands the socket to a new {@link TcpListener}. Without a prior
     * {@link #bind}, the kernel binds a free port on all addresses.
     *
     * @throws IllegalArgumentException if {@code backlog} is negative
     */
    public TcpListener listen(int backlog) throws IOException {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative: " + backlog);
        }
        checkUnspent();
        TcpListener l = new TcpListener(impl.listen(backlog));
        spentAs = "TcpListener";
        return l;
    }

    /**
     * Starts a non-blocking connect to {@code address} and hands the socket to a new {@link TcpStream}; see
     * {@link TcpStream#connect} for how to learn that it completed.
     *
     * @throws IllegalArgumentException if the address family differs from this socket's
     */
    public TcpStream connect(InetSocketAddress address) throws IOException {
        checkFamily(address, "connect to");
        checkUnspent();
        TcpStream t = new TcpStream(impl.connect(address));
        spentAs = "TcpStream";
        return t;
    }

    /** Closes the socket unless it became a listener or stream. Idempotent. */
    @Override
    public void close() {
        if (spentAs == null) {
            impl.close();
        }
    }

    @Override
    public String toString() {
        return "TcpSocket[" + impl + (spentAs != null ? ", now a " + spentAs : "") + "]";
    }
}
