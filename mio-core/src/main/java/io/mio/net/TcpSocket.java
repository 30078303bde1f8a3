package io.mio.net;

import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SockAddr;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.net.StandardSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static io.mio.internal.linux.LinuxConstants.*;

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
 */
public final class TcpSocket implements AutoCloseable {
    private final FileDesc fd;
    /** The selector backend's socket; null on the epoll backend (then {@link #fd} is set). */
    private final NioTcpSocket nio;
    private final boolean v6;
    private String spentAs;

    private TcpSocket(FileDesc fd, boolean v6) {
        this.fd = fd;
        this.nio = null;
        this.v6 = v6;
    }

    private TcpSocket(NioTcpSocket nio, boolean v6) {
        this.fd = null;
        this.nio = nio;
        this.v6 = v6;
    }

    /** A new IPv4 TCP socket. */
    public static TcpSocket newV4() throws IOException {
        if (Backends.selector()) {
            return new TcpSocket(new NioTcpSocket(false), false);
        }
        return new TcpSocket(SocketOps.open(AF_INET, SOCK_STREAM, "TcpSocket"), false);
    }

    /** A new IPv6 TCP socket. */
    public static TcpSocket newV6() throws IOException {
        if (Backends.selector()) {
            return new TcpSocket(new NioTcpSocket(true), true);
        }
        return new TcpSocket(SocketOps.open(AF_INET6, SOCK_STREAM, "TcpSocket"), true);
    }

    /** A new TCP socket of {@code address}'s family. */
    public static TcpSocket newFor(InetSocketAddress address) throws IOException {
        return SockAddr.family(address) == AF_INET6 ? newV6() : newV4();
    }

    private FileDesc fd() {
        checkUnspent();
        return fd;
    }

    private NioTcpSocket nio() {
        checkUnspent();
        return nio;
    }

    private void checkUnspent() {
        if (spentAs != null) {
            throw new IllegalStateException("this TcpSocket already became a " + spentAs + "; configure that instead");
        }
    }

    private void checkFamily(InetSocketAddress address, String what) {
        if (SockAddr.family(address) == AF_INET6 && !v6) {
            throw new IllegalArgumentException("cannot " + what + " IPv6 address " + address + " with an IPv4 TcpSocket");
        }
        if (SockAddr.family(address) == AF_INET && v6) {
            throw new IllegalArgumentException("cannot " + what + " IPv4 address " + address
                    + " with an IPv6 TcpSocket (use an IPv4-mapped address ::ffff:a.b.c.d)");
        }
    }

    // ---- options ----------------------------------------------------------------------------------

