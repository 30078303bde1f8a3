package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.mio.Poll;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * {@code poll_oneoff} (level-triggered) and {@code epoll_oneoff} (edge-triggered): subscriptions on sockets, on
 * Chicory's descriptors and on clocks, answered from known readiness or by waiting in the Poll. A layer of
 * {@link SocketHost} (see {@link HostState}).
 */
abstract class PollOneoff extends AddrInfo {
    /** The most subscriptions one poll_oneoff takes (the host allocates per subscription). */
    static final int MAX_SUBSCRIPTIONS = 1 << 16;

    private final Memory scratch = new ByteArrayMemory(new MemoryLimits(1, 1));

    /** What a guest sleeping in poll_oneoff waits on; {@link SocketHost#close()} wakes it. */
    final Object sleepers = new Object();

    /** Tells one poll_oneoff call's subscriptions from another's (GuestSocket's stamps); never 0. */
    private int callStamp;
    // poll_oneoff's per-subscription scratch, grown on demand and reused
    private long[] subUserdata = new long[0];
    private int[] subTag = new int[0];
    private int[] subFd = new int[0];
    private long[] subDeadline = new long[0];
    private boolean[] subReady = new boolean[0];
    private int[] subError = new int[0];
    private long[] subNbytes = new long[0];
    private int[] subFlags = new int[0];
    private boolean[] subStdin = new boolean[0];
    private GuestSocket[] subSock = new GuestSocket[0];

    PollOneoff(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }


