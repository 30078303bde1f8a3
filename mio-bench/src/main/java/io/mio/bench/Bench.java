package io.mio.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The echo benchmark's driver: starts each server as its own process (pinned to one CPU), drives it with
 * {@link EchoClient} from this process (pinned to another one by scripts/bench.sh), samples the server's
 * CPU time and memory from /proc and its syscalls and context switches with perf, and writes the report.
 *
 * <p>Options: {@code --smoke} (only check that every server starts and echoes correctly, no timings),
 * {@code --full} (adds 10000 connections), {@code --rounds N}, {@code --warmup-ms}, {@code --measure-ms},
 * {@code --perf-ms}, {@code --servers mio,nio,vthread,netty,c-drain,c-short,wasm-echo,wasm-echo-poll,wasm,wasm-epoll,wasm-c}, {@code --conns 1,64,1000},
 * {@code --sizes 64,4096}, {@code --server-cpu N} (pin servers; -1: no pinning), {@code --work DIR},
 * {@code --docs DIR}, {@code --command TEXT} (the command line to quote in the report).
 */
public final class Bench {
    private Bench() {
    }

    static final class Options {
        boolean smoke;
        boolean full;
        int rounds = 3;
        Duration warmup = Duration.ofMillis(1000);
        Duration measure = Duration.ofMillis(1500);
        Duration perf = Duration.ofMillis(500);
        Set<ServerKind> servers = ServerKind.defaults();
        List<Integer> conns;
        List<Integer> sizes = List.of(64, 4096);
        Integer serverCpu = 0;
        Path work = Path.of("mio-bench/target/bench");
        Path docs = Path.of("docs");
        String command = "scripts/bench.sh";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> o.smoke = true;
                    case "--full" -> o.full = true;
                    case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
                    case "--warmup-ms" -> o.warmup = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--measure-ms" -> o.measure = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--perf-ms" -> o.perf = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--servers" -> {
                        Set<ServerKind> s = EnumSet.noneOf(ServerKind.class);
                        for (String name : args[++i].split(",")) {
                            s.add(ServerKind.parse(name));
                        }
                        o.servers = s;
                    }
                    case "--conns" -> o.conns = ints(args[++i]);
                    case "--sizes" -> o.sizes = ints(args[++i]);
                    case "--server-cpu" -> {
                        int cpu = Integer.parseInt(args[++i]);
                        o.serverCpu = cpu < 0 ? null : cpu;
                    }
                    case "--work" -> o.work = Path.of(args[++i]);
                    case "--docs" -> o.docs = Path.of(args[++i]);
                    case "--command" -> o.command = args[++i];
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.conns == null) {
                o.conns = o.full ? List.of(1, 64, 1000, 10000) : List.of(1, 64, 1000);
            }
            return o;
        }

        private static List<Integer> ints(String csv) {
            List<Integer> out = new ArrayList<>();
            for (String s : csv.split(",")) {
                out.add(Integer.parseInt(s.trim()));
            }
            return out;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.smoke) {
            System.exit(smokeAll(o) ? 0 : 1);
        }
        run(o);
    }

    // ---- smoke --------------------------------------------------------------------------------------

    /** What one smoke check exchanged. */
    record SmokeResult(ServerKind server, long roundTrips, long expected) {
    }

    /** The exchanges of a smoke check: connections, message size, round trips per connection. */
    static final int[][] SMOKE_PLANS = {{1, 1, 20}, {3, 64, 50}, {3, 4096, 50}, {2, 256 * 1024, 5}, {50, 100, 3}};

    private static boolean smokeAll(Options o) throws IOException {
        Path cServer = needsC(o.servers) ? CServer.build(o.work) : null;
        boolean ok = true;
        for (ServerKind kind : o.servers) {
            if (kind.isNative() && cServer == null) {
                System.out.println("smoke " + kind.label + ": SKIPPED (" + CServer.problem + ")");
                continue;
            }
            try {
                List<SmokeResult> results = smoke(kind, cServer, o.work.resolve("logs"));
                long rts = results.stream().mapToLong(SmokeResult::roundTrips).sum();
                System.out.println("smoke " + kind.label + ": ok (" + rts + " round trips checked byte for byte)");
            } catch (IOException e) {
                ok = false;
                System.out.println("smoke " + kind.label + ": FAILED: " + e.getMessage());
            }
        }
        return ok;
    }

    /** Starts {@code kind}, runs the smoke exchanges against it (each echo checked), stops it. */
    static List<SmokeResult> smoke(ServerKind kind, Path cServer, Path logDir) throws IOException {
        List<SmokeResult> out = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, cServer, null, logDir, 60)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
            for (int[] p : smokePlans(kind)) {
                EchoClient.Result r;
                try {
                    r = EchoClient.run(addr, EchoClient.Plan.counted(p[0], p[1], p[2], Duration.ofSeconds(30)),
                            new EchoClient.Hooks() { });
                } catch (IOException e) {
                    throw new IOException(kind.label + ", " + p[0] + " connections of " + p[1] + " B: "
                            + e.getMessage() + "; server log: " + server.logTail(), e);
                }
                out.add(new SmokeResult(kind, r.roundTrips(), (long) p[0] * p[2]));
            }
            if (!server.process.isAlive()) {
                throw new IOException(kind.label + " server died: " + server.logTail());
            }
        }
        return out;
    }

    /** The smoke exchanges {@code kind} can serve: those within its connection limit. */
    static List<int[]> smokePlans(ServerKind kind) {
        return java.util.Arrays.stream(SMOKE_PLANS).filter(p -> p[0] <= kind.maxConns).toList();
    }

    static boolean needsC(Set<ServerKind> kinds) {
        return kinds.stream().anyMatch(ServerKind::isNative);
    }

    // ---- timed run ----------------------------------------------------------------------------------

    /** Samples the server at the client's phase boundaries. */
    private static final class Sampler implements EchoClient.Hooks {
        final long pid;
        ProcStat before;
        ProcStat after;
        Perf perf;
        Perf.Counts counts;

        Sampler(long pid) {
            this.pid = pid;
        }

        @Override
        public void measureStart() {
            before = stat();
        }

        @Override
        public void measureEnd() {
            after = stat();
        }

        @Override
        public void perfAttach() {
            // Attached only after the measured window: perf's tracepoint slows every syscall of the server.
            perf = Perf.attach(pid);
        }

        @Override
        public void perfStart() {
            if (perf != null && !perf.enable()) {
                perf.close();
                perf = null;
            }
        }

        @Override
        public void perfEnd() {
            if (perf != null) {
                perf.disable();
                counts = perf.finish();
                perf.close();
            }
        }

        private ProcStat stat() {
            try {
                return ProcStat.read(pid);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("server process " + pid + " is gone", e);
            }
        }
    }

    static void run(Options o) throws IOException {
        Files.createDirectories(o.work);
        Files.createDirectories(o.docs);
        Report.Machine machine = Report.Machine.describe();
        List<ServerKind> kinds = new ArrayList<>(o.servers);
        String cNote = null;
        Path cServer = null;
        if (needsC(o.servers)) {
            cServer = CServer.build(o.work);
            if (cServer == null) {
                cNote = "C servers skipped: " + CServer.problem;
                System.out.println(cNote);
                kinds.removeIf(ServerKind::isNative);
            }
        }
        String perfNote = Perf.probe() ? null : "perf unavailable, no syscall or context-switch figures: " + Perf.unavailable();
        if (perfNote != null) {
            System.out.println(perfNote);
        }
        int cells = o.rounds * kinds.size() * o.conns.size() * o.sizes.size();
        System.out.printf(Locale.ROOT, "echo benchmark: %d rounds x %d servers x %d connection counts x %d sizes = %d cells,"
                        + " %d ms warm-up + %d ms measured + %d ms perf each; servers on CPU %s%n",
                o.rounds, kinds.size(), o.conns.size(), o.sizes.size(), cells, o.warmup.toMillis(),
                o.measure.toMillis(), o.perf.toMillis(), o.serverCpu == null ? "(not pinned)" : o.serverCpu);
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Path csv = o.work.resolve("results.csv");
        Files.writeString(csv, Row.CSV_HEADER + "\n");
        int done = 0;
        for (int round = 1; round <= o.rounds; round++) {
            for (int k = 0; k < kinds.size(); k++) {
                ServerKind kind = kinds.get((k + round - 1) % kinds.size()); // rotate the order every round
                int cellsOfServer = (int) o.conns.stream().filter(c -> c <= kind.maxConns).count() * o.sizes.size();
                done += o.conns.size() * o.sizes.size() - cellsOfServer; // cells beyond its connection limit: skipped
                int doneOfServer = 0;
                // A failure (a server that does not start or dies, a wrong echo) costs the rest of that server's
                // cells in this round, not the run: it is reported and the next server goes on.
                try (ServerProcess server = ServerProcess.start(kind, cServer, o.serverCpu, o.work.resolve("logs"), 60)) {
                    InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
                    boolean first = true;
                    for (int conns : o.conns) {
                        if (conns > kind.maxConns) {
                            continue;
                        }
                        for (int size : o.sizes) {
                            // A fresh JVM gets one more second of warm-up in its first cell, for the JIT.
                            Duration warmup = first ? o.warmup.plusSeconds(1) : o.warmup;
                            first = false;
                            Row row = cell(round, kind, server, addr, conns, size, warmup, o);
                            rows.add(row);
                            Files.writeString(csv, row.csv() + "\n", java.nio.file.StandardOpenOption.APPEND);
                            done++;
                            doneOfServer++;
                            long elapsed = Duration.between(started, Instant.now()).toSeconds();
                            long eta = elapsed * (cells - done) / done;
                            System.out.printf(Locale.ROOT, "[%3d/%d, %dm%02ds left] round %d %-20s C=%-5d S=%-5d %9.0f rt/s"
                                            + "  p99 %8.1f us  cpu %6.2f us/rt (user %.2f sys %.2f)  syscalls/rt %s%n",
                                    done, cells, eta / 60, eta % 60, round, kind.label, conns, size,
                                    row.roundTripsPerSecond(), row.p99Micros(), row.cpuMicrosPerRt(),
                                    row.userMicrosPerRt(), row.sysMicrosPerRt(),
                                    Double.isNaN(row.syscallsPerRt()) ? "n/a" : String.format(Locale.ROOT, "%.2f", row.syscallsPerRt()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    String failure = "round " + round + ", " + kind.label + ": " + e.getMessage();
                    failures.add(failure);
                    System.out.println("FAILED " + failure);
                    done += cellsOfServer - doneOfServer;
                }
            }
        }
        String loadAfter = Report.Machine.loadAverage();
        Duration took = Duration.between(started, Instant.now());
        Report.Meta meta = new Report.Meta(machine, o.command, started, took, loadBefore, loadAfter, o.rounds,
                o.warmup, o.measure, o.perf, o.serverCpu, cNote, perfNote, failures, o.conns, o.sizes, kinds);
        Report.write(rows, meta, o.docs);
        Files.copy(csv, o.docs.resolve("benchmarks.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("wrote " + o.docs.resolve("benchmarks.md") + " (" + took.toSeconds() + " s)"
                + (failures.isEmpty() ? "" : "; " + failures.size() + " failure(s), see the report"));
    }

    private static Row cell(int round, ServerKind kind, ServerProcess server, InetSocketAddress addr, int conns,
                            int size, Duration warmup, Options o) throws IOException {
        Sampler sampler = new Sampler(server.pid());
        EchoClient.Result r;
        try {
            r = EchoClient.run(addr, EchoClient.Plan.timed(conns, size, warmup, o.measure, o.perf), sampler);
        } catch (IOException | RuntimeException e) {
            throw new IOException(kind.label + " C=" + conns + " S=" + size + ": " + e.getMessage()
                    + "; server log: " + server.logTail(), e);
        }
        Histogram h = r.latencyNanos();
        double rts = r.roundTrips();
        double tickMicros = 1e6 / ProcStat.CLOCK_TICKS;
        double user = (sampler.after.utimeTicks() - sampler.before.utimeTicks()) * tickMicros / rts;
        double sys = (sampler.after.stimeTicks() - sampler.before.stimeTicks()) * tickMicros / rts;
        double syscalls = Double.NaN;
        double switches = Double.NaN;
        if (sampler.counts != null && r.perfRoundTrips() > 0) {
            if (sampler.counts.syscalls() >= 0) {
                syscalls = sampler.counts.syscalls() / (double) r.perfRoundTrips();
            }
            if (sampler.counts.contextSwitches() >= 0) {
                switches = sampler.counts.contextSwitches() / (double) r.perfRoundTrips();
            }
        }
        return new Row(round, kind, conns, size, r.roundTripsPerSecond(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, user, sys, syscalls, switches,
                sampler.after.rssKiB() / 1024.0, r.clientCpuShare());
    }
}
