package io.mio.reliability;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak scenario: an {@link EchoServer} on its own thread, a {@link SoakClient} loop on the calling thread,
 * N connections, a number of checked round trips (or a time bound), and footprint samples along the way.
 *
 * <h2>Flatness</h2>
 * The first sample is taken once every connection is up, before any frame; it is reported but not judged
 * (pools and JIT state still fill). The <em>baseline</em> is the first sample taken after at least 10% of the
 * round trips. From then on: open descriptors may vary by at most {@link #FD_TOLERANCE} (the JVM may open a
 * jar or a /proc file meanwhile; the soak itself opens and closes none), and heap after full GC may exceed
 * the baseline by at most {@link #HEAP_TOLERANCE} bytes (the echo server's pending-buffer pool may still grow
 * to its 4 MiB cap after the baseline; per-frame state is reused). Growth proportional to traffic would break
 * either bound within the run.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class Soak {
    public static final int FD_TOLERANCE = 8;
    public static final long HEAP_TOLERANCE = 16L << 20;
    /** Descriptors kept free for the JVM, the Polls, the listener and the waker. */
    private static final int FD_RESERVE = 128;

    /** TCP_NODELAY on every accepted connection; every second one gets a 4 KiB send buffer. */
    static EchoServer.Listener smallServerBuffers() {
        return new EchoServer.Listener() {
            private int n; // (client ports all have one parity on Linux: count instead)

            @Override
            public void accepted(io.mio.net.TcpStream stream, int peerPort) throws IOException {
                stream.setNodelay(true);
                if (n++ % 2 == 1) SockOpt.setInt(stream.rawFd(), SockOpt.SOL_SOCKET, SockOpt.SO_SNDBUF, 4096);
            }
        };
    }

    public record Config(int connections, long roundTrips, Duration timeBound, Duration sampleEvery, long seed) {}

    public record Result(int connectionsRequested, int connections, String scaleNote, long roundTrips,
                         long bytesChecked, long minPayload, long maxPayload, long fragmentedFrames, long clientPartialWrites,
                         long clientWritableReregistrations, long serverWritableReregistrations,
                         long serverBytesEchoed, Duration connectTime, Duration runTime,
                         List<SoakClient.Sample> samples, int baselineIndex, String flatness, boolean flat,
                         boolean timeBoundHit) {}

    /** How many connections fit in the open-file limit (two descriptors each, both ends in this process). */
    public static int fitConnections(int wanted, long limit) {
        if (limit < 0 || limit == Long.MAX_VALUE) return wanted;
        long fit = (limit - FD_RESERVE) / 2;
        return (int) Math.max(1, Math.min(wanted, fit));
    }

    public static Result run(Config cfg) throws IOException, InterruptedException {
        long limit = Footprint.openFileLimit();
        int n = fitConnections(cfg.connections(), limit);
        String note = n == cfg.connections() ? "" : "open-file limit " + limit + " allows " + n
                + " connections (2 descriptors each + " + FD_RESERVE + " reserve), not " + cfg.connections()
                + ": scaled down";
        if (!note.isEmpty()) System.out.println("soak: " + note);
        List<SoakClient.Sample> samples = new ArrayList<>();
        try (EchoServer server = EchoServer.start(4096, smallServerBuffers());
             SoakClient client = new SoakClient(cfg.seed(), 2)) {
            long t0 = System.nanoTime();
            client.connect(server.address(), n, 256, Duration.ofSeconds(120));
            Duration connectTime = Duration.ofNanos(System.nanoTime() - t0);
            long r0 = System.nanoTime();
            Runnable sampler = () -> samples.add(new SoakClient.Sample((System.nanoTime() - r0) / 1_000_000,
                    client.roundTrips(), Footprint.openFds(), Footprint.heapAfterGc()));
            sampler.run();
            long done = client.run(cfg.roundTrips(), cfg.timeBound(), cfg.sampleEvery(), sampler);
            Duration runTime = Duration.ofNanos(System.nanoTime() - r0);
            sampler.run();
            client.checkAllAnswered();
            if (server.fatal() != null) {
                throw new IllegalStateException("echo server failed", server.fatal());
            }
            if (!server.closes().isEmpty()) {
                throw new IllegalStateException("echo server closed connections during the soak: " + server.closes());
            }
            int baseline = -1;
            for (int i = 1; i < samples.size(); i++) {
                if (samples.get(i).roundTrips() * 10 >= done) { baseline = i; break; }
            }
            String flatness;
            boolean flat;
            if (baseline < 0 || baseline == samples.size() - 1) {
                flat = false;
                flatness = "too few samples after the baseline to judge (" + samples.size() + " samples)";
            } else {
                SoakClient.Sample b = samples.get(baseline);
                int fdMin = Integer.MAX_VALUE, fdMax = Integer.MIN_VALUE;
                long heapMax = Long.MIN_VALUE;
                for (int i = baseline; i < samples.size(); i++) {
                    SoakClient.Sample s = samples.get(i);
                    fdMin = Math.min(fdMin, s.openFds());
                    fdMax = Math.max(fdMax, s.openFds());
                    heapMax = Math.max(heapMax, s.heapAfterGc());
                }
                long heapGrowth = heapMax - b.heapAfterGc();
                flat = fdMax - fdMin <= FD_TOLERANCE && heapGrowth <= HEAP_TOLERANCE;
                flatness = String.format("from sample %d on: fds %d..%d (tolerance %d), heap after GC max %+.1f MiB"
                                + " over baseline %.1f MiB (tolerance %d MiB)", baseline, fdMin, fdMax, FD_TOLERANCE,
                        heapGrowth / 1048576.0, b.heapAfterGc() / 1048576.0, HEAP_TOLERANCE >> 20);
            }
            return new Result(cfg.connections(), n, note, done, client.bytesChecked(), client.minPayload(),
                    client.maxPayload(), client.fragmentedFrames(), client.partialWrites(), client.writableReregistrations(),
                    server.writableReregistrations(), server.bytesEchoed(), connectTime, runTime,
                    List.copyOf(samples), baseline, flatness, flat, done < cfg.roundTrips());
        }
    }
}
