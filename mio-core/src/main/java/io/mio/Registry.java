package io.mio;

import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.spi.SelectorSpi;
import io.mio.internal.spi.Telemetry;

import java.io.IOException;
import java.util.Objects;

/**
 * Registers {@link Source}s with a {@link Poll}: mio's {@code Registry}.
 *
 * <p>Thread-safe: any thread may register, reregister and deregister, also while another thread is
 * blocked in {@link Poll#poll}; a source registered during a blocked poll is reported by that poll if it is
 * ready. None of these methods block (beyond a short lock per source).
 *
 * <p>Registrations are edge-triggered: a ready source is reported once, and again only after an operation
 * on it would block (returned 0, in this library's convention) or new readiness arrives.
 *
 * <p>While a flight recording has them enabled, successful calls are {@code io.mio.Registration} events (see
 * {@link Poll}); otherwise the check allocates nothing.
 */
public final class Registry {
    static {
        Bridge.installRegistryAccess(registry -> registry.selector);
    }

    /** The Poll's selector; {@link Waker} and (through {@link Bridge}) the backends' sources reach it. */
    final SelectorSpi selector;
    /** Reports successful calls to the flight recorder as {@code io.mio.Registration} events (see {@link Poll}). */
    private final Telemetry telemetry;

    Registry(SelectorSpi selector, Telemetry telemetry) {
        this.selector = selector;
        this.telemetry = telemetry;
    }

    /**
     * Registers {@code source} to be reported with {@code token} when it becomes ready for {@code interests}.
     *
     * @param source a socket, pipe end, or a type of the caller's that delegates to one
     * @param token returned by {@link Event#token()} for this source's events, as the very same object; tokens
     *        need not be unique, but the loop can then not tell the sources apart
     * @param interests what to report; {@link Interest#WRITABLE} for a connect in progress
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code source} was created by another {@link Backend} than this Poll
     * @throws UnsupportedOperationException if {@code interests} has {@link Interest#PRIORITY} on the
     *         {@link Backend#SELECTOR} backend
     * @throws IllegalStateException if the source is already registered, with this Poll or another
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses
     */
    public void register(Source source, Token token, Interest interests) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interests, "interests");
        source.register(this, token, interests);
        if (telemetry.registrationEnabled()) {
            telemetry.registration("register", source, token, interests);
        }
    }

    /**
     * Replaces both the token and the interest of {@code source}'s registration. Readiness that is already
     * there is reported again by the next poll (as with {@code EPOLL_CTL_MOD}), so reregistering also re-arms.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the source is not registered with this Poll
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses
     */
    public void reregister(Source source, Token token, Interest interests) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interests, "interests");
        source.reregister(this, token, interests);
        if (telemetry.registrationEnabled()) {
            telemetry.registration("reregister", source, token, interests);
        }
    }

    /**
     * Removes {@code source}'s registration. Once this returns, no later poll reports the source's token.
     *
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalStateException if the source is not registered with this Poll
     * @throws java.nio.channels.ClosedChannelException if the source or the Poll is closed
     * @throws IOException if the operating system refuses
     */
    public void deregister(Source source) throws IOException {
        Objects.requireNonNull(source, "source");
        source.deregister(this);
        if (telemetry.registrationEnabled()) {
            telemetry.registration("deregister", source, null, null);
        }
    }

    /**
     * A second handle to the same Poll, for use by another thread or component.
     *
     * @return a new handle; registrations through either are the same Poll's
     * @throws java.nio.channels.ClosedChannelException if the Poll is closed
     */
    public Registry tryClone() throws IOException {
        selector.ensureOpen();
        return new Registry(selector, telemetry);
    }

    /** True if both handles belong to the same Poll. */
    public boolean sameAs(Registry other) {
        return other != null && other.selector == selector;
    }
}
