package io.mio.internal.uring;

import io.mio.internal.ClosedException;
import io.mio.internal.linux.Errno;
import io.mio.internal.linux.Sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.mio.internal.linux.LinuxConstants.EAGAIN;
import static io.mio.internal.linux.LinuxConstants.EEXIST;
import static io.mio.internal.linux.LinuxConstants.EINTR;
import static io.mio.internal.linux.LinuxConstants.EINVAL;
import static io.mio.internal.uring.UringConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring instance, set up and driven with the raw system calls ({@code io_uring_setup}, {@code io_uring_enter},
 * {@code io_uring_register}; no liburing): the submission and completion rings mapped into this process, entries
 * written through the {@link Sqe} flyweight and read through the {@link Cqe} cursor, with nothing allocated per
 * entry, per submit or per completion.
 *
 * <h2>Setup flags</h2>
 * Always {@code SUBMIT_ALL} (a bad entry completes with its error instead of stopping the batch, so one submit
 * consumes everything), {@code CQSIZE} (the completion ring sized apart from the submission ring: multishot requests
 * produce many completions per entry), {@code CLAMP}, and {@code TASKRUN_FLAG} (the kernel says in the SQ flags when
 * completions wait for this thread to enter). {@code NO_SQARRAY} (6.6) when the kernel has it, else the SQ index
 * array is filled once with the identity. Then one of:
 * <ul>
 * <li>{@link TaskRun#COOPERATIVE} (the default): {@code COOP_TASKRUN}. Completion work runs at this thread's next
 *     kernel entry instead of interrupting it; any thread may submit, and the ring may move between threads (a
 *     {@code Poll} may be polled from any one thread at a time, and a virtual thread changes carrier threads).</li>
 * <li>{@link TaskRun#DEFERRED}: {@code SINGLE_ISSUER | DEFER_TASKRUN}. Completion work waits until the owner waits
 *     for completions: the fewest interruptions, but only the thread that created the ring may submit or wait (the
 *     kernel answers other threads with EEXIST, reported as {@link IllegalStateException}). Only for a ring owned by
 *     one platform thread for its whole life.</li>
 * </ul>
 * The kernel must have {@code IORING_FEAT_SINGLE_MMAP}, {@code NODROP}, {@code EXT_ARG} and {@code FAST_POLL}, and
 * support the opcodes of {@link Sqe}; {@code IORING_OP_SEND_ZC} is required as the mark of Linux 6.0 (multishot
 * receive). Otherwise {@link #open} throws {@link UringUnavailableException} naming what is missing or who refused.
 *
 * <h2>Memory ordering</h2>
 * The kernel and this process share the rings: the SQ tail and CQ head are published with release stores, the SQ
 * head, CQ tail and SQ flags read with acquire loads (VarHandles on the mapped segment), as liburing does with
 * {@code io_uring_smp_store_release} / {@code io_uring_smp_load_acquire}.
 *
 * <h2>Thread-safety</h2>
 * Not thread-safe except where stated: one thread at a time prepares entries, submits and reaps (hand-over between
 * threads needs a happens-before edge). {@link #close()} and {@link #syncCancel} may be called from any thread.
 * Closing while another thread waits in {@link #submitAndWait} does not wake it (arm a {@link UringWaker} for that);
 * the descriptor and the mappings are released once that thread has returned, so the ring's number never reaches a
 * system call after close and no access touches unmapped memory: a late access fails with {@link ClosedException}
 * or {@link IllegalStateException}, never with a crash.
 */
public final class Uring implements AutoCloseable {
    /** How completion work reaches the submitting thread; see the class comment. */
    public enum TaskRun { COOPERATIVE, DEFERRED }

    // struct io_uring_params
    private static final long P_SQ_ENTRIES = 0;
    private static final long P_CQ_ENTRIES = 4;
    private static final long P_FLAGS = 8;
    private static final long P_FEATURES = 20;
    private static final long P_SQ_OFF = 40;
    private static final long P_CQ_OFF = 80;
    private static final long PARAMS_SIZE = 120;
    // struct io_sqring_offsets / io_cqring_offsets
    private static final long OFF_HEAD = 0;
    private static final long OFF_TAIL = 4;
    private static final long OFF_RING_MASK = 8;
    private static final long OFF_RING_ENTRIES = 12;
    private static final long OFF_SQ_FLAGS = 16;
    private static final long OFF_SQ_DROPPED = 20;
    private static final long OFF_SQ_ARRAY = 24;
    private static final long OFF_CQ_OVERFLOW = 16;
    private static final long OFF_CQ_CQES = 20;
    private static final int CQE_SIZE = 16;
    // struct io_uring_getevents_arg, then the __kernel_timespec it points to
    private static final long WAIT_ARG_SIZE = 24;
    private static final long WAIT_TS = 24;

    /** Features the layer relies on: one mapping, no dropped completions, wait timeouts, internal poll retry. */
    static final int REQUIRED_FEATURES = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG | IORING_FEAT_FAST_POLL;

    /** Opcodes the layer relies on (IORING_OP_SEND_ZC only as the mark of a 6.0 kernel). */
    static final int[] REQUIRED_OPCODES = {
        IORING_OP_NOP, IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_ACCEPT, IORING_OP_ASYNC_CANCEL,
        IORING_OP_READ, IORING_OP_SEND, IORING_OP_RECV, IORING_OP_MSG_RING, IORING_OP_SEND_ZC,
    };

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle STATE;
    private static final int CLOSING = Integer.MIN_VALUE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Uring.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;
    private final int sqMask;
    private final int cqMask;
    private final Arena mapping;
    private final MemorySegment rings;
    private final MemorySegment waitArg;
    private final long sqHeadAt;
    private final long sqTailAt;
    private final long sqFlagsAt;
    private final long sqDroppedAt;
    private final long cqHeadAt;
    private final long cqTailAt;
    private final long cqOverflowAt;
    private final long cqesAt;
    private final Sqe sqe;
    private final Cqe cqe;

    /** System calls in flight on {@link #fd} (low bits) and the closing bit: the fd and mappings go when both allow. */
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    // Owner-thread state: the next SQ slot to fill, the kernel's SQ head as last read, the CQ head and tail.
    private int sqTail;
    private int sqHeadSeen;
    private int cqHead;
    private int cqTailSeen;
    private long enterCalls;

    private Uring(int fd, int setupFlags, MemorySegment params, Arena mapping, MemorySegment rings, MemorySegment sqes) {
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.features = params.get(JAVA_INT, P_FEATURES);
        this.sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
        this.cqEntries = params.get(JAVA_INT, P_CQ_ENTRIES);
        this.mapping = mapping;
        this.rings = rings;
        this.sqHeadAt = params.get(JAVA_INT, P_SQ_OFF + OFF_HEAD);
        this.sqTailAt = params.get(JAVA_INT, P_SQ_OFF + OFF_TAIL);
        this.sqFlagsAt = params.get(JAVA_INT, P_SQ_OFF + OFF_SQ_FLAGS);
        this.sqDroppedAt = params.get(JAVA_INT, P_SQ_OFF + OFF_SQ_DROPPED);
        this.cqHeadAt = params.get(JAVA_INT, P_CQ_OFF + OFF_HEAD);
        this.cqTailAt = params.get(JAVA_INT, P_CQ_OFF + OFF_TAIL);
        this.cqOverflowAt = params.get(JAVA_INT, P_CQ_OFF + OFF_CQ_OVERFLOW);
        this.cqesAt = params.get(JAVA_INT, P_CQ_OFF + OFF_CQ_CQES);
        this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, P_SQ_OFF + OFF_RING_MASK));
        this.cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, P_CQ_OFF + OFF_RING_MASK));
        if ((setupFlags & IORING_SETUP_NO_SQARRAY) == 0) {
            // The kernel reads SQE indexes through this array; the identity, written once, makes it disappear.
            long array = params.get(JAVA_INT, P_SQ_OFF + OFF_SQ_ARRAY);
            for (int i = 0; i < sqEntries; i++) {
                rings.set(JAVA_INT, array + 4L * i, i);
            }
        }
        this.sqHeadSeen = (int) INT.getAcquire(rings, sqHeadAt);
        this.sqTail = rings.get(JAVA_INT, sqTailAt);
        this.cqHead = rings.get(JAVA_INT, cqHeadAt);
        this.cqTailSeen = cqHead;
        this.waitArg = mapping.allocate(WAIT_ARG_SIZE + 16, 8);
        waitArg.set(JAVA_LONG, 16, waitArg.address() + WAIT_TS); // getevents_arg.ts; sigmask stays NULL
        this.sqe = new Sqe(sqes);
        this.cqe = new Cqe(this);
    }

    /** Whether io_uring can exist here at all: Linux on x86-64 or aarch64 (the ABI numbers of this package). */
    public static boolean isSupportedPlatform() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        return os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }

    /** A ring of {@code entries} submission slots and twice as many completion slots, {@link TaskRun#COOPERATIVE}. */
    public static Uring open(int entries) throws IOException {
        return open(entries, 2 * entries, TaskRun.COOPERATIVE);
    }

    /**
     * A ring of {@code entries} submission slots and {@code cqEntries} completion slots (each rounded up to a power
     * of two, and clamped to the kernel's limits).
     *
     * @throws UringUnavailableException when io_uring is missing, refused or too old, naming the cause
     * @throws IOException when the kernel cannot set up a ring now (descriptors or memory exhausted)
     */
    public static Uring open(int entries, int cqEntries, TaskRun taskRun) throws IOException {
        return open(entries, cqEntries, taskRun, true);
    }

    /** As the public {@code open}; {@code noSqArray} false sets up as a kernel before 6.6 would (tests of that path). */
    static Uring open(int entries, int cqEntries, TaskRun taskRun, boolean noSqArray) throws IOException {
        if (entries < 1 || cqEntries < entries) {
            throw new IllegalArgumentException("entries " + entries + " and cqEntries " + cqEntries
                    + ": need 1 <= entries <= cqEntries");
        }
        if (!isSupportedPlatform()) {
            throw UringUnavailableException.unsupportedPlatform();
        }
        int flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_TASKRUN_FLAG
                | (taskRun == TaskRun.DEFERRED ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN : IORING_SETUP_COOP_TASKRUN);
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment params = temp.allocate(PARAMS_SIZE, 8);
            int used = noSqArray ? flags | IORING_SETUP_NO_SQARRAY : flags;
            int fd = setup(entries, cqEntries, used, params);
            if (fd == -EINVAL && used != flags) {
                used = flags; // before 6.6
                fd = setup(entries, cqEntries, used, params);
            }
            if (fd < 0) {
                int errno = -fd;
                if (errno == EINVAL) {
                    throw UringUnavailableException.flagsRefused(refusedFlags(flags));
                }
                UringUnavailableException unavailable = UringUnavailableException.forSetupErrno(errno);
                throw unavailable != null ? unavailable : Errno.exception("io_uring_setup", errno);
            }
            try {
                return map(fd, used, params);
            } catch (IOException | RuntimeException | Error e) {
                Sys.close(fd);
                throw e;
            }
        }
    }

    private static int setup(int entries, int cqEntries, int flags, MemorySegment params) {
        params.fill((byte) 0);
        params.set(JAVA_INT, P_CQ_ENTRIES, cqEntries);
        params.set(JAVA_INT, P_FLAGS, flags);
        return UringSys.ioUringSetup(entries, params.address());
    }

    /** Which of {@code flags} the kernel refuses on its own (each tried on a one-entry ring, with what it depends on). */
    private static int refusedFlags(int flags) {
        int refused = 0;
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment params = temp.allocate(PARAMS_SIZE, 8);
            for (int rest = flags; rest != 0; rest &= rest - 1) {
                int bit = Integer.lowestOneBit(rest);
                int alone = switch (bit) {
                    case IORING_SETUP_TASKRUN_FLAG -> bit | IORING_SETUP_COOP_TASKRUN;
                    case IORING_SETUP_DEFER_TASKRUN -> bit | IORING_SETUP_SINGLE_ISSUER;
                    default -> bit;
                };
                int fd = setup(1, 2, alone | IORING_SETUP_CQSIZE, params);
                if (fd >= 0) {
                    Sys.close(fd);
                } else if (fd == -EINVAL) {
                    refused |= bit;
                }
            }
        }
        return refused != 0 ? refused : flags; // no single culprit: name the combination
    }

    private static Uring map(int fd, int setupFlags, MemorySegment params) throws IOException {
        int features = params.get(JAVA_INT, P_FEATURES);
        if ((features & REQUIRED_FEATURES) != REQUIRED_FEATURES) {
            throw UringUnavailableException.featuresMissing(REQUIRED_FEATURES & ~features);
        }
        int sqEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
        int cqEntries = params.get(JAVA_INT, P_CQ_ENTRIES);
        long sqRingSize = (setupFlags & IORING_SETUP_NO_SQARRAY) != 0 ? 0
                : params.get(JAVA_INT, P_SQ_OFF + OFF_SQ_ARRAY) + 4L * sqEntries;
        long cqRingSize = params.get(JAVA_INT, P_CQ_OFF + OFF_CQ_CQES) + (long) CQE_SIZE * cqEntries;
        long ringSize = Math.max(sqRingSize, cqRingSize); // SINGLE_MMAP: one mapping holds both rings
        long sqesSize = (long) Sqe.SIZE * sqEntries;

        long ringAddr = UringSys.mmap(ringSize, UringSys.PROT_READ | UringSys.PROT_WRITE,
                UringSys.MAP_SHARED | UringSys.MAP_POPULATE, fd, IORING_OFF_SQ_RING);
        if (ringAddr < 0) {
            throw Errno.exception("mmap of the io_uring rings", (int) -ringAddr);
        }
        long sqesAddr = UringSys.mmap(sqesSize, UringSys.PROT_READ | UringSys.PROT_WRITE,
                UringSys.MAP_SHARED | UringSys.MAP_POPULATE, fd, IORING_OFF_SQES);
        if (sqesAddr < 0) {
            UringSys.munmap(ringAddr, ringSize);
            throw Errno.exception("mmap of the io_uring submission entries", (int) -sqesAddr);
        }
        // A shared arena owns both mappings: closing it unmaps them, and an access racing with that close fails
        // with IllegalStateException instead of touching unmapped memory.
        Arena mapping = Arena.ofShared();
        MemorySegment rings = MemorySegment.ofAddress(ringAddr).reinterpret(ringSize, mapping, s -> UringSys.munmap(s.address(), ringSize));
        MemorySegment sqes = MemorySegment.ofAddress(sqesAddr).reinterpret(sqesSize, mapping, s -> UringSys.munmap(s.address(), sqesSize));
        Uring ring = new Uring(fd, setupFlags, params, mapping, rings, sqes);
        try {
            ring.probe().require(REQUIRED_OPCODES);
        } catch (IOException | RuntimeException e) {
            ring.closeMappingOnly();
            throw e;
        }
        return ring;
    }

    // ---- submission ---------------------------------------------------------------------------------------------

    /**
     * The next free submission entry, as this ring's {@link Sqe} flyweight: call one of its {@code prep} methods
     * before the next {@code sqe()}. When the submission ring is full, the entries already prepared are submitted
     * first (one {@code io_uring_enter}).
     *
     * @throws ClosedException if the ring is closed
     * @throws IOException if the ring is full and the kernel takes none of its entries
     */
    public Sqe sqe() throws IOException {
        ensureOpen();
        int tail = sqTail;
        if (tail - sqHeadSeen == sqEntries) {
            sqHeadSeen = (int) INT.getAcquire(rings, sqHeadAt);
            if (tail - sqHeadSeen == sqEntries) {
                submit();
                sqHeadSeen = (int) INT.getAcquire(rings, sqHeadAt);
                if (tail - sqHeadSeen == sqEntries) {
                    throw new IOException("io_uring submission ring full: the kernel accepted none of its "
                            + sqEntries + " entries (EAGAIN/EBUSY); reap completions and submit again");
                }
            }
        }
        sqe.at((long) (tail & sqMask) * Sqe.SIZE);
        sqTail = tail + 1;
        return sqe;
    }

    /** Entries prepared and not yet consumed by the kernel. */
    public int pendingSubmissions() {
        return sqTail - (int) INT.getAcquire(rings, sqHeadAt);
    }

    /** Publishes the prepared entries to the kernel; returns how many it has not consumed yet. */
    private int publish() {
        INT.setRelease(rings, sqTailAt, sqTail);
        return pendingSubmissions();
    }

    /** Submits the prepared entries without waiting; returns how many the kernel consumed. No system call when there are none. */
    public int submit() throws IOException {
        return submitAndWait(0, 0L);
    }

    /**
     * Submits the prepared entries and waits until at least {@code minComplete} completions are in the completion
     * ring, or {@code timeoutNanos} has passed ({@code < 0}: no limit; {@code 0}: do not wait, but let the kernel
     * post completions that wait for this thread). One {@code io_uring_enter}, or none when there is nothing to
     * submit, nothing to wait for and no completion work pending.
     *
     * <p>A timeout that elapses, a signal (EINTR) and a kernel short of resources (EAGAIN, EBUSY: the entries stay
     * queued for the next submit) return normally: the caller reaps what is there, as after a spurious wake-up.
     *
     * @return the number of entries the kernel consumed
     * @throws ClosedException if the ring is closed
     * @throws IllegalStateException if a {@link TaskRun#DEFERRED} ring is used from a thread other than its creator
     * @throws IOException if the kernel reports an error, such as EBADR: completions lost for want of memory
     */
    public int submitAndWait(int minComplete, long timeoutNanos) throws IOException {
        ensureOpen();
        int toSubmit = publish();
        int flags;
        long arg = 0;
        long argSize = 0;
        int min = minComplete;
        if (minComplete > 0 && timeoutNanos != 0) {
            flags = IORING_ENTER_GETEVENTS;
            if (timeoutNanos > 0) {
                waitArg.set(JAVA_LONG, WAIT_TS, timeoutNanos / 1_000_000_000L);
                waitArg.set(JAVA_LONG, WAIT_TS + 8, timeoutNanos % 1_000_000_000L);
                flags |= IORING_ENTER_EXT_ARG;
                arg = waitArg.address();
                argSize = WAIT_ARG_SIZE;
            }
        } else if ((sqFlags() & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
            flags = IORING_ENTER_GETEVENTS; // completions wait for this thread (task work) or for room in the ring
            min = 0;
        } else if (toSubmit == 0) {
            return 0;
        } else {
            flags = 0;
            min = 0;
        }
        return enter(toSubmit, min, flags, arg, argSize);
    }

    /**
     * For a ring whose entries are prepared by several threads under one lock: publishes what is prepared and
     * returns how many entries the kernel has not consumed yet. Call with that lock held, then
     * {@link #enterAndWait} without it, so that the wait does not hold up threads preparing entries (the kernel
     * reads only published entries).
     */
    public int publishPending() throws ClosedException {
        ensureOpen();
        return publish();
    }

    /**
     * One {@code io_uring_enter} that submits up to {@code toSubmit} published entries and waits for
     * {@code minComplete} completions or {@code timeoutNanos} ({@code < 0}: no limit; {@code 0}: no wait, but
     * completion work pending for this thread runs). Unlike {@link #submitAndWait} it publishes nothing, so another
     * thread may prepare entries meanwhile (see {@link #publishPending}). Returns normally on a timeout; returns
     * {@code -EINTR} when a signal cut the wait short, so that the caller can end its wait as well.
     *
     * @throws ClosedException if the ring is closed
     * @throws IOException as {@link #submitAndWait}
     */
    public int enterAndWait(int toSubmit, int minComplete, long timeoutNanos) throws IOException {
        ensureOpen();
        int flags = IORING_ENTER_GETEVENTS;
        long arg = 0;
        long argSize = 0;
        int min = minComplete;
        if (timeoutNanos > 0) {
            // The timespec lives in this ring's one wait argument: only the waiting thread writes it.
            waitArg.set(JAVA_LONG, WAIT_TS, timeoutNanos / 1_000_000_000L);
            waitArg.set(JAVA_LONG, WAIT_TS + 8, timeoutNanos % 1_000_000_000L);
            flags |= IORING_ENTER_EXT_ARG;
            arg = waitArg.address();
            argSize = WAIT_ARG_SIZE;
        } else if (timeoutNanos == 0) {
            min = 0;
        }
        int r = enterRaw(toSubmit, min, flags, arg, argSize);
        return r >= 0 || r == -EINTR ? r : failed(-r);
    }

    private int enter(int toSubmit, int minComplete, int flags, long arg, long argSize) throws IOException {
        int r = enterRaw(toSubmit, minComplete, flags, arg, argSize);
        return r >= 0 ? r : failed(-r);
    }

    private int enterRaw(int toSubmit, int minComplete, int flags, long arg, long argSize) throws ClosedException {
        if (!acquire()) {
            throw closed();
        }
        try {
            enterCalls++;
            return UringSys.ioUringEnter(fd, toSubmit, minComplete, flags, arg, argSize);
        } finally {
            release();
        }
    }

    private static int failed(int errno) throws IOException {
        return switch (errno) {
            case ETIME, EINTR, EAGAIN, EBUSY -> 0;
            case EBADR -> throw new IOException("io_uring_enter failed: " + UringUnavailableException.name(errno)
                    + ": the kernel dropped completions (no memory for its overflow list); what was in flight is unknown");
            case EEXIST -> throw new IllegalStateException("io_uring_enter failed: " + UringUnavailableException.name(errno)
                    + ": this ring was set up SINGLE_ISSUER|DEFER_TASKRUN and only its creating thread may submit or wait");
            default -> throw Errno.exception("io_uring_enter", errno);
        };
    }

    // ---- completion ---------------------------------------------------------------------------------------------

    /** This ring's completion cursor (one object, reused): see {@link Cqe}. */
    public Cqe completions() {
        return cqe;
    }

    /** Completions in the completion ring now (not counting overflowed ones the kernel still holds). */
    public int completionsReady() {
        return (int) INT.getAcquire(rings, cqTailAt) - cqHead;
    }

    boolean reapInto(Cqe out) throws IOException {
        ensureOpen();
        int head = cqHead;
        if (head == cqTailSeen) {
            cqTailSeen = (int) INT.getAcquire(rings, cqTailAt);
            if (head == cqTailSeen) {
                if ((sqFlags() & IORING_SQ_CQ_OVERFLOW) == 0) {
                    return false;
                }
                // Completions that found the ring full wait in the kernel (FEAT_NODROP); GETEVENTS moves them in.
                enter(0, 0, IORING_ENTER_GETEVENTS, 0, 0);
                cqTailSeen = (int) INT.getAcquire(rings, cqTailAt);
                if (head == cqTailSeen) {
                    return false;
                }
            }
        }
        long at = cqesAt + (long) (head & cqMask) * CQE_SIZE;
        out.set(rings.get(JAVA_LONG, at), rings.get(JAVA_INT, at + 8), rings.get(JAVA_INT, at + 12));
        cqHead = head + 1;
        INT.setRelease(rings, cqHeadAt, head + 1); // the slot is ours no more
        return true;
    }

    // ---- registration -------------------------------------------------------------------------------------------

    /** io_uring_register on this ring: its result, or {@code -errno}. Thread-safe. */
    int register(int opcode, long arg, int nrArgs) throws ClosedException {
        if (!acquire()) {
            throw closed();
        }
        try {
            return UringSys.ioUringRegister(fd, opcode, arg, nrArgs);
        } finally {
            release();
        }
    }

    /** Which opcodes this kernel supports (IORING_REGISTER_PROBE). */
    public Probe probe() throws IOException {
        int ops = 256;
        try (Arena temp = Arena.ofConfined()) {
            MemorySegment probe = temp.allocate(16 + 8L * ops, 8); // struct io_uring_probe + ops[256]
            int r = register(IORING_REGISTER_PROBE, probe.address(), ops);
            if (r < 0) {
                throw UringUnavailableException.registerRefused("IORING_REGISTER_PROBE", -r);
            }
            int lastOp = Byte.toUnsignedInt(probe.get(JAVA_BYTE, 0));
            int opsLen = Byte.toUnsignedInt(probe.get(JAVA_BYTE, 1));
            boolean[] supported = new boolean[ops];
            for (int i = 0; i < opsLen; i++) {
                long at = 16 + 8L * i;
                int op = Byte.toUnsignedInt(probe.get(JAVA_BYTE, at));
                supported[op] = (probe.get(JAVA_SHORT, at + 2) & IO_URING_OP_SUPPORTED) != 0;
            }
            return new Probe(lastOp, supported);
        }
    }

    /**
     * Cancels the request(s) submitted with {@code userData} and returns once they have ended (their last CQE is
     * in the ring or on its way): IORING_REGISTER_SYNC_CANCEL, one system call, callable from any thread, also while
     * the owner waits in {@link #submitAndWait}. Not for a {@link TaskRun#DEFERRED} ring from another thread.
     *
     * @return the number of requests cancelled (0 when none matched)
     */
    public int syncCancel(long userData, boolean all) throws IOException {
        return syncCancel(userData, all ? IORING_ASYNC_CANCEL_ALL : 0);
    }

    /**
     * Cancels every request of this ring and returns once each has ended ({@code IORING_ASYNC_CANCEL_ANY}): after
     * it, the kernel reads no memory that an entry named, so that memory may be freed. One system call.
     *
     * @return the number of requests cancelled
     */
    public int syncCancelAll() throws IOException {
        return syncCancel(0, IORING_ASYNC_CANCEL_ANY);
    }

    private int syncCancel(long userData, int flags) throws IOException {
        boolean all = flags != 0;
        // struct io_uring_sync_cancel_reg: addr, fd, flags, timeout {-1, -1} (none), padding; in this thread's
        // scratch memory, so that a deregister allocates nothing.
        MemorySegment reg = Sys.scratch();
        reg.asSlice(0, 64).fill((byte) 0);
        reg.set(JAVA_LONG, 0, userData);
        reg.set(JAVA_INT, 8, -1);
        reg.set(JAVA_INT, 12, flags);
        reg.set(JAVA_LONG, 16, -1L);
        reg.set(JAVA_LONG, 24, -1L);
        int r = register(IORING_REGISTER_SYNC_CANCEL, reg.address(), 1);
        if (r >= 0) {
            return all ? r : 1;
        }
        if (r == -io.mio.internal.linux.LinuxConstants.ENOENT) {
            return 0;
        }
        if (r == -EEXIST) {
            throw new IllegalStateException("io_uring_register(SYNC_CANCEL) failed: EEXIST: this ring was set up "
                    + "SINGLE_ISSUER|DEFER_TASKRUN and only its creating thread may use it");
        }
        throw Errno.exception("io_uring_register(SYNC_CANCEL)", -r);
    }

    // ---- state --------------------------------------------------------------------------------------------------

    /** The ring's descriptor number, for a {@link Sqe#msgRing} aimed at it: valid while this ring is open. */
    public int fd() {
        return fd;
    }

    /** The setup flags the kernel accepted ({@code IORING_SETUP_*}). */
    public int setupFlags() {
        return setupFlags;
    }

    /** The kernel's {@code IORING_FEAT_*} bits. */
    public int features() {
        return features;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    /** The SQ ring's flags word ({@code IORING_SQ_CQ_OVERFLOW}, {@code IORING_SQ_TASKRUN}). */
    public int sqFlags() {
        return (int) INT.getAcquire(rings, sqFlagsAt);
    }

    /** Completions the kernel dropped (the CQ ring's overflow counter): 0 with FEAT_NODROP unless memory ran out. */
    public int droppedCompletions() {
        return (int) INT.getAcquire(rings, cqOverflowAt);
    }

    /** Submission entries the kernel dropped as invalid (the SQ ring's dropped counter). */
    public int droppedSubmissions() {
        return (int) INT.getAcquire(rings, sqDroppedAt);
    }

    /** How many {@code io_uring_enter} calls this ring has made: the system-call count of a loop that drives it. */
    public long enterCalls() {
        return enterCalls;
    }

    public boolean isOpen() {
        return state >= 0;
    }

    private void ensureOpen() throws ClosedException {
        if (state < 0) {
            throw closed();
        }
    }

    private static ClosedException closed() {
        return new ClosedException("io_uring");
    }

    private boolean acquire() {
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

    private void release() {
        if ((int) STATE.getAndAdd(this, -1) - 1 == CLOSING) {
            finishClose();
        }
    }

    /**
     * Closes the ring: the kernel cancels what is in flight, the mappings and the descriptor are released once no
     * system call is using them. Idempotent; callable from any thread.
     */
    @Override
    public void close() {
        for (;;) {
            int s = state;
            if (s < 0) {
                return;
            }
            if (STATE.weakCompareAndSet(this, s, (s + 1) | CLOSING)) {
                break;
            }
        }
        release();
    }

    private void finishClose() {
        try {
            mapping.close(); // munmap of both mappings
        } finally {
            Sys.close(fd);
        }
    }

    /** For a failed open: unmaps, leaving the descriptor to the caller. */
    private void closeMappingOnly() {
        state = CLOSING;
        mapping.close();
    }

    @Override
    public String toString() {
        return "Uring(fd=" + fd + ", sq=" + sqEntries + ", cq=" + cqEntries + ", flags="
                + UringConstants.names(setupFlags, UringConstants::setupFlagName) + (isOpen() ? ")" : ", closed)");
    }
}
