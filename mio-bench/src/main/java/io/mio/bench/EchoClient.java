package io.mio.bench;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpStream;
import io.mio.tls.TlsConfig;
import io.mio.tls.TlsStream;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The load generator, the same for every server: closed loop on io.mio, one thread. Each of {@code conns}
 * connections has one message of {@code size} bytes in flight: it sends, waits for the whole echo, checks it
 * byte for byte against what it sent (a sequence number leads every message), records the round trip's
 * latency, and sends again.
 *
 * <p>With a {@link TlsConfig} the connections speak TLS ({@link TlsStream}, handshakes done before the first
 * message) and follow TlsStream's rule: on every event, whatever its flags, read until 0, and keep WRITABLE registered
 * while the stream wants to write.
 *
 * <p>A timed run goes warm-up, measured window, then an optional perf window (perf's tracepoints slow
 * every syscall down, so its counts come from a separate, shorter window instead of the measured one). The
 * {@link Hooks} run on the client thread at each boundary, where the harness samples the server.
 */
final class EchoClient {
    /** Callbacks at the phase boundaries of a run; they run on the client thread. */
    interface Hooks {
        /** Every connection is established; no message sent yet. */
        default void connected() {
        }

        default void measureStart() {
        }

        default void measureEnd() {
        }

        /** Attach the counters (they stay off): the client then runs a settle period before {@link #perfStart}. */
        default void perfAttach() {
        }

        default void perfStart() {
        }

        default void perfEnd() {
        }
    }

    /**
     * What to run. Timed when {@code roundTripsPerConn} is 0; otherwise each connection does that many round
     * trips and the run ends (the smoke test). {@code deadline} bounds the whole run.
     */
    record Plan(int conns, int size, Duration warmup, Duration measure, Duration perf, int roundTripsPerConn,
                Duration deadline) {
        static Plan timed(int conns, int size, Duration warmup, Duration measure, Duration perf) {
            return new Plan(conns, size, warmup, measure, perf, 0,
                    warmup.plus(measure).plus(perf).plus(Duration.ofSeconds(120)));
        }

        static Plan counted(int conns, int size, int roundTripsPerConn, Duration deadline) {
            return new Plan(conns, size, Duration.ZERO, Duration.ZERO, Duration.ZERO, roundTripsPerConn, deadline);
        }
    }

    /** Round trips and latency of the measured window, round trips of the perf window, client CPU use. */
    record Result(long roundTrips, long nanos, Histogram latencyNanos, long perfRoundTrips, long perfNanos,
                  double clientCpuShare) {
        double roundTripsPerSecond() {
            return roundTrips * 1e9 / nanos;
        }
    }

    private static final int CONNECT_BATCH = 256;

    private static final class Conn {
        final TcpStream stream;
        TlsStream tls; // null for plain TCP
        final Token token;
        final ByteBuffer out;
        final ByteBuffer in;
        final ByteBuffer outView;
        final ByteBuffer inView;
        boolean connected;
        boolean writing;
        long seq;
        long sentAt;
        int done;

