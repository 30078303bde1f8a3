package io.mio.wasm;

import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.Event;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.logging.Level;

import static io.mio.wasm.WasiErrno.*;

/**
 * Waiting: the guest's io.mio {@link io.mio.Poll}, each socket's registration (once, when it gets an OS socket), what
 * the host knows of each socket's readiness (io.mio is edge-triggered), and the blocking waits of blocking sockets.
 * A layer of {@link SocketHost} (see {@link HostState}; the class comment of SocketHost says how it works).
 */
abstract class Readiness extends SocketTable {
    private static final long MAX_WAIT_SLICE_NANOS = 200_000_000L;
    private static final Duration MAX_WAIT_SLICE = Duration.ofNanos(MAX_WAIT_SLICE_NANOS);

    /** Bumped by every poll_oneoff / epoll_oneoff call; see {@link GuestSocket#readShortcut}. */
    long pollEpoch;
    /** A socket host call ran since the last poll_oneoff / epoll_oneoff call. */
    boolean callSincePoll;
    /** The Poll was asked since a poll_oneoff call last answered from known readiness alone. */
    boolean askedSinceShortcut = true;

    // What the host asked of io.mio, for tests: registry calls (register / reregister), Poll.poll calls, and the
    // AGAINs answered from known readiness without asking the OS.
    long registryCalls;
    long pollCalls;
    long againsFromKnown;
    /** Clock subscriptions in the guest's poll_oneoff / epoll_oneoff calls ({@link SocketHost#clockSubscriptions}). */
    volatile long clockSubscriptions;

    Readiness(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    GuestSocket sock(int fd) {
        callSincePoll = true;
        GuestSocket s = lookup(fd);
        if (s == null) {
            throw new ErrnoException(BADF);
        }
        return s;
    }


    /**
     * Registers {@code s}'s source in the Poll, edge-triggered, for everything it can do ({@link
     * GuestSocket#interest()}), under the token of its fd. Called once when the socket gets its source; the
     * registration then stays until the socket closes.
     */
    void register(GuestSocket s) {
        s.resetReadiness();
        try {
            registryCalls++;
            poll.registry().register(s.source(), token(s), s.interest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.registered = true;
    }

    /** Registers {@code s} now that it has a source; a failure is left for the first wait on it to report. */
    void registerNew(GuestSocket s) {
        try {
            register(s);
        } catch (UncheckedIOException e) {
            NetPolicy.LOG.log(Level.FINE, "registering " + s + " failed; retried when it is waited on", e);
        }
    }

    /** {@code s}'s token (its fd), made once per fd number. */
    static Token token(GuestSocket s) {
        Token t = s.token;
        if (t == null || t.value() != s.fd) {
            s.token = t = new Token(s.fd);
        }
        return t;
    }

    /**
     * Re-arms {@code s}'s registration (epoll's MOD reports a level that is up as a new event), for a readiness
     * known only as {@link GuestSocket#MAYBE}: until the event comes, it counts as not ready.
     */
    void rearm(GuestSocket s) {
        try {
            registryCalls++;
            poll.registry().reregister(s.source(), token(s), s.interest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (s.readState == GuestSocket.MAYBE) {
            s.readState = GuestSocket.EMPTY;
        }
        if (s.writeState == GuestSocket.MAYBE) {
            s.writeState = GuestSocket.EMPTY;
        }
    }

    /**
     * Whether a non-blocking read ({@code read}) or write on {@code s} may answer AGAIN without asking the OS: see
     * {@link GuestSocket#readShortcut}.
     */
    boolean againFromKnown(GuestSocket s, boolean read) {
        if (s.nonblocking && (read ? s.readShortcut(pollEpoch) : s.writeShortcut(pollEpoch))) {
            againsFromKnown++;
            return true;
        }
        return false;
    }

    void ensureRegistered(GuestSocket s) {
        if (!s.registered && s.source() != null) {
            register(s);
        }
    }

    /**
     * Waits in the Poll for at most {@code timeoutNanos} (negative: no limit), and less: a wait may end early with no
     * event (a wait slice ended, or a signal cut it short), so every caller loops until what it waits for happens
     * or its own deadline, recomputed from {@link System#nanoTime()}, has passed.
     *
     * @throws InterruptedIOException only when the thread's interrupt status is set: the guest is being stopped
     */
    private void pollOnce(long timeoutNanos) throws IOException {
        if (closed) {
            throw new UncheckedIOException(new IOException("closed"));
        }
        // Waits are cut into slices: a thread blocked in epoll_wait does not see Thread.interrupt, and Chicory's
        // way to stop a guest is to interrupt its thread (Poll.poll throws InterruptedIOException when it is set).
        long slice = timeoutNanos < 0 || timeoutNanos > MAX_WAIT_SLICE_NANOS ? MAX_WAIT_SLICE_NANOS : timeoutNanos;
        Duration d = slice == MAX_WAIT_SLICE_NANOS ? MAX_WAIT_SLICE : Duration.ofNanos(slice);
        pollCalls++;
        try {
            poll.poll(events, d);
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // interrupted on purpose: stop the guest
            }
            // A signal cut epoll_wait short (EINTR: strace attaching, the flight recorder, a profiler). A WASI guest
            // has no signals: an early return with no event, which the caller's loop waits past.
            events.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits in the Poll and records what every event says in its socket's known readiness. */
    void pollAndHarvest(long timeoutNanos) throws IOException {
        pollOnce(timeoutNanos);
        askedSinceShortcut = true;
        for (Event e : events) {
            if (TRACE) {
                System.err.println("[mio-wasm]   event " + e);
            }
            GuestSocket g = lookup((int) e.token().value());
            if (g == null || !g.registered) {
                continue;
            }
            if (readReady(e)) {
                g.readState = GuestSocket.READY;
                g.pendingRead = true;
            }
            if (writeReady(e)) {
                g.writeState = GuestSocket.READY;
                g.pendingWrite = true;
            }
            g.readClosed |= e.isReadClosed();
            g.writeClosed |= e.isWriteClosed();
        }
    }

    private static boolean readReady(Event e) {
        return e.isReadable() || e.isReadClosed() || e.isError();
    }

    private static boolean writeReady(Event e) {
        return e.isWritable() || e.isWriteClosed() || e.isError();
    }

    /**
     * Blocks until {@code s} is ready for {@code interest} (readable or writable, not both) or the timeout
     * ({@code 0} = none, negative = do not wait) elapses. The caller has just seen the operation would block.
     *
     * @return true if ready, false on timeout
     */
    boolean await(GuestSocket s, Interest interest, long timeoutNanos) throws IOException {
        if (timeoutNanos < 0) {
            return false; // SO_RCVTIMEO/SO_SNDTIMEO with a negative time: never wait
        }
        ensureRegistered(s);
        boolean read = interest.isReadable();
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : Long.MAX_VALUE;
        boolean asked = false;
        for (;;) {
            if (read ? s.readable() : s.writable()) {
                return true;
            }
            long wait = -1;
            if (timeoutNanos > 0) {
                wait = deadline - System.nanoTime();
                if (wait <= 0 && asked) {
                    return false;
                }
                wait = Math.max(0, wait);
            }
            pollAndHarvest(wait);
            asked = true;
        }
    }
}
