package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.UnixListenerSpi;
import io.mio.internal.spi.UnixStreamSpi;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * A non-blocking Unix domain listening socket: mio's {@code net::UnixListener}.
 *
 * <p>Register with {@link Interest#READABLE}; on each event call {@link #accept()} until it returns null.
 * Binding to a path creates a socket file there; like mio and std, closing does not remove it, and binding
 * where a file exists fails with EADDRINUSE. Abstract names ({@link UnixAddress#ofAbstract}) leave no file.
 *
 * <p>Thread-safe; {@link #close()} is safe against calls in flight on other threads.
 *
 * <p>Errors: every method throws {@link java.nio.channels.ClosedChannelException} once the listener is closed; a failed
 * system call throws one of the JDK's {@link java.io.IOException}s (mostly {@link java.net.SocketException})
 * whose message names the call and the errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend);
 * would-block is never an exception.
 */
public final class UnixListener implements Source, AutoCloseable {
    /** The listen backlog. */
    public static final int DEFAULT_BACKLOG = 128;

    /** This backend's listener: every method below delegates to it. */
    private final UnixListenerSpi impl;

    private UnixListener(UnixListenerSpi impl) {
        this.impl = impl;
    }

    /**
     * Binds to {@code path} and listens.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws java.net.BindException if the path exists (EADDRINUSE)
     * @throws IOException if its directory is missing (ENOENT) or not writable (EACCES)
     */
    public static UnixListener bind(Path path) throws IOException {
        return bind(UnixAddress.of(path));
    }

    /** Binds to {@code address} and listens; see {@link #bind(Path)}. */
    public static UnixListener bind(UnixDomainSocketAddress address) throws IOException {
        return bind(UnixAddress.of(address));
    }

    /**
     * Binds to {@code address} (a path name or an abstract name) and listens. An unnamed address autobinds to a
     * fresh abstract name chosen by the kernel (see {@link #localAddr()}).
     *
     * @throws UnsupportedOperationException for an abstract name on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UnixListener bind(UnixAddress address) throws IOException {
        return new UnixListener(Backends.provider().bindUnix(address, DEFAULT_BACKLOG));
    }

    /**
     * Takes ownership of {@code fd}, a listening Unix domain stream socket; makes it non-blocking and
     * close-on-exec. On failure the caller still owns {@code fd}, its flags unchanged.
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UnixListener fromRawFd(int fd) throws IOException {
        return new UnixListener(Backends.provider().adoptUnixListener(fd));
    }

    /**
     * Accepts a pending connection, non-blocking.
     *
     * @return the new stream (non-blocking, close-on-exec), or null if none is pending
     * @throws IOException if accept fails (for example EMFILE: too many open files). The connection stays
     *         queued and, edge-triggered, no new event announces it: call accept again once descriptors are free
     */
    public UnixStream accept() throws IOException {
        UnixStreamSpi stream = impl.accept();
        return stream == null ? null : new UnixStream(stream);
    }

    /** The address this listener is bound to. */
    public UnixAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /**
     * The descriptor number, for interop; still owned by this listener.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
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
