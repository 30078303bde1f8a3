package io.mio.internal.spi;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;

import java.io.IOException;

/**
 * What every registrable source of a backend does, the part mio's {@code IoSource} shares: registration, close,
 * the raw descriptor. The public source types delegate their {@code Source} methods here.
 *
 * <p>{@link #toString()} is the public object's text ({@code "TcpStream[...]"}): error messages that name the source
 * (a Poll of the wrong backend) use it.
 */
public interface SourceSpi {
    /** As {@link io.mio.event.Source#register}; rejects a Poll of another backend with {@link IllegalArgumentException}. */
    void register(Registry registry, Token token, Interest interests) throws IOException;

    /** As {@link io.mio.event.Source#reregister}. */
    void reregister(Registry registry, Token token, Interest interests) throws IOException;

    /** As {@link io.mio.event.Source#deregister}. */
    void deregister(Registry registry) throws IOException;

    /**
     * The descriptor number, for interop.
     *
     * @throws java.nio.channels.ClosedChannelException if closed
     * @throws UnsupportedOperationException if the backend has no descriptors
     */
    int rawFd() throws IOException;

    /** False once {@link #close()} has been called. */
    boolean isOpen();

    /** Deregisters (if registered) and closes. Idempotent; thread-safe. */
    void close();
}
