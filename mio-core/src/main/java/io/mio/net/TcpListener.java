package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SockAddr;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.nio.NioListener;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.io.IOException;
import java.net.InetSocketAddress;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking TCP listening socket: mio's {@code net::TcpListener}.
 *
 * <p>Register it with {@link Interest#READABLE}; on each readable event call {@link #accept()} until it
 * returns null (edge-triggered: connections that arrive later raise a new event).
 *
 * <p>Thread-safe: every method may be called from any thread. {@link #close()} is safe against calls in
 * flight on other threads: they finish on the descriptor they started with, later calls throw
 * {@link java.nio.channels.ClosedChannelException}, and the descriptor number is never used after that.
 */
public final class TcpListener implements Source, AutoCloseable {
    /** mio's backlog (since 1.1, following Rust's std). */
    public static final int DEFAULT_BACKLOG = 128;

    private final FileDesc fd;
    /** The selector backend's listener; null on the epoll backend (then {@link #fd} is set). */
    private final NioListener nio;

    private TcpListener(FileDesc fd) {
        this.fd = fd;
        this.nio = null;
    }

    private TcpListener(NioListener nio) {
        this.fd = null;
        this.nio = nio;
    }

    /** A listener of the selector backend around a bound, listening channel. */
    static TcpListener of(NioListener nio) {
        return new TcpListener(nio);
    }

    /**
     * Binds to {@code address} with SO_REUSEADDR and listens with a backlog of {@value #DEFAULT_BACKLOG}.
     * Port 0 picks a free port: see {@link #localAddr()}.
     *
     * @throws java.net.BindException if the address is in use or not local
     * @throws java.nio.channels.UnresolvedAddressException if {@code address} is unresolved
     * @throws IOException if the socket cannot be created
     */
    public static TcpListener bind(InetSocketAddress address) throws IOException {
        return bind(address, DEFAULT_BACKLOG);
    }

    /**
     * Like {@link #bind(InetSocketAddress)} with the given listen backlog.
     *
     * @throws IllegalArgumentException if {@code backlog} is negative
     */
    public static TcpListener bind(InetSocketAddress address, int backlog) throws IOException {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative: " + backlog);
        }
        if (Backends.selector()) {
            return new TcpListener(NioNet.listen(address, backlog));
        }
        FileDesc fd = SocketOps.open(SockAddr.family(address), SOCK_STREAM, "TcpListener");
        try {
            SocketOps.setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            SocketOps.bind(fd, address);
            SocketOps.listen(fd, backlog);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new TcpListener(fd);
    }

    /** A listener around a socket {@link TcpSocket} configured, bound and put into listening state. */
    static TcpListener configured(FileDesc fd) {
        return new TcpListener(fd);
    }

    /**
     * Takes ownership of {@code fd}, a listening TCP socket; makes it non-blocking and close-on-exec.
     * On failure the caller still owns {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is not a stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static TcpListener fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw Unsupported.rawFd("TcpListener.fromRawFd");
        }
        return new TcpListener(SocketOps.adopt(fd, SOCK_STREAM, "TcpListener"));
    }

    /**
     * Accepts a pending connection, non-blocking. The stream is non-blocking and close-on-exec; its
     * {@link TcpStream#peerAddr()} is the address accept reported.
     *
     * @return the new stream, or null if no connection is pending (would block)
     * @throws java.nio.channels.ClosedChannelException if this listener is closed
     * @throws IOException if accept fails (for example EMFILE: too many open files)
     */
    public TcpStream accept() throws IOException {
        if (nio != null) {
            java.nio.channels.SocketChannel c = nio.accept();
            return c == null ? null : TcpStream.of(NioNet.stream(c, "TcpStream"), null);
        }
        InetSocketAddress[] peer = new InetSocketAddress[1];
        int nfd = SocketOps.accept(fd, peer);
        return nfd < 0 ? null : TcpStream.accepted(new FileDesc(nfd, "TcpStream"), peer[0]);
    }

    /** The address this listener is bound to. */
    public InetSocketAddress localAddr() throws IOException {
        if (nio != null) {
            return NioNet.localAddr(nio);
        }
        return SocketOps.localAddress(fd);
    }

    /**
     * Sets the IP time-to-live (IPv4 {@code IP_TTL}, IPv6 {@code IPV6_UNICAST_HOPS}) of accepted connections.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public void setTtl(int ttl) throws IOException {
        if (nio != null) {
            if (ttl < 1 || ttl > 255) {
                throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
            }
            nio.ensureOpen();
            throw Unsupported.option("IP_TTL", "TcpListener");
        }
        TcpStream.setTtl(fd, ttl);
    }

    /**
     * The IP time-to-live.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int ttl() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.option("IP_TTL", "TcpListener");
        }
        return TcpStream.ttl(fd);
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            return null;
        }
        return SocketOps.takeError(fd);
    }

    /**
     * The descriptor number, for interop. It stays owned by this listener: do not close it, and do not
     * use it after {@link #close()}.
     *
     * @throws java.nio.channels.ClosedChannelException if closed
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.rawFd("TcpListener.rawFd");
        }
        fd.acquire();
        try {
            return fd.fd();
        } finally {
            fd.release();
        }
    }

    /** False once {@link #close()} has been called. */
    public boolean isOpen() {
        return nio != null ? nio.isOpen() : fd.isOpen();
    }

    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.register(registry, this, fd, nio, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.reregister(registry, this, fd, nio, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        Bridge.deregister(registry, this, fd, nio);
    }

    /** Deregisters (if registered) and closes. Idempotent; thread-safe; see the class comment. */
    @Override
    public void close() {
        if (nio != null) {
            nio.close();
            return;
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "TcpListener[" + (nio != null ? nio : fd) + "]";
    }
}
