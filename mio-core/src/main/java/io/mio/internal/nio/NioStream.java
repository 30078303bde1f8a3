package io.mio.internal.nio;

import io.mio.internal.ReadySet;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A byte stream of the selector backend: a TCP or Unix {@link SocketChannel}, or one end of a
 * {@link java.nio.channels.Pipe}.
 *
 * <p>The JDK has no MSG_PEEK and no poll flags for end of stream or errors, so this class keeps a small
 * <em>pushback</em> buffer: {@link #peek} reads into it, and when a readable event fires the polling thread reads
 * one byte into it ("probe") to learn whether the stream reached its end (read-closed) or failed (error). Reads
 * drain the pushback first. A failure the probe saw is thrown by the next read. Bytes a peek moved into the pushback
 * while readable is armed are invisible to the Selector, so they are reported through {@link NioHandle#reportHeld}.
 */
public final class NioStream extends NioHandle {
    private final SocketChannel socket; // null for pipe ends
    private final ScatteringByteChannel in;
    private final GatheringByteChannel out;
    private final Object readLock = new Object();
    // Guarded by readLock:
    private ByteBuffer pushback; // write mode: [0, position) holds unread bytes
    /** Whether the pushback holds bytes; written under readLock after every change, read without it. */
    private volatile boolean holding;
    private boolean eof;
    private IOException readError;
    // Written by any thread; racy flags are fine (best-effort readiness flags):
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean writeBroken;
    private volatile IOException connectError;
    private volatile boolean connectFailed;

    public NioStream(SocketChannel socket, String kind) throws IOException {
        super(socket, kind);
        this.socket = socket;
        this.in = socket;
        this.out = socket;
    }

    /** A pipe end: {@code in} or {@code out} is null. */
    public NioStream(SelectableChannel channel, ScatteringByteChannel in, GatheringByteChannel out, String kind)
            throws IOException {
        super(channel, kind);
        this.socket = null;
        this.in = in;
        this.out = out;
    }

    /** The sender of the same java.nio pipe, for a receiver: told when the receiver closes. */
    private volatile NioStream pipeSender;

    /**
     * Links the two ends of a java.nio pipe: closing the receiver makes the sender report write-closed, as a pipe
     * with no reader does on Linux (the JDK's selector shows such a pipe only as writable).
     */
    public static void linkPipe(NioStream sender, NioStream receiver) {
        receiver.pipeSender = sender;
    }

    @Override
    void onClosed() {
        NioStream sender = pipeSender;
        if (sender != null) {
            sender.writeBroken = true;
            sender.rearm(W);
        }
    }

    public SocketChannel socket() {
        return socket;
    }

    @Override
    int readOp() {
        return SelectionKey.OP_READ;
    }

    @Override
    int writeOp() {
        return socket != null && socket.isConnectionPending() ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
    }

    @Override
    int alwaysOps() {
        return socket != null && socket.isConnectionPending() ? SelectionKey.OP_CONNECT : 0;
    }

    @Override
    void onSelected(int readyOps) {
        if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
            finishConnect();
        }
    }

    /** Completes a pending connect if it can; true when connected. A failure is kept for takeError. */
    private boolean finishConnect() {
        SocketChannel s = socket;
        if (s == null || !s.isConnectionPending()) {
            return true;
        }
        try {
            boolean done = s.finishConnect();
            if (done) {
                refreshOps(); // writable now means OP_WRITE
            }
            return done;
        } catch (IOException e) {
            connectError = NioErrors.withErrno(e); // the JDK closes the channel after a failed connect
            connectFailed = true;
            return false;
        }
    }

    @Override
    IOException closedUnderUs() {
        return connectFailed ? new SocketException(kind + " is not connected: its connect failed (ENOTCONN)")
                : super.closedUnderUs();
    }

    @Override
    int extra(int fired) {
        int flags = 0;
        if (connectError != null) {
            flags |= ReadySet.ERROR | ReadySet.WRITE_CLOSED | ReadySet.READ_CLOSED;
        }
        if ((fired & R) != 0 && in != null) {
            flags |= probe();
        }
        if ((eofSeen() || inputShut) && outputShut || writeBroken) {
            flags |= ReadySet.WRITE_CLOSED;
        }
        return flags;
    }

    private boolean eofSeen() {
        synchronized (readLock) {
            return eof;
        }
    }

    /** Polling thread, after a readable event: reads one byte ahead to see end of stream or a failure. */
    private int probe() {
        synchronized (readLock) {
            if (eof || inputShut) {
                return ReadySet.READ_CLOSED;
            }
            if (readError != null) {
                return ReadySet.ERROR | ReadySet.READ_CLOSED | ReadySet.WRITE_CLOSED;
            }
            if ((pushback != null && pushback.position() > 0) || (socket != null && !socket.isConnected())) {
                return 0;
            }
            ByteBuffer p = pushback(1);
            p.limit(1);
            try {
                int n = in.read(p);
                if (n < 0) {
                    eof = true;
                    return ReadySet.READ_CLOSED;
                }
                noteHolding();
                return 0;
            } catch (ClosedChannelException e) {
                return 0;
            } catch (IOException e) {
                readError = NioErrors.withErrno(e);
                return ReadySet.ERROR | ReadySet.READ_CLOSED | ReadySet.WRITE_CLOSED;
            } finally {
                p.limit(p.capacity());
            }
        }
    }

    /**
     * After a read that filled the caller's buffer: epoll would raise a new edge for the next byte if the queue is
     * now empty, so find out (one byte into the pushback) and re-arm if it is empty or at its end. Only while
     * registered and disarmed (unregistered streams pay nothing; a full read between events costs this one extra
     * read call). Caller holds readLock; the pushback is empty here.
     */
    private void lookAhead() {
        if (!disarmed(R)) {
            return; // not registered, or already armed: nothing could go unreported
        }
        ByteBuffer p = pushback(1);
        p.limit(1);
        try {
            int k = in.read(p);
            noteHolding();
            if (k == 0) {
                rearm(R);
            } else if (k < 0) {
                eof = true;
                rearm(R); // the end of stream is new readiness: report it
            }
        } catch (IOException e) {
            readError = NioErrors.withErrno(e);
            rearm(R);
        } finally {
            p.limit(p.capacity());
        }
    }

    private ByteBuffer pushback(int atLeast) {
        ByteBuffer p = pushback;
        if (p == null || p.capacity() < atLeast) {
            ByteBuffer grown = ByteBuffer.allocate(Math.max(atLeast, 64));
            if (p != null) {
                p.flip();
                grown.put(p);
            }
            pushback = grown;
            p = grown;
        }
        return p;
    }

    /** Caller holds readLock, after changing the pushback. */
    private void noteHolding() {
        ByteBuffer p = pushback;
        holding = p != null && p.position() > 0;
    }

    @Override
    boolean holdsBytes() {
        return holding;
    }

    /** Moves up to dst.remaining() pushback bytes into dst; returns how many. */
    private int drainPushback(ByteBuffer dst) {
        ByteBuffer p = pushback;
        if (p == null || p.position() == 0) {
            return 0;
        }
        p.flip();
        int n = Math.min(p.remaining(), dst.remaining());
        int limit = p.limit();
        p.limit(p.position() + n);
        dst.put(p);
        p.limit(limit);
        p.compact();
        noteHolding();
        return n;
    }

    private IOException takeReadError() {
        IOException e = readError;
        readError = null;
        return e;
    }

    private void checkConnected() throws IOException {
        IOException e = connectError;
        if (e != null) {
            throw e;
        }
    }

    // ---- reading ----------------------------------------------------------------------------------

    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        synchronized (readLock) {
            int n = drainPushback(dst);
            if (!dst.hasRemaining()) {
                return n;
            }
            long early = beforeChannelRead(n);
            if (early != READ_THE_CHANNEL) {
                return (int) early;
            }
            int m;
            try {
                m = in.read(dst);
            } catch (NotYetConnectedException e) {
                throw new SocketException("read: " + kind + " is not connected (ENOTCONN)");
            } catch (IOException e) {
                throw translate(e);
            }
            return (int) afterChannelRead(n, m, dst.hasRemaining());
        }
    }

    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureOpen();
        synchronized (readLock) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                if (dsts[i].isReadOnly()) {
                    throw new ReadOnlyBufferException();
                }
                n += drainPushback(dsts[i]);
            }
            if (!anyRemaining(dsts, offset, length)) {
                return n;
            }
            long early = beforeChannelRead(n);
            if (early != READ_THE_CHANNEL) {
                return early;
            }
            long m;
            try {
                m = in.read(dsts, offset, length);
            } catch (NotYetConnectedException e) {
                throw new SocketException("read: " + kind + " is not connected (ENOTCONN)");
            } catch (IOException e) {
                throw translate(e);
            }
            return afterChannelRead(n, m, anyRemaining(dsts, offset, length));
        }
    }

    /** {@link #beforeChannelRead}'s answer when nothing decided the read yet: ask the channel. */
    private static final long READ_THE_CHANNEL = Long.MIN_VALUE;

    /**
     * A read's checks before it asks the channel, under {@code readLock}, with {@code n} bytes already taken from
     * the pushback: a stored error, end of stream or a connect not yet finished decide the result here; otherwise
     * {@link #READ_THE_CHANNEL}.
     */
    private long beforeChannelRead(long n) throws IOException {
        if (readError != null) {
            if (n > 0) {
                return n;
            }
            throw takeReadError();
        }
        if (eof) {
            return n > 0 ? n : -1;
        }
        if (!finishConnect()) {
            checkConnected();
            rearm(R);
            return n;
        }
        return READ_THE_CHANNEL;
    }

    /**
     * A read's result once the channel gave {@code m} bytes after the {@code n} from the pushback: end of stream;
     * else re-arm if room was left (would block, or a short read: the receive queue is empty), or look ahead after
     * a read that filled the buffers.
     */
    private long afterChannelRead(long n, long m, boolean roomLeft) {
        if (m < 0) {
            eof = true;
            return n > 0 ? n : -1;
        }
        if (roomLeft) {
            rearm(R);
        } else {
            lookAhead();
        }
        return n + m;
    }

    private static boolean anyRemaining(ByteBuffer[] bufs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bufs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Copies up to dst.remaining() received bytes to dst without consuming them; dst's position does not move. */
    public int peek(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        ensureOpen();
        int room = dst.remaining();
        if (room == 0) {
            return 0;
        }
        int n = peekLocked(dst, room);
        if (n > 0) {
            reportHeld(); // the Selector no longer sees the bytes the peek took: report them from here
        }
        return n;
    }

    private int peekLocked(ByteBuffer dst, int room) throws IOException {
        synchronized (readLock) {
            ByteBuffer p = pushback(room);
            if (p.position() < room && !eof && readError == null && finishConnect()) {
                int limit = p.limit();
                p.limit(room);
                try {
                    if (in.read(p) < 0) {
                        eof = true;
                    }
                    noteHolding();
                } catch (NotYetConnectedException e) {
                    throw new SocketException("peek: " + kind + " is not connected (ENOTCONN)");
                } catch (IOException e) {
                    throw translate(e);
                } finally {
                    p.limit(limit);
                }
            }
            int n = Math.min(room, p.position());
            if (n == 0) {
                if (readError != null) {
                    throw takeReadError();
                }
                if (eof) {
                    return -1;
                }
                checkConnected();
                rearm(R);
                return 0;
            }
            dst.put(dst.position(), p, 0, n);
            return n;
        }
    }

    // ---- writing ----------------------------------------------------------------------------------

    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (!src.hasRemaining()) {
            return 0;
        }
        if (!finishConnect()) {
            checkConnected();
            rearm(W);
            return 0;
        }
        int n;
        try {
            n = out.write(src);
        } catch (NotYetConnectedException e) {
            throw new SocketException("write: " + kind + " is not connected (ENOTCONN)");
        } catch (IOException e) {
            throw writeFailed(e);
        }
        if (src.hasRemaining()) {
            rearm(W);
        }
        return n;
    }

    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        if (!anyRemaining(srcs, offset, length)) {
            return 0;
        }
        if (!finishConnect()) {
            checkConnected();
            rearm(W);
            return 0;
        }
        long n;
        try {
            n = out.write(srcs, offset, length);
        } catch (NotYetConnectedException e) {
            throw new SocketException("write: " + kind + " is not connected (ENOTCONN)");
        } catch (IOException e) {
            throw writeFailed(e);
        }
        if (anyRemaining(srcs, offset, length)) {
            rearm(W);
        }
        return n;
    }

    private IOException writeFailed(IOException e) {
        if (e instanceof ClosedChannelException && channel.isOpen() && isOpen()) {
            writeBroken = true; // the JDK refuses writes after shutdownOutput; Linux answers EPIPE
            SocketException s = new SocketException("write: the write half of " + kind + " is shut down: Broken pipe (EPIPE)");
            s.initCause(e);
            return s;
        }
        IOException t = translate(e);
        if (t == e) {
            writeBroken = true;
            if (socket != null && e.getClass() == IOException.class) {
                SocketException s = new SocketException(e.getMessage());
                s.initCause(e);
                return s;
            }
        }
        return t;
    }

    // ---- state and options -------------------------------------------------------------------------

    public void shutdownInput() throws IOException {
        ensureOpen();
        if (connectFailed) {
            throw closedUnderUs();
        }
        try {
            synchronized (readLock) {
                // Linux keeps the bytes already received readable after SHUT_RD; the JDK drops them, so take them first.
                if (socket.isConnected() && !eof) {
                    for (;;) {
                        ByteBuffer p = pushback(pushback == null ? 64 : pushback.position() + 1);
                        if (!p.hasRemaining()) {
                            p = pushback(p.capacity() * 2);
                        }
                        int n = in.read(p);
                        if (n <= 0) {
                            eof = n < 0;
                            break;
                        }
                    }
                    noteHolding();
                }
                socket.shutdownInput();
                inputShut = true;
            }
        } catch (NotYetConnectedException e) {
            throw new SocketException("shutdown: " + kind + " is not connected (ENOTCONN)");
        } catch (IOException e) {
            throw translate(e);
        }
        rearm(R);
    }

    public void shutdownOutput() throws IOException {
        ensureOpen();
        if (connectFailed) {
            throw closedUnderUs();
        }
        try {
            socket.shutdownOutput();
        } catch (NotYetConnectedException e) {
            throw new SocketException("shutdown: " + kind + " is not connected (ENOTCONN)");
        } catch (IOException e) {
            throw translate(e);
        }
        outputShut = true;
        rearm(W);
    }

    /** The failed connect's error, once; null if there is none (the JDK has no SO_ERROR). */
    public IOException takeError() throws IOException {
        IOException e = connectError;
        if (e != null) {
            connectError = null;
            return e;
        }
        ensureOpen();
        return null;
    }

    /** Throws SocketException (ENOTCONN) while the connect is pending or failed. */
    public void requireConnected() throws IOException {
        ensureOpen();
        finishConnect();
        if (!socket.isConnected()) {
            throw new SocketException("getpeername: " + kind + " is not connected (ENOTCONN)");
        }
    }

    /** The local address; completes a pending connect first, since the JDK learns it only then. */
    public java.net.SocketAddress localAddress() throws IOException {
        ensureOpen();
        finishConnect();
        try {
            return socket.getLocalAddress();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    public java.net.SocketAddress remoteAddress() throws IOException {
        requireConnected();
        try {
            return socket.getRemoteAddress();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen();
        Options.set(socket, option, value, kind);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen();
        return Options.get(socket, option, kind);
    }
}
