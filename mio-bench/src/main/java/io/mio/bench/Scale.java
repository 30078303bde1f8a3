package io.mio.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The scale part of the benchmark: mostly idle connections. Each server process is started, warmed up, then
 * made to hold a rising number of idle connections (opened by {@link IdleHolder} processes, paced so that the
 * server's accept queue never overflows, and counted in the server's {@code /proc/PID/fd} before going on). At
 * each step the harness runs a few active connections echoing 64 B in closed loop through {@link EchoClient}
 * (the server's CPU time and syscalls per round trip show whether waiting for events costs more as idle
 * connections accumulate), then takes the server's memory (heap after a full collection for the Java servers,
 * then {@code VmRSS}). The number of idle connections a server can take is bounded by its open-file limit, which the
 * harness cannot raise past the hard limit: steps beyond it are skipped and said so ({@link #plan}).
 */
final class Scale {
    private Scale() {
    }

    /** JVM options added to the Java servers in this part: the initial heap touched at start, so RSS moves with use only. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+AlwaysPreTouch");
    /** Descriptors a server needs besides the idle connections: the JVM's own, the listener, the active ones. */
    static final int FD_RESERVE = 512;
    /** Echo traffic on 16 connections that each server process gets before its first step, for the JIT. */
    static final Duration WARMUP = Duration.ofMillis(1500);
    /** Before its first server the scale part waits, at most {@link #TIME_WAIT_MAX}, for TIME_WAIT sockets to fall to this. */
    static final int TIME_WAIT_FEW = 200;
    static final Duration TIME_WAIT_MAX = Duration.ofSeconds(65);
    /** A step that replaces skipped ones is rounded down to this. */
    private static final int STEP_ROUNDING = 1000;

    /** How the scale part runs. */
    record Settings(List<Integer> idle, int active, int rounds, Duration warmup, Duration measure, Duration perf,
                    Integer serverCpu, Path work) {
    }

    /** The idle counts to run, why the others are not run, and what runs in their place (null if nothing). */
    record Ladder(List<Integer> idle, List<String> skipped, String instead) {
    }

    /** What the scale part measured, and what stopped it where it stopped. */
    record Result(Settings settings, Ladder ladder, List<ScaleRow> rows, List<String> notes, List<String> failures,
                  long fdLimitSoft, long fdLimitHard, int holderProcesses, Duration took) {
    }

    /**
     * The idle counts that fit: a server needs about {@code N + FD_RESERVE} descriptors, which the hard open-file
     * limit bounds. Counts over it are skipped with the reason; the largest count that fits (rounded down to a
     * thousand) replaces them. 0, the baseline the memory per connection is computed from, is always run. (Local
     * ports do not bound N: each holder process connects from its own source address, see {@link IdleHolder}.)
     */
    static Ladder plan(List<Integer> requested, long fdLimitHard) {
        long largest = Math.max(0, fdLimitHard - FD_RESERVE);
        TreeSet<Integer> run = new TreeSet<>();
        run.add(0);
        List<String> skipped = new ArrayList<>();
        boolean replace = false;
        for (int n : requested) {
            if (n <= largest) {
                run.add(n);
                continue;
            }
            replace = true;
            skipped.add(String.format(Locale.ROOT, "%d idle connections: the server would need about %d open files"
                    + " and the hard open-file limit (RLIMIT_NOFILE) here is %d; raising it needs root"
                    + " (CAP_SYS_RESOURCE)", n, n + (long) FD_RESERVE, fdLimitHard));
        }
        String instead = null;
        if (replace) {
            int n = (int) (largest / STEP_ROUNDING * STEP_ROUNDING);
            if (n > run.last()) {
                run.add(n);
                instead = n + " idle connections, the largest count that fits (rounded down to a thousand), run instead";
            }
        }
        return new Ladder(List.copyOf(run), skipped, instead);
    }

    static Result run(List<ServerKind> kinds, Path cServer, Settings s) throws IOException {
        Instant started = Instant.now();
        long self = ProcessHandle.current().pid();
        ProcStat.FdLimit limit = ProcStat.openFileLimit(self);
        Ladder ladder = plan(s.idle(), limit.hard());
        for (String skip : ladder.skipped()) {
            System.out.println("scale: not run: " + skip);
        }
        if (ladder.instead() != null) {
            System.out.println("scale: " + ladder.instead());
        }
        System.out.printf(Locale.ROOT, "scale: %d round(s) x %d servers, idle connections %s, %d active connection(s)"
                        + " of 64 B, %d ms warm-up + %d ms measured + %d ms perf per step%n", s.rounds(), kinds.size(),
                ladder.idle(), s.active(), s.warmup().toMillis(), s.measure().toMillis(), s.perf().toMillis());
        // TIME_WAIT sockets of the echo part that expire during a server's steps would shrink its kernel memory
        Duration twWait = KernelMemory.awaitTimeWait(TIME_WAIT_FEW, TIME_WAIT_MAX);
        if (twWait.toMillis() >= 1000) {
            System.out.printf(Locale.ROOT, "scale: waited %d s for TIME_WAIT sockets to expire (%d left)%n",
                    twWait.toSeconds(), KernelMemory.timeWaitSockets());
        }
        List<ScaleRow> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Files.createDirectories(s.work());
        Path csv = s.work().resolve("results-scale.csv");
        Files.writeString(csv, ScaleRow.CSV_HEADER + "\n");
        Path logs = s.work().resolve("logs");
        int holderProcesses = 0;
        Holders holders = new Holders(logs);
        try {
            for (int round = 1; round <= s.rounds(); round++) {
                for (int k = 0; k < kinds.size(); k++) {
                    ServerKind kind = kinds.get((k + round - 1) % kinds.size());
                    // A failure costs that server's steps in this round, not the part: reported, and the next goes on.
                    try {
                        server(kind, cServer, round, ladder, s, holders, rows, notes, csv);
                    } catch (IOException | RuntimeException e) {
                        String failure = "scale, round " + round + ", " + kind.label + ": " + e.getMessage();
                        failures.add(failure);
                        System.out.println("FAILED " + failure);
                    }
                    holderProcesses = Math.max(holderProcesses, holders.processes());
                    try {
                        holders.closeAll();
                    } catch (IOException e) {
                        // A holder that does not answer is ended with all it holds; fresh ones serve the next server.
                        failures.add("scale, round " + round + ", " + kind.label + ": closing the idle connections: " + e.getMessage());
                        holders.close();
                        holders = new Holders(logs);
                    }
                }
            }
        } finally {
            holders.close();
        }
        return new Result(s, ladder, rows, notes, failures, limit.soft(), limit.hard(), holderProcesses,
                Duration.between(started, Instant.now()));
    }

    /** One server process through the whole ladder. */
    private static void server(ServerKind kind, Path cServer, int round, Ladder ladder, Settings s, Holders holders,
                               List<ScaleRow> rows, List<String> notes, Path csv) throws IOException {
        long t0 = System.nanoTime();
        try (ServerProcess server = ServerProcess.start(kind, cServer, s.serverCpu(), JVM_OPTIONS,
                s.work().resolve("logs"), 60)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
            long pid = server.pid();
            long soft = ProcStat.openFileLimit(pid).soft();
            // Warm-up (JIT, lazily opened descriptors such as the virtual-thread poller's) before the baseline.
            run(kind, server, addr, EchoClient.Plan.timed(Math.max(16, s.active()), 64, WARMUP.minusMillis(200),
                    Duration.ofMillis(200), Duration.ZERO), new EchoClient.Hooks() { });
            // Then one unrecorded step at 0 idle, the same as the recorded ones less perf: the first active run
            // and the first full collection of a process still move its CPU and RSS (compilations, their arenas).
            run(kind, server, addr, EchoClient.Plan.timed(s.active(), 64, s.warmup(), s.measure(), Duration.ZERO),
                    new EchoClient.Hooks() { });
            int base = stableFds(pid);
            server.heapAfterGc(Duration.ofSeconds(20));
            for (int idle : ladder.idle()) {
                long needed = (long) base + idle + s.active() + 16;
                if (needed > soft) {
                    String note = String.format(Locale.ROOT, "%s: %d idle connections skipped: the server has %d"
                            + " descriptors open without them and its open-file limit is %d", kind.label, idle, base, soft);
                    if (!notes.contains(note)) {
                        notes.add(note);
                    }
                    System.out.println("scale: " + note);
                    continue;
                }
                ScaleRow row = step(kind, server, addr, round, idle, base, s, holders);
                rows.add(row);
                Files.writeString(csv, row.csv() + "\n", StandardOpenOption.APPEND);
                System.out.printf(Locale.ROOT, "[%5.1f s] scale round %d %-24s idle=%-6d RSS %6.1f MiB  heap %s"
                                + "  outside heap %6.1f MiB  %7.0f rt/s  cpu %6.2f us/rt  syscalls/rt %s%n",
                        (System.nanoTime() - t0) / 1e9, round, kind.label, idle, row.rssKiB() / 1024,
                        Double.isNaN(row.heapUsedKiB()) ? "    n/a  " : String.format(Locale.ROOT, "%5.1f MiB", row.heapUsedKiB() / 1024),
                        row.outsideHeapKiB() / 1024,
                        row.roundTripsPerSecond(), row.cpuMicrosPerRt(),
                        Double.isNaN(row.syscallsPerRt()) ? "n/a" : String.format(Locale.ROOT, "%.2f", row.syscallsPerRt()));
            }
        }
    }

    private static ScaleRow step(ServerKind kind, ServerProcess server, InetSocketAddress addr, int round, int idle,
                                 int base, Settings s, Holders holders) throws IOException {
        long pid = server.pid();
        holders.holdUpTo(addr, idle, total -> awaitFds(server, base + total, total));
        Bench.Sampler sampler = new Bench.Sampler(pid);
        EchoClient.Result r = run(kind, server, addr,
                EchoClient.Plan.timed(s.active(), 64, s.warmup(), s.measure(), s.perf()), sampler);
        // Memory after the active run, once its connections are gone: every sample, the baseline's too, then
        // follows the same activity (JIT compilations, for one, come and go with it).
        int open = stableFds(pid);
        if (open < base + idle || holders.held() != idle) {
            throw new IOException(kind.label + ": " + idle + " idle connections were held before the active run, after"
                    + " it the server has " + (open - base) + " and the holders " + holders.held());
        }
        ServerProcess.Heap heap = server.heapAfterGc(Duration.ofSeconds(20));
        if (heap == null && kind.isJava()) {
            throw new IOException(kind.label + " did not report its heap; server log: " + server.logTail());
        }
        double rss = ProcStat.read(pid).rssKiB();
        double kernel = KernelMemory.unreclaimableSlabKiB();
        double registrations = KernelMemory.registrationSlabKiB();
        Bench.Costs c = Bench.Costs.of(sampler, r);
        Histogram h = r.latencyNanos();
        return new ScaleRow(round, kind, idle, s.active(), rss,
                heap == null ? Double.NaN : heap.used() / 1024.0, heap == null ? Double.NaN : heap.committed() / 1024.0,
                r.roundTripsPerSecond(), h.getValueAtPercentile(99) / 1e3, c.userMicrosPerRt(), c.sysMicrosPerRt(),
                c.syscallsPerRt(), c.contextSwitchesPerRt(), kernel, registrations);
    }

    private static EchoClient.Result run(ServerKind kind, ServerProcess server, InetSocketAddress addr,
                                         EchoClient.Plan plan, EchoClient.Hooks hooks) throws IOException {
        try {
            return EchoClient.run(addr, plan, hooks, kind.clientTls());
        } catch (IOException | RuntimeException e) {
            throw new IOException(kind.label + ", " + plan.conns() + " active connection(s): " + e.getMessage()
                    + "; server log: " + server.logTail(), e);
        }
    }

    /** Waits until the server has {@code fds} descriptors open, i.e. it accepted the idle connections held so far. */
    private static void awaitFds(ServerProcess server, int fds, int idle) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int open;
        while ((open = ProcStat.openFds(server.pid())) < fds) {
            if (!server.process.isAlive()) {
                throw new IOException(server.kind.label + " died holding " + idle + " idle connections: " + server.logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(server.kind.label + " accepted " + (idle - (fds - open)) + " of " + idle
                        + " idle connections in 30 s");
            }
            sleep(20);
        }
    }

    /** The server's descriptor count once it stopped changing (closed connections take a moment to go). */
    private static int stableFds(long pid) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int last = ProcStat.openFds(pid);
        while (System.nanoTime() < deadline) {
            sleep(100);
            int now = ProcStat.openFds(pid);
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- smoke --------------------------------------------------------------------------------------

    /**
     * What one scale smoke check saw: descriptors the server gained with the idle connections, round trips of
     * the active connections while they were held (and how many were expected), idle connections still held
     * after, the server's RSS and, for a Java server, its heap after a full collection (null for C).
     */
    record SmokeResult(ServerKind server, int idle, int serverFdsGained, long roundTrips, long expected,
                       int heldAfter, long rssKiB, ServerProcess.Heap heap) {
    }

    /**
     * Starts {@code kind}, makes it hold {@code idle} idle connections, checks that {@code active} connections
     * still echo correctly meanwhile (counted exchange, no timing), takes its memory, and stops it.
     */
    static SmokeResult smoke(ServerKind kind, Path cServer, Path logDir, Holders holders, int idle, int active)
            throws IOException {
        try (ServerProcess server = ServerProcess.start(kind, cServer, null, JVM_OPTIONS, logDir, 60)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
            int base = stableFds(server.pid());
            holders.holdUpTo(addr, idle, total -> awaitFds(server, base + total, total));
            EchoClient.Result r = run(kind, server, addr,
                    EchoClient.Plan.counted(active, 64, 50, Duration.ofSeconds(30)), new EchoClient.Hooks() { });
            int gained = stableFds(server.pid()) - base;
            int heldAfter = holders.held();
            ServerProcess.Heap heap = server.heapAfterGc(Duration.ofSeconds(20));
            long rss = ProcStat.read(server.pid()).rssKiB();
            if (!server.process.isAlive()) {
                throw new IOException(kind.label + " server died: " + server.logTail());
            }
            return new SmokeResult(kind, idle, gained, r.roundTrips(), (long) active * 50, heldAfter, rss, heap);
        } finally {
            holders.closeAll();
        }
    }
}
