package io.mio.unix;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.PipeSpi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;

/**
 * A Unix pipe: mio's {@code unix::pipe}. {@link #open()} creates both ends with {@code pipe2(O_NONBLOCK |
 * O_CLOEXEC)}; bytes written to the {@link Sender} are read from the {@link Receiver}.
 *
 * <p>Reads and writes follow the stream convention: the bytes moved, {@code 0} when the call would block (or
 * there was nothing to move), and reads return {@code -1} at end of file (every sender closed). Register the
 * receiver for {@link Interest#READABLE} and the sender for {@link Interest#WRITABLE}; closing the sender gives the
 * receiver a read-closed event, closing the receiver gives the sender a write-closed (error) event, and a later
 * write throws {@link java.io.IOException} (EPIPE: the JVM ignores SIGPIPE, so the process is not killed).
 *
 * <h2>Child processes</h2>
 * {@link Process}'s stdin/stdout/stderr streams do not expose their descriptors, so they cannot be adopted or
 * registered. Instead hand pipe ends to the child: {@link #startChild(ProcessBuilder, Receiver, Sender, Sender)}
 * (or the shortcuts {@link Receiver#startChild(ProcessBuilder)} for stdin and {@link Sender#startChild(ProcessBuilder)}
 * for stdout) starts a {@link ProcessBuilder} with the ends as the child's standard streams. The ends are held open
 * for the whole start (a concurrent {@code close()} waits to release the descriptor until the start is over), so
 * the child always gets this pipe and never a file that reused a closed end's number. After the start, close this
 * process's copy of the child's end, or the other end never sees end of file. (Linux only, like this backend:
 * {@link ProcessBuilder} reopens the end through {@code /proc/self/fd}.)
 *
 * <p>Both ends are thread-safe and closing is safe against calls in flight, as for the sockets.
 *
 * <p>Errors: every method throws {@link java.nio.channels.ClosedChannelException} once an end is closed; a failed
 * system call throws one of the JDK's {@link java.io.IOException}s (mostly {@link java.net.SocketException})
 * whose message names the call and the errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend);
 * would-block is never an exception.
 *
 * <h2>As java.nio channels</h2>
 * The {@link Sender} is a {@link GatheringByteChannel} (so a {@link java.nio.channels.WritableByteChannel}), the
 * {@link Receiver} a {@link ScatteringByteChannel} (so a {@link java.nio.channels.ReadableByteChannel}), with the
 * contract of a channel in non-blocking mode: the bytes moved, {@code 0} when nothing could be moved without blocking,
 * {@code -1} at end of file; see {@link io.mio.net.TcpStream}'s class comment for what differs from a JDK channel
 * (not interruptible, concurrent calls not queued, registered with a {@link io.mio.Poll}). {@code close()} is
 * idempotent; after it every call throws {@link java.nio.channels.ClosedChannelException}.
 */
public final class Pipe implements AutoCloseable {
    private final Sender sender;
    private final Receiver receiver;

    private Pipe(Sender sender, Receiver receiver) {
        this.sender = sender;
        this.receiver = receiver;
    }

    /**
     * Creates a pipe, both ends non-blocking and close-on-exec.
     *
     * @throws IOException if the process is out of descriptors (EMFILE)
     */
    public static Pipe open() throws IOException {
        PipeSpi p = Backends.provider().openPipe();
        return new Pipe(new Sender(p.sender()), new Receiver(p.receiver()));
    }

    /** The write end. */
    public Sender sender() {
        return sender;
    }

    /** The read end. */
    public Receiver receiver() {
        return receiver;
    }

    /** Closes both ends. */
    @Override
    public void close() {
        sender.close();
        receiver.close();
    }

    /**
     * Starts {@code pb} with pipe ends as the child's standard streams: {@code stdin} as its standard input,
     * {@code stdout} as its standard output, {@code stderr} as its standard error. A {@code null} end leaves that
     * stream as {@code pb} says. Each given end is held open until {@link ProcessBuilder#start()} returns, so a
     * concurrent {@code close()} of an end cannot make its descriptor number reach the child as some other file;
     * an end closed before the call fails it with {@link java.nio.channels.ClosedChannelException} and nothing is started.
     *
     * <p>{@code pb}'s redirects are changed only for the start and restored afterwards (also when it fails);
     * like {@link ProcessBuilder} itself, {@code pb} must not be used by another thread meanwhile. The child gets
     * a new open file of each pipe end, in blocking mode; this process's ends stay non-blocking. Close this
     * process's copies of the ends given to the child after the start (see the class comment).
     *
     * @return the started process
     * @throws java.nio.channels.ClosedChannelException if a given end is closed
     * @throws IOException if {@link ProcessBuilder#start()} fails
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend (a java.nio pipe has
     *         no descriptor to hand to a child)
     */
    public static Process startChild(ProcessBuilder pb, Receiver stdin, Sender stdout, Sender stderr) throws IOException {
        Objects.requireNonNull(pb, "pb");
        return Backends.provider().startChild(pb, stdin == null ? null : stdin.impl, stdout == null ? null : stdout.impl,
                stderr == null ? null : stderr.impl);
    }