    /** SO_REUSEADDR: bind to a port whose old connections are still in TIME_WAIT. */
    public TcpSocket setReuseAddr(boolean on) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.SO_REUSEADDR, on);
            return this;
        }
        SockOpts.setBool(fd(), SOL_SOCKET, SO_REUSEADDR, on, "SO_REUSEADDR");
        return this;
    }

    /** Whether SO_REUSEADDR is set. */
    public boolean reuseAddr() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.SO_REUSEADDR);
        }
        return SockOpts.getBool(fd(), SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    }

    /**
     * SO_REUSEPORT: several sockets (of the same user) may bind the same address and port when all of them set
     * it; the kernel spreads incoming connections among the listeners.
     */
    public TcpSocket setReusePort(boolean on) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.SO_REUSEPORT, on);
            return this;
        }
        SockOpts.setBool(fd(), SOL_SOCKET, SO_REUSEPORT, on, "SO_REUSEPORT");
        return this;
    }

    /** Whether SO_REUSEPORT is set. */
    public boolean reusePort() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.SO_REUSEPORT);
        }
        return SockOpts.getBool(fd(), SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT");
    }

    /**
     * IPV6_V6ONLY: true refuses IPv4-mapped traffic on this IPv6 socket. Only before bind.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public TcpSocket setOnlyV6(boolean on) throws IOException {
        requireV6("IPV6_V6ONLY");
        if (nio != null) {
            nio().setOnlyV6(on);
            return this;
        }
        SockOpts.setBool(fd(), IPPROTO_IPV6, IPV6_V6ONLY, on, "IPV6_V6ONLY");
        return this;
    }

    /** @throws UnsupportedOperationException on an IPv4 socket */
    public boolean onlyV6() throws IOException {
        requireV6("IPV6_V6ONLY");
        if (nio != null) {
            nio().localAddr();
            return false; // the JDK's IPv6 sockets are dual-stack
        }
        return SockOpts.getBool(fd(), IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
    }

    private void requireV6(String option) {
        if (!v6) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this TcpSocket is IPv4");
        }
    }

    /** SO_KEEPALIVE: probe an idle connection (see the TCP_KEEP* setters for the timing). */
    public TcpSocket setKeepalive(boolean on) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.SO_KEEPALIVE, on);
            return this;
        }
        SockOpts.setBool(fd(), SOL_SOCKET, SO_KEEPALIVE, on, "SO_KEEPALIVE");
        return this;
    }

    /** Whether SO_KEEPALIVE is set. */
    public boolean keepalive() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.SO_KEEPALIVE);
        }
        return SockOpts.getBool(fd(), SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    }

    /** TCP_KEEPIDLE: idle time before the first probe (whole seconds, 1..32767). */
    public TcpSocket setKeepaliveIdle(Duration idle) throws IOException {
        if (nio != null) {
            nio().setKeepaliveIdle(idle);
            return this;
        }
        SockOpts.setKeepaliveIdle(fd(), idle);
        return this;
    }

    /** TCP_KEEPINTVL: time between probes (whole seconds, 1..32767). */
    public TcpSocket setKeepaliveInterval(Duration interval) throws IOException {
        if (nio != null) {
            nio().setKeepaliveInterval(interval);
            return this;
        }
        SockOpts.setKeepaliveInterval(fd(), interval);
        return this;
    }

    /** TCP_KEEPCNT: unanswered probes before the connection is dropped (1..127). */
    public TcpSocket setKeepaliveRetries(int count) throws IOException {
        if (nio != null) {
            nio().setKeepaliveRetries(count);
            return this;
        }
        SockOpts.setKeepaliveRetries(fd(), count);
        return this;
    }

    /**
     * SO_LINGER: null (the default) closes in the background; {@link Duration#ZERO} resets the connection on
     * close (RST, no TIME_WAIT); a positive time makes close wait for unsent data, which blocks the closing
     * thread even on a non-blocking socket.
     */
    public TcpSocket setLinger(Duration linger) throws IOException {
        if (nio != null) {
            nio().setLinger(linger);
            return this;
        }
        SockOpts.setLinger(fd(), linger);
        return this;
    }

    /** The SO_LINGER time, or null when lingering is off. */
    public Duration linger() throws IOException {
        if (nio != null) {
            return nio().linger();
        }
        return SockOpts.linger(fd());
    }

    /** SO_RCVBUF; Linux doubles the value for bookkeeping, and {@link #recvBufferSize()} reports the doubled size. */
    public TcpSocket setRecvBufferSize(int bytes) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
            return this;
        }
        SockOpts.setBufferSize(fd(), SO_RCVBUF, bytes, "SO_RCVBUF");
        return this;
    }

    /** SO_RCVBUF (the doubled size Linux keeps). */
    public int recvBufferSize() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.SO_RCVBUF);
        }
        return SocketOps.getInt(fd(), SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    }

    /** SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}. */
    public TcpSocket setSendBufferSize(int bytes) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
            return this;
        }
        SockOpts.setBufferSize(fd(), SO_SNDBUF, bytes, "SO_SNDBUF");
        return this;
    }

    /** SO_SNDBUF (the doubled size Linux keeps). */
    public int sendBufferSize() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.SO_SNDBUF);
        }
        return SocketOps.getInt(fd(), SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    }

    /** TCP_NODELAY. */
    public TcpSocket setNodelay(boolean on) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.TCP_NODELAY, on);
            return this;
        }
        SockOpts.setBool(fd(), IPPROTO_TCP, TCP_NODELAY, on, "TCP_NODELAY");
        return this;
    }

    /** Whether TCP_NODELAY is set. */
    public boolean nodelay() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.TCP_NODELAY);
        }
        return SockOpts.getBool(fd(), IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255. */
    public TcpSocket setTos(int tos) throws IOException {
        if (nio != null) {
            nio().set(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
            return this;
        }
        SockOpts.setTos(fd(), tos);
        return this;
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        if (nio != null) {
            return nio().get(StandardSocketOptions.IP_TOS);
        }
        return SockOpts.tos(fd());
    }

    /**
     * TCP_FASTOPEN for a listener: accept data in the SYN, keeping up to {@code queueLength} pending fast-open
     * requests. Takes effect only if the kernel allows server-side fast open ({@code net.ipv4.tcp_fastopen} bit 2).
     */
    public TcpSocket setFastOpen(int queueLength) throws IOException {
        if (queueLength < 0) {
            throw new IllegalArgumentException("TCP_FASTOPEN queue length must not be negative: " + queueLength);
        }
        if (nio != null) {
            throw Unsupported.option("TCP_FASTOPEN", "TcpSocket");
        }
        SocketOps.setInt(fd(), IPPROTO_TCP, TCP_FASTOPEN, queueLength, "TCP_FASTOPEN");
        return this;
    }

    /** The TCP_FASTOPEN queue length (0: off). */
    public int fastOpen() throws IOException {
        if (nio != null) {
            throw Unsupported.option("TCP_FASTOPEN", "TcpSocket");
        }
        return SocketOps.getInt(fd(), IPPROTO_TCP, TCP_FASTOPEN, "TCP_FASTOPEN");
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
        if (nio != null) {
            nio().bind(address);
            return this;
        }
        SocketOps.bind(fd(), address);
        return this;
    }

    /** The local address (after bind or connect). */
    public InetSocketAddress localAddr() throws IOException {
        if (nio != null) {
            return nio().localAddr();
        }
        return SocketOps.localAddress(fd());
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
        if (nio != null) {
            TcpListener l = TcpListener.of(nio().listen(backlog, v6));
            spentAs = "TcpListener";
            return l;
        }
        SocketOps.listen(fd(), backlog);
        spentAs = "TcpListener";
        return TcpListener.configured(fd);
    }

    /**
     * Starts a non-blocking connect to {@code address} and hands the socket to a new {@link TcpStream}; see
     * {@link TcpStream#connect} for how to learn that it completed.
     *
     * @throws IllegalArgumentException if the address family differs from this socket's
     */
    public TcpStream connect(InetSocketAddress address) throws IOException {
        checkFamily(address, "connect to");
        if (nio != null) {
            TcpStream t = TcpStream.of(nio().connect(address), null);
            spentAs = "TcpStream";
            return t;
        }
        SocketOps.connect(fd(), address);
        spentAs = "TcpStream";
        return TcpStream.accepted(fd, null);
    }

    /** Closes the socket unless it became a listener or stream. Idempotent. */
    @Override
    public void close() {
        if (spentAs == null) {
            if (nio != null) {
                try {
                    nio.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
            } else {
                fd.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TcpSocket[" + (nio != null ? nio : fd) + (spentAs != null ? ", now a " + spentAs : "") + "]";
    }
}
