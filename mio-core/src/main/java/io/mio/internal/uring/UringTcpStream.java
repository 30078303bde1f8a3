package io.mio.internal.uring;

import io.mio.internal.spi.TcpStreamSpi;
import io.mio.net.Shutdown;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A TCP stream of the URING backend: the epoll backend's stream, registered through the ring, whose reads are served
 * from a receive queue while it is registered readable.
 *
 * <p>Registered with READABLE interest, the stream has a multishot RECV into its Poll's provided buffers instead of a
 * POLLIN poll; the poller queues the filled buffers here, and {@code read} copies from them without a system call
 * (recycling each emptied buffer), returns 0 (would-block) when the queue is empty while the receive is armed, -1 at
 * a queued end of stream, and throws at a queued error (once; {@code takeError} also returns it once, since the
 * receive took it from the socket). When the kernel ends the receive (no buffer left: ENOBUFS), reads fall back to
 * recv(2), and arm it again at the first short read (fewer bytes than asked, would-block included), also one that
 * only drained the queue: a short read is where an edge-triggered reader stops. {@code peek} copies queued bytes without consuming them (with
 * the queue empty it asks the socket). When the queue is empty, a reader reaps the ring's waiting completions itself
 * if no thread is polling (their events wait for the next poll), so a reader that does not poll still sees its bytes;
 * the polling thread's first would-block read since its poll does not (its next poll reaps), a second one does.
 * Deregister cancels the receive and copies queued bytes (and any its last completions bring) to the heap, served
 * before the socket's; reads would block until the cancel has landed. Close, or the Poll's close, drops them. Every
 * other method goes to the epoll backend's class, unchanged.
 *
 * <p>Thread-safe: reads, peeks and the poller's completions serialise on one lock per stream; they never block
 * (the fallback recv(2) is non-blocking). Errors are those of the delegate, plus the queued receive error.
 */
final class UringTcpStream extends UringSource implements TcpStreamSpi {
    private final TcpStreamSpi inner;

    UringTcpStream(TcpStreamSpi inner) {
        super(inner);
        this.inner = inner;
        this.sendQueue = new UringSends.Queue(this);
    }

    // ---- the receive queue -----------------------------------------------------------------------------------
    // While registered READABLE (without PRIORITY) with a URING Poll, a multishot RECV fills the Poll's provided
    // buffers; the poller queues them here and reads copy from them without a system call.

    /** No receive in flight: once the queue is empty, reads are recv(2). */
    static final int RX_NONE = 0;
    /** A multishot receive is armed: an empty queue means would-block. */
    static final int RX_ARMED = 1;
    /** The kernel ended the receive (no buffer left, CQ overflow, thread exit): recv(2) until a short read, then re-arm. */
    static final int RX_ENDED = 2;
    /** The receive ended at end of stream or an error, queued after the data ({@link #rxEnd}). */
    static final int RX_DONE = 3;
    /**
     * The receive of {@link #rxReg} is being cancelled (a deregister, or a reregister without READABLE): bytes it
     * still delivers are queued (or, deregistered, kept on the heap), and reads would block once they are served
     * until its last completion, so that recv(2) or a new receive cannot overtake them.
     */
    static final int RX_CANCELLING = 4;

    /** Guards the queue and the state; taken before the selector's locks, never while holding them. */
    final Object rxLock = new Object();
    private int rxState = RX_NONE;
    /** The registration whose receive fills the queue (its selector owns the queued buffers), or null. */
    private volatile UringRegistration rxReg;
    /** In RX_CANCELLING: the readable registration to serve once the cancelled receive has ended, or null. */
    private UringRegistration rxNext;
    private int[] rxBid = new int[16];
    private int[] rxLen = new int[16];
    private int[] rxOff = new int[16];
    private int rxHead;
    private int rxCount;
    /** In RX_DONE: 0 for end of stream, else -errno. */
    private int rxEnd;
    /** An error the receive took from the socket (so SO_ERROR no longer holds it), for {@link #takeError()}. */
    private int rxPendingError;

