package io.mio;

import io.mio.internal.spi.SelectorSpi;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes a {@link Poll} from another thread: mio's {@code Waker}, on Linux an eventfd registered
 * edge-triggered (on the {@link Backend#SELECTOR} backend, a flag plus {@link java.nio.channels.Selector#wakeup()}).
 *
 * <p>{@link #wake()} makes the Poll report an event with this waker's token: readable. Several wakes before
 * a poll coalesce into at least one event; a wake after that poll gives a new event. The event needs no
 * acknowledgement. A Poll has at most one Waker at a time (mio's rule): create it once and share it.
 *
 * <p>Thread-safe: any number of threads may call {@link #wake()} concurrently.
 */
public final class Waker implements AutoCloseable {
    private final SelectorSpi.WakerSpi impl;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Creates the waker of {@code registry}'s Poll, reporting {@code token}.
     *
     * @param registry the registry of the Poll to wake
     * @param token the token of the waker's events; choose one no source uses, so the loop can tell a wake apart
     * @throws IllegalStateException if that Poll already has a Waker
     * @throws java.nio.channels.ClosedChannelException if the Poll is closed
     * @throws IOException if the eventfd cannot be created
     */
    public Waker(Registry registry, Token token) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(token, "token");
        SelectorSpi selector = registry.selector;
        selector.ensureOpen();
        this.impl = selector.openWaker(token);
    }

    /**
     * Wakes the Poll: the current or next {@link Poll#poll} returns with this waker's event.
     * Never blocks; allocates nothing.
     *
     * @throws java.nio.channels.ClosedChannelException if this waker is closed
     * @throws IOException if the eventfd write fails
     */
    public void wake() throws IOException {
        impl.wake();
    }

    /** Deregisters and closes the waker; the Poll may then get a new one. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) { // once only: a second release could free a newer Waker's claim
            impl.close();
        }
    }
}
