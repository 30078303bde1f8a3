package io.mio;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Helpers shared by the tests: poll until an expected event shows up, count open descriptors. */
public final class TestSupport {
    private TestSupport() {}

    /** Polls (up to {@code within}) until an event for {@code token} matching {@code check} arrives; returns all seen. */
    public static List<String> expectEvent(Poll poll, Events events, Token token, Predicate<Event> check, Duration within)
            throws IOException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(50));
            boolean found = false;
            for (Event e : events) {
                seen.add(e.toString());
                if (e.token().equals(token) && check.test(e)) {
                    found = true;
                }
            }
            if (found) {
                return seen;
            }
        }
        throw new AssertionError("no matching event for " + token + " within " + within + "; saw " + seen);
    }

    /** Polls for {@code window} and fails if any event for {@code token} arrives. */
    public static void expectNoEvent(Poll poll, Events events, Token token, Duration window) throws IOException {
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(20));
            for (Event e : events) {
                if (e.token().equals(token)) {
                    throw new AssertionError("unexpected event " + e);
                }
            }
        }
    }

    /** Number of open descriptors of this process. */
    public static int openFds() {
        String[] names = new java.io.File("/proc/self/fd").list();
        if (names == null) {
            throw new IllegalStateException("/proc/self/fd is not readable");
        }
        return names.length;
    }
}