    private long clockNow(int id) {
        if (id == CLOCK_REALTIME) {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        return System.nanoTime();
    }

    /**
     * {@code poll_oneoff(in, out, nsubs, *nevents)}, level-triggered. A socket subscription is ready when the
     * socket's known readiness says so (see the class comment), else the call waits in the Poll; subscriptions on
     * Chicory's fds are always ready except FD_READ on stdin, which asks Chicory; an unknown fd gives an event with
     * error BADF and a repeated (fd, type) one with error EXIST, an unknown type, clock or clock flag one with error
     * INVAL; zero subscriptions return success with no event (WasmEdge); more than {@code MAX_SUBSCRIPTIONS} are
     * INVAL. Misaligned arrays (8 bytes) or nevents (4) are ADDRNOTAVAIL, arrays outside memory FAULT, as in
     * WasmEdge 0.17.1.
     */
    public int pollOneoff(Memory m, int in, int out, int nsubs, int neventsPtr) {
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return pollOneoff0(m, in, out, nsubs, neventsPtr, false);
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    /**
     * {@code epoll_oneoff} (WasmEdge 0.11.2+): {@link #pollOneoff} made edge-triggered. Each readiness an event
     * brought is reported once, until the socket becomes ready again; a socket subscribed with another interest
     * than on the last epoll_oneoff call that named it is reported at its current level, as WasmEdge's re-arming
     * of its epoll registration does.
     */
    public int epollOneoff(Memory m, int in, int out, int nsubs, int neventsPtr) {
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return pollOneoff0(m, in, out, nsubs, neventsPtr, true);
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    private static final int EDGE_READ = 1;
    private static final int EDGE_WRITE = 2;

    private void growSubscriptions(int count) {
        if (subUserdata.length >= count) {
            return;
        }
        // doubling, but never past the most a call may subscribe: what one call allocates stays bounded by that
        int c = (int) Math.min(MAX_SUBSCRIPTIONS, Math.max(count, 2L * subUserdata.length));
        allocateSubscriptions(c);
    }

    private void allocateSubscriptions(int c) {
        subUserdata = new long[c];
        subTag = new int[c];
        subFd = new int[c];
        subDeadline = new long[c];
        subReady = new boolean[c];
        subError = new int[c];
        subNbytes = new long[c];
        subFlags = new int[c];
        subStdin = new boolean[c];
        subSock = new GuestSocket[c];
    }

    private int pollOneoff0(Memory m, int in, int out, int nsubs, int neventsPtr, boolean edge) {
        long n = nsubs & 0xFFFF_FFFFL;
        // WasmEdge 0.17.1: the arrays' alignment (8) and nevents' (4) first, even for no subscription, then memory
        aligned(in, 8);
        aligned(out, 8);
        aligned(neventsPtr, 4);
        check(m, in, n * 48);
        check(m, out, n * 32);
        check(m, neventsPtr, 4);
        boolean calledBetween = callSincePoll;
        callSincePoll = false;
        if (n == 0) {
            m.writeI32(neventsPtr, 0);
            return SUCCESS;
        }
        if (n > MAX_SUBSCRIPTIONS) {
            return INVAL; // as poll(2) for more descriptors than RLIMIT_NOFILE; bounds what is allocated below
        }
        int count = (int) n;
        growSubscriptions(count);
        long[] userdata = subUserdata;
        int[] tag = subTag;
        int[] fds = subFd;
        long[] deadline = subDeadline;
        boolean[] ready = subReady;
        int[] error = subError;
        long[] nbytes = subNbytes;
        int[] flags = subFlags;
        boolean[] stdin = subStdin;
        GuestSocket[] sock = subSock;
        Arrays.fill(ready, 0, count, false);
        Arrays.fill(error, 0, count, 0);
        Arrays.fill(nbytes, 0, count, 0);
        Arrays.fill(flags, 0, count, 0);
        Arrays.fill(stdin, 0, count, false);
        int stamp = ++callStamp == 0 ? ++callStamp : callStamp;
        boolean anySocket = false;
        boolean anyStdin = false;
        long now = System.nanoTime();
        long minDeadline = 0;
        boolean anyClock = false;
        int others = 0;
        Set<Long> otherSeen = null;
        boolean rearmed = false;
        try {
            for (int k = 0; k < count; k++) {
                int p = in + k * 48;
                userdata[k] = m.readLong(p);
                tag[k] = m.read(p + 8) & 0xFF;
                sock[k] = null;
                switch (tag[k]) {
                    case EVENTTYPE_CLOCK -> {
                        clockSubscriptions++; // one writer, the guest's thread
                        int id = m.readInt(p + 16);
                        long timeout = m.readLong(p + 24);
                        int cflags = m.readShort(p + 40) & 0xFFFF;
                        // as WasmEdge: a bad clock (the CPU-time ones too: no timer for them) or bad flags make
                        // that subscription's event an INVAL error, not the call
                        if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC || (cflags & ~SUBCLOCK_ABSTIME) != 0) {
                            ready[k] = true;
                            error[k] = INVAL;
                            continue;
                        }
                        // timeout is a u64: above 2^63 it is negative here, and means "far away"
                        long rel = timeout < 0 ? Long.MAX_VALUE
                                : (cflags & SUBCLOCK_ABSTIME) != 0 ? timeout - clockNow(id) : timeout;
                        // at least 1 ns (WasmEdge); at most 2^62 ns (146 years) so that nanoTime arithmetic,
                        // compared by subtraction, cannot overflow
                        rel = Math.min(Math.max(rel, 1), 1L << 62);
                        deadline[k] = now + rel;
                        if (!anyClock || deadline[k] - minDeadline < 0) {
                            minDeadline = deadline[k];
                        }
                        anyClock = true;
                    }
                    case EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE -> {
                        int fd = m.readInt(p + 16);
                        fds[k] = fd;
                        boolean read = tag[k] == EVENTTYPE_FD_READ;
                        GuestSocket s = lookup(fd);
                        if (s == null) {
                            // not a socket: repeats are found by a scan while there are few such subscriptions
                            boolean repeat = false;
                            if (++others <= 32) {
                                for (int j = 0; j < k && !repeat; j++) {
                                    repeat = tag[j] == tag[k] && fds[j] == fd && sock[j] == null;
                                }
                            } else {
                                if (otherSeen == null) {
                                    otherSeen = new HashSet<>();
                                    for (int j = 0; j < k; j++) {
                                        if (tag[j] != EVENTTYPE_CLOCK && sock[j] == null) {
                                            otherSeen.add(((long) fds[j] << 2) | tag[j]);
                                        }
                                    }
                                }
                                repeat = !otherSeen.add(((long) fd << 2) | tag[k]);
                            }
                            if (repeat) {
                                ready[k] = true;
                                error[k] = EXIST;
                                continue;
                            }
                            int kind = chicoryKind(fd);
                            if (kind < 0) {
                                ready[k] = true;
                                error[k] = BADF;
                            } else if (kind == KIND_STDIN && read) {
                                stdin[k] = true;
                                anyStdin = true;
                            } else {
                                ready[k] = true; // files and output streams are always ready
                            }
                            continue;
                        }
                        if (read ? s.readStamp == stamp : s.writeStamp == stamp) {
                            ready[k] = true;
                            error[k] = EXIST;
                            continue;
                        }
                        if (read) {
                            s.readStamp = stamp;
                        } else {
                            s.writeStamp = stamp;
                        }
                        if (s.isUdp() && s.shutRead && read) {
                            ready[k] = true; // shut down for reading: a read returns at once
                            nbytes[k] = 1;
                        } else if (s.isUdp() && s.udp == null) {
                            // unbound datagram socket: writable (a send binds it), never readable
                            if (!read) {
                                ready[k] = true;
                                nbytes[k] = 1;
                            }
                        } else if (s.source() == null) {
                            // A TCP socket neither listening nor connected: Linux reports EPOLLOUT | EPOLLHUP
                            ready[k] = true;
                            flags[k] = EVENT_HANGUP;
                            nbytes[k] = 1;
                        } else {
                            ensureRegistered(s);
                            sock[k] = s;
                            anySocket = true;
                            if (!edge && (read ? s.readState : s.writeState) == GuestSocket.MAYBE) {
                                rearm(s); // level-triggered: learn whether a read took all there was
                                rearmed = true;
                            }
                            if (edge) {
                                if (s.edgeStamp != stamp) {
                                    s.edgeStamp = stamp;
                                    s.edgeCallInterest = 0;
                                }
                                s.edgeCallInterest |= read ? EDGE_READ : EDGE_WRITE;
                            } else {
                                s.edgeInterest = 0; // an epoll_oneoff subscribing it next reports its level
                            }
                        }
                    }
                    default -> {
                        ready[k] = true; // an unknown type: an INVAL event of that type (WasmEdge)
                        error[k] = INVAL;
                    }
                }
            }
            if (edge) {
                for (int k = 0; k < count; k++) {
                    GuestSocket s = sock[k];
                    if (s != null && s.edgeInterest != s.edgeCallInterest) {
                        // subscribed anew or with another interest: WasmEdge re-arms its epoll registration,
                        // which reports the level that is up
                        if ((s.edgeCallInterest & EDGE_READ) != 0 && s.readState == GuestSocket.MAYBE
                                || (s.edgeCallInterest & EDGE_WRITE) != 0 && s.writeState == GuestSocket.MAYBE) {
                            rearm(s);
                            rearmed = true;
                        }
                        s.pendingRead |= (s.edgeCallInterest & EDGE_READ) != 0 && s.readable();
                        s.pendingWrite |= (s.edgeCallInterest & EDGE_WRITE) != 0 && s.writable();
                        s.edgeInterest = s.edgeCallInterest;
                    }
                }
            }
            if (anySocket) {
                pollEpoch++; // only a call that asks the Poll (now, or next time at the latest) opens a new epoch
            }
            waitForSubscriptions(count, edge, anySocket, anyStdin, anyClock, minDeadline, calledBetween && !rearmed);
            int written = 0;
            for (int k = 0; k < count; k++) {
                if (!ready[k]) {
                    continue;
                }
                GuestSocket s = sock[k];
                if (s != null) {
                    // reported: an edge not yet reported is now
                    if (tag[k] == EVENTTYPE_FD_READ) {
                        s.pendingRead = false;
                    } else {
                        s.pendingWrite = false;
                    }
                    flags[k] = s.readClosed && s.writeClosed ? EVENT_HANGUP : 0;
                }
                int p = out + written * 32;
                m.writeLong(p, userdata[k]);
                // error (u16) at +8, type (u8) at +10, padding to +16; nbytes at +16; flags (u16) at +24, padding
                m.writeLong(p + 8, (error[k] & 0xFFFFL) | (long) (tag[k] & 0xFF) << 16);
                boolean fdEvent = tag[k] != EVENTTYPE_CLOCK && error[k] == 0;
                m.writeLong(p + 16, fdEvent ? nbytes[k] : 0);
                m.writeLong(p + 24, fdEvent ? flags[k] & 0xFFFF : 0);
                written++;
            }
            m.writeI32(neventsPtr, written);
            return SUCCESS;
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Arrays.fill(sock, 0, count, null);
        }
    }

    /**
     * poll_oneoff's wait: until a subscription is ready. A socket subscription is ready from its socket's known
     * readiness; the Poll is asked (and every event recorded) when nothing is ready, and also when something is,
     * with a zero timeout, so that the call reports what else became ready since. Only a call that follows guest
     * socket calls ({@code mayAnswerFromKnown}: and re-armed nothing), and a call that asked the Poll, may answer
     * from known readiness alone: what it leaves out is reported by the next call at the latest.
     */
    private void waitForSubscriptions(int count, boolean edge, boolean anySocket, boolean anyStdin, boolean anyClock,
            long minDeadline, boolean mayAnswerFromKnown) throws IOException {
        boolean asked = false;
        for (;;) {
            boolean got = false;
            boolean timeRead = false;
            long t = 0;
            for (int k = 0; k < count; k++) {
                if (!subReady[k]) {
                    GuestSocket s = subSock[k];
                    if (s != null) {
                        boolean read = subTag[k] == EVENTTYPE_FD_READ;
                        if (edge ? (read ? s.pendingRead : s.pendingWrite) : (read ? s.readable() : s.writable())) {
                            subReady[k] = true;
                            subNbytes[k] = 1;
                        }
                    } else if (subStdin[k]) {
                        long avail = stdinAvailable();
                        if (avail != 0) {
                            subReady[k] = true;
                            subNbytes[k] = Math.max(avail, 0);
                            subError[k] = avail < 0 ? IO : 0;
                        }
                    } else if (subTag[k] == EVENTTYPE_CLOCK) {
                        if (!timeRead) {
                            t = System.nanoTime();
                            timeRead = true;
                        }
                        if (t - subDeadline[k] >= 0) {
                            subReady[k] = true;
                        }
                    }
                }
                got |= subReady[k];
            }
            if (got && (asked || !anySocket)) {
                return;
            }
            if (got && mayAnswerFromKnown && askedSinceShortcut) {
                askedSinceShortcut = false;
                if (TRACE) {
                    System.err.println("[mio-wasm]   answered from known readiness");
                }
                return;
            }
            long wait;
            if (got) {
                wait = 0;
            } else if (anyClock) {
                wait = Math.max(0, minDeadline - System.nanoTime());
            } else {
                wait = -1;
            }
            if (anyStdin && (wait < 0 || wait > 50_000_000L)) {
                wait = 50_000_000L;
            }
            if (!anySocket && wait > 0) {
                sleepNanos(wait);
            } else {
                do {
                    pollAndHarvest(wait);
                    wait = 0;
                } while (events.size() == events.capacity());
                asked = true;
            }
        }
    }

    /**
     * Sleeps {@code nanos} for a poll_oneoff clock, or until {@link SocketHost#close()}: then it throws, and the
     * guest traps (a sleeping thread would not notice the close otherwise).
     */
    private void sleepNanos(long nanos) throws InterruptedIOException {
        long deadline = System.nanoTime() + nanos;
        synchronized (sleepers) {
            for (long left = nanos; left > 0 && !closed; left = deadline - System.nanoTime()) {
                try {
                    sleepers.wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
        }
        if (closed) {
            throw new UncheckedIOException(new IOException("closed"));
        }
    }

    private static final int KIND_OTHER = 0;
    private static final int KIND_STDIN = 1;

    /** What Chicory's table holds at {@code fd}: -1 nothing, {@link #KIND_STDIN}, or {@link #KIND_OTHER}. */
    private int chicoryKind(int fd) {
        int r = 0;
        try {
            r = wasi.fdFdstatGet(scratch, fd, 0);
        } catch (RuntimeException e) {
            return KIND_OTHER;
        }
        if (r != SUCCESS) {
            return -1;
        }
        int type = scratch.read(0) & 0xFF;
        long rights = scratch.readLong(8);
        boolean inStream = rights == (1L << 1) && type != 3 && type != 4;
        return inStream ? KIND_STDIN : KIND_OTHER;
    }

    /** Bytes available on Chicory's stdin (0 none, -1 error), asked through its own poll_oneoff. */
    private long stdinAvailable() {
        // sub 0: FD_READ fd 0 (userdata 1); sub 1: relative clock 0 (userdata 2); events at 128, count at 256
        scratch.write(0, new byte[512]);
        scratch.writeLong(0, 1);
        scratch.writeByte(8, (byte) EVENTTYPE_FD_READ);
        scratch.writeI32(16, 0);
        scratch.writeLong(48, 2);
        scratch.writeByte(56, (byte) EVENTTYPE_CLOCK);
        scratch.writeI32(64, CLOCK_MONOTONIC);
        int r = wasi.pollOneoff(scratch, 0, 128, 2, 256);
        if (r != SUCCESS) {
            return -1;
        }
        int nev = scratch.readInt(256);
        for (int k = 0; k < nev; k++) {
            int p = 128 + k * 32;
            if (scratch.readLong(p) == 1) {
                return (scratch.readShort(p + 8) & 0xFFFF) != 0 ? -1 : Math.max(1, scratch.readLong(p + 16));
            }
        }
        return 0;
    }
}
