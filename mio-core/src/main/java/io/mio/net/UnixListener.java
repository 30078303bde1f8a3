package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.nio.NioListener;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking Unix domain listening socket: mio's {@code net::UnixListener}.
 *
 * <p>Register with {@link Interest#READABLE}; on each event call {@link #accept()} until it returns null.
 * Binding to a path creates a socket file there; like mio and std, closing does not remove it, and binding
 * where a file exists fails with EADDRINUSE. Abstract names ({@link UnixAddress#ofAbstract}) leave no file.
 *
 * <p>Thread-safe; {@link #close()} is safe against calls in flight on other threads.
 */
public final class UnixListener implements Source, AutoCloseable {
    /** The listen backlog. */
    public static final int DEFAULT_BACKLOG = 128;

    private final FileDesc fd;

    /** The selector backend's listener; null on the epoll backend (then {@link #fd} is set). */
    private final NioListener nio;

    private UnixListener(FileDesc fd) {
        this.fd = fd;
        this.nio = null;
    }

    private UnixListener(NioListener nio) {
        this.fd = null;
        this.nio = nio;
    }

    /**
     * Binds to {@code path} and listens.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws java.net.BindException if the path exists (EADDRINUSE)
     * @throws IOException if its directory is missing (ENOENT) or not writable (EACCES)
     */
    public static UnixListener bind(Path path) throws IOException {
        return bind(UnixSock.address(path));
    }

    /** Binds to {@code address} and listens; see {@link #bind(Path)}. */
    public static UnixListener bind(UnixDomainSocketAddress address) throws IOException {
        return bind(UnixSock.address(address));
    }

    /**
     * Binds to {@code address} (a path name or an abstract name) and listens. An unnamed address autobinds to a
     * fresh abstract name chosen by the kernel (see {@link #localAddr()}).
     */
    public static UnixListener bind(UnixAddress address) throws IOException {
        if (Backends.selector()) {
            return new UnixListener(NioUnix.listen(address, DEFAULT_BACKLOG));
        }
        FileDesc fd = UnixSock.open(SOCK_STREAM, "UnixListener");
        try {
            UnixSock.bind(fd, address);
            SocketOps.listen(fd, DEFAULT_BACKLOG);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new UnixListener(fd);
    }

    /**
     * Takes ownership of {@code fd}, a listening Unix domain stream socket; makes it non-blocking and
     * close-on-exec. On failure the caller still owns {@code fd}, its flags unchanged.
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UnixListener fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw Unsupported.rawFd("UnixListener.fromRawFd");
        }
        return new UnixListener(UnixSock.adopt(fd, SOCK_STREAM, "UnixListener"));
    }

    /**
     * Accepts a pending connection, non-blocking.
     *
     * @return the new stream (non-blocking, close-on-exec), or null if none is pending
     */
    public UnixStream accept() throws IOException {
        if (nio != null) {
            java.nio.channels.SocketChannel c = nio.accept();
            return c == null ? null : new UnixStream(NioUnix.stream(c));
        }
        FileDesc accepted = UnixSock.accept(fd, "UnixStream");
        return accepted == null ? null : new UnixStream(accepted);
    }

    /** The address this listener is bound to. */
    public UnixAddress localAddr() throws IOException {
        if (nio != null) {
            return NioUnix.address(NioNet.local(nio.server(), nio));
        }
        return UnixSock.localAddress(fd);
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
     * The descriptor number, for interop; still owned by this listener.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.rawFd("UnixListener.rawFd");
        }
        return UnixSock.rawFd(fd);
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
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

    /** Deregisters (if registered) and closes; does not remove a path's socket file. Idempotent; thread-safe. */
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
        return "UnixListener[" + (nio != null ? nio : fd) + "]";
    }
}
