package io.mio.internal.uring;

import java.lang.foreign.MemorySegment;

import static io.mio.internal.uring.UringConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A flyweight over one submission queue entry of a {@link Uring}: {@link Uring#sqe()} moves it to the next free
 * slot and returns it, one of the {@code prep} methods fills all 64 bytes of the slot, and the modifiers
 * ({@link #flags}, {@link #ioprio}, {@link #bufferGroup}) adjust what the prep wrote. Nothing is allocated.
 *
 * <p>The entry reaches the kernel at the ring's next submit; until then it may still be changed. Addresses are
 * raw: the memory they name must stay valid until the operation's last completion (for a send, until its CQE).
 *
 * <p>Not thread-safe: it belongs to its ring and is used by the thread that submits on that ring.
 */
public final class Sqe {
    // struct io_uring_sqe
    private static final long OPCODE = 0;
    private static final long FLAGS = 1;
    private static final long IOPRIO = 2;
    private static final long FD = 4;
    private static final long OFF = 8;
    private static final long ADDR = 16;
    private static final long LEN = 24;
    private static final long OP_FLAGS = 28;
    private static final long USER_DATA = 32;
    private static final long BUF_INDEX = 40;
    private static final long PERSONALITY = 42;
    private static final long FILE_INDEX = 44;
    private static final long ADDR3 = 48;
    private static final long PAD2 = 56;
    static final int SIZE = 64;

    private final MemorySegment sqes;
    private long base;

    Sqe(MemorySegment sqes) {
        this.sqes = sqes;
    }

    /**
     * Moves to the slot at {@code offset} and makes it a NOP with user data 0, so that a slot handed out and never
     * prepared submits nothing of the operation it held before (a stale receive would write into memory since freed).
     */
    void at(long offset) {
        base = offset;
        sqes.set(JAVA_LONG, offset + OPCODE, 0L); // opcode NOP, flags, ioprio, fd
        sqes.set(JAVA_LONG, offset + USER_DATA, 0L);
    }

    /** Writes every field of the entry: slots are reused, and the kernel reads fields that an op does not set. */
    private Sqe prep(int opcode, int fd, long off, long addr, int len, int opFlags, long userData) {
        MemorySegment s = sqes;
        long b = base;
        s.set(JAVA_BYTE, b + OPCODE, (byte) opcode);
        s.set(JAVA_BYTE, b + FLAGS, (byte) 0);
        s.set(JAVA_SHORT, b + IOPRIO, (short) 0);
        s.set(JAVA_INT, b + FD, fd);
        s.set(JAVA_LONG, b + OFF, off);
        s.set(JAVA_LONG, b + ADDR, addr);
        s.set(JAVA_INT, b + LEN, len);
        s.set(JAVA_INT, b + OP_FLAGS, opFlags);
        s.set(JAVA_LONG, b + USER_DATA, userData);
        s.set(JAVA_SHORT, b + BUF_INDEX, (short) 0);
        s.set(JAVA_SHORT, b + PERSONALITY, (short) 0);
        s.set(JAVA_INT, b + FILE_INDEX, 0);
        s.set(JAVA_LONG, b + ADDR3, 0L);
        s.set(JAVA_LONG, b + PAD2, 0L);
        return this;
    }

    /** Adds {@code IOSQE_*} flags (for example {@link UringConstants#IOSQE_CQE_SKIP_SUCCESS}). */
    public Sqe flags(int sqeFlags) {
        long at = base + FLAGS;
        sqes.set(JAVA_BYTE, at, (byte) (sqes.get(JAVA_BYTE, at) | sqeFlags));
        return this;
    }

    /** Adds bits to the ioprio field, which send, receive and accept use for their own flags. */
    public Sqe ioprio(int bits) {
        long at = base + IOPRIO;
        sqes.set(JAVA_SHORT, at, (short) (sqes.get(JAVA_SHORT, at) | bits));
        return this;
    }

    /** Selects the buffer from provided-buffer group {@code group} ({@code IOSQE_BUFFER_SELECT}). */
    public Sqe bufferGroup(int group) {
        sqes.set(JAVA_SHORT, base + BUF_INDEX, (short) group);
        return flags(IOSQE_BUFFER_SELECT);
    }

    // ---- operations --------------------------------------------------------------------------------------------

    /** A no-op: completes with res 0. */
    public Sqe nop(long userData) {
        return prep(IORING_OP_NOP, -1, 0, 0, 0, 0, userData);
    }

    /**
     * Polls {@code fd} for {@code pollEvents} ({@code POLLIN}, {@code POLLOUT}, ...). Multishot: a CQE with the
     * ready events in res and {@code IORING_CQE_F_MORE} for each readiness change, edge-triggered (a wake-up of the
     * descriptor's wait queue that finds the events ready), until removed, cancelled or failed; the last CQE has no
     * {@code F_MORE}. One-shot: one CQE, then the request is gone.
     */
    public Sqe pollAdd(int fd, int pollEvents, boolean multishot, long userData) {
        return prep(IORING_OP_POLL_ADD, fd, 0, 0, multishot ? IORING_POLL_ADD_MULTI : 0, pollEvents, userData);
    }

    /**
     * Changes the events and user data of the poll request submitted with {@code oldUserData} in place (epoll's
     * CTL_MOD): the kernel checks readiness again, so an event already true is reported under the new user data.
     */
    public Sqe pollUpdate(long oldUserData, long newUserData, int pollEvents, boolean multishot, long userData) {
        int len = IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA | (multishot ? IORING_POLL_ADD_MULTI : 0);
        return prep(IORING_OP_POLL_REMOVE, -1, newUserData, oldUserData, len, pollEvents, userData);
    }

    /** Removes the poll request submitted with {@code targetUserData}: it ends with -ECANCELED; this one with 0 or -ENOENT. */
    public Sqe pollRemove(long targetUserData, long userData) {
        return prep(IORING_OP_POLL_REMOVE, -1, 0, targetUserData, 0, 0, userData);
    }

    /** Cancels the request(s) with {@code targetUserData} (any opcode); with {@code IORING_ASYNC_CANCEL_ALL}, every match. */
    public Sqe cancel(long targetUserData, int cancelFlags, long userData) {
        return prep(IORING_OP_ASYNC_CANCEL, -1, 0, targetUserData, 0, cancelFlags, userData);
    }

    /** Cancels requests on the open file {@code fd} names now (the number must still be open and owned by the caller). */
    public Sqe cancelFd(int fd, int cancelFlags, long userData) {
        return prep(IORING_OP_ASYNC_CANCEL, fd, 0, 0, 0, cancelFlags | IORING_ASYNC_CANCEL_FD, userData);
    }

    /** recv(2) into {@code len} bytes at {@code address}. */
    public Sqe recv(int fd, long address, int len, int msgFlags, long userData) {
        return prep(IORING_OP_RECV, fd, 0, address, len, msgFlags, userData);
    }

    /**
     * Multishot recv into buffers of provided-buffer group {@code group}: one CQE per chunk received, its buffer id
     * in the CQE's flags; it ends (no {@code F_MORE}) at end of stream (res 0), on an error, or with -ENOBUFS when
     * the group has no buffer left; the bytes not yet received then stay in the socket.
     */
    public Sqe recvMultishot(int fd, int group, long userData) {
        prep(IORING_OP_RECV, fd, 0, 0, 0, 0, userData);
        ioprio(IORING_RECV_MULTISHOT);
        return bufferGroup(group);
    }

    /** send(2) of {@code len} bytes at {@code address}; MSG_NOSIGNAL is always added (a dead peer must not raise SIGPIPE). */
    public Sqe send(int fd, long address, int len, int msgFlags, long userData) {
        return prep(IORING_OP_SEND, fd, 0, address, len, msgFlags | io.mio.internal.linux.LinuxConstants.MSG_NOSIGNAL, userData);
    }

    /**
     * A relative timeout: completes with -ETIME after the {@code struct __kernel_timespec} at {@code timespec}
     * elapses (the kernel reads it when it takes the entry), or -ECANCELED when cancelled.
     */
    public Sqe timeout(long timespec, long userData) {
        return prep(IORING_OP_TIMEOUT, -1, 0, timespec, 1, 0, userData);
    }

    /** accept4(2) without the peer's address; multishot: one CQE (the new descriptor in res) per connection. */
    public Sqe accept(int fd, int acceptFlags, boolean multishot, long userData) {
        prep(IORING_OP_ACCEPT, fd, 0, 0, 0, acceptFlags, userData);
        return multishot ? ioprio(IORING_ACCEPT_MULTISHOT) : this;
    }

    /** read(2) of {@code len} bytes into {@code address}. */
    public Sqe read(int fd, long address, int len, long userData) {
        return prep(IORING_OP_READ, fd, -1L, address, len, 0, userData); // offset -1: the file position (none for eventfds, sockets)
    }

    /**
     * Posts a CQE with {@code res} and {@code targetUserData} into the ring whose descriptor is {@code targetRingFd}
     * (IORING_MSG_DATA). The caller keeps that ring open until this entry is submitted.
     */
    public Sqe msgRing(int targetRingFd, int res, long targetUserData, long userData) {
        return prep(IORING_OP_MSG_RING, targetRingFd, targetUserData, IORING_MSG_DATA, res, 0, userData);
    }
}
