package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Helpers for the ports of mio's poll / registering / waker / events / regressions tests. */
final class Conformance {
    static final Duration WITHIN = Duration.ofSeconds(5);

    private Conformance() {}

    static InetSocketAddress anyLocal() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    /**
     * Polls until, for every token in {@code expected}, an event matching its predicate has been seen
     * (edge-triggered: several tokens may come in one poll, so nothing seen is dropped). Returns all events seen.
     */
    static List<String> expectAll(Poll poll, Events events, Map<Token, Predicate<Event>> expected, Duration within)
            throws IOException {
        Map<Token, Predicate<Event>> missing = new LinkedHashMap<>(expected);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(50));
            for (Event e : events) {
                seen.add(e.toString());
                Predicate<Event> check = missing.get(e.token());
                if (check != null && check.test(e)) {
                    missing.remove(e.token());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("no matching event for " + missing.keySet() + " within " + within + "; saw " + seen);
        }
        return seen;
    }

    /** Accepts one connection, retrying while accept would block (bounded). */
    static TcpStream acceptWithin(TcpListener listener, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            TcpStream s = listener.accept();
            if (s != null) {
                return s;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no connection to accept within " + within);
    }
}
