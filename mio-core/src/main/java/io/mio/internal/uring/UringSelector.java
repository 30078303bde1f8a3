package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;
import io.mio.internal.linux.EpollSelector;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.LinuxConstants;
import io.mio.internal.spi.SelectorSpi;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.mio.internal.linux.LinuxConstants.EINTR;
import static io.mio.internal.linux.LinuxConstants.EALREADY;
import static io.mio.internal.uring.UringConstants.*;

/**
 * The URING backend of a {@code Poll}: readiness from one multishot {@code POLL_ADD} per registration on an io_uring.
 *
 * <p>A multishot poll posts a completion for each wake-up of the descriptor that finds the asked events ready, and
 * none while nothing new happens: edge-triggered, as mio is; its {@code res} holds epoll's bits, mapped to readiness
 * as the epoll backend maps them. The user data is a slot and a generation (as the epoll backend's
 * {@code epoll_data}), so a completion that raced a deregister is dropped, never reported under a reused slot.
 * {@code reregister} is a poll update, which like {@code EPOLL_CTL_MOD} reports at once what is already ready.
 * A poll completion without {@code IORING_CQE_F_MORE} for a live registration means the kernel ended the request
 * (the completion ring was full, or the thread that submitted it exited): its events are reported and the poll is
 * armed again, so no source goes deaf.
 *
 * <p>Registry calls may come from any thread, also while another thread waits in {@link #select}: they prepare
 * their entries under one lock and submit them at once (one {@code io_uring_enter}); a completion they cause wakes
 * the waiting poller. Entries prepared by the polling thread between two polls are left in the submission ring and
 * go to the kernel with the next wait, in the same {@code io_uring_enter}. Anything that is about to give up a
 * descriptor number (a source's close) first submits what the ring holds, so no entry names a number that is no
 * longer ours. Deregister and close cancel by user data; the generation check makes the deregister guarantee hold
 * whatever the cancel's timing. One thread polls at a time.
 */
