package io.mio.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak scenario: an {@link EchoServer} on its own thread, a {@link SoakClient} loop on the calling thread,
 * N connections, a number of checked round trips (or a time bound), and footprint samples along the way.
 *
 * <p>The server runs in this process, or, when one process cannot hold two descriptors per connection (the
 * full run's 10,000 connections need 20,000 plus the JVM's own), in a child JVM ({@link EchoServerChild}):
 * then each process holds one descriptor per connection and both are sampled.
 *
 * <h2>Flatness</h2>
 * The first sample is taken once every connection is up, before any frame; it is reported but not judged
 * (pools and JIT state still fill). The <em>baseline</em> is the first sample taken after at least 10% of the
 * round trips. From then on, in each process: open descriptors may vary by at most {@link #FD_TOLERANCE} (the
 * JVM may open a jar or a /proc file meanwhile; the soak itself opens and closes none), and heap after full
 * GC may exceed the baseline by at most {@link #HEAP_TOLERANCE} (the echo server's pending-buffer pool may
 * still grow to its 4 MiB cap after the baseline; all per-frame state is reused). A leak proportional to
 * traffic (one object or descriptor per frame) would break either bound many times over.
 */
@SuppressWarnings("try") // EchoServer.close() may throw InterruptedException
public final class Soak {
    public static final int FD_TOLERANCE = 8;
    public static final long HEAP_TOLERANCE = 16L << 20;
    /** Descriptors kept free for the JVM, the Polls, the listener and the waker. */
    private static final int FD_RESERVE = 128;

    public record Config(int connections, long roundTrips, Duration timeBound, Duration sampleEvery, long seed,
                         boolean serverProcessIfNeeded) {}

    /** One footprint sample; the server's figures are -1 when it runs in this process (they are included). */
    public record Sample(long elapsedMillis, long roundTrips, int openFds, long heapAfterGc, int serverFds,
                         long serverHeapAfterGc) {}

    public record Result(int connectionsRequested, int connections, boolean serverInChild, String scaleNote,
                         long roundTrips, long bytesChecked, long minPayload, long maxPayload, long fragmentedFrames,
                         long clientPartialWrites, long clientWritableReregistrations,
                         long serverWritableReregistrations, long serverBytesEchoed, Duration connectTime,
                         Duration runTime, List<Sample> samples, int baselineIndex, String flatness, boolean flat,
                         boolean timeBoundHit) {}

    /** TCP_NODELAY on every accepted connection; every second one gets a 4 KiB send buffer. */
    static EchoServer.Listener smallServerBuffers() {
        return new EchoServer.Listener() {
            private int n; // (client ports all have one parity on Linux: count instead)

            @Override
            public void accepted(io.mio.net.TcpStream stream, int peerPort) throws IOException {
                stream.setNodelay(true);
                if (n++ % 2 == 1) stream.setSendBufferSize(4096);
            }
        };
    }

    /** The server side's figures, wherever it runs. */
    private record ServerSample(int fds, long heap, long active, long closes, long bytesEchoed, long writableRereg,
                                String fatal) {}

    private interface Server extends AutoCloseable {
        InetSocketAddress address() throws IOException;

        ServerSample sample() throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Server inProcess() throws IOException {
        EchoServer s = EchoServer.start(4096, smallServerBuffers());
        return new Server() {
            public InetSocketAddress address() throws IOException { return s.address(); }

            public ServerSample sample() {
                return new ServerSample(-1, -1, s.active(), s.closes().size(), s.bytesEchoed(),
                        s.writableReregistrations(), s.fatal() == null ? "none" : s.fatal().toString());
            }

            public void close() throws Exception { s.close(); }
        };
    }

    private static Server inChild() throws IOException, InterruptedException {
        Child c = Child.start(EchoServerChild.class, 0, List.of("-Xmx512m", "-XX:+UseSerialGC"));
        int port = Integer.parseInt(c.awaitLine("PORT", Duration.ofSeconds(60)).substring(5).trim());
        OutputStream in = c.stdin();
        return new Server() {
            public InetSocketAddress address() { return new InetSocketAddress(InetAddress.getLoopbackAddress(), port); }

            public ServerSample sample() throws Exception {
                in.write("SAMPLE\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                String[] f = c.awaitLine("SAMPLE", Duration.ofSeconds(60)).split(" ");
                return new ServerSample(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), f[7]);
            }

            public void close() throws Exception {
                in.close();
                if (!c.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    c.kill();
                    throw new IllegalStateException("echo server child did not exit");
                }
            }
        };
    }

