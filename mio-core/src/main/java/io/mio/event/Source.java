package io.mio.event;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;

import java.io.IOException;

/**
 * Something that can be registered with a {@link Registry}: mio's {@code event::Source}.
 *
 * <p>The library's sockets, pipes and {@code Waker}-like types implement it. Users implement it for their
 * own types by delegating to the sources those types hold, for example a connection type that wraps a
 * {@code TcpStream}:
 *
 * <pre>{@code
 * final class Connection implements Source {
 *     private final TcpStream stream;
 *     public void register(Registry r, Token t, Interest i) throws IOException { stream.register(r, t, i); }
 *     public void reregister(Registry r, Token t, Interest i) throws IOException { stream.reregister(r, t, i); }
 *     public void deregister(Registry r) throws IOException { stream.deregister(r); }
 * }
 * }</pre>
 *
 * <p>Call these through {@link Registry#register}, {@link Registry#reregister} and
 * {@link Registry#deregister} rather than directly. Implementations must be as thread-safe as the
 * registry: any thread may call them.
 */
public interface Source {
    /**
     * Registers this source with {@code registry}.
     *
     * @throws IllegalStateException if it is already registered (with this or another Poll)
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses the registration
     */
    void register(Registry registry, Token token, Interest interests) throws IOException;

    /**
     * Replaces the token and the interest of this source's registration with {@code registry}.
     *
     * @throws IllegalStateException if it is not registered with that registry's Poll
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses the change
     */
    void reregister(Registry registry, Token token, Interest interests) throws IOException;

    /**
     * Removes this source's registration: once this returns, no later poll reports its token.
     *
     * @throws IllegalStateException if it is not registered with that registry's Poll
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses the removal
     */
    void deregister(Registry registry) throws IOException;
}
