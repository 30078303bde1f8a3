package io.mio;

import io.mio.internal.spi.BackendProvider;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.SelectorSpi;
import io.mio.internal.spi.Telemetry;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits for readiness events on registered sources: mio's {@code Poll}, on Linux an epoll instance, elsewhere a
 * {@link java.nio.channels.Selector} (see {@link Backend}).
 *
 * <pre>{@code
 * try (Poll poll = Poll.open(); TcpListener server = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
 *     Events events = Events.withCapacity(128);
 *     poll.registry().register(server, new Token(0), Interest.READABLE);
 *     poll.poll(events, Duration.ofSeconds(1));
 *     for (Event event : events) { ... }
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * One thread polls at a time: a second concurrent {@link #poll} fails with {@link IllegalStateException}.
 * The {@link #registry() registry} may be used from any thread meanwhile. To wake a blocked poll from
 * another thread use a {@link Waker}; {@link #close()} also wakes it.
 *
 * <h2>Interruption</h2>
 * {@link Thread#interrupt()} does not wake a thread blocked in {@code poll} (the wait is a plain
 * {@code epoll_wait}); if the thread's interrupt status is set when {@code poll} is called, it throws
 * {@link java.io.InterruptedIOException} without waiting. A signal delivered to the thread during the wait
 * (EINTR: profilers, the flight recorder and tracers send them routinely) ends the wait early, a spurious
 * wake-up with no events or only those ready at that instant (on EPOLL the failed wait is asked again with a zero
 * timeout to learn its errno, which also collects what is ready), as java.nio's {@code Selector} has it; a deliberate difference from mio, which returns
 * {@code ErrorKind::Interrupted}, so that a signal never costs an exception or ends a loop. On the {@link Backend#SELECTOR} backend an interrupt does wake a
 * blocked poll (the JDK's {@code Selector} is interruptible): it throws {@link java.io.InterruptedIOException} and
 * the thread's interrupt status stays set.
 *
 * <h2>Flight recorder</h2>
 * While a JFR recording has them enabled, each poll is an {@code io.mio.PollWait} event (its duration, the events
 * returned, the timeout and the backend) and each successful registry call an {@code io.mio.Registration} event
 * (operation, source class, token, interest); category "Mio". When nothing records them the check costs a field read
 * and allocates nothing.
 */
public final class Poll implements AutoCloseable {
    /** This backend's selector; one implementation is loaded per JVM, so the call below stays monomorphic. */
    private final SelectorSpi selector;
    private final Registry registry;
    /** The flight recorder's hooks (checked per poll, allocation-free while it does not record). */
    private final Telemetry telemetry;

    Poll(SelectorSpi selector) {
        this(selector, Telemetry.NONE);
    }

    private Poll(SelectorSpi selector, Telemetry telemetry) {
        this.selector = selector;
        this.telemetry = telemetry;
        this.registry = new Registry(selector, telemetry);
    }

    /**
     * Opens a new Poll.
     *
     * @throws IOException if the kernel refuses (for example EMFILE: too many open files)
     * @throws UnsupportedOperationException on a platform the backend does not support
     */
    public static Poll open() throws IOException {
        BackendProvider provider = Backends.provider();
        return new Poll(provider.openSelector(), provider.telemetry());
    }

    /** The backend of this Poll. */
    public Backend backend() {
        return selector.backend();
    }

    /** The registry of this Poll. Thread-safe; use {@link Registry#tryClone()} to hand out more. */
    public Registry registry() {
        return registry;
    }

    /**
     * Waits until at least one registered source is ready, a {@link Waker} wakes it, or {@code timeout}
     * elapses, and puts the events into {@code events} (cleared first; at most its capacity).
     *
     * <p>{@code timeout} null waits without limit; zero returns at once with whatever is ready; a timeout
     * below one millisecond rounds up to one (rounding down would make a busy loop), a huge one is clamped to
     * the kernel's limit. An elapsed timeout returns normally with no events. Allocates nothing (while the flight
     * recorder records {@code io.mio.PollWait} events, one event object per poll).
     *
     * @param events receives the events; reuse one per loop. Ready sources beyond its capacity are reported by
     *        the next poll
     * @param timeout the longest wait; null for no limit, {@link Duration#ZERO} to only collect what is ready
     * @throws NullPointerException if {@code events} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if another thread is polling this Poll
     * @throws java.nio.channels.ClosedChannelException if this Poll is closed
     * @throws java.io.InterruptedIOException if the thread's interrupt status was set before the wait (a signal
     *         that cuts the wait short is not an error: {@code poll} returns early, with no events or only those already
     *         ready)
     * @throws IOException if epoll_wait fails otherwise
     */
    public void poll(Events events, Duration timeout) throws IOException {
        Objects.requireNonNull(events, "events");
        int millis = toMillis(timeout);
        if (Thread.currentThread().isInterrupted()) {
            events.clear();
            throw new java.io.InterruptedIOException("Poll.poll called with the thread's interrupt status set");
        }
        if (telemetry.pollEnabled()) {
            telemetry.poll(selector, events.set, millis);
        } else {
            selector.select(events.set, millis);
        }
    }

    static int toMillis(Duration timeout) {
        if (timeout == null) {
            return -1;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("poll timeout must not be negative: " + timeout);
        }
        long seconds = timeout.getSeconds();
        int nanos = timeout.getNano();
        if (seconds >= Integer.MAX_VALUE / 1000) {
            return Integer.MAX_VALUE;
        }
        long millis = seconds * 1000 + nanos / 1_000_000;
        if (nanos % 1_000_000 != 0) {
            millis++; // round up: a 0 ms wait for a 100 us timeout would spin
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /**
     * Closes the epoll instance. A thread blocked in {@link #poll} wakes and returns; later polls and
     * registry calls throw {@link java.nio.channels.ClosedChannelException}. Registered sources are not
     * closed; they may be registered with another Poll. Idempotent; thread-safe.
     */
    @Override
    public void close() {
        selector.close();
    }

    @Override
    public String toString() {
        return "Poll[" + (selector.isClosed() ? "closed" : "open") + "]";
    }
}
