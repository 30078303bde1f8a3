package io.mio.internal.uring;

import java.io.IOException;

import static io.mio.internal.uring.UringConstants.IORING_CQE_BUFFER_SHIFT;
import static io.mio.internal.uring.UringConstants.IORING_CQE_F_BUFFER;
import static io.mio.internal.uring.UringConstants.IORING_CQE_F_MORE;

/**
 * A cursor over a ring's completion queue: {@link #next()} takes the oldest completion out of the queue, copies its
 * 16 bytes into this object, and hands its slot back to the kernel, so every completion is seen exactly once and
 * reading it afterwards needs no care. Nothing is allocated.
 *
 * <pre>{@code
 * Cqe cqe = ring.completions();
 * while (cqe.next()) {
 *     handle(cqe.userData(), cqe.res(), cqe.flags());
 * }
 * }</pre>
 *
 * <p>When the queue is empty but the kernel holds overflowed completions ({@code IORING_SQ_CQ_OVERFLOW}), {@code next()}
 * makes one {@code io_uring_enter(GETEVENTS)} to bring them in: a full queue loses nothing.
 *
 * <p>Not thread-safe: it belongs to its ring and is used by the thread that reaps that ring.
 */
public final class Cqe {
    private final Uring ring;
    private long userData;
    private int res;
    private int flags;

    Cqe(Uring ring) {
        this.ring = ring;
    }

    /**
     * Moves to the next completion; false when there is none (nothing is waited for).
     *
     * @throws java.nio.channels.ClosedChannelException if the ring is closed
     * @throws IOException if bringing in overflowed completions fails
     */
    public boolean next() throws IOException {
        return ring.reapInto(this);
    }

    void set(long userData, int res, int flags) {
        this.userData = userData;
        this.res = res;
        this.flags = flags;
    }

    /** The user data of the submission this completes. */
    public long userData() {
        return userData;
    }

    /** The result: a count or descriptor when not negative, {@code -errno} when negative. */
    public int res() {
        return res;
    }

    /** {@code IORING_CQE_F_*} bits, the buffer id in the upper 16. */
    public int flags() {
        return flags;
    }

    /** Whether the request stays armed and more completions will follow ({@code IORING_CQE_F_MORE}). */
    public boolean more() {
        return (flags & IORING_CQE_F_MORE) != 0;
    }

    /** Whether a provided buffer was used ({@code IORING_CQE_F_BUFFER}); then {@link #bufferId()} names it. */
    public boolean hasBuffer() {
        return (flags & IORING_CQE_F_BUFFER) != 0;
    }

    /** The provided buffer's id, valid when {@link #hasBuffer()}. */
    public int bufferId() {
        return flags >>> IORING_CQE_BUFFER_SHIFT;
    }

    @Override
    public String toString() {
        return "Cqe[userData=" + userData + ", res=" + res + ", flags=0x" + Integer.toHexString(flags) + "]";
    }
}
