package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.SourcePair;
import io.mio.internal.spi.UnixStreamSpi;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.file.Path;
import java.util.Objects;

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
 *
 * <p>Errors: every method throws {@link java.nio.channels.ClosedChannelException} once the stream is closed; a failed
 * system call throws one of the JDK's {@link java.io.IOException}s (mostly {@link java.net.SocketException})
 * whose message names the call and the errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend);
 * would-block is never an exception.
 *
 * <h2>As a java.nio channel</h2>
 * It is a {@link java.nio.channels.ByteChannel ByteChannel}, {@link java.nio.channels.ScatteringByteChannel ScatteringByteChannel} and {@link java.nio.channels.GatheringByteChannel GatheringByteChannel}, so code written for channels (codecs, TLS wrappers,
 * {@link java.nio.channels.Channels#newOutputStream}) takes it as it is. The return values are the channel contract's
 * for a channel in non-blocking mode: the bytes moved, {@code 0} when nothing could be moved without blocking (or the
 * buffers had no room / nothing remaining), {@code -1} at end of stream. What differs from a JDK channel: the calls
 * are never interruptible (no {@link java.nio.channels.ClosedByInterruptException}; an interrupt is left set and
 * ignored); concurrent reads (or writes) on two threads are not queued behind each other but each moves its own
 * bytes (do not do it on a stream: the order of the bytes is then up to the scheduler); and being no
 * {@link java.nio.channels.SelectableChannel}, a stream is registered with a {@link io.mio.Poll}, not a
 * {@link java.nio.channels.Selector}. {@link java.nio.channels.Channels#newInputStream} works while bytes or end of
 * stream are already queued: an {@code InputStream} stops at a read that returns 0. {@code close()} is idempotent, and
 * after it every call throws {@link java.nio.channels.ClosedChannelException}.
 */
public final class UnixStream implements Source, ByteChannel, ScatteringByteChannel, GatheringByteChannel {
    /** This backend's stream: every method below delegates to it. */
    private final UnixStreamSpi impl;

    /** Both ends of a connected pair ({@link #pair()}); closing the pair closes both. */
    public record Pair(UnixStream first, UnixStream second) implements AutoCloseable {
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    UnixStream(UnixStreamSpi impl) {
        this.impl = impl;
    }

    /**
     * Connects to the listener bound to {@code path}. Unix sockets connect at once; register for
     * {@link Interest#WRITABLE} as with TCP if you prefer one code path.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws IOException if nothing listens there (ENOENT, ECONNREFUSED) or its backlog is full (EAGAIN)
     */
    public static UnixStream connect(Path path) throws IOException {
        return connect(UnixAddress.of(path));
    }

    /** Connects to {@code address}; see {@link #connect(Path)}. */
    public static UnixStream connect(UnixDomainSocketAddress address) throws IOException {
        return connect(UnixAddress.of(address));
    }

    /**
     * Connects to {@code address}, a path name or an abstract name.
     *
     * @throws IllegalArgumentException if {@code address} is unnamed
     */
    public static UnixStream connect(UnixAddress address) throws IOException {
        return new UnixStream(Backends.provider().connectUnix(address));
    }

    /**
     * Two connected, unnamed streams ({@code socketpair}), non-blocking and close-on-exec. On the
     * {@link io.mio.Backend#SELECTOR} backend (no socketpair in the JDK) they are connected through a listener on a
     * temporary path, removed before this returns.
     */
    public static Pair pair() throws IOException {
        SourcePair<UnixStreamSpi> p = Backends.provider().unixStreamPair();
        return new Pair(new UnixStream(p.first()), new UnixStream(p.second()));
    }

    /**
     * Takes ownership of {@code fd}, a Unix domain stream socket; makes it non-blocking and close-on-exec. On
     * failure the caller still owns {@code fd}, its flags unchanged.
     *
     * @throws IllegalArgumentException if {@code fd} is not a Unix domain stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UnixStream fromRawFd(int fd) throws IOException {
        return new UnixStream(Backends.provider().adoptUnixStream(fd));
    }

    /** Reads into {@code dst}'s remaining space: bytes read, 0 if it would block, -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        return impl.read(dst);
    }

    /** Reads into {@code dst[offset, offset + length)}: bytes read, 0 if it would block, -1 at end of stream. */
    public int read(byte[] dst, int offset, int length) throws IOException {
        return impl.read(dst, offset, length);
    }

    /** Reads into all of {@code dst}. */
    public int read(byte[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /**
     * Scatter read into {@code dsts[offset, offset + length)}, as {@link TcpStream#read(ByteBuffer[], int, int)}
     * (one readv when every buffer is direct).
     *
     * @return bytes read, 0 if it would block (or no buffer has room), -1 at end of stream
     * @throws IndexOutOfBoundsException if the range is outside {@code dsts}
     * @throws java.nio.ReadOnlyBufferException if one of the buffers is read-only
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return impl.read(dsts, offset, length);
    }

    /** Scatter read (one readv when every buffer is direct): bytes read, 0 if it would block, -1 at end of stream. */
    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return impl.read(dsts, 0, dsts.length);
    }

    /** Writes {@code src}'s remaining bytes, as many as fit: bytes written, 0 if it would block. */
    public int write(ByteBuffer src) throws IOException {
        return impl.write(src);
    }

    /** Writes {@code src[offset, offset + length)}, as many as fit: bytes written, 0 if it would block. */
    public int write(byte[] src, int offset, int length) throws IOException {
        return impl.write(src, offset, length);
    }

    /** Writes all of {@code src} that fits. */
    public int write(byte[] src) throws IOException {
        return write(src, 0, src.length);
    }

    /**
     * Gather write of {@code srcs[offset, offset + length)}, as {@link TcpStream#write(ByteBuffer[], int, int)} (one
     * sendmsg when every buffer is direct).
     *
     * @return bytes written, 0 if it would block (or nothing remained)
     * @throws IndexOutOfBoundsException if the range is outside {@code srcs}
     * @throws java.net.SocketException if the peer is gone (EPIPE)
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return impl.write(srcs, offset, length);
    }

    /** Gather write (one sendmsg when every buffer is direct): bytes written, 0 if it would block. */
    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return impl.write(srcs, 0, srcs.length);
    }

    /**
     * Shuts down the read half, the write half, or both; the peer sees end of stream (write) or EPIPE on its
     * writes (read), and registrations get read-closed / write-closed events.
     */
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        impl.shutdown(how);
    }

    /** The local address (unnamed for a connecting client or a pair end). */
    public UnixAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /** The peer's address (unnamed when the peer is not bound, as for accepted clients). */
    public UnixAddress peerAddr() throws IOException {
        return impl.peerAddr();
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /**
     * The descriptor number, for interop; still owned by this stream.
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

    /** Deregisters (if registered) and closes. Idempotent; thread-safe. */
    @Override
    public void close() {
        impl.close();
    }

    @Override
    public String toString() {
        return impl.toString();
    }
}
