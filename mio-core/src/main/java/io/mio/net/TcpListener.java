package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A non-blocking TCP listening socket: mio's {@code net::TcpListener}.
 *
 * <p>Register it with {@link Interest#READABLE}; on each readable event call {@link #accept()} until it
 * returns null (edge-triggered: connections that arrive later raise a new event).
 *
 * <p>Thread-safe: every method may be called from any thread. {@link #close()} is safe against calls in
 * flight on other threads: they finish on the descriptor they started with, later calls throw
 * {@link java.nio.channels.ClosedChannelException}, and the descriptor number is never used after that.
 *
 * <p>Errors: every method throws {@link java.nio.channels.ClosedChannelException} once the listener is closed,
 * and a failed system call throws one of the JDK's {@link IOException}s whose message names the call and the
 * errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend).
 */
public final class TcpListener implements Source, AutoCloseable {
    /** mio's backlog (since 1.1, following Rust's std). */
    public static final int DEFAULT_BACKLOG = 128;

    /** This backend's listener: every method below delegates to it. */
    private final TcpListenerSpi impl;

    TcpListener(TcpListenerSpi impl) {
        this.impl = impl;
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
        return new TcpListener(Backends.provider().bindTcp(address, backlog));
    }

    /**
     * Takes ownership of {@code fd}, a listening TCP socket; makes it non-blocking and close-on-exec.
     * On failure the caller still owns {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is not a stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static TcpListener fromRawFd(int fd) throws IOException {
        return new TcpListener(Backends.provider().adoptTcpListener(fd));
    }

    /**
     * Accepts a pending connection, non-blocking. The stream is non-blocking and close-on-exec; its
     * {@link TcpStream#peerAddr()} is the address accept reported.
     *
     * @return the new stream, or null if no connection is pending (would block)
     * @throws java.nio.channels.ClosedChannelException if this listener is closed
     * @throws IOException if accept fails (for example EMFILE: too many open files). The connection stays
     *         queued and, edge-triggered, no new event announces it: call accept again once descriptors are free
     */
    public TcpStream accept() throws IOException {
        TcpStreamSpi stream = impl.accept();
        return stream == null ? null : new TcpStream(stream);
    }

    /** The address this listener is bound to. */
    public InetSocketAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /**
     * Sets the IP time-to-live (IPv4 {@code IP_TTL}, IPv6 {@code IPV6_UNICAST_HOPS}) of accepted connections.
     *
     * @throws IllegalArgumentException unless {@code 1 <= ttl <= 255}
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public void setTtl(int ttl) throws IOException {
        impl.setTtl(ttl);
    }

    /**
     * The IP time-to-live.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int ttl() throws IOException {
        return impl.ttl();
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /**
     * The descriptor number, for interop. It stays owned by this listener: do not close it, and do not
     * use it after {@link #close()}.
     *
     * @throws java.nio.channels.ClosedChannelException if closed
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        return impl.rawFd();
    }

    /** False once {@link #close()} has been called. */
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

    /** Deregisters (if registered) and closes. Idempotent; thread-safe; see the class comment. */
    @Override
    public void close() {
        impl.close();
    }

    @Override
    public String toString() {
        return impl.toString();
    }
}
