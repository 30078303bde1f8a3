package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.nio.NioStream;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking Unix domain stream socket: mio's {@code net::UnixStream}.
 *
 * <p>Reads and writes follow {@link TcpStream}'s convention: the bytes moved, {@code 0} when the call would
 * block (or there was nothing to move), {@code -1} at end of stream; would-block neither throws nor allocates.
 * Direct buffers and heap ranges starting at index 0 reach the kernel without a copy; see {@link TcpStream}. Writes use {@code MSG_NOSIGNAL}: a
 * write after the peer closed throws {@link java.net.SocketException} (EPIPE), never raises SIGPIPE.
 *
 * <p>Thread-safe. {@link #close()} may race with calls on other threads: calls in flight finish on the
 * descriptor they started with, later calls throw {@link java.nio.channels.ClosedChannelException}, and no event
 * is reported for the stream after close returns.
 */
public final class UnixStream implements Source, AutoCloseable {
    private final FileDesc fd;

    /** Both ends of a connected pair ({@link #pair()}); closing the pair closes both. */
    public record Pair(UnixStream first, UnixStream second) implements AutoCloseable {
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    /** The selector backend's stream; null on the epoll backend (then {@link #fd} is set). */
    private final NioStream nio;

    UnixStream(FileDesc fd) {
        this.fd = fd;
        this.nio = null;
        this.pairEnd = false;
    }

    /** A {@link #pair()} end on the selector backend: its addresses are reported unnamed, as for a socketpair. */
    private final boolean pairEnd;

    UnixStream(NioStream nio) {
        this(nio, false);
    }

    UnixStream(NioStream nio, boolean pairEnd) {
        this.fd = null;
        this.nio = nio;
        this.pairEnd = pairEnd;
    }

    /**
     * Connects to the listener bound to {@code path}. Unix sockets connect at once; register for
     * {@link Interest#WRITABLE} as with TCP if you prefer one code path.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws IOException if nothing listens there (ENOENT, ECONNREFUSED) or its backlog is full (EAGAIN)
     */
    public static UnixStream connect(Path path) throws IOException {
        return connect(UnixSock.address(path));
    }

    /** Connects to {@code address}; see {@link #connect(Path)}. */
    public static UnixStream connect(UnixDomainSocketAddress address) throws IOException {
        return connect(UnixSock.address(address));
    }

    /**
     * Connects to {@code address}, a path name or an abstract name.
     *
     * @throws IllegalArgumentException if {@code address} is unnamed
     */
    public static UnixStream connect(UnixAddress address) throws IOException {
        if (Backends.selector()) {
            return new UnixStream(NioUnix.connect(address));
        }
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to an unnamed Unix address");
        }
        FileDesc fd = UnixSock.open(SOCK_STREAM, "UnixStream");
        try {
            UnixSock.connect(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new UnixStream(fd);
    }

    /**
     * Two connected, unnamed streams ({@code socketpair}), non-blocking and close-on-exec. On the
     * {@link io.mio.Backend#SELECTOR} backend (no socketpair in the JDK) they are connected through a listener on a
     * temporary path, removed before this returns.
     */
    public static Pair pair() throws IOException {
        if (Backends.selector()) {
            NioStream[] p = NioUnix.pair();
            return new Pair(new UnixStream(p[0], true), new UnixStream(p[1], true));
        }
        FileDesc[] fds = UnixSock.pair(SOCK_STREAM, "UnixStream");
        return new Pair(new UnixStream(fds[0]), new UnixStream(fds[1]));
    }

    /**
     * Takes ownership of {@code fd}, a Unix domain stream socket; makes it non-blocking and close-on-exec. On
     * failure the caller still owns {@code fd}, its flags unchanged.
     *
     * @throws IllegalArgumentException if {@code fd} is not a Unix domain stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UnixStream fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw Unsupported.rawFd("UnixStream.fromRawFd");
        }
        return new UnixStream(UnixSock.adopt(fd, SOCK_STREAM, "UnixStream"));
    }

    /** Reads into {@code dst}'s remaining space: bytes read, 0 if it would block, -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return nio.read(dst);
        }
        return SocketOps.recv(fd, dst, 0);
    }

    /** Reads into {@code dst[offset, offset + length)}: bytes read, 0 if it would block, -1 at end of stream. */
    public int read(byte[] dst, int offset, int length) throws IOException {
        if (nio != null) {
            java.util.Objects.checkFromIndexSize(offset, length, dst.length);
            return nio.read(ByteBuffer.wrap(dst, offset, length));
        }
        return SocketOps.recv(fd, dst, offset, length, 0);
    }

    /** Reads into all of {@code dst}. */
    public int read(byte[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /** Scatter read (one readv when every buffer is direct): bytes read, 0 if it would block, -1 at end of stream. */
    public long read(ByteBuffer[] dsts) throws IOException {
        if (nio != null) {
            return nio.read(dsts, 0, dsts.length);
        }
        return SocketOps.readv(fd, dsts, 0, dsts.length);
    }

    /** Writes {@code src}'s remaining bytes, as many as fit: bytes written, 0 if it would block. */
    public int write(ByteBuffer src) throws IOException {
        if (nio != null) {
            return nio.write(src);
        }
        return SocketOps.send(fd, src, 0);
    }

    /** Writes {@code src[offset, offset + length)}, as many as fit: bytes written, 0 if it would block. */
    public int write(byte[] src, int offset, int length) throws IOException {
        if (nio != null) {
            java.util.Objects.checkFromIndexSize(offset, length, src.length);
            return nio.write(ByteBuffer.wrap(src, offset, length));
        }
        return SocketOps.send(fd, src, offset, length, 0);
    }

    /** Writes all of {@code src} that fits. */
    public int write(byte[] src) throws IOException {
        return write(src, 0, src.length);
    }

    /** Gather write (one sendmsg when every buffer is direct): bytes written, 0 if it would block. */
    public long write(ByteBuffer[] srcs) throws IOException {
        if (nio != null) {
            return nio.write(srcs, 0, srcs.length);
        }
        return SocketOps.writev(fd, srcs, 0, srcs.length);
    }

    /**
     * Shuts down the read half, the write half, or both; the peer sees end of stream (write) or EPIPE on its
     * writes (read), and registrations get read-closed / write-closed events.
     */
    public void shutdown(Shutdown how) throws IOException {
        if (nio != null) {
            switch (java.util.Objects.requireNonNull(how, "how")) {
                case READ -> nio.shutdownInput();
                case WRITE -> nio.shutdownOutput();
                case BOTH -> {
                    nio.shutdownInput();
                    nio.shutdownOutput();
                }
            }
            return;
        }
        SocketOps.shutdown(fd, UnixSock.shutdownHow(how));
    }

    /** The local address (unnamed for a connecting client or a pair end). */
    public UnixAddress localAddr() throws IOException {
        if (nio != null) {
            return pairEnd ? NioUnix.unnamed(nio) : NioUnix.address(nio.localAddress());
        }
        return UnixSock.localAddress(fd);
    }

    /** The peer's address (unnamed when the peer is not bound, as for accepted clients). */
    public UnixAddress peerAddr() throws IOException {
        if (nio != null) {
            return pairEnd ? NioUnix.unnamed(nio) : NioUnix.address(nio.remoteAddress());
        }
        return UnixSock.peerAddress(fd);
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        if (nio != null) {
            return nio.takeError();
        }
        return SocketOps.takeError(fd);
    }

    /**
     * The descriptor number, for interop; still owned by this stream.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.rawFd("UnixStream.rawFd");
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

    /** Deregisters (if registered) and closes. Idempotent; thread-safe. */
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
        return "UnixStream[" + (nio != null ? nio : fd) + "]";
    }
}
