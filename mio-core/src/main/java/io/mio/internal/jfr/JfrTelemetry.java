package io.mio.internal.jfr;

import io.mio.Interest;
import io.mio.Token;
import io.mio.internal.ReadySet;
import io.mio.internal.spi.SelectorSpi;
import io.mio.internal.spi.Telemetry;

import java.io.IOException;

/**
 * Reports polls and registry calls to the flight recorder as {@code io.mio.PollWait} and {@code io.mio.Registration}
 * events. Stateless and thread-safe.
 */
public final class JfrTelemetry implements Telemetry {
    /** The one instance the JVM backends' providers hand out. */
    public static final JfrTelemetry INSTANCE = new JfrTelemetry();

    // isEnabled() reads the event class's static configuration, set by the recorder; asking one shared instance
    // keeps the check free of allocation whatever the compiler does (an event object is made only when enabled).
    private static final PollWaitEvent POLL_PROBE = new PollWaitEvent();
    private static final RegistrationEvent REGISTRATION_PROBE = new RegistrationEvent();

    private JfrTelemetry() {}

    @Override
    public boolean pollEnabled() {
        return POLL_PROBE.isEnabled();
    }

    @Override
    public void poll(SelectorSpi selector, ReadySet set, int millis) throws IOException {
        PollWaitEvent event = new PollWaitEvent();
        event.begin();
        selector.select(set, millis);
        event.end();
        if (event.shouldCommit()) {
            event.events = set.size;
            event.timeout = millis < 0 ? Long.MAX_VALUE : millis; // MAX_VALUE: the recorder's "Forever"
            event.backend = selector.backend().name();
            event.commit();
        }
    }

    @Override
    public boolean registrationEnabled() {
        return REGISTRATION_PROBE.isEnabled();
    }

    @Override
    public void registration(String operation, Object source, Token token, Interest interests) {
        RegistrationEvent event = new RegistrationEvent();
        if (event.shouldCommit()) {
            event.operation = operation;
            event.source = source.getClass().getSimpleName();
            event.token = token == null ? 0 : token.value();
            event.interest = interests == null ? null : interests.toString();
            event.commit();
        }
    }
}