    /**
     * The poll (the selector's {@code polls} count) in which the polling thread last found the queue empty: its
     * first would-block after a poll returns without reaping; a second one before the next poll reaps (a reader
     * that spins without polling). Read and written by the polling thread only.
     */
    int rxDeferredIn = -1;

    /** Times the kernel ended the receive and reads fell back to recv(2) (tests). */
    private int rxEndedCount;

    /** For tests: buffers queued now, how often the receive ended (ENOBUFS) and reads fell back, and the state. */
    int[] rxStats() {
        synchronized (rxLock) {
            return new int[] {rxCount, rxEndedCount, rxState};
        }
    }

    /**
     * {@code r} (READABLE without PRIORITY) wants a receive; under {@link #rxLock}. True if the caller must submit
     * it now; false if one is already armed for {@code r}, or an earlier receive is still being cancelled (then
     * {@code r}'s is armed after that one's last completion).
     */
    boolean rxWantArm(UringRegistration r) {
        settleClosed();
        if (rxState == RX_CANCELLING) {
            rxNext = r;
            return false;
        }
        if (rxReg == r && rxState != RX_NONE) {
            return false;
        }
        rxReg = r;
        rxState = RX_ARMED;
        return true;
    }

    /**
     * {@code r} no longer wants a receive (a reregister without READABLE, or with PRIORITY); under {@link #rxLock}.
     * True if the caller must cancel {@code r}'s receive; queued bytes stay readable.
     */
    boolean rxStopFor(UringRegistration r, boolean readable) {
        settleClosed();
        if (rxState == RX_CANCELLING) {
            rxNext = readable ? r : null;
            return false;
        }
        if (rxReg != r) {
            return false;
        }
        if (rxState == RX_ARMED) {
            rxState = RX_CANCELLING;
            rxNext = readable ? r : null; // a POLLIN poll: reported once the receive can no longer take the bytes
            return true;
        }
        if (rxState == RX_ENDED) {
            rxState = RX_NONE; // the rest is in the socket: recv(2), no re-arm
        }
        return false;
    }

    /**
     * Deregister of {@code r}; under {@link #rxLock}. Queued bytes go to the heap. True if {@code r}'s receive is
     * still in flight: the selector keeps routing its completions here until the last.
     */
    boolean rxRetire(UringRegistration r) {
        if (rxNext == r) {
            rxNext = null;
        }
        if (rxReg != r) {
            return false;
        }
        keepQueue(r.selector);
        if (rxState == RX_ARMED || rxState == RX_CANCELLING) {
            r.retired = true;
            rxState = RX_CANCELLING;
            return true;
        }
        rxReg = null;
        rxState = RX_NONE;
        return false;
    }

    /** The Poll of the receive closed: its requests and buffers are gone, only the kept bytes stay (under rxLock). */
    private void settleClosed() {
        UringRegistration r = rxReg;
        if (r != null && r.selector.isClosed()) {
            rxDrop(true);
        }
    }

    /** Whether {@code r}'s receive is armed and its queue empty: a READABLE stashed for it is stale (under rxLock). */
    boolean rxDrained(UringRegistration r) {
        return rxReg == r && rxState == RX_ARMED && !rxQueued();
    }

    /** Whether a receive of {@code r} is armed (under {@link #rxLock}). */
    boolean rxArmedFor(UringRegistration r) {
        return rxReg == r && rxState == RX_ARMED;
    }

    boolean rxQueued() {
        return rxCount > 0 || leftover != null || rxState == RX_DONE || rxState == RX_ENDED;
    }

