package io.mio.internal.uring;

import java.util.concurrent.locks.LockSupport;

/**
 * The safety net of queued sends: a write by the polling thread leaves with its next {@code poll}, and so does each
 * continuation of a queue (the next send, a deferred FIN or close); a poller that stops polling would strand them.
 * One daemon thread per JVM watches the Polls that have sends queued and, every {@link #TICK_NANOS}, steps in for a
 * Poll whose poller has neither entered {@code poll} since the last tick nor is waiting in it: it submits the entries
 * left for that poll and reaps what has completed (into the stash the next poll returns), so bytes leave within
 * about a tick whatever the poller does. An event loop polls far more often than that, and then the thread does
 * nothing but look at a counter.
 *
 * <p>Idle (no Poll watched), the thread is parked; a Poll stays watched until it has had nothing queued for
 * {@link #IDLE_TICKS} ticks, so that a busy server does not wake it once per burst. Watching allocates nothing (an
 * intrusive list). Thread-safe.
 */
final class UringFlusher {
    private UringFlusher() {
    }

    /** How long a poller may leave its queued sends before this thread submits them. */
    static final long TICK_NANOS = 1_000_000L;
    /** Ticks a Poll stays watched with nothing queued. */
    static final int IDLE_TICKS = 100;

    private static final Object LOCK = new Object();
    /** Head of the watched Polls, linked through {@link UringSelector#flushNext}; guarded by LOCK. */
    private static UringSelector head;
    private static Thread thread;

    /** Tests that check what waits for the next poll switch the net off (package-private, no API). */
    static volatile boolean enabled = true;

    /** Watches {@code s} from now (any thread; cheap when it is watched already). */
    static void watch(UringSelector s) {
        if (!enabled) {
            return;
        }
        if (s.flushWatched) {
            if (!s.flushRewatch) {
                s.flushRewatch = true; // new work since the last tick: not to be unlinked by a tick deciding idle
            }
            return;
        }
        Thread wake = null;
        synchronized (LOCK) {
            if (s.flushWatched) {
                return;
            }
            s.flushWatched = true;
            s.flushIdleTicks = 0;
            s.flushNext = head;
            boolean wasIdle = head == null;
            head = s;
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("io.mio uring flusher").unstarted(UringFlusher::run);
                thread.start();
            } else if (wasIdle) {
                wake = thread;
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        }
    }

    /** Whether {@code s} is watched now (tests). */
    static boolean watching(UringSelector s) {
        synchronized (LOCK) {
            for (UringSelector w = head; w != null; w = w.flushNext) {
                if (w == s) {
                    return true;
                }
            }
            return false;
        }
    }

    private static void run() {
        for (;;) {
            boolean idle;
            synchronized (LOCK) {
                idle = head == null;
            }
            if (idle) {
                LockSupport.park();
            } else {
                LockSupport.parkNanos(TICK_NANOS);
            }
            tick();
        }
    }

    /** One pass over the watched Polls; those done with are unlinked. */
    private static void tick() {
        UringSelector s;
        synchronized (LOCK) {
            s = head;
        }
        while (s != null) {
            boolean keep;
            try {
                keep = s.flushTick();
            } catch (RuntimeException | Error e) {
                keep = false; // a broken ring: its poll reports it; this thread goes on for the others
            }
            synchronized (LOCK) {
                UringSelector next = s.flushNext;
                if (!keep && !s.flushRewatch) {
                    unlink(s);
                }
                s.flushRewatch = false;
                s = next;
            }
        }
    }

    /** Unlinks {@code s} (under LOCK; the list is a few Polls long). */
    private static void unlink(UringSelector s) {
        if (head == s) {
            head = s.flushNext;
        } else {
            for (UringSelector w = head; w != null; w = w.flushNext) {
                if (w.flushNext == s) {
                    w.flushNext = s.flushNext;
                    break;
                }
            }
        }
        s.flushNext = null;
        s.flushWatched = false;
    }
}