public final class UringSelector implements SelectorSpi {
    static final int DEFAULT_SQ_ENTRIES = 256;
    static final int DEFAULT_CQ_ENTRIES = 4096;
    private static final long KIND_SHIFT = 56;
    static final long KIND_MASK = 0xFFL << KIND_SHIFT;
    private static final long KIND_UPDATE = 1L << KIND_SHIFT;
    private static final long KIND_CANCEL = 2L << KIND_SHIFT;
    /** The internal eventfd that wakes the poller when the Poll is closed. */
    private static final long CLOSE_DATA = 3L << KIND_SHIFT;
    /** A TCP stream's multishot receive into the provided buffers. */
    private static final long KIND_RECV = 4L << KIND_SHIFT;
    /** A NOP that makes the poller report a stream's queued bytes (a reregister that adds READABLE). */
    private static final long KIND_NUDGE = 5L << KIND_SHIFT;
    // 6 to 8: UringSends' sends, their linger timeouts and cancels.
    private static final int BUFFER_GROUP = 0;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(UringRegistration[].class);
    private static final VarHandle STATE;
    private static final int CLOSING = Integer.MIN_VALUE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(UringSelector.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Uring ring;
    private final UringWaker closeWaker;
    /** The send memory and queued writes of the streams registered here. */
    private final UringSends sends;
    /** Guards the submission ring (every sqe() and publish) and the registrations' token and events. */
    private final Object ringLock = new Object();
    private final Object slotLock = new Object();
    /** Guards the provided-buffer ring (created at the first readable TCP registration) and its recycling. */
    private final Object bufLock = new Object();
    private BufferRing buffers;
    private java.nio.ByteBuffer slabView;
    private final int bufferEntries;
    private final int bufferSize;
    /**
     * Events reaped by a reader between polls ({@link #tryReap}), returned first by the next poll; guarded by the
     * {@code polling} flag. {@code stashPass}: the reap pass its indices belong to.
     */
    private final ReadySet stash = new ReadySet(256);
    private int stashPass;
    private final UringRegistration[] stashRegs = new UringRegistration[256];
    /** Deregistered TCP registrations whose receive has not posted its last completion yet; guarded by slotLock. */
    private final java.util.ArrayList<UringRegistration> retiredRecvs = new java.util.ArrayList<>();
    private volatile UringRegistration[] table = new UringRegistration[64];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int nextSlot;
    private int nextGeneration;
    /** Who reaps: {@link #FREE}, {@link #POLLING} (one thread in select) or {@link #READER} (a {@link #tryReap}). */
    private final java.util.concurrent.atomic.AtomicInteger polling = new java.util.concurrent.atomic.AtomicInteger();
    private static final int FREE = 0;
    private static final int POLLING = 1;
    private static final int READER = 2;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean hasWaker = new AtomicBoolean();
    /** The thread in or last in {@link #select}: its registry calls between polls are submitted with the next wait. */
    private volatile Thread poller;
    /** True while the poller is between polls (not waiting), so that its entries may wait for the next one. */
    private volatile boolean pollerIdle;
    /** Counts selects (the poller writes, the poller reads: {@link #deferReap}). */
    private int polls;
    /** Counts reaps, so that a registration knows whether it is already in this poll's events (poller only). */
    private int reapPass;
    /** Registrations whose poll the kernel ended during this reap (poller only). */
    private UringRegistration[] rearms = new UringRegistration[16];
    private int rearmCount;
    /** A {@code struct pollfd} to check a priority wake-up with poll(2) (poller only). */
    private final MemorySegment pollFd = Arena.ofAuto().allocate(8, 8);
    /** User data of updates and cancels to prepare again (poller only). */
    private long[] retries = new long[16];
    private int retryCount;
    /** Calls in flight (low bits) and the closing bit: the ring is closed once both allow. */
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    private UringSelector(Uring ring, UringWaker closeWaker, int bufferEntries, int bufferSize) {
        this.bufferEntries = bufferEntries;
        this.bufferSize = bufferSize;
        this.ring = ring;
        this.closeWaker = closeWaker;
        this.sends = new UringSends(this, ring, ringLock);
    }

    // ---- the queued sends' safety net (UringFlusher) ------------------------------------------------------------

    /** Watched by the flusher; set and cleared under its lock, read anywhere. */
    volatile boolean flushWatched;
    /** Work queued since the flusher's last tick over this Poll (it then stays watched). */
    volatile boolean flushRewatch;
    /** The next watched Poll; guarded by the flusher's lock. */
    UringSelector flushNext;
    /** Ticks in a row with nothing queued (flusher thread; reset under its lock). */
    int flushIdleTicks;
    /** The flusher is in this Poll (or about to enter it): {@link #close} waits for it to be out. */
    private volatile boolean flusherInside;
    /** {@link #polls} at the flusher's last tick (flusher thread only). */
    private int flushSeenPolls = -1;
    private static final VarHandle POLLS;

    static {
        try {
            POLLS = MethodHandles.lookup().findVarHandle(UringSelector.class, "polls", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One tick of the flusher: if the poller has neither entered {@code poll} since the last tick nor is waiting
     * in it, submits what it left for its next poll and reaps what has completed (so queued sends and their
     * continuations go on). False when the Poll is closed or has had nothing queued for
     * {@link UringFlusher#IDLE_TICKS} ticks (then it is no longer watched).
     */
    boolean flushTick() {
        int p = (int) POLLS.getOpaque(this);
        // a poller between polls that has not polled since the last tick, or a Poll nobody has polled yet
        boolean stalled = p == flushSeenPolls && (pollerIdle || poller == null);
        flushSeenPolls = p;
        if (isClosed()) {
            return false;
        }
        if (stalled) {
            flusherInside = true; // before tryEnter: a close that sees it clear cannot be finished by this thread
            try {
                if (!tryEnter()) {
                    return false; // closing
                }
                try {
                    synchronized (ringLock) {
                        if (ring.pendingSubmissions() > 0) {
                            ring.submit();
                        }
                    }
                    tryReap();
                } catch (IOException e) {
                    return false; // the ring refused: the poller's next poll reports it
                } finally {
                    exit(); // the last exit of a closing Poll closes it, here
                }
            } finally {
                flusherInside = false;
            }
        }
        if (sends.chunksInUse() > 0) {
            flushIdleTicks = 0;
            return true;
        }
        return ++flushIdleTicks < UringFlusher.IDLE_TICKS;
    }

    /** The provided buffers' count and size of this Poll (tests). */
    int[] bufferShapeInUse() {
        return new int[] {bufferEntries, bufferSize};
    }

    /** The send memory of this Poll, where its streams' writes are queued. */
    UringSends sends() {
        return sends;
    }

    /**
     * A selector on a new ring of the default size.
     *
     * @throws UringUnavailableException if io_uring is missing, refused or too old here (the message names why)
     * @throws IOException if the ring or its eventfd cannot be created (out of memory or descriptors)
     */
    public static UringSelector open() throws IOException {
        return open(sqEntriesOfNewPolls, cqEntriesOfNewPolls);
    }

    /** Ring sizes of the next Polls: tests of a full completion ring shrink them (package-private, no API). */
    static volatile int sqEntriesOfNewPolls = DEFAULT_SQ_ENTRIES;
    static volatile int cqEntriesOfNewPolls = DEFAULT_CQ_ENTRIES;
    /** Provided buffers of the next Polls (memory per Poll: entries x size, whatever the connections); tests shrink them. */
    static volatile int bufferEntriesOfNewPolls = 512;
    static volatile int bufferSizeOfNewPolls = 4096;
    /** System properties that size the provided buffers of the Polls opened after they are set. */
    static final String BUFFERS = "io.mio.uring.buffers";
    static final String BUFFER_SIZE = "io.mio.uring.bufferSize";

    /**
     * The provided buffers' count and size for a new Poll: {@value #BUFFERS} and {@value #BUFFER_SIZE} when set,
     * else the defaults.
     *
     * @throws IllegalArgumentException if a property is set to a count that is not a power of two in [1, 32768] or
     *         a size outside [64, 1 MiB]
     */
    static int[] bufferShape() {
        int entries = bufferEntriesOfNewPolls; // the tests' sizes are not checked: some are smaller on purpose
        int size = bufferSizeOfNewPolls;
        String count = System.getProperty(BUFFERS);
        if (count != null) {
            entries = parse(BUFFERS, count);
            if (entries < 1 || entries > 32768 || Integer.bitCount(entries) != 1) {
                throw new IllegalArgumentException("-D" + BUFFERS + " must be a power of two in [1, 32768]: " + entries);
            }
        }
        String bytes = System.getProperty(BUFFER_SIZE);
        if (bytes != null) {
            size = parse(BUFFER_SIZE, bytes);
            if (size < 64 || size > 1 << 20) {
                throw new IllegalArgumentException("-D" + BUFFER_SIZE + " must be in [64, 1048576] bytes: " + size);
            }
        }
        return new int[] {entries, size};
    }

    private static int parse(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be an integer: \"" + value + "\"", e);
        }
    }

    /** As {@link #open()}, with the ring's sizes (tests of a full completion ring use a small one). */
    static UringSelector open(int sqEntries, int cqEntries) throws IOException {
        int[] buffers = bufferShape(); // a bad property fails here, before anything is opened
        Uring ring = Uring.open(sqEntries, cqEntries, Uring.TaskRun.COOPERATIVE);
        UringWaker waker = null;
        try {
            waker = UringWaker.open();
            waker.arm(ring, CLOSE_DATA);
            return new UringSelector(ring, waker, buffers[0], buffers[1]);
        } catch (IOException | RuntimeException e) {
            if (waker != null) {
                waker.close();
            }
            ring.close();
            throw e;
        }
    }

    /** The selector behind {@code registry}, for {@code source} of this backend; rejects another backend's. */
    static UringSelector of(Registry registry, Object source) {
        SelectorSpi s = Bridge.selector(registry);
        if (s instanceof UringSelector u) {
            return u;
        }
        throw Bridge.mismatch(source, "URING", s);
    }

    @Override
    public Backend backend() {
        return Backend.URING;
    }

    /** The ring, for tests and diagnostics ({@link Uring#enterCalls()}). */
    Uring ring() {
        return ring;
    }

    /**
     * A multishot poll's bits for {@code interest}: epoll's, which poll(2) shares, without the edge flag; with
     * priority, {@code POLLRDBAND} too. io_uring's wake-up filter ignores {@code POLLPRI} in the waker's key
     * ({@code IO_ASYNC_POLL_COMMON} in io_uring/poll.c), so a poll for {@code POLLPRI} alone is never woken by
     * urgent data; the socket's readable wake-up carries {@code POLLRDBAND}, which TCP's poll never reports, so
     * the extra bit wakes the poll without adding completions of its own.
     */
    static int pollEvents(Interest interest) {
        int events = EpollSelector.epollEvents(interest) & ~LinuxConstants.EPOLLET;
        return interest.isPriority() ? events | POLLRDBAND : events;
    }

    // ---- registry operations ------------------------------------------------------------------------------------

    void register(UringSource source, Token token, Interest interest) throws IOException {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interest, "interest");
        FileDesc fd = source.fd;
        fd.acquire();
        try {
            synchronized (source) {
                if (source.closing) {
                    throw new ClosedException(fd.kind());
                }
                UringRegistration existing = source.registration;
                if (existing != null) {
                    if (existing.selector == this) {
                        ensureOpen();
                        throw new IllegalStateException(fd.kind()
                                + " is already registered with this Poll; use reregister to change its token or interest");
                    } else if (existing.selector.isClosed()) {
                        source.registration = null; // another Poll, closed: its ring no longer watches this descriptor
                        if (source instanceof UringTcpStream old) {
                            old.rxDrop(false); // its queue was in that Poll's buffers
                        }
                    } else {
                        throw new IllegalStateException(fd.kind()
                                + " is already registered with another Poll; deregister it there first");
                    }
                }
                // PRIORITY keeps a POLLIN poll and recv(2): no POLLPRI completion was seen with a receive armed.
                UringTcpStream stream = source instanceof UringTcpStream s ? s : null;
                boolean recv = stream != null && interest.isReadable() && !interest.isPriority();
                int events = pollEvents(interest);
                if (recv) {
                    events &= ~(POLLIN | POLLRDHUP); // the receive reports reads and end of stream
                }
                source.registration = arm(fd, token, events, stream, interest.isReadable(), recv);
                source.lastSelector = this;
            }
        } finally {
            fd.release();
        }
    }

    /** Allocates a registration and submits its multishot poll; {@code fd} is acquired by the caller. */
    private UringRegistration arm(FileDesc fd, Token token, int events, UringTcpStream stream, boolean readable,
            boolean recv) throws IOException {
        enter();
        try {
            UringRegistration r = allocate(fd, token, events, stream);
            r.readable = readable;
            r.recv = recv;
            try {
                if (recv) {
                    buffers(); // before the lock: its first use registers the group
                }
                if (stream != null) {
                    synchronized (stream.rxLock) {
                        synchronized (ringLock) {
                            ring.sqe().pollAdd(fd.fd(), events, true, r.userData());
                            if (recv && stream.rxWantArm(r)) {
                                ring.sqe().recvMultishot(fd.fd(), BUFFER_GROUP, KIND_RECV | r.userData());
                            } else if (readable) {
                                stream.rxStopFor(r, true); // an earlier receive still ending: report after it
                            }
                            if (readable && stream.rxQueued()) {
                                ring.sqe().nop(KIND_NUDGE | r.userData()); // bytes kept from an earlier registration
                            }
                            submitUnlessPoller();
                        }
                    }
                } else {
                    synchronized (ringLock) {
                        ring.sqe().pollAdd(fd.fd(), events, true, r.userData());
                        submitUnlessPoller();
                    }
                }
            } catch (IOException | RuntimeException e) {
                free(r);
                throw e;
            }
            return r;
        } finally {
            exit();
        }
    }

    void reregister(UringSource source, Token token, Interest interest) throws IOException {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interest, "interest");
        int events = pollEvents(interest);
        FileDesc fd = source.fd;
        fd.acquire();
        try {
            synchronized (source) {
                UringRegistration r = ownRegistration(source, "reregister");
                UringTcpStream stream = r.stream;
                boolean recv = stream != null && interest.isReadable() && !interest.isPriority();
                if (recv) {
                    events &= ~(POLLIN | POLLRDHUP);
                    buffers();
                }
                enter();
                try {
                    if (stream != null) {
                        synchronized (stream.rxLock) {
                            update(r, token, events, interest.isReadable(), recv);
                        }
                    } else {
                        update(r, token, events, interest.isReadable(), false);
                    }
                } finally {
                    exit();
                }
            }
        } finally {
            fd.release();
        }
    }

    /**
     * The poll update of a reregister; for a TCP stream (its rxLock held) the receive is armed when it starts reading
     * through one and cancelled when it stops (queued bytes stay readable), and a nudge reports queued bytes.
     */
    private void update(UringRegistration r, Token token, int events, boolean readable, boolean recv)
            throws IOException {
        synchronized (ringLock) {
            // Before the update, so that what it reports carries the new token; a re-arm reads both.
            r.token = token;
            r.events = events;
            r.readable = readable;
            r.recv = recv;
            long ud = r.userData();
            ring.sqe().pollUpdate(ud, ud, events, true, KIND_UPDATE | ud).flags(IOSQE_CQE_SKIP_SUCCESS);
            UringTcpStream stream = r.stream;
            if (stream != null) {
                if (recv) {
                    if (stream.rxWantArm(r)) {
                        ring.sqe().recvMultishot(r.fd.fd(), BUFFER_GROUP, KIND_RECV | ud);
                    }
                } else if (stream.rxStopFor(r, readable)) {
                    long recvData = KIND_RECV | ud;
                    ring.sqe().cancel(recvData, IORING_ASYNC_CANCEL_ALL, KIND_CANCEL | recvData)
                            .flags(IOSQE_CQE_SKIP_SUCCESS);
                }
                if (readable && stream.rxQueued()) {
                    ring.sqe().nop(KIND_NUDGE | ud); // EPOLL_CTL_MOD reports what is readable: so must this
                }
            }
            submitUnlessPoller();
        }
    }

    /**
     * Arms {@code r}'s receive (again), with a nudge that reports queued bytes if {@code nudge}; called by a reader
     * or the reaping thread holding the stream's rxLock. False if the registration is gone or the Poll closing.
     */
    boolean armRecv(UringRegistration r, boolean nudge) throws IOException {
        if (!tryEnter()) {
            return false;
        }
        try {
            if (SLOTS.getAcquire(table, r.slot) != r || !r.fd.tryAcquire()) {
                return false;
            }
            try {
                synchronized (ringLock) {
                    // Poll first: a receive issued at once takes a buffer before it looks for data, so with every
                    // buffer taken it would end (ENOBUFS) on an empty socket, and each re-arm end again (tested).
                    ring.sqe().recvMultishot(r.fd.fd(), BUFFER_GROUP, KIND_RECV | r.userData())
                            .ioprio(IORING_RECVSEND_POLL_FIRST);
                    if (nudge) {
                        ring.sqe().nop(KIND_NUDGE | r.userData());
                    }
                    submitUnlessPoller();
                }
            } finally {
                r.fd.release();
            }
            return true;
        } finally {
            exit();
        }
    }

    /** Makes the next reap report {@code r} READABLE if it is still registered readable (a NOP; any thread). */
    void nudge(UringRegistration r) throws IOException {
        if (!tryEnter()) {
            return;
        }
        try {
            synchronized (ringLock) {
                ring.sqe().nop(KIND_NUDGE | r.userData());
                submitUnlessPoller();
            }
        } finally {
            exit();
        }
    }

    /** The provided buffers, registered at first use (any thread). */
    private BufferRing buffers() throws IOException {
        synchronized (bufLock) {
            BufferRing b = buffers;
            if (b == null) {
                b = BufferRing.register(ring, BUFFER_GROUP, bufferEntries, bufferSize);
                slabView = b.slab().asByteBuffer();
                buffers = b;
            }
            return b;
        }
    }

    /** Gives buffer {@code bid} back to the kernel (any thread). */
    void recycle(int bid) {
        synchronized (bufLock) {
            BufferRing b = buffers;
            if (b != null && ring.isOpen()) {
                b.recycle(bid);
            }
        }
    }

    /** Copies {@code n} bytes of buffer {@code bid} from {@code offset} into {@code dst}, advancing its position. */
    void copyOut(int bid, int offset, java.nio.ByteBuffer dst, int n) {
        int pos = dst.position();
        dst.put(pos, slabView, bid * bufferSize + offset, n);
        dst.position(pos + n);
    }

    void copyOut(int bid, int offset, byte[] dst, int dstOffset, int n) {
        buffers.copy(bid, offset, dst, dstOffset, n);
    }

    void deregister(UringSource source) throws IOException {
        FileDesc fd = source.fd;
        fd.acquire();
        try {
            synchronized (source) {
                UringRegistration r = ownRegistration(source, "deregister");
                source.registration = null;
                if (r.stream != null) {
                    synchronized (r.stream.rxLock) {
                        if (r.stream.rxRetire(r)) {
                            synchronized (slotLock) {
                                retiredRecvs.add(r); // its receive's last bytes still reach the stream
                            }
                        }
                        retire(r, true); // the cancel at once: until it lands, the stream's reads would block
                    }
                } else {
                    retire(r, false);
                }
            }
        } finally {
            fd.release();
        }
    }

    /** Frees {@code r}'s slot (no completion of it is reported from now on) and cancels its requests. */
    private void retire(UringRegistration r, boolean submitNow) throws IOException {
        free(r);
        if (!tryEnter()) {
            return; // the Poll is closing: closing the ring cancels everything
        }
        try {
            synchronized (ringLock) {
                ring.sqe().cancel(r.userData(), IORING_ASYNC_CANCEL_ALL, KIND_CANCEL | r.userData())
                        .flags(IOSQE_CQE_SKIP_SUCCESS);
                if (r.stream != null) {
                    long recv = KIND_RECV | r.userData();
                    ring.sqe().cancel(recv, IORING_ASYNC_CANCEL_ALL, KIND_CANCEL | recv).flags(IOSQE_CQE_SKIP_SUCCESS);
                }
                if (submitNow) {
                    ring.submit();
                } else {
                    submitUnlessPoller();
                }
            }
        } finally {
            exit();
        }
    }

    /**
     * A registered source is closing: cancel its requests and submit everything the ring holds while its number is
     * still valid (entries the poller left for its next wait may name it), so that close(2) releases the socket.
     */
    void removeOnClose(UringRegistration r) {
        try {
            retire(r, true);
        } catch (IOException | RuntimeException e) {
            // The ring is closed (or the kernel refused the cancel): closing the ring cancels what is left.
        }
    }

    /** Submits whatever the ring holds (a source closing after its deregister was left for the next poll). */
    void flush() {
        if (!tryEnter()) {
            return; // closing: the ring's close cancels everything
        }
        try {
            synchronized (ringLock) {
                if (ring.pendingSubmissions() > 0) {
                    ring.submit();
                }
            }
        } catch (IOException | RuntimeException e) {
            // The kernel refused the submit: the ring's close cancels what is left.
        } finally {
            exit();
        }
    }

    /** Submits now, unless the calling thread is the poller between polls: then its next wait submits. */
    void submitUnlessPoller() throws IOException {
        if (pollerIdle && poller == Thread.currentThread()) {
            return;
        }
        ring.submit();
    }

    private UringRegistration ownRegistration(UringSource source, String operation) throws ClosedException {
        ensureOpen();
        UringRegistration r = source.registration;
        if (r != null && r.selector == this) {
            return r;
        }
        ensureOpen();
        if (r == null || r.selector.isClosed()) {
            throw new IllegalStateException("cannot " + operation + " " + source.fd.kind()
                    + ": it is not registered with any Poll");
        }
        throw new IllegalStateException("cannot " + operation + " " + source.fd.kind()
                + " through this Registry: it is registered with another Poll");
    }

    private UringRegistration allocate(FileDesc fd, Token token, int events, UringTcpStream stream) {
        synchronized (slotLock) {
            int slot;
            if (freeCount > 0) {
                slot = freeSlots[--freeCount];
            } else {
                slot = nextSlot++;
                UringRegistration[] t = table;
                if (slot >= t.length) {
                    UringRegistration[] grown = new UringRegistration[t.length * 2];
                    for (int i = 0; i < t.length; i++) {
                        grown[i] = (UringRegistration) SLOTS.getAcquire(t, i);
                    }
                    table = grown;
                }
            }
            UringRegistration r = new UringRegistration(this, fd, slot, nextGeneration++, token, events, stream);
            SLOTS.setRelease(table, slot, r);
            return r;
        }
    }

    private void free(UringRegistration r) {
        synchronized (slotLock) {
            UringRegistration[] t = table;
            if (SLOTS.getAcquire(t, r.slot) != r) {
                return;
            }
            SLOTS.setRelease(t, r.slot, (UringRegistration) null);
            if (freeCount == freeSlots.length) {
                int[] grown = new int[freeSlots.length * 2];
                System.arraycopy(freeSlots, 0, grown, 0, freeCount);
                freeSlots = grown;
            }
            freeSlots[freeCount++] = r.slot;
        }
    }

    /** Number of live registrations (for tests and diagnostics). */
    public int registrationCount() {
        synchronized (slotLock) {
            return nextSlot - freeCount;
        }
    }

    // ---- waker --------------------------------------------------------------------------------------------------

    /** The Poll's waker: an eventfd with a multishot poll, written and never read on the hot path. */
    @Override
    public WakerSpi openWaker(Token token) throws IOException {
        if (!hasWaker.compareAndSet(false, true)) {
            throw new IllegalStateException("this Poll already has a Waker; mio allows one Waker per Poll");
        }
        UringWaker waker = null;
        try {
            ensureOpen();
            waker = UringWaker.open();
            FileDesc fd = waker.fileDesc();
            fd.acquire();
            try {
                return new Waker(this, waker, arm(fd, token, POLLIN, null, true, false));
            } finally {
                fd.release();
            }
        } catch (IOException | RuntimeException e) {
            if (waker != null) {
                waker.close();
            }
            hasWaker.set(false);
            throw e;
        }
    }

    /** The one WakerSpi class of this backend, so {@code Waker.wake}'s call stays monomorphic. */
    static final class Waker implements WakerSpi {
        private final UringSelector selector;
        private final UringWaker waker;
        private final UringRegistration registration;

        Waker(UringSelector selector, UringWaker waker, UringRegistration registration) {
            this.selector = selector;
            this.waker = waker;
            this.registration = registration;
        }

        @Override
        public void wake() throws IOException {
            waker.wake();
        }

        @Override
        public void close() {
            selector.removeOnClose(registration);
            waker.close();
            selector.hasWaker.set(false);
        }
    }

    // ---- polling ------------------------------------------------------------------------------------------------

    /**
     * Submits what the ring holds and waits for completions; reports the poll completions of live registrations
     * into {@code out}. {@code timeoutMillis} -1 waits without limit, 0 does not wait. Completions of the ring's own
     * requests (updates, cancels, stale polls) never end a wait early with no events while time remains.
     */
    @Override
    public void select(ReadySet out, int timeoutMillis) throws IOException {
        out.size = 0;
        for (int seen; (seen = polling.compareAndExchange(FREE, POLLING)) != FREE; ) {
            if (seen != READER) {
                throw new IllegalStateException("another thread is already polling this Poll; a Poll is polled by one thread at a time");
            }
            Thread.onSpinWait(); // a reader reaping without waiting: done in moments
        }
        try {
            enter();
            try {
                Thread self = Thread.currentThread();
                if (poller != self) {
                    poller = self;
                }
                pollerIdle = false;
                polls++;
                try {
                    boolean continuing = false;
                    if (stash.size > 0) {
                        continuing = takeStash(out);
                    }
                    selectLoop(out, timeoutMillis, continuing);
                } finally {
                    pollerIdle = true;
                }
            } finally {
                exit();
            }
        } finally {
            polling.set(FREE);
        }
    }

    /** Moves the stashed events into {@code out}; true if all fit (then the reap pass continues: same indices). */
    private boolean takeStash(ReadySet out) {
        // As epoll re-checks readiness before it reports: a stream read empty since is no longer readable.
        int kept = 0;
        for (int i = 0; i < stash.size; i++) {
            UringRegistration r = stashRegs[i];
            int bits = stash.ready[i];
            if (r.stream != null && (bits & ReadySet.READABLE) != 0) {
                synchronized (r.stream.rxLock) {
                    if (r.stream.rxDrained(r)) {
                        bits &= ~ReadySet.READABLE;
                    }
                }
            }
            if (bits != 0 && SLOTS.getAcquire(table, r.slot) == r) {
                stash.tokens[kept] = stash.tokens[i];
                stash.ready[kept] = bits;
                stashRegs[kept] = r;
                kept++;
            }
        }
        boolean compacted = kept != stash.size;
        java.util.Arrays.fill(stash.tokens, kept, stash.size, null);
        java.util.Arrays.fill(stashRegs, kept, stash.size, null);
        stash.size = kept;
        int n = Math.min(stash.size, out.capacity());
        System.arraycopy(stash.tokens, 0, out.tokens, 0, n);
        System.arraycopy(stash.ready, 0, out.ready, 0, n);
        out.size = n;
        int left = stash.size - n;
        System.arraycopy(stash.tokens, n, stash.tokens, 0, left);
        System.arraycopy(stash.ready, n, stash.ready, 0, left);
        System.arraycopy(stashRegs, n, stashRegs, 0, left);
        java.util.Arrays.fill(stash.tokens, left, stash.size, null);
        java.util.Arrays.fill(stashRegs, left, stash.size, null);
        stash.size = left;
        return left == 0 && !compacted && stashPass == reapPass;
    }

    /**
     * A read found {@code stream}'s queue empty on the polling thread between two polls: true (return would-block
     * without touching the completion ring) the first time since the last poll, as in an event loop, where the next
     * poll reaps and reports READABLE when bytes come; false the second time, so that a loop that reads again
     * without polling reaps (see {@link #tryReap}). Never blocks; any thread (others get false).
     */
    boolean deferReap(UringTcpStream stream) {
        if (!pollerIdle || poller != Thread.currentThread()) {
            return false;
        }
        int p = polls;
        if (stream.rxDeferredIn == p) {
            return false;
        }
        stream.rxDeferredIn = p;
        return true;
    }

    /**
     * A reader found its stream's queue empty: if no thread is polling and completions wait in the ring, reap them
     * now (into the stash the next poll returns), so that a reader that does not poll still sees its bytes, as on
     * EPOLL. Never blocks; true if anything was reaped.
     */
    boolean tryReap() throws IOException {
        if (!tryEnter()) {
            return false; // closing: the ring may be unmapped
        }
        try {
            if (ring.completionsReady() == 0) {
                return false;
            }
            if (!polling.compareAndSet(FREE, READER)) {
                return false; // the poller (or another reader) reaps them
            }
            try {
                boolean continuing = stash.size > 0 && stashPass == reapPass;
                reap(stash, continuing);
                stashPass = reapPass;
                return true;
            } finally {
                polling.set(FREE);
            }
        } finally {
            exit();
        }
    }

    private void selectLoop(ReadySet out, int timeoutMillis, boolean continuing) throws IOException {
        long timeoutNanos = timeoutMillis < 0 ? -1L : timeoutMillis * 1_000_000L;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
        for (;;) {
            int toSubmit;
            synchronized (ringLock) {
                toSubmit = ring.publishPending();
            }
            long wait = timeoutNanos;
            if (ring.completionsReady() > 0 || out.size > 0) {
                wait = 0; // events are waiting already: take them (and submit) without sleeping
            }
            boolean signalled = false;
            if (wait != 0 || toSubmit > 0 || (ring.sqFlags() & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
                signalled = ring.enterAndWait(toSubmit, 1, wait) == -EINTR;
            }
            int k = reap(out, continuing);
            continuing = false;
            if (k > 0 || closed.get() || timeoutNanos == 0) {
                return;
            }
            if (signalled && !Thread.currentThread().isInterrupted()) {
                // A signal (a profiler, the flight recorder, a tracer): a spurious wake-up with no events, as on EPOLL.
                return;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("Poll.poll: interrupted (the thread's interrupt status is set)");
            }
            if (timeoutNanos > 0) {
                timeoutNanos = deadline - System.nanoTime();
                if (timeoutNanos <= 0) {
                    return;
                }
            }
        }
    }

    /** Reaps into {@code out} after its {@code size} events; {@code continuing}: they are of the current pass. */
    private int reap(ReadySet out, boolean continuing) throws IOException {
        Cqe cqe = ring.completions();
        UringRegistration[] t = table;
        Token[] tokens = out.tokens;
        int[] ready = out.ready;
        int capacity = out.capacity();
        int pass = continuing ? reapPass : ++reapPass;
        int k = out.size;
        while (k < capacity && cqe.next()) {
            long ud = cqe.userData();
            long kind = ud & KIND_MASK;
            if (kind == KIND_RECV || kind == KIND_NUDGE) {
                k = reapStream(cqe, ud, kind, pass, k, tokens, ready, out == stash);
                continue;
            }
            if (kind == UringSends.KIND_SEND || kind == UringSends.KIND_LINGER) {
                UringSends.Queue q = sends.complete(ud, cqe.res());
                if (q != null) {
                    k = reportSend(q, pass, k, tokens, ready, out == stash);
                }
                continue;
            }
            if (kind != 0) {
                if ((kind == KIND_UPDATE || kind == KIND_CANCEL) && cqe.res() == -EALREADY) {
                    // The poll was busy (its wake-up still waiting for this thread's task work): the kernel changed
                    // nothing, so the update or cancel goes again with the next submit.
                    queueRetry(ud);
                }
                continue; // the close waker, or an update or cancel of a poll that has ended
            }
            int slot = (int) ud;
            if (slot >= t.length) {
                t = table; // registered after we read the table
                if (slot >= t.length) {
                    continue;
                }
            }
            UringRegistration r = (UringRegistration) SLOTS.getAcquire(t, slot);
            if (r == null || r.generation != (int) (ud >>> 32)) {
                continue; // deregistered (or the slot reused) after the kernel posted this
            }
            int res = cqe.res();
            if (!cqe.more() && (res >= 0 || res == -ECANCELED)) {
                // Armed again after this reap, not now: with the ring still full, a poll armed on a source that is
                // still ready would complete into the overflow and end at once, over and over.
                queueRearm(r);
            }
            // Masked by the current interest: a completion posted before a reregister must not report what is no
            // longer asked for (epoll re-polls with the new mask at epoll_wait).
            int bits = res & (r.events | POLLERR | POLLHUP) & ~POLLRDBAND; // RDBAND only wakes priority polls
            if (res > 0 && (res & (POLLERR | POLLHUP)) != 0 && !r.hungUp) {
                r.hungUp = true; // queued sends step aside: a write then fails at once, as on EPOLL
            }
            if ((bits & POLLPRI) != 0) {
                bits = checkPriority(r, bits);
            }
            if (res > 0 && bits != 0) {
                if (r.reportedIn == pass) {
                    ready[r.reportedAt] |= EpollSelector.readiness(bits); // one event per source per poll, as epoll's ready list
                } else {
                    r.reportedIn = pass;
                    r.reportedAt = k;
                    tokens[k] = r.token;
                    if (out == stash) {
                        stashRegs[k] = r;
                    }
                    ready[k] = EpollSelector.readiness(bits);
                    k++;
                }
            }
        }
        out.size = k;
        if (rearmCount > 0) {
            rearmQueued();
        }
        if (retryCount > 0) {
            retryQueued();
        }
        return k;
    }

    /**
     * Reports what a send completion changed: WRITABLE when it freed space after a would-block (if asked for), ERROR
     * and WRITE_CLOSED when it failed. A stream registered with another Poll since it queued here gets a poll update
     * there instead, which reports what the socket has ready.
     */
    private int reportSend(UringSends.Queue q, int pass, int k, Token[] tokens, int[] ready, boolean stashing) {
        int readiness = q.report;
        q.report = 0;
        UringRegistration r = q.source.registration;
        if (r == null) {
            return k;
        }
        if (r.selector != this) {
            r.selector.repoll(r);
            return k;
        }
        if (SLOTS.getAcquire(table, r.slot) != r) {
            return k;
        }
        if ((r.events & POLLOUT) == 0) {
            readiness &= ~ReadySet.WRITABLE;
        }
        if (readiness == 0) {
            return k;
        }
        if (r.reportedIn == pass) {
            ready[r.reportedAt] |= readiness;
            return k;
        }
        r.reportedIn = pass;
        r.reportedAt = k;
        tokens[k] = r.token;
        ready[k] = readiness;
        if (stashing) {
            stashRegs[k] = r; // a reader's reap: the next poll re-checks the event against its registration
        }
        return k + 1;
    }

    /** Polls {@code r} again with its events (an update): the kernel reports at once what is ready. Any thread. */
    void repoll(UringRegistration r) {
        if (!tryEnter()) {
            return;
        }
        try {
            synchronized (ringLock) {
                if (SLOTS.getAcquire(table, r.slot) != r) {
                    return;
                }
                long ud = r.userData();
                ring.sqe().pollUpdate(ud, ud, r.events, true, KIND_UPDATE | ud).flags(IOSQE_CQE_SKIP_SUCCESS);
                submitUnlessPoller();
            }
        } catch (IOException | RuntimeException e) {
            // The ring refused it: the stream's own poll still reports the socket's next change.
        } finally {
            exit();
        }
    }

    /**
     * A poll woken by the socket's wait queue reports the waker's key, not the socket's state, and the readable key
     * always holds {@code POLLPRI}: ask the socket (poll(2), no wait) whether urgent data is really there. Priority
     * interest is rare, so the extra call is only ever paid by the sources that ask for it.
     */
    private int checkPriority(UringRegistration r, int bits) {
        FileDesc fd = r.fd;
        if (!fd.tryAcquire()) {
            return bits & ~POLLPRI; // closing: its number may already be another descriptor's
        }
        try {
            int revents = UringSys.pollNow(pollFd, fd.fd(), POLLPRI);
            return revents > 0 && (revents & POLLPRI) != 0 ? bits : bits & ~POLLPRI;
        } finally {
            fd.release();
        }
    }

    /** A receive completion (or a nudge): queues its buffer on the stream and reports READABLE as the stream says. */
    private int reapStream(Cqe cqe, long ud, long kind, int pass, int k, Token[] tokens, int[] ready,
            boolean stashing) throws IOException {
        int bid = cqe.hasBuffer() ? cqe.bufferId() : -1;
        long target = ud & ~KIND_MASK;
        UringRegistration[] t = table;
        int slot = (int) target;
        UringRegistration r = slot < t.length ? (UringRegistration) SLOTS.getAcquire(t, slot) : null;
        if ((r == null || r.generation != (int) (target >>> 32)) && kind == KIND_RECV) {
            UringRegistration retired = retiredRecv(target, !cqe.more());
            if (retired != null) {
                retired.stream.onRecv(retired, cqe.res(), bid, cqe.more());
                return k; // deregistered: its bytes are kept, nothing reported
            }
        }
        if (r == null || r.generation != (int) (target >>> 32) || r.stream == null) {
            if (bid >= 0) {
                recycle(bid); // the registration is gone: so are the bytes (deregister drops the queue)
            }
            return k;
        }
        int report;
        if (kind == KIND_NUDGE) {
            synchronized (r.stream.rxLock) {
                // Polling for POLLIN (or waiting for a receive): bytes may be in the socket, so report.
                report = r.stream.rxQueued() || !r.stream.rxArmedFor(r) ? ReadySet.READABLE : 0;
            }
        } else {
            report = r.stream.onRecv(r, cqe.res(), bid, cqe.more());
        }
        if (report == 0 || !r.readable) {
            return k;
        }
        if (r.reportedIn == pass) {
            ready[r.reportedAt] |= report;
        } else {
            r.reportedIn = pass;
            r.reportedAt = k;
            tokens[k] = r.token;
            if (stashing) {
                stashRegs[k] = r;
            }
            ready[k] = report;
            k++;
        }
        return k;
    }

    /** The deregistered registration whose receive posted {@code ud} (removed at its last completion), or null. */
    private UringRegistration retiredRecv(long ud, boolean last) {
        synchronized (slotLock) {
            for (int i = 0; i < retiredRecvs.size(); i++) {
                UringRegistration r = retiredRecvs.get(i);
                if (r.userData() == ud) {
                    if (last) {
                        retiredRecvs.remove(i);
                    }
                    return r;
                }
            }
            return null;
        }
    }

    private void queueRetry(long ud) {
        if (retryCount == retries.length) {
            retries = java.util.Arrays.copyOf(retries, retryCount * 2);
        }
        retries[retryCount++] = ud;
    }

    /**
     * Prepares again the updates and cancels the kernel refused with EALREADY; they go with the next submit (the
     * poller's next wait, or a close's flush). An update uses the registration's current events; one whose
     * registration is gone is dropped (its cancel follows it).
     */
    private void retryQueued() throws IOException {
        int n = retryCount;
        retryCount = 0;
        synchronized (ringLock) {
            for (int i = 0; i < n; i++) {
                long ud = retries[i];
                long target = ud & ~KIND_MASK;
                if ((ud & KIND_MASK) == KIND_CANCEL) {
                    ring.sqe().cancel(target, IORING_ASYNC_CANCEL_ALL, ud).flags(IOSQE_CQE_SKIP_SUCCESS);
                    continue;
                }
                UringRegistration r = (UringRegistration) SLOTS.getAcquire(table, (int) target);
                if (r != null && r.userData() == target) {
                    ring.sqe().pollUpdate(target, target, r.events, true, ud).flags(IOSQE_CQE_SKIP_SUCCESS);
                }
            }
        }
    }

    private void queueRearm(UringRegistration r) {
        if (rearmCount == rearms.length) {
            rearms = java.util.Arrays.copyOf(rearms, rearmCount * 2);
        }
        rearms[rearmCount++] = r;
    }

    /**
     * The kernel ended these live registrations' polls: a full completion ring (the last completion holds events) or
     * the exit of the thread that submitted them (-ECANCELED). Arms them again with their current events, each
     * descriptor held until the kernel has the entry, so that no number reaches it after its source closed.
     */
    private void rearmQueued() throws IOException {
        int n = rearmCount;
        rearmCount = 0;
        int held = 0;
        try {
            synchronized (ringLock) {
                for (int i = 0; i < n; i++) {
                    UringRegistration r = rearms[i];
                    rearms[i] = null;
                    if (SLOTS.getAcquire(table, r.slot) != r || !r.fd.tryAcquire()) {
                        continue; // deregistered or closing since
                    }
                    rearms[held++] = r;
                    ring.sqe().pollAdd(r.fd.fd(), r.events, true, r.userData());
                }
                ring.submit();
            }
        } finally {
            for (int i = 0; i < held; i++) {
                rearms[i].fd.release();
                rearms[i] = null;
            }
        }
    }

    // ---- state and closing --------------------------------------------------------------------------------------

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void ensureOpen() throws ClosedException {
        if (closed.get()) {
            throw new ClosedException("Poll");
        }
    }

    private void enter() throws ClosedException {
        if (!tryEnter()) {
            throw new ClosedException("Poll");
        }
    }

    /** Holds the ring (and the provided buffers) mapped until {@link #exit}; false once the Poll is closing. */
    boolean tryEnter() {
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

    void exit() {
        if ((int) STATE.getAndAdd(this, -1) - 1 == CLOSING) {
            sends.close(); // every request ended before the send memory is unmapped, and that before the ring closes
            synchronized (bufLock) {
                if (buffers != null) {
                    try {
                        buffers.close(); // before the ring: no receive can take a buffer after this
                        buffers = null;
                    } catch (IOException e) {
                        // Left registered: the ring's close drops the group; the memory stays (see BufferRing.close).
                    }
                }
            }
            ring.close(); // the kernel cancels every request, dropping its references to the sources' files
            closeWaker.close();
            endRetiredRecvs();
        }
    }

    /**
     * The ring is closed: the cancelled receives of deregistered streams will post no last completion, so end them
     * here; a stream registered meanwhile with another Poll gets its receive there.
     */
    private void endRetiredRecvs() {
        UringRegistration[] retired;
        synchronized (slotLock) {
            retired = retiredRecvs.toArray(new UringRegistration[0]);
            retiredRecvs.clear();
        }
        for (UringRegistration r : retired) {
            r.stream.onRecv(r, -ECANCELED, -1, false);
        }
    }

    /**
     * Closes the Poll: a thread blocked in {@link #select} is woken and returns; the ring is closed once it has.
     * Registered sources stay open (they belong to their owners). Idempotent, from any thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeWaker.wake();
        } catch (IOException ignored) {
            // Its eventfd is closed: nobody can be waiting on it.
        }
        for (;;) {
            int s = state;
            if (STATE.weakCompareAndSet(this, s, (s + 1) | CLOSING)) {
                break;
            }
        }
        exit();
        // An application thread inside may finish the close after this returns, as it always could; the flusher
        // must not: its short, non-blocking visit is waited for, so that a Poll closed by nobody else's call is
        // closed (its sends settled, its memory and ring released) when close returns.
        while (flusherInside) {
            Thread.onSpinWait();
        }
    }

    @Override
    public String toString() {
        return "UringSelector[" + ring + "]";
    }
}