    /**
     * A completion of this stream's receive, from the thread that reaps. Returns the readiness to report (0 for
     * none): READABLE when bytes arrive into an empty queue, or the receive ends; with READ_CLOSED at end of stream,
     * ERROR on an error.
     */
    int onRecv(UringRegistration r, int res, int bid, boolean more) {
        UringSelector sel = r.selector;
        synchronized (rxLock) {
            if (rxReg != r || (rxState != RX_ARMED && rxState != RX_CANCELLING)) {
                if (bid >= 0) {
                    sel.recycle(bid); // dropped by close, or the Poll's close
                }
                return 0;
            }
            if (rxState == RX_CANCELLING) {
                if (res > 0 && bid >= 0) {
                    if (!r.retired) {
                        enqueue(bid, res);
                        bid = -1;
                    } else if (!closingRx) {
                        keep(sel, bid, res); // a deregistered receive's last bytes: kept, in order
                    }
                }
                if (bid >= 0) {
                    sel.recycle(bid);
                }
                if (!more) {
                    cancelled(r, res);
                }
                return 0;
            }
            int report = 0;
            if (res > 0 && bid >= 0) {
                if (rxCount == 0) {
                    report = io.mio.internal.ReadySet.READABLE;
                }
                enqueue(bid, res);
            } else if (bid >= 0) {
                sel.recycle(bid);
            }
            if (!more) {
                if (res == 0) {
                    rxState = RX_DONE;
                    rxEnd = 0;
                    report = io.mio.internal.ReadySet.READABLE | io.mio.internal.ReadySet.READ_CLOSED;
                } else if (res > 0 || res == -io.mio.internal.linux.LinuxConstants.ENOBUFS || res == -UringConstants.ECANCELED) {
                    rxState = RX_ENDED;
                    rxEndedCount++;
                    report = io.mio.internal.ReadySet.READABLE; // the rest waits in the socket
                } else {
                    rxState = RX_DONE;
                    rxEnd = res;
                    rxPendingError = res;
                    report = io.mio.internal.ReadySet.READABLE | io.mio.internal.ReadySet.ERROR;
                }
            }
            return report;
        }
    }

    /**
     * The cancelled receive of {@code r} posted its last completion (under rxLock): reads may go to the socket, and
     * the registration waiting for it ({@link #rxNext}) gets its receive, or, polling for POLLIN, a READABLE event
     * (bytes may have reached the socket while the receive could still take them).
     */
    private void cancelled(UringRegistration r, int res) {
        if (res < 0 && res != -UringConstants.ECANCELED && res != -io.mio.internal.linux.LinuxConstants.ENOBUFS) {
            rxPendingError = res; // an error raced the cancel: takeError returns it, the socket holds its end
        }
        rxState = RX_NONE;
        if (r.retired) {
            rxReg = null; // its bytes are on the heap
        }
        UringRegistration next = rxNext;
        rxNext = null;
        if (next == null) {
            return;
        }
        try {
            if (!next.recv || (rxReg != null && rxReg != next)) {
                next.selector.nudge(next);
            } else if (next.selector.armRecv(next, true)) {
                rxReg = next;
                rxState = RX_ARMED;
            }
        } catch (java.io.IOException e) {
            // The kernel refused the submit: the ring is unusable, and so is that Poll; reads go to the socket.
        }
    }

    private void enqueue(int bid, int len) {
        if (rxCount == rxBid.length) {
            growRx();
        }
        int at = (rxHead + rxCount) & (rxBid.length - 1);
        rxBid[at] = bid;
        rxLen[at] = len;
        rxOff[at] = 0;
        rxCount++;
    }

    /** Appends {@code n} bytes of buffer {@code bid} to the kept bytes (a rare path: allocates). */
    private void keep(UringSelector sel, int bid, int n) {
        int have = leftoverEnd - leftoverOff;
        byte[] kept = new byte[have + n];
        if (have > 0) {
            System.arraycopy(leftover, leftoverOff, kept, 0, have);
        }
        sel.copyOut(bid, 0, kept, have, n);
        leftover = kept;
        leftoverOff = 0;
        leftoverEnd = have + n;
    }

    /** Set by close: nothing is kept any more. */
    private boolean closingRx;

    private void growRx() {
        int n = rxBid.length;
        int[] b = new int[n * 2], l = new int[n * 2], o = new int[n * 2];
        for (int i = 0; i < rxCount; i++) {
            int from = (rxHead + i) & (n - 1);
            b[i] = rxBid[from];
            l[i] = rxLen[from];
            o[i] = rxOff[from];
        }
        rxBid = b;
        rxLen = l;
        rxOff = o;
        rxHead = 0;
    }