    /** The write end of a pipe. */
    public static final class Sender implements Source, GatheringByteChannel {
        /** This backend's end: every method below delegates to it. */
        private final PipeSpi.Sender impl;

        private Sender(PipeSpi.Sender impl) {
            this.impl = impl;
        }

        /**
         * Takes ownership of {@code fd}, open for writing (a pipe's write end, a FIFO, a terminal, ...); makes it
         * non-blocking and close-on-exec. O_NONBLOCK is a property of the open file, so other descriptors of the
         * same file (dup, fork) become non-blocking too. On failure the caller still owns {@code fd}.
         *
         * @throws IllegalArgumentException if {@code fd} is open for reading only
         * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
         */
        public static Sender fromRawFd(int fd) throws IOException {
            return new Sender(Backends.provider().adoptPipeSender(fd));
        }

        /**
         * Writes {@code src}'s remaining bytes, as many as fit: bytes written, 0 if it would block.
         *
         * @throws IOException with EPIPE once every read end of the pipe is closed (the JVM ignores SIGPIPE)
         */
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
         * Gather write of {@code srcs[offset, offset + length)}, in order; the buffers' positions move. One writev when
         * every buffer is direct (up to 64 buffers per call), otherwise one write per buffer, stopping at the first
         * not written whole.
         *
         * @return bytes written, 0 if it would block (or nothing remained)
         * @throws IndexOutOfBoundsException if the range is outside {@code srcs}
         * @throws IOException EPIPE if the receiver is closed
         * @throws java.nio.channels.ClosedChannelException if this sender is closed
         */
        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return impl.write(srcs, offset, length);
        }

        /** Gather write of all of {@code srcs}; see {@link #write(ByteBuffer[], int, int)}. */
        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return impl.write(srcs, 0, srcs.length);
        }

        /**
         * Starts {@code pb} with this pipe's write end as the child's standard output: a shortcut for
         * {@link Pipe#startChild(ProcessBuilder, Receiver, Sender, Sender) Pipe.startChild(pb, null, this, null)},
         * which see. Close this sender after the start, or the receiver never sees end of file.
         *
         * @throws java.nio.channels.ClosedChannelException if this sender is closed
         * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
         */
        public Process startChild(ProcessBuilder pb) throws IOException {
            return Pipe.startChild(pb, null, this, null);
        }

        /**
         * The descriptor number; still owned by this sender.
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

    /** The read end of a pipe. */
    public static final class Receiver implements Source, ScatteringByteChannel {
        /** This backend's end: every method below delegates to it. */
        private final PipeSpi.Receiver impl;

        private Receiver(PipeSpi.Receiver impl) {
            this.impl = impl;
        }

        /**
         * Takes ownership of {@code fd}, open for reading; makes it non-blocking and close-on-exec (see
         * {@link Sender#fromRawFd}). On failure the caller still owns {@code fd}.
         *
         * @throws IllegalArgumentException if {@code fd} is open for writing only
         * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
         */
        public static Receiver fromRawFd(int fd) throws IOException {
            return new Receiver(Backends.provider().adoptPipeReceiver(fd));
        }

        /** Reads into {@code dst}'s remaining space: bytes read, 0 if it would block, -1 at end of file. */
        public int read(ByteBuffer dst) throws IOException {
            return impl.read(dst);
        }

        /** Reads into {@code dst[offset, offset + length)}: bytes read, 0 if it would block, -1 at end of file. */
        public int read(byte[] dst, int offset, int length) throws IOException {
            return impl.read(dst, offset, length);
        }

        /** Reads into all of {@code dst}. */
        public int read(byte[] dst) throws IOException {
            return read(dst, 0, dst.length);
        }

        /**
         * Scatter read into {@code dsts[offset, offset + length)}, filling each before the next; the buffers' positions
         * move. One readv when every buffer is direct (up to 64 buffers per call), otherwise one read per buffer,
         * stopping at the first not filled.
         *
         * @return bytes read, 0 if it would block (or no buffer has room), -1 at end of file
         * @throws IndexOutOfBoundsException if the range is outside {@code dsts}
         * @throws java.nio.ReadOnlyBufferException if one of the buffers is read-only
         * @throws java.nio.channels.ClosedChannelException if this receiver is closed
         */
        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return impl.read(dsts, offset, length);
        }

        /** Scatter read into all of {@code dsts}; see {@link #read(ByteBuffer[], int, int)}. */
        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return impl.read(dsts, 0, dsts.length);
        }

        /**
         * Starts {@code pb} with this pipe's read end as the child's standard input: a shortcut for
         * {@link Pipe#startChild(ProcessBuilder, Receiver, Sender, Sender) Pipe.startChild(pb, this, null, null)},
         * which see. Close this receiver after the start, or the sender never sees a write-closed event.
         *
         * @throws java.nio.channels.ClosedChannelException if this receiver is closed
         * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
         */
        public Process startChild(ProcessBuilder pb) throws IOException {
            return Pipe.startChild(pb, this, null, null);
        }

        /**
         * The descriptor number; still owned by this receiver.
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
}
