package io.mio.internal.spi;

import io.mio.Backend;
import io.mio.Token;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;

import java.io.IOException;

/**
 * What a {@code Poll} needs from its backend: one instance per Poll. Registration itself is backend-specific: each
 * backend's sources ({@link SourceSpi}) reach their own selector type through the registry and reject another's.
 */
public interface SelectorSpi {
    /** The backend this selector belongs to. */
    Backend backend();

    /** Waits for events and fills {@code out}; {@code timeoutMillis} -1 waits without limit, 0 does not wait. */
    void select(ReadySet out, int timeoutMillis) throws IOException;

    /** Closes; wakes a thread blocked in {@link #select}. Idempotent. */
    void close();

    boolean isClosed();

    /** Throws {@link ClosedException} if closed. */
    void ensureOpen() throws ClosedException;

    /**
     * Creates this Poll's one waker, reporting {@code token}.
     *
     * @throws IllegalStateException if the Poll already has a waker
     */
    WakerSpi openWaker(Token token) throws IOException;

    /** A backend's waker. */
    interface WakerSpi {
        void wake() throws IOException;

        void close();
    }
}