        Conn(TcpStream stream, int id, int size) {
            this.stream = stream;
            this.token = new Token(id);
            out = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                out.put(i, (byte) (id * 31 + i));
            }
            in = ByteBuffer.allocateDirect(size + 1); // one byte of slack: a read that fills it is a protocol error
            outView = out.slice(0, size);
            inView = in.slice(0, size);
        }
    }

    private enum Phase { WARMUP, MEASURE, SETTLE, PERF, DONE }

    /** Shortest settle period between perf's attach (which stalls this thread) and its window. */
    private static final long MIN_SETTLE_NANOS = 300_000_000L;

    private EchoClient() {
    }

    static Result run(InetSocketAddress server, Plan plan, Hooks hooks) throws IOException {
        return run(server, plan, hooks, null);
    }

    /** {@link #run(InetSocketAddress, Plan, Hooks)} over TLS with {@code tls}, or plain TCP if it is null. */
    static Result run(InetSocketAddress server, Plan plan, Hooks hooks, TlsConfig tls) throws IOException {
        Conn[] conns = new Conn[plan.conns()];
        long deadline = System.nanoTime() + plan.deadline().toNanos();
        try (Poll poll = Poll.open()) {
            Registry registry = poll.registry();
            Events events = Events.withCapacity(1024);
            connectAll(server, plan, conns, poll, events, deadline);
            if (tls != null) {
                handshakeAll(tls, conns, poll, events, deadline);
            }
            hooks.connected();
            return exchange(plan, conns, poll, registry, events, hooks, deadline);
        } finally {
            for (Conn c : conns) {
                if (c != null) {
                    c.stream.close();
                }
            }
        }
    }

    private static void connectAll(InetSocketAddress server, Plan plan, Conn[] conns, Poll poll, Events events,
                                   long deadline) throws IOException {
        Registry registry = poll.registry();
        int next = 0;
        int pending = 0;
        int established = 0;
        while (established < conns.length) {
            while (next < conns.length && pending < CONNECT_BATCH) {
                Conn c = new Conn(TcpStream.connect(server), next, plan.size());
                conns[next++] = c;
                registry.register(c.stream, c.token, Interest.WRITABLE);
                pending++;
            }
            poll.poll(events, Duration.ofMillis(100));
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                Conn c = conns[(int) e.token().value()];
                if (c.connected) {
                    continue;
                }
                IOException error = c.stream.takeError();
                if (error != null) {
                    throw new IOException("connection " + c.token.value() + " failed", error);
                }
                c.connected = true;
                c.stream.setNodelay(true);
                registry.reregister(c.stream, c.token, Interest.READABLE);
                pending--;
                established++;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + established + " of " + conns.length + " connections established in time");
            }
        }
    }

    /** Wraps every connection in a TLS client stream and completes the handshakes. */
    private static void handshakeAll(TlsConfig tls, Conn[] conns, Poll poll, Events events, long deadline)
            throws IOException {
        Registry registry = poll.registry();
        int done = 0;
        for (Conn c : conns) {
            c.tls = TlsStream.client(c.stream, tls, "localhost");
            if (c.tls.handshake()) {
                done++;
            }
            interest(c, registry);
        }
        while (done < conns.length) {
            poll.poll(events, Duration.ofMillis(100));
            for (int i = 0; i < events.size(); i++) {
                Conn c = conns[(int) events.get(i).token().value()];
                if (c.tls.isHandshaking() && c.tls.handshake()) {
                    done++;
                }
                interest(c, registry);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + done + " of " + conns.length + " TLS handshakes done in time");
            }
        }
    }

    /** Keeps a TLS connection's WRITABLE registration exactly while it is needed. */
    private static void interest(Conn c, Registry registry) throws IOException {
        boolean want = c.tls.wantsWrite() || c.out.hasRemaining() && c.sentAt != 0;
        if (want != c.writing) {
            c.writing = want;
            registry.reregister(c.stream, c.token, want ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
        }
    }

    private static Result exchange(Plan plan, Conn[] conns, Poll poll, Registry registry, Events events,
                                   Hooks hooks, long deadline) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Histogram histogram = new Histogram(3);
        boolean counted = plan.roundTripsPerConn() > 0;
        int size = plan.size();
        long now = System.nanoTime();
        for (Conn c : conns) {
            send(c, registry, now);
        }
        Phase phase = counted ? Phase.MEASURE : Phase.WARMUP;
        long phaseEnd = counted ? Long.MAX_VALUE : now + plan.warmup().toNanos();
        long roundTrips = 0;
        long measureStart = now;
        long measureNanos = 0;
        long measured = 0;
        long perfStart = 0;
        long cycleNanos = 0;
        long cpuStart = 0;
        double cpuShare = 0;
        int finished = 0;
        Duration pollTimeout = Duration.ofMillis(10);
        while (phase != Phase.DONE) {
            poll.poll(events, pollTimeout);
            for (int i = 0, n = events.size(); i < n; i++) {
                Event e = events.get(i);
                Conn c = conns[(int) e.token().value()];
                int r;
                if (c.tls != null) {
                    // TLS: whatever the flags, write what waits, then read until 0 (records wait in the stream).
                    if (c.writing) {
                        flush(c, registry);
                    }
                    while ((r = c.tls.read(c.in)) > 0) {
                        // until 0 (or -1)
                    }
                } else {
                    if (c.writing && e.isWritable()) {
                        flush(c, registry);
                    }
                    if (!e.isReadable() && !e.isReadClosed()) {
                        continue;
                    }
                    r = c.stream.read(c.in);
                }
                if (r < 0) {
                    throw new IOException("server closed connection " + c.token.value());
                }
                if (c.in.position() > size) {
                    throw new IOException("server sent more bytes than the message on connection " + c.token.value());
                }
                if (c.in.position() < size) {
                    continue; // short read (TLS: read until 0): the rest of the echo raises a new edge
                }
                if (c.inView.mismatch(c.outView) != -1) {
                    throw new IOException("echo differs from the message on connection " + c.token.value()
                            + " (message " + c.seq + ")");
                }
                c.in.clear();
                long t = System.nanoTime();
                if (phase == Phase.MEASURE) {
                    histogram.recordValue(t - c.sentAt);
                }
                roundTrips++;
                if (counted) {
                    if (++c.done == plan.roundTripsPerConn()) {
                        finished++;
                        continue;
                    }
                }
                send(c, registry, t);
            }
            now = System.nanoTime();
            if (now > deadline) {
                throw new IOException("run did not finish in time: " + roundTrips + " round trips");
            }
            if (counted) {
                if (finished == conns.length) {
                    measureNanos = now - measureStart;
                    measured = roundTrips;
                    phase = Phase.DONE;
                }
                continue;
            }
            if (now < phaseEnd) {
                continue;
            }
            switch (phase) {
                case WARMUP -> {
                    hooks.measureStart();
                    cpuStart = threads.getCurrentThreadCpuTime();
                    roundTrips = 0;
                    measureStart = System.nanoTime();
                    phaseEnd = measureStart + plan.measure().toNanos();
                    phase = Phase.MEASURE;
                }
                case MEASURE -> {
                    measured = roundTrips;
                    measureNanos = now - measureStart;
                    cpuShare = (threads.getCurrentThreadCpuTime() - cpuStart) / (double) measureNanos;
                    hooks.measureEnd();
                    // One cycle of all connections takes conns / rate: the settle period and the perf window
                    // last at least two, so that the window starts and ends in steady state.
                    cycleNanos = (long) (2.0 * conns.length * measureNanos / Math.max(1, measured));
                    if (plan.perf().isZero()) {
                        phase = Phase.DONE;
                    } else {
                        hooks.perfAttach(); // stalls this thread: the server drains its queue meanwhile
                        phaseEnd = System.nanoTime() + Math.max(MIN_SETTLE_NANOS, cycleNanos);
                        phase = Phase.SETTLE;
                    }
                }
                case SETTLE -> {
                    hooks.perfStart();
                    roundTrips = 0;
                    perfStart = System.nanoTime();
                    phaseEnd = perfStart + Math.max(plan.perf().toNanos(), cycleNanos);
                    phase = Phase.PERF;
                }
                case PERF -> {
                    long perfNanos = now - perfStart;
                    long perfRoundTrips = roundTrips;
                    hooks.perfEnd();
                    return new Result(measured, measureNanos, histogram, perfRoundTrips, perfNanos, cpuShare);
                }
                case DONE -> throw new AssertionError();
            }
        }
        return new Result(measured, measureNanos, histogram, 0, 0, cpuShare);
    }

    private static void send(Conn c, Registry registry, long now) throws IOException {
        ByteBuffer out = c.out;
        out.clear();
        c.seq++;
        if (out.capacity() >= Long.BYTES) {
            out.putLong(0, c.seq);
        }
        c.sentAt = now;
        flush(c, registry);
    }

    private static void flush(Conn c, Registry registry) throws IOException {
        ByteBuffer out = c.out;
        if (c.tls != null) {
            c.tls.write(out); // takes what it can; encrypted bytes the socket refused wait in the stream
            interest(c, registry);
            return;
        }
        while (out.hasRemaining()) {
            if (c.stream.write(out) == 0) {
                if (!c.writing) {
                    c.writing = true;
                    registry.reregister(c.stream, c.token, Interest.READABLE.add(Interest.WRITABLE));
                }
                return;
            }
        }
        if (c.writing) {
            c.writing = false;
            registry.reregister(c.stream, c.token, Interest.READABLE);
        }
    }
}