    /** Copies the queued buffers' bytes to the heap, behind the kept ones, and gives the buffers back (under rxLock). */
    private void keepQueue(UringSelector sel) {
        if (rxCount == 0) {
            return;
        }
        if (sel.tryEnter()) {
            try {
                int n = leftoverEnd - leftoverOff;
                for (int j = 0; j < rxCount; j++) {
                    int i = (rxHead + j) & (rxBid.length - 1);
                    n += rxLen[i] - rxOff[i];
                }
                byte[] kept = new byte[n]; // once per deregister, not per read
                int at = leftoverEnd - leftoverOff;
                if (at > 0) {
                    System.arraycopy(leftover, leftoverOff, kept, 0, at);
                }
                for (int j = 0; j < rxCount; j++) {
                    int i = (rxHead + j) & (rxBid.length - 1);
                    int len = rxLen[i] - rxOff[i];
                    sel.copyOut(rxBid[i], rxOff[i], kept, at, len);
                    at += len;
                    sel.recycle(rxBid[i]);
                }
                leftover = kept;
                leftoverOff = 0;
                leftoverEnd = n;
            } finally {
                sel.exit();
            }
        }
        rxHead = 0;
        rxCount = 0; // a closing Poll: its buffers are gone, and so are their bytes
    }

    /**
     * Close, or the Poll behind the queue closed: queued buffers go back (if the Poll still has them) and the
     * receive is forgotten; {@code close} also drops the kept bytes. Under or outside rxLock.
     */
    void rxDrop(boolean keepHeap) {
        synchronized (rxLock) {
            UringRegistration r = rxReg;
            if (!keepHeap) {
                leftover = null;
                leftoverOff = 0;
                leftoverEnd = 0;
            }
            if (r != null) {
                while (rxCount > 0) {
                    r.selector.recycle(rxBid[rxHead]);
                    rxHead = (rxHead + 1) & (rxBid.length - 1);
                    rxCount--;
                }
            }
            rxHead = 0;
            rxCount = 0;
            rxReg = null;
            rxNext = null;
            rxState = RX_NONE;
        }
    }

    @Override
    void beforeClose() {
        synchronized (rxLock) {
            closingRx = true;
        }
        rxDrop(false);
    }

