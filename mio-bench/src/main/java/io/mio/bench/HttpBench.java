package io.mio.bench;

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

/**
 * The HTTP part of the benchmark: wrk against the io.mio {@code HttpServer} example, Netty's HTTP codec and the
 * JDK's {@code HttpServer} on virtual threads. Each server runs as its own process (pinned to the server CPU),
 * wrk runs from this process's CPU; per cell (load x connections) a wrk warm-up, then a measured wrk run with the
 * server's CPU time sampled from {@code /proc/PID/stat} before and after it, and wrk's own CPU time from this
 * process's reaped-children times.
 */
final class HttpBench {
    private HttpBench() {
    }

    /** What wrk asks for in a cell. */
    enum Load {
        PLAINTEXT("plaintext", "/plaintext", 1),
        JSON("json", "/json", 1),
        /** TechEmpower's plaintext test sends 16 requests per write. */
        PIPELINED("plaintext, 16 pipelined", "/plaintext", 16);

        final String label;
        final String path;
        final int pipeline;

        Load(String label, String path, int pipeline) {
            this.label = label;
            this.path = path;
            this.pipeline = pipeline;
        }

        static Load parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** How a run is made. */
    record Settings(List<HttpServerKind> servers, List<Load> loads, List<Integer> conns, int rounds,
                    Duration serverWarmup, Duration warmup, Duration measure, Integer serverCpu, Path work) {
    }

    /** One measured cell of one round. CPU per request in µs; latencies in µs; client CPU as a share of the run. */
    record Row(int round, HttpServerKind server, Load load, int conns, long requests, double seconds,
               double requestsPerSecond, double cpuMicrosPerRequest, double userMicrosPerRequest,
               double sysMicrosPerRequest, double p50Micros, double p75Micros, double p90Micros, double p99Micros,
               long errors, double clientCpuShare, double rssMiB) {
        static final String CSV_HEADER = "round,server,load,connections,requests,seconds,requests_per_s,"
                + "cpu_us_per_request,user_us_per_request,sys_us_per_request,p50_us,p75_us,p90_us,p99_us,errors,"
                + "wrk_cpu_share,rss_mib";

        /** Requests served per second of server CPU time. */
        double requestsPerCpuSecond() {
            return 1e6 / cpuMicrosPerRequest;
        }

        String csv() {
            return String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%.3f,%.1f,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%d,%.3f,%.1f",
                    round, server.name().toLowerCase(Locale.ROOT), load.name().toLowerCase(Locale.ROOT), conns,
                    requests, seconds, requestsPerSecond, cpuMicrosPerRequest, userMicrosPerRequest,
                    sysMicrosPerRequest, p50Micros, p75Micros, p90Micros, p99Micros, errors, clientCpuShare, rssMiB);
        }
    }

