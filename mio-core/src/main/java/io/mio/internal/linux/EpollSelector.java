package io.mio.internal.linux;

import io.mio.Backend;
import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;
import io.mio.internal.spi.SelectorSpi;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * One epoll instance: the Linux backend of a {@code Poll}.
 *
 * <p>epoll_data carries a slot number and a generation, not the user's token: the slot names this
 * selector's {@link Registration}, which holds the user's own {@link Token} object, so reading an event's
 * token allocates nothing, and an event that raced with a deregister (the slot freed, or reused by a newer
 * registration) is dropped instead of reported under the wrong token.
 *
 * <p>Registry operations may run on any thread, also while another thread waits in epoll_wait: they are
 * plain epoll_ctl calls, which the kernel applies to a wait in progress. One thread polls at a time.
 */
public final class EpollSelector implements SelectorSpi {
    /** x86-64 packs struct epoll_event (12 bytes, data at 4); other architectures align it (16, data at 8). */
    static final boolean PACKED = isX86_64();
    static final int EVENT_SIZE = PACKED ? 12 : 16;
    static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Registration[].class);
    /** epoll_data of the internal close-wake eventfd: slot -1, never reported. */
    private static final long CLOSE_WAKER_DATA = -1L;
    private static final MemorySegment ONE;

    static {
        ONE = Arena.global().allocate(8, 8);
        ONE.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    private final FileDesc epfd;
    private final FileDesc closeWaker;
    private final Object slotLock = new Object();
    private volatile Registration[] table = new Registration[64];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int nextSlot;
    private int nextGeneration;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean hasWaker = new AtomicBoolean();
    private MemorySegment eventBuffer = MemorySegment.NULL; // touched by the polling thread only
    private int eventBufferCapacity;

    private EpollSelector(FileDesc epfd, FileDesc closeWaker) {
        this.epfd = epfd;
        this.closeWaker = closeWaker;
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** Whether this backend can run here: Linux on x86-64 or aarch64. */
    public static boolean isSupported() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        return os.equals("Linux") && (isX86_64() || arch.equals("aarch64"));
    }

    public static EpollSelector open() throws IOException {
        if (!isSupported()) {
            throw new UnsupportedOperationException("the epoll backend needs Linux on x86-64 or aarch64; this is "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        int ep = Sys.epollCreate1(EPOLL_CLOEXEC);
        if (ep < 0) {
            throw Errno.exception("epoll_create1", -ep);
        }
        int efd = Sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0) {
            Sys.close(ep);
            throw Errno.exception("eventfd", -efd);
        }
        int rc = ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, CLOSE_WAKER_DATA);
        if (rc < 0) {
            Sys.close(efd);
            Sys.close(ep);
            throw Errno.exception("epoll_ctl(ADD)", -rc);
        }
        FileDesc waker = new FileDesc(efd, "Poll's internal eventfd");
        FileDesc epoll = new FileDesc(ep, "Poll");
        epoll.closeAlso(waker);
        return new EpollSelector(epoll, waker);
    }

    private static int ctl(int ep, int op, int fd, int events, long data) {
        MemorySegment ev = Sys.scratch();
        ev.set(INT, 0, events);
        ev.set(LONG, DATA_OFFSET, data);
        return Sys.epollCtl(ep, op, fd, ev.address());
    }

    /** The epoll bits (edge-triggered) for {@code interest}; the URING backend's polls use the same bits, without EPOLLET. */
    public static int epollEvents(Interest interest) {
        int events = EPOLLET;
        if (interest.isReadable()) {
            events |= EPOLLIN | EPOLLRDHUP;
        }
        if (interest.isWritable()) {
            events |= EPOLLOUT;
        }
        if (interest.isPriority()) {
            events |= EPOLLPRI;
        }
        return events;
    }

    /**
     * mio's mapping of epoll's bits to readiness (src/sys/unix/selector/epoll.rs); also the URING backend's, whose poll
     * completions carry the same bits (poll(2)'s and epoll's values are the same numbers).
     */
    public static int readiness(int ev) {
        int r = 0;
        if ((ev & (EPOLLIN | EPOLLPRI)) != 0) {
            r |= ReadySet.READABLE;
        }
        if ((ev & EPOLLOUT) != 0) {
            r |= ReadySet.WRITABLE;
        }
        if ((ev & EPOLLERR) != 0) {
            r |= ReadySet.ERROR;
        }
        if ((ev & EPOLLHUP) != 0 || ((ev & EPOLLIN) != 0 && (ev & EPOLLRDHUP) != 0)) {
            r |= ReadySet.READ_CLOSED;
        }
        if ((ev & EPOLLHUP) != 0 || ((ev & EPOLLOUT) != 0 && (ev & EPOLLERR) != 0) || ev == EPOLLERR) {
            r |= ReadySet.WRITE_CLOSED;
        }
        if ((ev & EPOLLPRI) != 0) {
            r |= ReadySet.PRIORITY;
        }
        return r;
    }

    @Override
    public Backend backend() {
        return Backend.EPOLL;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    // ---- registry operations ------------------------------------------------------------------

    /** The epoll selector behind {@code registry}, for {@code source} of this backend; rejects another backend's. */
    static EpollSelector of(Registry registry, Object source) {
        SelectorSpi s = Bridge.selector(registry);
        if (s instanceof EpollSelector e) {
            return e;
        }
        throw Bridge.mismatch(source, "EPOLL", s);
    }


    public void register(FileDesc fd, Token token, Interest interest) throws IOException {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interest, "interest");
        int events = epollEvents(interest);
        fd.acquire();
        try {
            synchronized (fd) {
                Registration existing = fd.registration;
                if (existing != null) {
                    if (existing.selector == this) {
                        // Closing: the descriptor may still be in the kernel's set (EEXIST), so report closed.
                        ensureOpen();
                        throw new IllegalStateException(fd.kind()
                                + " is already registered with this Poll; use reregister to change its token or interest");
                    } else if (existing.selector.isClosed()) {
                        fd.registration = null; // another Poll, closed: it no longer reports this descriptor
                    } else {
                        throw new IllegalStateException(fd.kind()
                                + " is already registered with another Poll; deregister it there first");
                    }
                }
                ensureOpen();
                epfd.acquire();
                try {
                    Registration r = allocate(fd, token);
                    int rc = ctl(epfd.fd(), EPOLL_CTL_ADD, fd.fd(), events, r.epollData());
                    if (rc < 0) {
                        free(r);
                        throw Errno.exception("epoll_ctl(ADD) of " + fd.kind(), -rc);
                    }
                    r.interestBits = events;
                    fd.registration = r;
                } finally {
                    epfd.release();
                }
            }
        } finally {
            fd.release();
        }
    }

    public void reregister(FileDesc fd, Token token, Interest interest) throws IOException {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interest, "interest");
        int events = epollEvents(interest);
        fd.acquire();
        try {
            synchronized (fd) {
                Registration r = ownRegistration(fd, "reregister");
                epfd.acquire();
                try {
                    Token previous = r.token;
                    r.token = token; // before MOD, so that events the change raises carry the new token
                    int rc = ctl(epfd.fd(), EPOLL_CTL_MOD, fd.fd(), events, r.epollData());
                    if (rc < 0) {
                        r.token = previous;
                        throw Errno.exception("epoll_ctl(MOD) of " + fd.kind(), -rc);
                    }
                    r.interestBits = events;
                } finally {
                    epfd.release();
                }
            }
        } finally {
            fd.release();
        }
    }

    public void deregister(FileDesc fd) throws IOException {
        fd.acquire();
        try {
            synchronized (fd) {
                Registration r = ownRegistration(fd, "deregister");
                epfd.acquire();
                try {
                    int rc = ctl(epfd.fd(), EPOLL_CTL_DEL, fd.fd(), 0, 0L);
                    if (rc < 0) {
                        throw Errno.exception("epoll_ctl(DEL) of " + fd.kind(), -rc);
                    }
                } finally {
                    epfd.release();
                }
                fd.registration = null;
                free(r);
            }
        } finally {
            fd.release();
        }
    }

    private Registration ownRegistration(FileDesc fd, String operation) throws ClosedException {
        // A closed Poll is reported as closed, not as "not registered": checked before reading the
        // registration, and again after, for a close that came in between.
        ensureOpen();
        Registration r = fd.registration;
        if (r != null && r.selector == this) {
            return r;
        }
        ensureOpen();
        if (r == null || r.selector.isClosed()) {
            throw new IllegalStateException("cannot " + operation + " " + fd.kind()
                    + ": it is not registered with any Poll");
        }
        throw new IllegalStateException("cannot " + operation + " " + fd.kind()
                + " through this Registry: it is registered with another Poll");
    }

    /** Called while fd's number is still valid (its closer or last user holds it), after the link was cut. */
    void removeOnClose(FileDesc fd, Registration r) {
        if (epfd.tryAcquire()) {
            try {
                // Another descriptor may share the open file (dup, fork), so close(2) alone might not remove it.
                ctl(epfd.fd(), EPOLL_CTL_DEL, fd.fd(), 0, 0L);
            } finally {
                epfd.release();
            }
        }
        free(r);
    }

    private Registration allocate(FileDesc fd, Token token) {
        synchronized (slotLock) {
            int slot;
            if (freeCount > 0) {
                slot = freeSlots[--freeCount];
            } else {
                slot = nextSlot++;
                Registration[] t = table;
                if (slot >= t.length) {
                    Registration[] grown = new Registration[t.length * 2];
                    for (int i = 0; i < t.length; i++) {
                        grown[i] = (Registration) SLOTS.getAcquire(t, i);
                    }
                    table = grown;
                }
            }
            Registration r = new Registration(this, fd, slot, nextGeneration++, token);
            SLOTS.setRelease(table, slot, r);
            return r;
        }
    }

    private void free(Registration r) {
        synchronized (slotLock) {
            Registration[] t = table;
            if (SLOTS.getAcquire(t, r.slot) != r) {
                return;
            }
            SLOTS.setRelease(t, r.slot, (Registration) null);
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

    // ---- waker ------------------------------------------------------------------------------------

    /** The Poll's waker: an eventfd registered edge-triggered, never read on the hot path. */
    @Override
    public WakerSpi openWaker(Token token) throws IOException {
        claimWaker();
        FileDesc fd = null;
        try {
            int efd = Sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (efd < 0) {
                throw Errno.exception("eventfd", -efd);
            }
            fd = new FileDesc(efd, "Waker");
            register(fd, token, Interest.READABLE);
        } catch (IOException | RuntimeException e) {
            if (fd != null) {
                fd.close();
            }
            releaseWaker();
            throw e;
        }
        return new EpollWaker(this, fd);
    }

    /** Claims the one Waker this selector allows. */
    void claimWaker() {
        if (!hasWaker.compareAndSet(false, true)) {
            throw new IllegalStateException("this Poll already has a Waker; mio allows one Waker per Poll");
        }
    }

    void releaseWaker() {
        hasWaker.set(false);
    }

    /** The Poll's waker on this backend: the one WakerSpi loaded, so {@code Waker.wake}'s call stays monomorphic. */
    static final class EpollWaker implements WakerSpi {
        private final EpollSelector selector;
        private final FileDesc eventFd;

        EpollWaker(EpollSelector selector, FileDesc eventFd) {
            this.selector = selector;
            this.eventFd = eventFd;
        }

        @Override
        public void wake() throws IOException {
            signal(eventFd);
        }

        @Override
        public void close() {
            eventFd.close();
            selector.releaseWaker();
        }
    }

    /** Adds one to an eventfd's counter; a saturated counter is reset so that the write raises an edge. */
    public static void signal(FileDesc eventFd) throws IOException {
        eventFd.acquire();
        try {
            for (;;) {
                long n = Sys.writeOwned(eventFd.fd(), ONE.address(), 8);
                if (n >= 0) {
                    return;
                }
                int errno = (int) -n;
                if (errno == EAGAIN) {
                    // Counter at its maximum: drain it and write again, which raises a new edge.
                    Sys.readOwned(eventFd.fd(), Sys.scratch().address(), 8);
                    continue;
                }
                if (errno != EINTR) {
                    throw Errno.exception("write to eventfd", errno);
                }
            }
        } finally {
            eventFd.release();
        }
    }

    // ---- polling ------------------------------------------------------------------------------

    /**
     * Waits for events and fills {@code out}. {@code timeoutMillis} is -1 to wait without limit, 0 not to wait.
     */
    @Override
    public void select(ReadySet out, int timeoutMillis) throws IOException {
        out.size = 0;
        // One atomic step claims both the descriptor and the right to poll it.
        if (!epfd.acquirePoller()) {
            throw new IllegalStateException("another thread is already polling this Poll; a Poll is polled by one thread at a time");
        }
        try {
            int capacity = out.capacity();
            MemorySegment buffer = eventBuffer(capacity);
            int n = Sys.epollWait(epfd.fd(), buffer.address(), capacity, timeoutMillis);
            if (n < 0) {
                if (-n == EINTR) {
                    // A signal (a profiler, the flight recorder, an attached tracer) cut the wait short: a
                    // spurious wake-up with no events, as java.nio's Selector has it, unless the thread was
                    // interrupted, which is what InterruptedIOException is for.
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("Poll.poll: interrupted (the thread's interrupt status is set)");
                    }
                    return;
                }
                throw Errno.exception("epoll_wait", -n);
            }
            resolve(buffer, n, out);
        } finally {
            epfd.releasePoller();
        }
    }

    private MemorySegment eventBuffer(int capacity) {
        if (capacity > eventBufferCapacity) {
            eventBuffer = Arena.ofAuto().allocate((long) capacity * EVENT_SIZE, 8);
            eventBufferCapacity = capacity;
        }
        return eventBuffer;
    }

    private void resolve(MemorySegment buffer, int n, ReadySet out) {
        Registration[] t = table;
        Token[] tokens = out.tokens;
        int[] ready = out.ready;
        int k = 0;
        for (int i = 0; i < n; i++) {
            long offset = (long) i * EVENT_SIZE;
            long data = buffer.get(LONG, offset + DATA_OFFSET);
            int slot = (int) data;
            if (slot < 0 || slot >= t.length) {
                continue; // the close waker, or a slot beyond a table we read before it grew
            }
            Registration r = (Registration) SLOTS.getAcquire(t, slot);
            if (r == null || r.generation != (int) (data >>> 32)) {
                continue; // deregistered (or replaced) after the kernel queued this event
            }
            tokens[k] = r.token;
            ready[k] = readiness(buffer.get(INT, offset));
            k++;
        }
        out.size = k;
    }

    // ---- closing ------------------------------------------------------------------------------

    /**
     * Closes the epoll instance. A thread blocked in {@link #select} is woken and returns; the descriptor
     * is closed when it has. Registered descriptors stay open (they belong to their sources).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            signal(closeWaker);
        } catch (IOException ignored) {
            // Already closed: nobody can be waiting on it.
        }
        epfd.close(); // closes the close-waker too, once the last poller has let go
    }

    /** Throws if closed. */
    @Override
    public void ensureOpen() throws ClosedException {
        if (closed.get()) {
            throw new ClosedException("Poll");
        }
    }
}