    /** Bytes kept by a deregister ({@link #rxRetire}), served before anything else; guarded by rxLock. */
    private byte[] leftover;
    private int leftoverOff;
    private int leftoverEnd;
    /** {@link #take}'s answer when the queue is empty while the receive is armed: reap, then try once more. */
    private static final int RETRY = Integer.MIN_VALUE;

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int n = take(dst, null, 0, 0, false);
        return n != RETRY ? n : retry(dst, null, 0, 0, false);
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        int n = take(null, dst, offset, length, false);
        return n != RETRY ? n : retry(null, dst, offset, length, false);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int n = take(dst, null, 0, 0, true);
        return n != RETRY ? n : retry(dst, null, 0, 0, true);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        int n = take(null, dst, offset, length, true);
        return n != RETRY ? n : retry(null, dst, offset, length, true);
    }

    /**
     * The queue was empty: completions may wait unreaped in the ring (a reader that does not poll, or reads before
     * its poll): reap them if no thread is polling, then take again; still empty is would-block (a peek of an armed
     * receive asks the socket, which the receive has not emptied yet).
     */
    private int retry(ByteBuffer dst, byte[] arr, int offset, int length, boolean peek) throws IOException {
        UringRegistration r = rxReg;
        int n = RETRY;
        if (!peek && r != null && r.selector.deferReap(this)) {
            return 0; // the poller's own first would-block since its poll: that poll's successor reaps
        }
        if (r != null && r.selector.tryReap()) {
            n = take(dst, arr, offset, length, peek);
        }
        if (n != RETRY) {
            return n;
        }
        if (peek) {
            synchronized (rxLock) {
                if (rxState == RX_CANCELLING) {
                    return 0; // bytes may still come through the cancelled receive: they are first
                }
            }
            return dst != null ? inner.peek(dst) : inner.peek(arr, offset, length);
        }
        return 0;
    }

    /** One read or peek under rxLock: kept bytes, then the queue, then what an empty queue means. */
    private int take(ByteBuffer dst, byte[] arr, int offset, int length, boolean peek) throws IOException {
        synchronized (rxLock) {
            int room = dst != null ? dst.remaining() : length;
            int pos = dst != null ? dst.position() : 0;
            int total = 0;
            if (leftover != null && room > 0) {
                int n = Math.min(leftoverEnd - leftoverOff, room);
                if (dst != null) {
                    dst.put(leftover, leftoverOff, n);
                } else {
                    System.arraycopy(leftover, leftoverOff, arr, offset, n);
                }
                total = n;
                if (!peek) {
                    leftoverOff += n;
                    if (leftoverOff == leftoverEnd) {
                        leftover = null;
                        leftoverOff = 0;
                        leftoverEnd = 0;
                    }
                }
            }
            UringRegistration reg = rxReg;
            if (reg != null && rxCount > 0 && total < room) {
                UringSelector sel = reg.selector;
                if (!sel.tryEnter()) {
                    rxDrop(true); // the Poll is closing: its buffers, and the bytes in them, are gone
                } else {
                    try {
                        total = takeQueued(sel, dst, arr, offset, room, total, peek);
                    } finally {
                        sel.exit();
                    }
                }
            } else if (reg != null && reg.selector.isClosed()) {
                rxDrop(true);
            }
            if (peek && dst != null) {
                dst.position(pos); // a peek leaves the position, as recv(MSG_PEEK) does
            }
            if (total > 0) {
                if (!peek && total < room && rxState == RX_ENDED && rxCount == 0 && leftover == null) {
                    // A short read says "drained" to an edge-triggered reader, which then waits for an edge: the
                    // rest is in the socket, so the receive must watch it again (it takes what is there at once).
                    rearm();
                }
                return total;
            }
            if (rxState == RX_NONE) {
                return syscall(dst, arr, offset, length, peek); // also with no room: a closed stream throws
            }
            if (room == 0) {
                return 0;
            }
            switch (rxState) {
                case RX_ARMED:
                case RX_CANCELLING:
                    return RETRY;
                case RX_DONE: {
                    if (rxEnd == 0) {
                        return -1;
                    }
                    int errno = -rxEnd;
                    if (peek) {
                        throw io.mio.internal.linux.Errno.exception("recv", errno);
                    }
                    rxPendingError = 0;
                    rxReg = null;
                    rxState = RX_NONE; // reported once; later reads ask the socket
                    throw io.mio.internal.linux.Errno.exception("recv", errno);
                }
                default: { // RX_ENDED: the bytes the receive could not take are in the socket
                    int n = syscall(dst, arr, offset, length, peek);
                    if (!peek && n >= 0 && n < room) {
                        // Not only at would-block: a reader that stops at a short read waits for the next edge,
                        // and with the receive ended nothing else would watch the socket (issue 13's stuck
                        // connections at 10,000 connections on 512 buffers).
                        rearm();
                    }
                    return n;
                }
            }
        }
    }

    /**
     * Arms the ended receive again (under rxLock, in RX_ENDED); its completions go with the poller's next wait. Never
     * throws: the read it follows has taken bytes; if the kernel refuses the submit the ring is unusable (the next
     * poll says so) and reads stay with the socket.
     */
    private void rearm() {
        UringRegistration r = rxReg;
        try {
            if (r.selector.armRecv(r, false)) {
                rxState = RX_ARMED;
            } else {
                rxReg = null;
                rxState = RX_NONE;
            }
        } catch (IOException e) {
            // Left RX_ENDED: the next read goes to the socket.
        }
    }

    /** Copies from the queued buffers (the selector entered, so they are mapped); returns the new total. */
    private int takeQueued(UringSelector sel, ByteBuffer dst, byte[] arr, int offset, int room, int total,
            boolean peek) {
        int mask = rxBid.length - 1;
        for (int j = 0; j < rxCount && total < room; ) {
            int i = (rxHead + j) & mask;
            int n = Math.min(rxLen[i] - rxOff[i], room - total);
            if (dst != null) {
                sel.copyOut(rxBid[i], rxOff[i], dst, n);
            } else {
                sel.copyOut(rxBid[i], rxOff[i], arr, offset + total, n);
            }
            total += n;
            if (peek) {
                j++;
            } else {
                rxOff[i] += n;
                if (rxOff[i] == rxLen[i]) {
                    sel.recycle(rxBid[i]);
                    rxHead = (rxHead + 1) & mask;
                    rxCount--;
                }
            }
        }
        return total;
    }

    private int syscall(ByteBuffer dst, byte[] arr, int offset, int length, boolean peek) throws IOException {
        if (peek) {
            return dst != null ? inner.peek(dst) : inner.peek(arr, offset, length);
        }
        return dst != null ? inner.read(dst) : inner.read(arr, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dsts.length);
        synchronized (rxLock) {
            if (rxState == RX_NONE && leftover == null && rxCount == 0) {
                return inner.read(dsts, offset, length);
            }
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = read(dsts[i]);
            if (n <= 0) {
                return total > 0 ? total : n;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = sendQueue.write(src);
        return n >= 0 ? n : inner.write(src);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        int n = sendQueue.write(src, offset, length);
        return n >= 0 ? n : inner.write(src, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = sendQueue.write(srcs, offset, length);
        return n >= 0 ? n : inner.write(srcs, offset, length);
    }

    @Override
    public int sendUrgent(byte b) throws IOException {
        return inner.sendUrgent(b);
    }

    @Override
    public void shutdown(Shutdown how) throws IOException {
        sendQueue.shutdown(how, inner::shutdown);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return inner.peerAddr();
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public void setNodelay(boolean nodelay) throws IOException {
        inner.setNodelay(nodelay);
    }

    @Override
    public boolean nodelay() throws IOException {
        return inner.nodelay();
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        inner.setTtl(ttl);
    }

    @Override
    public int ttl() throws IOException {
        return inner.ttl();
    }

    @Override
    public void setLinger(Duration linger) throws IOException {
        inner.setLinger(linger);
    }

    @Override
    public Duration linger() throws IOException {
        return inner.linger();
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        inner.setKeepalive(on);
    }

    @Override
    public boolean keepalive() throws IOException {
        return inner.keepalive();
    }

    @Override
    public void setKeepaliveIdle(Duration idle) throws IOException {
        inner.setKeepaliveIdle(idle);
    }

    @Override
    public Duration keepaliveIdle() throws IOException {
        return inner.keepaliveIdle();
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        inner.setKeepaliveInterval(interval);
    }

    @Override
    public Duration keepaliveInterval() throws IOException {
        return inner.keepaliveInterval();
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        inner.setKeepaliveRetries(count);
    }

    @Override
    public int keepaliveRetries() throws IOException {
        return inner.keepaliveRetries();
    }

    @Override
    public void setQuickack(boolean on) throws IOException {
        inner.setQuickack(on);
    }

    @Override
    public boolean quickack() throws IOException {
        return inner.quickack();
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        inner.setRecvBufferSize(bytes);
    }

    @Override
    public int recvBufferSize() throws IOException {
        return inner.recvBufferSize();
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        inner.setSendBufferSize(bytes);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return inner.sendBufferSize();
    }

    @Override
    public void setTos(int tos) throws IOException {
        inner.setTos(tos);
    }

    @Override
    public int tos() throws IOException {
        return inner.tos();
    }

    @Override
    public IOException takeError() throws IOException {
        IOException sent = sendQueue.takeError();
        if (sent != null) {
            return sent;
        }
        synchronized (rxLock) {
            if (rxPendingError != 0) {
                int errno = -rxPendingError;
                rxPendingError = 0; // the receive took it from SO_ERROR: report it here once
                return io.mio.internal.linux.Errno.exception("connection", errno);
            }
        }
        return inner.takeError();
    }
}