    /** Runs every round; a server that fails costs its remaining cells of that round, named in {@code failures}. */
    static List<Row> run(Settings s, List<String> failures) throws IOException {
        Files.createDirectories(s.work());
        Path csv = s.work().resolve("results-http.csv");
        Files.writeString(csv, Row.CSV_HEADER + "\n");
        int cells = s.rounds() * s.servers().size() * s.loads().size() * s.conns().size();
        System.out.printf(Locale.ROOT, "http benchmark: %d rounds x %d servers x %d loads x %d connection counts = %d"
                        + " cells, %d s wrk warm-up + %d s measured each; servers on CPU %s%n", s.rounds(),
                s.servers().size(), s.loads().size(), s.conns().size(), cells, s.warmup().toSeconds(),
                s.measure().toSeconds(), s.serverCpu() == null ? "(not pinned)" : s.serverCpu());
        List<Row> rows = new ArrayList<>();
        Instant started = Instant.now();
        int done = 0;
        for (int round = 1; round <= s.rounds(); round++) {
            for (int k = 0; k < s.servers().size(); k++) {
                HttpServerKind kind = s.servers().get((k + round - 1) % s.servers().size()); // rotated every round
                int doneOfServer = 0;
                try (ServerProcess server = ServerProcess.start(kind, s.serverCpu(), s.work().resolve("logs"), 60)) {
                    String base = "http://127.0.0.1:" + server.port;
                    warmUp(server, base, s);
                    for (Load load : s.loads()) {
                        for (int conns : s.conns()) {
                            Row row = cell(round, kind, server, base, load, conns, s);
                            rows.add(row);
                            Files.writeString(csv, row.csv() + "\n", StandardOpenOption.APPEND);
                            done++;
                            doneOfServer++;
                            long elapsed = Duration.between(started, Instant.now()).toSeconds();
                            long eta = elapsed * (cells - done) / done;
                            System.out.printf(Locale.ROOT, "[%3d/%d, %dm%02ds left] round %d %-32s %-24s C=%-5d %9.0f req/s"
                                            + "  cpu %6.2f us/req  p99 %8.1f us  errors %d  wrk cpu %.0f%%%n",
                                    done, cells, eta / 60, eta % 60, round, kind.label, load.label, conns,
                                    row.requestsPerSecond(), row.cpuMicrosPerRequest(), row.p99Micros(), row.errors(),
                                    row.clientCpuShare() * 100);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    String failure = "round " + round + ", " + kind.label + ": " + e.getMessage();
                    failures.add(failure);
                    System.out.println("FAILED " + failure);
                    done += s.loads().size() * s.conns().size() - doneOfServer;
                }
            }
        }
        return rows;
    }

    /**
     * A fresh server process first serves wrk for a while on every load of the run (64 connections), for the JIT:
     * with less, the first cell measured the JIT at work (several times the CPU per request of the later cells).
     */
    private static void warmUp(ServerProcess server, String base, Settings s) throws IOException {
        Duration each = s.serverWarmup().dividedBy(s.loads().size());
        for (Load load : s.loads()) {
            try {
                Wrk.run(base + load.path, 64, each, load.pipeline, s.work());
            } catch (IOException e) {
                throw new IOException("warm-up: " + e.getMessage() + "; server log: " + server.logTail(), e);
            }
        }
    }

    private static Row cell(int round, HttpServerKind kind, ServerProcess server, String base, Load load, int conns,
                            Settings s) throws IOException {
        String url = base + load.path;
        try {
            Wrk.run(url, conns, s.warmup(), load.pipeline, s.work());
            ProcStat before = ProcStat.read(server.pid());
            long[] wrkBefore = childrenCpuTicks();
            long start = System.nanoTime();
            Wrk.Result r = Wrk.run(url, conns, s.measure(), load.pipeline, s.work());
            double wall = (System.nanoTime() - start) / 1e9;
            long[] wrkAfter = childrenCpuTicks();
            ProcStat after = ProcStat.read(server.pid());
            if (r.requests() == 0) {
                throw new IOException("wrk completed no request: " + r.output());
            }
            double tick = 1e6 / ProcStat.CLOCK_TICKS;
            double user = (after.utimeTicks() - before.utimeTicks()) * tick / r.requests();
            double sys = (after.stimeTicks() - before.stimeTicks()) * tick / r.requests();
            double client = ((wrkAfter[0] - wrkBefore[0]) + (wrkAfter[1] - wrkBefore[1])) / (double) ProcStat.CLOCK_TICKS / wall;
            return new Row(round, kind, load, conns, r.requests(), r.seconds(), r.requestsPerSecond(), user + sys, user,
                    sys, r.p50Micros(), r.p75Micros(), r.p90Micros(), r.p99Micros(), r.socketErrors() + r.non2xx(),
                    client, after.rssKiB() / 1024.0);
        } catch (IOException | RuntimeException e) {
            throw new IOException(load.label + " C=" + conns + ": " + e.getMessage() + "; server log: "
                    + server.logTail(), e);
        }
    }

    /**
     * User and system CPU ticks of this process's reaped children ({@code cutime}, {@code cstime} of
     * {@code /proc/self/stat}): around one wrk run, the difference is wrk's CPU time.
     */
    static long[] childrenCpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new long[] {Long.parseLong(f[13]), Long.parseLong(f[14])}; // fields 16 and 17
    }

    // ---- smoke --------------------------------------------------------------------------------------------------

    /** What one server's smoke check did: answers checked by {@link HttpCheck}, and wrk's short run (null without wrk). */
    record SmokeResult(HttpServerKind server, int checked, Wrk.Result wrk) {
    }

    /**
     * Starts {@code kind} and checks its answers with {@link HttpCheck}; then, if {@code withWrk}, runs wrk for a
     * second on each path (a few connections) and requires requests and no error.
     */
    static SmokeResult smoke(HttpServerKind kind, Path work, boolean withWrk) throws IOException {
        try (ServerProcess server = ServerProcess.start(kind, null, work.resolve("logs"), 60)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port);
            int checked;
            try {
                checked = HttpCheck.run(address);
            } catch (IOException e) {
                throw new IOException(kind.label + ": " + e.getMessage() + "; server log: " + server.logTail(), e);
            }
            Wrk.Result wrk = null;
            if (withWrk) {
                for (Load load : Load.values()) {
                    Wrk.Result r = Wrk.run("http://127.0.0.1:" + server.port + load.path, 4, Duration.ofSeconds(1),
                            load.pipeline, work);
                    if (r.requests() == 0 || r.socketErrors() > 0 || r.non2xx() > 0) {
                        throw new IOException(kind.label + ", wrk " + load.label + ": " + r.requests() + " requests, "
                                + r.socketErrors() + " socket errors, " + r.non2xx() + " non-2xx answers: " + r.output());
                    }
                    wrk = wrk == null || r.requests() < wrk.requests() ? r : wrk; // report the weakest
                }
            }
            if (!server.process.isAlive()) {
                throw new IOException(kind.label + " server died: " + server.logTail());
            }
            return new SmokeResult(kind, checked, wrk);
        }
    }
}
