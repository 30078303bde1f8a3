package io.mio.internal.spi;

import io.mio.Interest;
import io.mio.Token;
import io.mio.internal.ReadySet;

import java.io.IOException;

/**
 * What {@link io.mio.Poll} and {@link io.mio.Registry} tell the JDK's tools (the flight recorder on a JVM), reached
 * through {@link BackendProvider#telemetry()} so that a build without those tools (the WASI build) never compiles
 * them. The {@code ...Enabled()} checks are called on every poll and registry call: they must be cheap and allocate
 * nothing; the recording methods are called only after such a check said true. Implementations are thread-safe.
 */
public interface Telemetry {
    /** Records nothing. */
    Telemetry NONE = new Telemetry() {
        @Override
        public boolean pollEnabled() {
            return false;
        }

        @Override
        public void poll(SelectorSpi selector, ReadySet set, int millis) throws IOException {
            selector.select(set, millis);
        }

        @Override
        public boolean registrationEnabled() {
            return false;
        }

        @Override
        public void registration(String operation, Object source, Token token, Interest interests) {}
    };

    /** Whether {@link #poll} should be used instead of a bare {@link SelectorSpi#select}. */
    boolean pollEnabled();

    /** Runs {@code selector.select(set, millis)} and records the wait; exceptions are the select's. */
    void poll(SelectorSpi selector, ReadySet set, int millis) throws IOException;

    /** Whether registry calls should be recorded. */
    boolean registrationEnabled();

    /**
     * Records a registry call that succeeded: {@code operation} is {@code register}, {@code reregister} or
     * {@code deregister} ({@code token} and {@code interests} null for the last).
     */
    void registration(String operation, Object source, Token token, Interest interests);
}
