package io.mio.internal.linux;

import io.mio.internal.ClosedException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;

/**
 * Owns one file descriptor and guarantees that its number never reaches a syscall after close.
 *
 * <p>The state word counts the calls in flight; its sign bit says "closing", and bit 30 marks the one call that
 * polls (an epoll descriptor's {@link #acquirePoller}), so that claiming the poll and the reference is one atomic
 * step. Every syscall runs between
 * {@link #acquire()} and {@link #release()}. {@link #close()} sets the closing bit: new acquires then
 * fail with {@link ClosedChannelException}, and whoever brings the count to zero (close itself, or the
 * last call in flight) removes the registration and calls {@code close(2)}. The kernel reuses numbers at
 * once, so this is what keeps a racing read from landing on somebody else's socket.
 */
public final class FileDesc {
    private static final int CLOSING = Integer.MIN_VALUE;
    /** Set while the one thread allowed to poll (an epoll descriptor's) holds its reference: see {@link #acquirePoller}. */
    private static final int POLLER = 1 << 30;
    private static final int COUNT = POLLER - 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FileDesc.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final String kind;
    /** False for a borrowed descriptor: the last release deregisters it but never calls close(2). */
    private final boolean owned;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    /** The live registration, or null; guarded by {@code this}. */
    Registration registration;

    /** The last two direct buffers read or written through this descriptor (racy by design: a miss only recomputes). */
    BufferBase recentBuffer0;
    BufferBase recentBuffer1;
    private boolean replaceBuffer1;

    // The last two heap arrays read into or written from (see HeapArray); racy by design, entries immutable.
    HeapArray recentArray0;
    HeapArray recentArray1;
    private boolean replaceArray1;

    /** Closed right after this descriptor (set before publication). */
    private FileDesc closeAlso;

    public FileDesc(int fd, String kind) {
        this(fd, kind, true);
    }

    private FileDesc(int fd, String kind, boolean owned) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + fd);
        }
        this.fd = fd;
        this.kind = kind;
        this.owned = owned;
    }

    /** A descriptor somebody else owns: {@link #close()} removes its registration but leaves it open. */
    public static FileDesc borrowed(int fd, String kind) {
        return new FileDesc(fd, kind, false);
    }

    /** The descriptor number; only meaningful between acquire and release. */
    public int fd() {
        return fd;
    }

    /** What this descriptor is, for messages ("TcpStream", "Poll", ...). */
    public String kind() {
        return kind;
    }

    /** Marks one call in flight. Throws if the descriptor is closed or closing. */
    public void acquire() throws ClosedChannelException {
        for (;;) {
            int s = state;
            if (s < 0) {
                throw new ClosedException(kind);
            }
            if (STATE.weakCompareAndSet(this, s, s + 1)) {
                return;
            }
        }
    }

    /** Like {@link #acquire()} but answers false instead of throwing. */
    public boolean tryAcquire() {
        for (;;) {
            int s = state;
            if (s < 0) {
                return false;
            }
            if (STATE.weakCompareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /**
     * Like {@link #acquire()}, and also claims the poller mark in the same atomic step: false (nothing acquired) if
     * another thread holds it. One compare-and-set where a separate "polling" flag took two more locked operations.
     * Thread-safe and non-blocking; pair each {@code true} with one {@link #releasePoller()}.
     *
     * @throws ClosedChannelException if the descriptor is closed or closing
     */
    public boolean acquirePoller() throws ClosedChannelException {
        for (;;) {
            int s = state;
            if (s < 0) {
                throw new ClosedException(kind);
            }
            if ((s & POLLER) != 0) {
                return false;
            }
            if (STATE.weakCompareAndSet(this, s, (s + 1) | POLLER)) {
                return true;
            }
        }
    }

    /** Ends a call begun by {@link #acquirePoller} (dropping the mark); the last one out after close closes. */
    public void releasePoller() {
        int now = (int) STATE.getAndAdd(this, -(1 + POLLER)) - (1 + POLLER);
        if (now == CLOSING) {
            finishClose();
        }
    }

    /** Ends a call begun by acquire; the last one out after close closes the descriptor. */
    public void release() {
        int now = (int) STATE.getAndAdd(this, -1) - 1;
        if (now == CLOSING) {
            finishClose();
        }
    }

    public boolean isOpen() {
        return state >= 0;
    }

    /**
     * Closes: the registration is removed from its epoll set at once (so no event follows this call),
     * and the descriptor itself when no call is in flight. Idempotent; safe from any thread.
     */
    public void close() {
        for (;;) {
            int s = state;
            if (s < 0) {
                return;
            }
            // Enter as a caller ourselves so the number stays valid while we deregister.
            if (STATE.weakCompareAndSet(this, s, (s + 1) | CLOSING)) {
                break;
            }
        }
        try {
            dropRegistration();
        } finally {
            release();
        }
    }

    private void dropRegistration() {
        Registration r;
        synchronized (this) {
            r = registration;
            registration = null;
        }
        if (r != null) {
            r.selector.removeOnClose(this, r);
        }
    }

    private void finishClose() {
        dropRegistration();
        if (owned) {
            Sys.close(fd);
        }
        if (closeAlso != null) {
            closeAlso.close();
        }
    }

    void rememberArray(HeapArray a) {
        if (replaceArray1) {
            recentArray1 = a;
        } else {
            recentArray0 = a;
        }
        replaceArray1 = !replaceArray1;
    }

    void rememberBuffer(BufferBase b) {
        if (replaceBuffer1) {
            recentBuffer1 = b;
        } else {
            recentBuffer0 = b;
        }
        replaceBuffer1 = !replaceBuffer1;
    }

    /** Ties {@code other}'s close to this one's final close (an epoll fd and the eventfd that wakes it). */
    void closeAlso(FileDesc other) {
        this.closeAlso = other;
    }

    @Override
    public String toString() {
        return kind + "(fd=" + fd + (isOpen() ? ")" : ", closed)");
    }

    // Exposed for tests that check the state machine.
    int inFlight() {
        return state & COUNT;
    }
}