    public static Result run(Config cfg) throws Exception {
        long limit = Footprint.openFileLimit();
        boolean unlimited = limit < 0 || limit == Long.MAX_VALUE;
        boolean child = cfg.serverProcessIfNeeded() && !unlimited && 2L * cfg.connections() + FD_RESERVE > limit;
        long perConn = child ? 1 : 2;
        int n = unlimited ? cfg.connections()
                : (int) Math.max(1, Math.min(cfg.connections(), (limit - FD_RESERVE) / perConn));
        String note = n == cfg.connections() ? "" : "open-file limit " + limit + " allows " + n + " connections ("
                + perConn + " descriptor(s) each + " + FD_RESERVE + " reserve), not " + cfg.connections() + ": scaled down";
        if (!note.isEmpty()) System.out.println("soak: " + note);
        if (child) System.out.println("soak: echo server runs in a child JVM (one descriptor per connection per process)");
        List<Sample> samples = new ArrayList<>();
        try (Server server = child ? inChild() : inProcess(); SoakClient client = new SoakClient(cfg.seed(), 2)) {
            long t0 = System.nanoTime();
            client.connect(server.address(), n, 256, Duration.ofSeconds(120));
            Duration connectTime = Duration.ofNanos(System.nanoTime() - t0);
            long r0 = System.nanoTime();
            Runnable sampler = () -> {
                try {
                    ServerSample ss = server.sample();
                    samples.add(new Sample((System.nanoTime() - r0) / 1_000_000, client.roundTrips(),
                            Footprint.openFds(), Footprint.heapAfterGc(), ss.fds(), ss.heap()));
                } catch (Exception e) {
                    throw new IllegalStateException("sampling failed", e);
                }
            };
            sampler.run();
            long done = client.run(cfg.roundTrips(), cfg.timeBound(), cfg.sampleEvery(), sampler);
            Duration runTime = Duration.ofNanos(System.nanoTime() - r0);
            sampler.run();
            client.checkAllAnswered();
            ServerSample end = server.sample();
            if (!end.fatal().equals("none")) throw new IllegalStateException("echo server failed: " + end.fatal());
            if (end.closes() != 0) throw new IllegalStateException("echo server closed " + end.closes() + " connections during the soak");
            if (end.active() != n) throw new IllegalStateException("echo server has " + end.active() + " connections, not " + n);

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
                StringBuilder sb = new StringBuilder("from sample " + baseline + " on: client ");
                flat = judge(samples, baseline, false, sb);
                if (child) {
                    sb.append("; server ");
                    flat &= judge(samples, baseline, true, sb);
                }
                flatness = sb.toString();
            }
            return new Result(cfg.connections(), n, child, note, done, client.bytesChecked(), client.minPayload(),
                    client.maxPayload(), client.fragmentedFrames(), client.partialWrites(),
                    client.writableReregistrations(), end.writableRereg(), end.bytesEchoed(), connectTime, runTime,
                    List.copyOf(samples), baseline, flatness, flat, done < cfg.roundTrips());
        }
    }

    private static boolean judge(List<Sample> samples, int baseline, boolean server, StringBuilder out) {
        Sample b = samples.get(baseline);
        long baseHeap = server ? b.serverHeapAfterGc() : b.heapAfterGc();
        int fdMin = Integer.MAX_VALUE, fdMax = Integer.MIN_VALUE;
        long heapMax = Long.MIN_VALUE;
        for (int i = baseline; i < samples.size(); i++) {
            Sample s = samples.get(i);
            int fds = server ? s.serverFds() : s.openFds();
            fdMin = Math.min(fdMin, fds);
            fdMax = Math.max(fdMax, fds);
            heapMax = Math.max(heapMax, server ? s.serverHeapAfterGc() : s.heapAfterGc());
        }
        long growth = heapMax - baseHeap;
        out.append(String.format("fds %d..%d (tolerance %d), heap after GC max %+.2f MiB over baseline %.1f MiB"
                + " (tolerance %d MiB)", fdMin, fdMax, FD_TOLERANCE, growth / 1048576.0, baseHeap / 1048576.0,
                HEAP_TOLERANCE >> 20));
        return fdMax - fdMin <= FD_TOLERANCE && growth <= HEAP_TOLERANCE;
    }
}
