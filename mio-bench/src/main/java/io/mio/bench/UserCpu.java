package io.mio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * User-space CPU time per echo round trip, the part of a round trip a library controls: the server's total CPU
 * time over a measured window (from {@code /proc/PID/stat}: exact to a clock tick), split into user and kernel
 * time by sampling the server with {@code perf record -e cpu-clock} at a high rate (a software timer: it works
 * on machines without hardware counters, where the kernel's own user/system split, sampled at each 100 Hz tick,
 * is too coarse). The user share is the share of samples whose instruction pointer was in user space.
 *
 * <p>Each server runs as its own process pinned to one CPU, driven by the echo benchmark's load generator from
 * this process (pinned to the other CPU by scripts/bench-user-cpu.sh), in several rounds with the order rotated;
 * the report gives medians and the per-round ratios against io.mio, the user-CPU targets, the user-space
 * profile of each server (perf's symbols; JIT-compiled Java methods named through {@code jcmd Compiler.perfmap}),
 * and {@link CallCost}'s timings of the pieces of a round trip.
 *
 * <p>Options: {@code --servers mio,nio,netty,vthread,c-drain,c-short}, {@code --conns 1,64}, {@code --size 64},
 * {@code --rounds 3}, {@code --warmup-s 3}, {@code --measure-s 5}, {@code --freq 10000},
 * {@code --server-cpu 0} (-1: no pinning), {@code --work DIR}, {@code --docs DIR}, {@code --command TEXT}.
 * Writes {@code DOCS/benchmarks-user-cpu.md}.
 */
public final class UserCpu {
    private UserCpu() {
    }

    /** One measured window. */
    record Sample(ServerKind server, int conns, int round, long roundTrips, double cpuNanos, long userSamples,
                  long allSamples, List<String> profile) {
        double totalPerRt() {
            return cpuNanos / roundTrips;
        }

        double userShare() {
            return allSamples == 0 ? Double.NaN : (double) userSamples / allSamples;
        }

        double userPerRt() {
            return totalPerRt() * userShare();
        }
    }

    public static void main(String[] args) throws Exception {
        Set<ServerKind> servers = EnumSet.of(ServerKind.MIO, ServerKind.NIO, ServerKind.NETTY, ServerKind.VTHREAD,
                ServerKind.C_DRAIN, ServerKind.C_SHORT);
        List<Integer> conns = List.of(1, 64);
        int size = 64;
        int rounds = 3;
        Duration warmup = Duration.ofSeconds(3);
        Duration measure = Duration.ofSeconds(5);
        int freq = 10_000;
        Integer cpu = 0;
        Path work = Path.of("mio-bench/target/user-cpu");
        Path docs = Path.of("docs");
        String command = "scripts/bench-user-cpu.sh";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--servers" -> {
                    servers = EnumSet.noneOf(ServerKind.class);
                    for (String name : args[++i].split(",")) {
                        servers.add(ServerKind.parse(name));
                    }
                }
                case "--conns" -> conns = Stream.of(args[++i].split(",")).map(s -> Integer.parseInt(s.trim())).toList();
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup-s" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--measure-s" -> measure = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--freq" -> freq = Integer.parseInt(args[++i]);
                case "--server-cpu" -> {
                    int c = Integer.parseInt(args[++i]);
                    cpu = c < 0 ? null : c;
                }
                case "--work" -> work = Path.of(args[++i]);
                case "--docs" -> docs = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Instant started = Instant.now();
        String loadBefore = Report.Machine.loadAverage();
        Path cServer = servers.stream().anyMatch(ServerKind::isNative) ? CServer.build(work) : null;
        List<ServerKind> order = new ArrayList<>(servers);
        List<Sample> samples = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int cells = rounds * conns.size() * order.size();
        int done = 0;
        for (int r = 0; r < rounds; r++) {
            for (int c : conns) {
                for (int k = 0; k < order.size(); k++) {
                    ServerKind kind = order.get((k + r) % order.size()); // rotated: no server always runs first
                    done++;
                    if (kind.isNative() && cServer == null) {
                        if (r == 0) {
                            failures.add(kind.label + ": skipped (" + CServer.problem + ")");
                        }
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "[%d/%d] round %d, %s, %d connection(s) x %d B%n",
                            done, cells, r + 1, kind.label, c, size);
                    try {
                        Sample s = measure(kind, cServer, cpu, c, size, r, warmup, measure, freq, work);
                        samples.add(s);
                        System.out.printf(Locale.ROOT, "  %d round trips, %.0f ns CPU/rt, user %.1f %% -> %.0f ns user/rt (%d samples)%n",
                                s.roundTrips(), s.totalPerRt(), 100 * s.userShare(), s.userPerRt(), s.allSamples());
                    } catch (IOException | RuntimeException e) {
                        failures.add(kind.label + ", round " + (r + 1) + ", " + c + " connection(s): " + e.getMessage());
                        System.out.println("  FAILED: " + e.getMessage());
                    }
                }
            }
        }
        List<String> pieces = callCost(cpu, work);
        Files.createDirectories(docs);
        Path out = docs.resolve("benchmarks-user-cpu.md");
        Files.writeString(out, report(samples, failures, pieces, order, conns, size, rounds, warmup, measure, freq,
                command, started, Duration.between(started, Instant.now()), loadBefore, Report.Machine.loadAverage()));
        System.out.println("user-cpu: wrote " + out);
    }

    static Sample measure(ServerKind kind, Path cServer, Integer cpu, int conns, int size, int round,
                          Duration warmup, Duration measure, int freq, Path work) throws IOException {
        Path dir = work.resolve("logs").toAbsolutePath();
        Files.createDirectories(dir);
        Path data = dir.resolve(kind.name().toLowerCase(Locale.ROOT) + "-" + conns + ".perf.data");
        Files.deleteIfExists(data);
        try (ServerProcess server = ServerProcess.start(kind, cServer, cpu, dir, 60)) {
            long pid = server.pid();
            ProcStat[] stat = new ProcStat[2];
            Process[] perf = new Process[1];
            EchoClient.Hooks hooks = new EchoClient.Hooks() {
                @Override
                public void measureStart() {
                    try {
                        perf[0] = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-F", Integer.toString(freq),
                                "-p", Long.toString(pid), "-o", data.toString())
                                .redirectErrorStream(true).redirectOutput(dir.resolve("perf-record.log").toFile()).start();
                        stat[0] = ProcStat.read(pid);
                    } catch (IOException e) {
                        throw new IllegalStateException("perf record: " + e.getMessage(), e);
                    }
                }

                @Override
                public void measureEnd() {
                    try {
                        stat[1] = ProcStat.read(pid);
                        perf[0].destroy(); // SIGTERM: perf writes its file and exits
                        perf[0].waitFor(30, TimeUnit.SECONDS);
                        if (kind.isJava()) {
                            // names the JIT-compiled methods for perf report (/tmp/perf-PID.map)
                            run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                                    Long.toString(pid), "Compiler.perfmap"));
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            };
            EchoClient.Result r = EchoClient.run(new InetSocketAddress("127.0.0.1", server.port),
                    EchoClient.Plan.timed(conns, size, warmup, measure, Duration.ZERO), hooks);
            double cpuNanos = ((stat[1].utimeTicks() + stat[1].stimeTicks()) - (stat[0].utimeTicks() + stat[0].stimeTicks()))
                    * 1e9 / ProcStat.CLOCK_TICKS;
            Map<String, long[]> byDso = samplesBy(data, "dso");
            long all = 0;
            long user = 0;
            for (Map.Entry<String, long[]> e : byDso.entrySet()) {
                all += e.getValue()[0];
                if (!isKernel(e.getKey())) {
                    user += e.getValue()[0];
                }
            }
            if (all == 0) {
                throw new IOException("perf recorded no samples (see " + dir.resolve("perf-record.log") + ")");
            }
            List<String> profile = new ArrayList<>();
            for (Map.Entry<String, long[]> e : samplesBy(data, "dso,sym").entrySet()) {
                if (!isKernel(e.getKey()) && profile.size() < 10) {
                    profile.add(String.format(Locale.ROOT, "%.1f%%\t%s", 100.0 * e.getValue()[0] / user, e.getKey()));
                }
            }
            Files.deleteIfExists(Path.of("/tmp/perf-" + pid + ".map"));
            return new Sample(kind, conns, round, r.roundTrips(), cpuNanos, user, all, profile);
        }
    }

    private static boolean isKernel(String dsoAndSym) {
        return dsoAndSym.startsWith("[kernel") || dsoAndSym.startsWith("[guest.kernel");
    }

    /** Samples per sort key, most first, from {@code perf report -n --sort KEYS}. */
    static Map<String, long[]> samplesBy(Path data, String keys) throws IOException {
        return parseReport(run(List.of("perf", "report", "-i", data.toString(), "--stdio", "-q", "-n", "--sort", keys)));
    }

    /** Samples per key from the text of {@code perf report --stdio -q -n}; lines that are not sample lines are skipped. */
    static Map<String, long[]> parseReport(String out) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            String t = line.trim();
            // "12.34%   5678  [kernel.kallsyms]  [k] sym" : percentage, samples, then the keys
            String[] f = t.split("\\s+", 3);
            if (f.length < 3 || !f[0].endsWith("%")) {
                continue;
            }
            try {
                long n = Long.parseLong(f[1]);
                m.computeIfAbsent(f[2].replaceAll("\\s+", " "), k -> new long[1])[0] += n;
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
        return m;
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    /** Runs {@link CallCost} pinned like a server; its TIME lines. */
    private static List<String> callCost(Integer cpu, Path work) {
        List<String> cmd = new ArrayList<>();
        if (cpu != null) {
            cmd.addAll(List.of("taskset", "-c", cpu.toString()));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ServerProcess.JVM_OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CallCost.class.getName()));
        try {
            System.out.println("user-cpu: timing the pieces of a round trip (CallCost)");
            return run(cmd).lines().filter(l -> l.startsWith("TIME ")).map(l -> l.substring(5)).toList();
        } catch (IOException e) {
            return List.of("failed: " + e.getMessage());
        }
    }

    // ---- report -------------------------------------------------------------------------------------

    private static double median(List<Double> v) {
        return Report.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static List<Sample> cell(List<Sample> s, ServerKind k, int c) {
        return s.stream().filter(x -> x.server() == k && x.conns() == c).toList();
    }

    /**
     * {@code f} of {@code k}'s and {@code base}'s samples of the same round, one value per round both ran (a NaN,
     * which {@code f} gives where a round lacks what it needs, is left out).
     */
    private static List<Double> perRound(List<Sample> s, ServerKind k, ServerKind base, int c,
                                         java.util.function.ToDoubleBiFunction<Sample, Sample> f) {
        List<Double> out = new ArrayList<>();
        for (Sample x : cell(s, k, c)) {
            for (Sample b : cell(s, base, c)) {
                if (b.round() == x.round()) {
                    double v = f.applyAsDouble(x, b);
                    if (!Double.isNaN(v)) {
                        out.add(v);
                    }
                }
            }
        }
        return out;
    }

    /** Per-round ratios of {@code k}'s user CPU per round trip to {@code base}'s. */
    static List<Double> ratios(List<Sample> s, ServerKind k, ServerKind base, int c) {
        return perRound(s, k, base, c, (x, b) -> x.userPerRt() / b.userPerRt());
    }

    private static String ratioText(List<Double> r) {
        if (r.isEmpty()) {
            return "n/a";
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.2f× <sub>(", median(r)));
        for (int i = 0; i < r.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r.get(i)));
        }
        return s.append(")</sub>").toString();
    }

    private static String report(List<Sample> samples, List<String> failures, List<String> pieces, List<ServerKind> order,
                                 List<Integer> conns, int size, int rounds, Duration warmup, Duration measure, int freq,
                                 String command, Instant started, Duration took, String loadBefore, String loadAfter) {
        Report.Machine m = Report.Machine.describe();
        StringBuilder s = new StringBuilder();
        s.append("# Benchmarks: user-space CPU per round trip\n\n");
        s.append("Generated by `").append(command).append("` on ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC).format(started))
                .append(" in ").append(took.toMinutes()).append(" min ").append(took.toSecondsPart()).append(" s")
                .append(" (load average before: ").append(loadBefore).append("; after: ").append(loadAfter).append(").\n\n");
        s.append("| | |\n|---|---|\n");
        s.append("| CPU | ").append(m.cpu()).append(", ").append(m.cpus()).append(" cores online |\n");
        s.append("| kernel | Linux ").append(m.kernel()).append(" |\n");
        s.append("| JDK | ").append(m.jdk()).append(" |\n");
        s.append("| perf | ").append(m.perf()).append(" |\n\n");
        s.append("""
                ## Method

                The kernel's share of an echo round trip is the same for every server making the same syscalls; the
                user-space share is what a library controls, and the issue's targets are about it. This machine has no
                hardware counters (`perf stat -e instructions` answers "not supported") and the kernel's user/system
                split of `/proc/PID/stat` is sampled at each clock tick (100 Hz), too coarse for a user share of a few
                per cent. So: each server's total CPU time over the window comes from `/proc/PID/stat` (utime + stime,
                exact to a tick, %d s windows), and it is split by sampling the server with
                `perf record -e cpu-clock -F %d -p PID` (a software timer, available without hardware counters) over
                the same window: the user share is the share of samples taken in user space (any DSO but the kernel).
                User CPU per round trip = total CPU per round trip × user share.

                Each server runs as its own process pinned to CPU 0; the load generator (the echo benchmark's, one
                thread on io.mio) runs pinned to CPU 1. %d B messages, closed loop, %d s warm-up then the %d s window;
                %d rounds, every server started afresh each round, the order rotated. Tables give medians over rounds;
                ratios are computed within each round (in brackets), then their median. Java servers use the echo
                benchmark's JVM options (`%s`).

                Sampling has its own errors. With n user samples the user share is known to about ±1/√n of itself
                (the tables give the sample counts). The timer interrupt adds kernel time to every server alike. And
                in a virtual machine the timer's samples skid: one that falls due while the kernel runs with
                interrupts off (a syscall's exit path) is taken at the first user instruction after it, so user space
                is charged with some kernel time at every syscall — the C server, whose own code is about a hundred
                instructions per round trip (callgrind), shows how much: its "user" time is almost all skid. Hence the
                column *user ns/rt above C*: a server's user time per round trip minus the C short-read server's in the
                same round, the part its own code adds (the two make the same syscalls per round trip at one
                connection, nearly so at 64: see docs/benchmarks.md).

                """.formatted(measure.toSeconds(), freq, size, warmup.toSeconds(), measure.toSeconds(), rounds,
                String.join(" ", ServerProcess.JVM_OPTIONS)));
        for (int c : conns) {
            s.append("## ").append(c).append(c == 1 ? " connection" : " connections").append(" x ").append(size).append(" B\n\n");
            s.append("| server | round trips/s | CPU ns/rt (user + kernel) | user share | user ns/rt | user ns/rt above C | user ns/rt × io.mio | user samples |\n");
            s.append("|---|---:|---:|---:|---:|---:|---|---:|\n");
            for (ServerKind k : order) {
                List<Sample> x = cell(samples, k, c);
                if (x.isEmpty()) {
                    continue;
                }
                s.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.1f %% | %.0f | %s | %s | %.0f |%n", k.label,
                        median(x.stream().map(v -> v.roundTrips() / (double) measure.toSeconds()).toList()),
                        median(x.stream().map(Sample::totalPerRt).toList()),
                        100 * median(x.stream().map(Sample::userShare).toList()),
                        median(x.stream().map(Sample::userPerRt).toList()),
                        aboveC(samples, k, c),
                        ratioText(ratios(samples, k, ServerKind.MIO, c)),
                        median(x.stream().map(v -> (double) v.userSamples()).toList())));
            }
            s.append('\n');
            s.append("Targets (issue 5), io.mio's user CPU per round trip against its peers', per-round ratios; judged on the\n")
                    .append("time above the C server's (the skid removed) where the C server ran:\n\n");
            target(s, samples, c, ServerKind.NIO, 0.5);
            target(s, samples, c, ServerKind.NETTY, 0.35);
            s.append('\n');
        }
        s.append("## Where the user time goes\n\n");
        s.append("User-space samples of the last round by DSO and symbol (% of the server's user samples; `[JIT] tid N`\n")
                .append("is HotSpot-compiled Java, `nep_invoker_blob` the FFM downcall stubs, `DowncallLinker::capture_state`\n")
                .append("the errno capture of a downcall).\n\n");
        for (int c : conns) {
            for (ServerKind k : order) {
                List<Sample> x = cell(samples, k, c);
                if (x.isEmpty()) {
                    continue;
                }
                Sample last = x.getLast();
                s.append("<details><summary>").append(k.label).append(", ").append(c).append(c == 1 ? " connection" : " connections")
                        .append("</summary>\n\n| share of user samples | DSO, symbol |\n|---:|---|\n");
                for (String p : last.profile()) {
                    String[] f = p.split("\t", 2);
                    s.append("| ").append(f[0]).append(" | `").append(f[1].replace("|", "\\|")).append("` |\n");
                }
                s.append("\n</details>\n\n");
            }
        }
        s.append("## The pieces of a round trip\n\n");
        s.append("`io.mio.bench.CallCost`, pinned to CPU 0: time per call, best of 5 windows of ")
                .append(CallCost.ITERATIONS).append(" calls after a warm-up. The downcalls call libc's `labs` (no syscall):\n")
                .append("they show what FFM adds around a syscall; the would-block rows include their syscall.\n\n");
        s.append("| piece | ns per call |\n|---|---:|\n");
        for (String p : pieces) {
            String[] f = p.split(" ", 2);
            s.append("| ").append(f.length > 1 ? f[1] : p).append(" | ").append(f[0]).append(" |\n");
        }
        s.append('\n');
        s.append(overheads(pieces));
        if (!failures.isEmpty()) {
            s.append("## Not measured\n\n");
            for (String f : failures) {
                s.append("- ").append(f).append('\n');
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** Median over rounds of {@code k}'s user ns/rt minus the C short-read server's in the same round. */
    private static String aboveC(List<Sample> samples, ServerKind k, int c) {
        List<Double> d = perRound(samples, k, ServerKind.C_SHORT, c, (x, b) -> x.userPerRt() - b.userPerRt());
        return d.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.0f", median(d));
    }

    /** Per-round ratios of {@code k}'s user ns/rt above C to {@code base}'s; rounds without a C run are left out. */
    static List<Double> ratiosAboveC(List<Sample> s, ServerKind k, ServerKind base, int c) {
        List<Sample> floors = cell(s, ServerKind.C_SHORT, c);
        return perRound(s, k, base, c, (x, b) -> {
            for (Sample floor : floors) {
                if (floor.round() == x.round()) {
                    return (x.userPerRt() - floor.userPerRt()) / (b.userPerRt() - floor.userPerRt());
                }
            }
            return Double.NaN;
        });
    }

    /**
     * What io.mio's and java.nio's read and poll add to the bare downcall of the same syscall (the pieces' times
     * minus the bare ones), and their ratio: the library's own work on those paths, the syscall taken out.
     */
    static String overheads(List<String> pieces) {
        Map<String, Double> t = new LinkedHashMap<>();
        for (String p : pieces) {
            String[] f = p.split(" ", 2);
            try {
                t.put(f[1], Double.parseDouble(f[0]));
            } catch (RuntimeException ignored) {
                // a failure line
            }
        }
        StringBuilder s = new StringBuilder();
        String[][] pairs = {
                {"read on an empty socket", "bare recv downcall (critical, no errno), would block",
                        "io.mio TcpStream.read, would block", "java.nio SocketChannel.read, would block"},
                {"poll with nothing ready", "bare epoll_wait downcall (no errno), nothing ready, timeout 0",
                        "io.mio Poll.poll, nothing ready, timeout 0", "java.nio Selector.selectNow, nothing ready"}};
        for (String[] p : pairs) {
            Double bare = t.get(p[1]);
            Double mio = t.get(p[2]);
            Double nio = t.get(p[3]);
            if (bare == null || mio == null || nio == null) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "- %s: io.mio adds %.1f ns to the bare downcall, java.nio %.1f ns (io.mio ÷ java.nio = %.2f)%n",
                    p[0], mio - bare, nio - bare, (mio - bare) / (nio - bare)));
        }
        return s.isEmpty() ? "" : "What the libraries add to the bare syscall on the same path (this run's single timings, best of 5):\n\n"
                + s + "\n";
    }

    private static void target(StringBuilder s, List<Sample> samples, int c, ServerKind peer, double limit) {
        List<Double> r = ratios(samples, ServerKind.MIO, peer, c);
        if (r.isEmpty()) {
            s.append("- at most ").append(limit).append("× ").append(peer.label).append("'s: not measured\n");
            return;
        }
        List<Double> above = ratiosAboveC(samples, ServerKind.MIO, peer, c);
        double judged = above.isEmpty() ? median(r) : median(above);
        s.append(String.format(Locale.ROOT, "- at most %.2f× %s's: sampled user time %s; above the C server's %s — %s%n",
                limit, peer.label, ratioText(r), above.isEmpty() ? "n/a (no C server)" : ratioText(above),
                judged <= limit ? "met" : "**missed**"));
    }
}
