package io.mio.internal.uring;

import io.mio.internal.ReadySet;
import io.mio.internal.linux.Errno;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.LinuxConstants;
import io.mio.net.Shutdown;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static io.mio.internal.uring.UringConstants.ECANCELED;
import static io.mio.internal.uring.UringConstants.IORING_ASYNC_CANCEL_ALL;
import static io.mio.internal.uring.UringConstants.IOSQE_CQE_SKIP_SUCCESS;
import static io.mio.internal.uring.UringConstants.MSG_WAITALL;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Writes queued as {@code SEND} entries of a URING Poll's ring: the send memory of one {@link UringSelector}, and
 * each stream's queue in it ({@link Queue}).
 *
 * <p>Memory: a pool of {@link #chunks} chunks of {@link #chunkSize} bytes per Poll (16 KiB x 1024 by default),
 * mapped (anonymous, untouched until used) at the Poll's first queued write and unmapped when the Poll closes, after
 * every request of its ring has ended. A stream holds at most one chunk, and only while it has bytes queued: its share
 * is one chunk, whatever the number of connections. When the pool is empty a stream with nothing queued writes with
 * send(2) at once, as on EPOLL (nothing queued means nothing to overtake), so the pool bounds memory, never progress.
 *
 * <p>Order: one {@code SEND} (with {@code MSG_WAITALL}: the kernel retries a short send itself) in flight per
 * stream; bytes written meanwhile wait in the chunk behind it and go in the next send, prepared by the poller when it
 * reaps the completion. Thread-safety: a queue's state is guarded by the queue; the pool by this object; entries are
 * prepared under the selector's submission lock. Lock order: queue, then pool or submission lock.
 */
final class UringSends {
    /**
     * Whether the next Polls queue writes (tests: TRUE or FALSE), or null for the system property {@value #SWITCH}
     * read when a Poll opens: on unless it is {@code false}. Off, every write is the EPOLL backend's send(2).
     * A queued write leaves with the poller's next {@code poll}, or within a tick of {@link UringFlusher} when the
     * poller stops polling.
     */
    static volatile Boolean enabledForNewPolls;
    static final String SWITCH = "io.mio.uring.queuedSends";
    /** Pool sizes of the next Polls; tests of an empty pool or of a full share shrink them (package-private). */
    static volatile int chunkSizeOfNewPolls = 16 * 1024;
    static volatile int chunksOfNewPolls = 1024;
    /** How long a closed stream's queued bytes may take to leave before they are dropped and the socket closed. */
    static volatile long lingerNanosOfNewPolls = 30_000_000_000L;

    // User-data kinds of this class's requests; UringSelector's own kinds are 1 to 5.
    static final long KIND_SEND = 6L << 56;
    static final long KIND_LINGER = 7L << 56;
    /** A cancel of a send or of a linger timeout: its failure needs nothing done (the poller skips it). */
    static final long KIND_SEND_CANCEL = 8L << 56;
    private static final int GEN_MASK = 0xFF_FFFF;
    private static final int TIMESPEC = 16;

    private final UringSelector selector;
    private final Uring ring;
    private final Object ringLock;
    final int chunkSize;
    final int chunks;
    private final long lingerNanos;
    final boolean enabled;
    /** The mapping (chunks, then one timespec per chunk), or null until the first queued write; guarded by this. */
    private MemorySegment memory;
    /** An absolute-access view of {@link #memory}, for copies from arrays and buffers that allocate nothing. */
    private ByteBuffer view;
    private long base;
    private Queue[] owners;
    private int[] generations;
    private int[] free;
    private int freeCount;
    private boolean closed;

    UringSends(UringSelector selector, Uring ring, Object ringLock) {
        this.selector = selector;
        this.ring = ring;
        this.ringLock = ringLock;
        this.chunkSize = chunkSizeOfNewPolls;
        this.chunks = chunksOfNewPolls;
        this.lingerNanos = lingerNanosOfNewPolls;
        Boolean forced = enabledForNewPolls;
        // read per Poll, so that a test may switch it
        this.enabled = forced != null ? forced : !"false".equalsIgnoreCase(System.getProperty(SWITCH, "true").trim());
    }

    /** A free chunk, or -1 when the pool is empty or closed. */
    private synchronized int take(Queue q) throws IOException {
        if (closed) {
            return -1;
        }
        if (memory == null) {
            map();
        }
        if (freeCount == 0) {
            return -1;
        }
        int c = free[--freeCount];
        owners[c] = q;
        return c;
    }

    private void map() throws IOException {
        long size = (long) chunks * chunkSize + (long) chunks * TIMESPEC;
        long address = UringSys.mmap(size, UringSys.PROT_READ | UringSys.PROT_WRITE,
                UringSys.MAP_PRIVATE | UringSys.MAP_ANONYMOUS, -1, 0);
        if (address < 0) {
            throw Errno.exception("mmap of the Poll's send memory (" + size + " bytes)", (int) -address);
        }
        memory = MemorySegment.ofAddress(address).reinterpret(size);
        view = memory.asByteBuffer();
        base = address;
        owners = new Queue[chunks];
        generations = new int[chunks];
        free = new int[chunks];
        for (int i = 0; i < chunks; i++) {
            free[i] = chunks - 1 - i; // chunk 0 first: the pages in use stay few
        }
        freeCount = chunks;
    }

    private synchronized void give(int c) {
        owners[c] = null;
        generations[c] = (generations[c] + 1) & GEN_MASK;
        free[freeCount++] = c;
    }

    private synchronized Queue owner(int c, int generation) {
        if (owners == null || c >= chunks || generations[c] != generation) {
            return null;
        }
        return owners[c];
    }

    /** The queue a request's user data names (chunk, generation), or null if that chunk has changed hands since. */
    private Queue queueOf(long userData) {
        return owner((int) userData, (int) (userData >>> 32) & GEN_MASK);
    }

    private long userData(long kind, Queue q) {
        return kind | ((long) q.generation << 32) | q.chunk;
    }

    /**
     * Prepares the send of everything queued; caller holds {@code q}, which has bytes and nothing in flight. From a
     * write it is submitted unless the poller wrote between polls; from the reap ({@code now}) at once, since a poll
     * that returns may be the last one for a while (write, write, poll, then wait for the peer).
     */
    private void prepareSend(Queue q, boolean now) throws IOException {
        int len = q.end - q.start;
        synchronized (ringLock) {
            ring.sqe().send(q.fd.fd(), base + (long) q.chunk * chunkSize + q.start, len, MSG_WAITALL,
                    userData(KIND_SEND, q));
            q.inFlight = len;
            if (now) {
                ring.submit();
            } else {
                selector.submitUnlessPoller();
            }
        }
    }

    /**
     * The poller reaped a completion of kind {@link #KIND_SEND} or {@link #KIND_LINGER}: continues, finishes or
     * fails the queue. Returns the queue when it has readiness to report ({@link Queue#report}), else null.
     */
    Queue complete(long userData, int res) throws IOException {
        int c = (int) userData;
        Queue q = queueOf(userData);
        if (q == null) {
            return null; // a linger timeout of a queue that has drained since
        }
        synchronized (q) {
            if (q.owner != this || q.chunk != c) {
                return null;
            }
            if ((userData & UringSelector.KIND_MASK) == KIND_LINGER) {
                if (res == -UringConstants.ETIME && q.inFlight > 0) {
                    q.lingerExpired = true;
                    synchronized (ringLock) {
                        ring.sqe().cancel(userData(KIND_SEND, q), IORING_ASYNC_CANCEL_ALL, KIND_SEND_CANCEL)
                                .flags(IOSQE_CQE_SKIP_SUCCESS);
                    }
                }
                return null;
            }
            q.inFlight = 0;
            if (res == -ECANCELED && !q.lingerExpired) {
                // The thread that submitted it exited (the kernel ends its requests): send again, from this thread.
                prepareSend(q, true);
                return null;
            }
            if (res < 0 || q.lingerExpired) {
                q.error = q.lingerExpired
                        ? new IOException("send: " + (q.end - q.start) + " bytes queued at close were not taken by the peer within "
                                + lingerNanos / 1_000_000 + " ms and were dropped")
                        : Errno.exception("send", -res);
                q.report = ReadySet.ERROR | ReadySet.WRITE_CLOSED;
                drain(q); // the bytes behind the failed send are dropped
                return q;
            }
            q.start += res;
            if (q.start < q.end) {
                // Short (an error after some bytes; the next send reports it): move the rest to the front and send it.
                int rest = q.end - q.start;
                long at = (long) q.chunk * chunkSize;
                MemorySegment.copy(memory, at + q.start, memory, at, rest);
                q.start = 0;
                q.end = rest;
                prepareSend(q, true);
            } else {
                q.start = 0;
                q.end = 0;
            }
            if (q.blocked) {
                q.blocked = false;
                q.report = ReadySet.WRITABLE;
            }
            if (q.end == 0) {
                if (q.lingerArmed) {
                    synchronized (ringLock) { // sent in time: the timeout has nothing left to bound
                        ring.sqe().cancel(userData(KIND_LINGER, q), 0, KIND_SEND_CANCEL).flags(IOSQE_CQE_SKIP_SUCCESS);
                    }
                }
                drain(q);
            }
            return q.report != 0 ? q : null;
        }
    }

    /** Nothing left in flight: gives the chunk back, applies a deferred shutdown, drops the descriptor's hold. */
    private void drain(Queue q) {
        int c = q.chunk;
        q.chunk = -1;
        q.owner = null;
        q.start = 0;
        q.end = 0;
        q.blocked = false;
        q.lingerExpired = false;
        q.lingerArmed = false;
        give(c);
        if (q.shutdownPending) {
            q.shutdownPending = false;
            if (q.fd.tryAcquire()) { // else the stream is closed: its close sends the FIN
                try {
                    io.mio.internal.linux.SocketOps.shutdown(q.fd, LinuxConstants.SHUT_WR);
                } catch (IOException e) {
                    if (q.error == null) {
                        q.error = e;
                    }
                } finally {
                    q.fd.release();
                }
            }
        }
        q.fd.release(); // after a close, this closes the socket: the FIN follows the last byte
    }

    /** A closed stream still has bytes queued: bound how long they may hold its socket open. */
    private void linger(Queue q) throws IOException {
        long ts = base + (long) chunks * chunkSize + (long) q.chunk * TIMESPEC;
        memory.set(JAVA_LONG, ts - base, lingerNanos / 1_000_000_000L);
        memory.set(JAVA_LONG, ts - base + 8, lingerNanos % 1_000_000_000L);
        synchronized (ringLock) {
            ring.sqe().timeout(ts, userData(KIND_LINGER, q));
            selector.submitUnlessPoller();
            q.lingerArmed = true;
        }
    }

    /**
     * The Poll is closing and no call is in it any more: ends every request of the ring (so the kernel reads no
     * chunk again), settles the sends (the completions nobody reaped are counted, and what is still queued goes out
     * with a non-blocking {@code send(2)} where the socket has room, as EPOLL's {@code write} would have sent it),
     * drops the bytes that still do not fit (the next write of that stream throws, saying so), releases the
     * descriptors the queues held (a deferred shutdown or close then happens, after the last byte) and unmaps the
     * memory. Before the ring's close.
     */
    void close() {
        Queue[] held;
        synchronized (this) {
            closed = true;
            if (memory == null) {
                return;
            }
            held = owners.clone();
        }
        boolean ended;
        try {
            ring.syncCancelAll();
            ended = true;
        } catch (IOException | RuntimeException e) {
            ended = false; // never unmap memory the kernel might still read: leave the mapping to the process
        }
        if (ended) {
            settle(held);
        }
        for (Queue q : held) {
            if (q == null) {
                continue;
            }
            synchronized (q) {
                if (q.owner == this) {
                    if (q.start < q.end && q.error == null) {
                        q.error = new IOException("the Poll closed with " + (q.end - q.start)
                                + " bytes of this stream's writes still queued that the socket had no room for;"
                                + " they were not sent");
                    }
                    q.inFlight = 0;
                    if (q.start < q.end) {
                        q.shutdownPending = false; // no FIN before bytes that were never sent
                    }
                    drain(q); // all sent: a shutdown(WRITE) waiting for them happens now
                }
            }
        }
        if (ended) {
            synchronized (this) {
                UringSys.munmap(base, memory.byteSize());
                memory = null;
                view = null;
            }
        }
    }

    /**
     * With every request ended: counts the send completions still in the completion ring (a send that completed
     * while nobody polled), then writes each queue's unsent bytes with non-blocking {@code send(2)} until done or
     * the socket is full. A queue whose send never reached the kernel (prepared, not yet submitted) has posted no
     * completion: all its bytes are unsent.
     */
    private void settle(Queue[] held) {
        try {
            Cqe cqe = ring.completions();
            while (cqe.next()) {
                long ud = cqe.userData();
                if ((ud & UringSelector.KIND_MASK) != KIND_SEND) {
                    continue; // the Poll is closing: nothing else is reported
                }
                Queue q = queueOf(ud);
                if (q == null) {
                    continue;
                }
                synchronized (q) {
                    int res = cqe.res();
                    if (res > 0) {
                        q.start += res;
                    } else if (res < 0 && res != -ECANCELED && q.error == null) {
                        q.error = Errno.exception("send", -res);
                        q.start = q.end; // the connection failed: nothing more can go
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The completion ring is unreadable: the bytes are dropped below, reported to each stream.
            return;
        }
        for (Queue q : held) {
            if (q == null) {
                continue;
            }
            synchronized (q) {
                if (q.owner != this || q.start >= q.end || q.error != null) {
                    continue;
                }
                long at = base + (long) q.chunk * chunkSize;
                // The queue's reference keeps the descriptor number ours (a closed stream's close waits for it).
                while (q.start < q.end) {
                    long n = io.mio.internal.linux.Sys.send(q.fd.fd(), at + q.start, q.end - q.start,
                            LinuxConstants.MSG_NOSIGNAL);
                    if (n == -LinuxConstants.EINTR) {
                        continue;
                    }
                    if (n == -LinuxConstants.EAGAIN) {
                        break; // full: the rest is dropped and reported
                    }
                    if (n < 0) {
                        q.error = Errno.exception("send", (int) -n);
                        break;
                    }
                    q.start += (int) n;
                }
            }
        }
    }

    /** Chunks in use (for tests and diagnostics). */
    synchronized int chunksInUse() {
        return memory == null ? 0 : chunks - freeCount;
    }

    /**
     * One stream's queued writes: at most one chunk of one Poll, bytes {@code [start, end)} of it not yet
     * confirmed sent, {@code inFlight} of them in the send the ring holds. Guarded by itself.
     */
    static final class Queue {
        final UringSource source;
        final FileDesc fd;
        /** The pool holding this queue's chunk, or null when nothing is queued. */
        UringSends owner;
        int chunk = -1;
        int generation;
        int start;
        int end;
        int inFlight;
        /** A write returned would-block for a full share: report WRITABLE when a completion frees space. */
        boolean blocked;
        boolean shutdownPending;
        /** Set by shutdown(WRITE): later writes fail as they would on the socket. */
        boolean writeShut;
        boolean lingerArmed;
        boolean lingerExpired;
        /** A failed send, thrown by the next write or returned by takeError. */
        IOException error;
        /** Readiness for the poller to report after a completion (poller only). */
        int report;

        Queue(UringSource source) {
            this.source = source;
            this.fd = source.fd;
        }

        /** Whether bytes are queued; a race-free answer needs the lock. */
        synchronized boolean pending() {
            return owner != null;
        }

        private IOException takeStored() {
            IOException e = error;
            error = null;
            return e;
        }

        /** The stored failure of a send, cleared, or null. */
        synchronized IOException takeError() {
            return takeStored();
        }

        /**
         * Queues up to {@code length} bytes, copied by {@code copy} into the chunk; -1 when they must go by
         * send(2) (not registered with a URING Poll, its pool empty, or closing), 0 when the share is full.
         */
        private long queue(long length, Copier copy, Object src, int offset, int count) throws IOException {
            if (!fd.isOpen()) {
                fd.acquire(); // throws as a closed stream's write does on EPOLL
            }
            for (;;) {
                UringSends s;
                synchronized (this) {
                    IOException e = takeStored();
                    if (e != null) {
                        throw e;
                    }
                    if (writeShut) {
                        throw Errno.exception("send", LinuxConstants.EPIPE);
                    }
                    s = owner;
                    if (s == null) {
                        UringRegistration r = source.registration;
                        if (r == null) {
                            return -1;
                        }
                        s = r.selector.sends();
                        if (!s.enabled || length >= s.chunkSize || r.hungUp) {
                            // nothing queued to overtake: a write of a chunk or more is one send(2), which moves as
                            // much as the socket takes (a chunk per poll would slow a bulk writer down); after a
                            // hang-up, send(2) fails at once (EPIPE), as on EPOLL, instead of at its completion
                            return -1;
                        }
                    }
                    if (!s.selector.tryEnter()) {
                        if (owner != null) {
                            throw new IOException("the Poll this stream's writes are queued on is closing; they are dropped");
                        }
                        return -1;
                    }
                }
                try {
                    synchronized (this) {
                        if (owner != null && owner != s) {
                            continue; // another thread queued on another Poll meanwhile: join that queue
                        }
                        return queueIn(s, length, copy, src, offset, count);
                    }
                } finally {
                    s.selector.exit(); // outside the lock: the last exit of a closing Poll takes every queue's
                }
            }
        }

        /** Caller holds this queue and has entered {@code s}'s selector; {@code owner} is null or {@code s}. */
        private int queueIn(UringSends s, long length, Copier copy, Object src, int offset, int count) throws IOException {
            if (owner == null) {
                fd.acquire(); // held while bytes are queued: a close then leaves the socket open for them
                int c = s.take(this);
                if (c < 0) {
                    fd.release();
                    return -1;
                }
                owner = s;
                chunk = c;
                generation = s.generations[c];
            }
            int n = (int) Math.min(s.chunkSize - end, length);
            if (n < length) {
                blocked = true; // a short write, as a would-block, is answered by WRITABLE once there is room
            }
            if (n == 0) {
                return 0;
            }
            long at = (long) chunk * s.chunkSize + end;
            n = copy.copy(s.view, (int) at, n, src, offset, count);
            end += n;
            if (inFlight == 0) {
                s.prepareSend(this, false);
            }
            UringFlusher.watch(s.selector); // bytes leave within a tick even if the poller stops polling
            return n;
        }

        int write(ByteBuffer src) throws IOException {
            int len = src.remaining();
            if (len == 0) {
                return -1;
            }
            return (int) queue(len, Queue::copyBuffer, src, 0, 0);
        }

        int write(byte[] src, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, src.length);
            if (length == 0) {
                return -1;
            }
            return (int) queue(length, Queue::copyArray, src, offset, length);
        }

        long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, srcs.length);
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += srcs[i].remaining();
            }
            if (total == 0) {
                return -1;
            }
            return queue(total, Queue::copyBuffers, srcs, offset, length);
        }

        private static int copyBuffer(ByteBuffer view, int at, int n, Object src, int offset, int count) {
            ByteBuffer b = (ByteBuffer) src;
            int pos = b.position();
            view.put(at, b, pos, n);
            b.position(pos + n);
            return n;
        }

        private static int copyArray(ByteBuffer view, int at, int n, Object src, int offset, int count) {
            view.put(at, (byte[]) src, offset, n);
            return n;
        }

        private static int copyBuffers(ByteBuffer view, int at, int n, Object src, int offset, int count) {
            ByteBuffer[] bs = (ByteBuffer[]) src;
            int done = 0;
            for (int i = offset; i < offset + count && done < n; i++) {
                done += copyBuffer(view, at + done, Math.min(n - done, bs[i].remaining()), bs[i], 0, 0);
            }
            return done;
        }

        /** The stream's own shutdown, with a direction; the syscall-level one of the epoll backend. */
        interface ShutdownCall {
            void shutdown(Shutdown how) throws IOException;
        }

        /**
         * The stream's {@code shutdown(how)}: {@code now} shuts down at once, but a write side with bytes queued waits
         * for them ({@link #deferShutdown}), so that the FIN cannot overtake them; the read side of BOTH goes at once.
         */
        void shutdown(Shutdown how, ShutdownCall now) throws IOException {
            if (how != Shutdown.READ && deferShutdown()) {
                if (how == Shutdown.BOTH) {
                    now.shutdown(Shutdown.READ);
                }
                return; // the FIN goes after the queued bytes
            }
            now.shutdown(how);
            if (how != Shutdown.READ) {
                synchronized (this) {
                    writeShut = true; // a later write fails at once with EPIPE, as send(2) does, not at its send
                }
            }
        }

        /**
         * shutdown(WRITE) with bytes queued: applied after the last of them has left, so that the FIN cannot
         * overtake them. Returns false when nothing is queued (the caller shuts down at once).
         */
        synchronized boolean deferShutdown() {
            if (owner == null) {
                return false;
            }
            writeShut = true;
            shutdownPending = true;
            return true;
        }

        /** The stream is closing: bound the time its queued bytes may keep the socket open. */
        void closing() {
            UringSends s;
            synchronized (this) {
                s = owner;
                if (s == null || !s.selector.tryEnter()) {
                    return; // nothing queued, or the Poll's close drops the bytes and releases the socket
                }
            }
            try {
                synchronized (this) {
                    if (owner == s) {
                        s.linger(this);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The ring refused the timeout: the bytes still go; the Poll's close bounds them.
            } finally {
                s.selector.exit();
            }
        }
    }

    @FunctionalInterface
    private interface Copier {
        int copy(ByteBuffer view, int at, int n, Object src, int offset, int count);
    }
}
