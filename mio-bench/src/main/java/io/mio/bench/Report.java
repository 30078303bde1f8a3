package io.mio.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Writes docs/benchmarks.md and its charts from the measured rows: medians over rounds, per-round ratios. */
final class Report {
    private Report() {
    }

    /** The machine the figures come from. */
    record Machine(String cpu, int cpus, String memory, String kernel, String jdk, String gcc, String perf) {
        static Machine describe() {
            String cpu = "unknown";
            int cpus = 0;
            String mem = "unknown";
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name") && cpu.equals("unknown")) {
                        cpu = line.substring(line.indexOf(':') + 1).trim();
                    }
                    if (line.startsWith("processor")) {
                        cpus++;
                    }
                }
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemTotal:")) {
                        long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        mem = String.format(Locale.ROOT, "%.0f GiB", kib / 1024.0 / 1024.0);
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // leave "unknown"
            }
            String kernel = read("/proc/sys/kernel/osrelease");
            String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.runtime.version");
            return new Machine(cpu, cpus, mem, kernel, jdk, firstLine("gcc", "--version"), firstLine("perf", "--version"));
        }

        static String loadAverage() {
            String s = read("/proc/loadavg");
            String[] f = s.split(" ");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : s;
        }

        private static String read(String path) {
            try {
                return Files.readString(Path.of(path)).trim();
            } catch (IOException e) {
                return "unknown";
            }
        }

        private static String firstLine(String... cmd) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                return p.exitValue() == 0 ? out.lines().findFirst().orElse("?").trim() : "not available";
            } catch (IOException e) {
                return "not available";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "?";
            }
        }
    }

    /** How the run was made. */
    record Meta(Machine machine, String command, Instant started, Duration took, String loadBefore,
                String loadAfter, int rounds, Duration warmup, Duration measure, Duration perf, Integer serverCpu,
                String cNote, String perfNote, List<String> failures, List<Integer> conns, List<Integer> sizes, List<ServerKind> servers) {
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static List<Row> select(List<Row> rows, ServerKind s, int conns, int size) {
        return rows.stream().filter(r -> r.server() == s && r.conns() == conns && r.size() == size).toList();
    }

    /** Median over rounds of {@code metric} for one server and cell. */
    static double medianOf(List<Row> rows, ServerKind s, int conns, int size, ToDoubleFunction<Row> metric) {
        return median(select(rows, s, conns, size).stream().mapToDouble(metric).toArray());
    }

    /** Median over rounds of (metric of {@code s}) / (metric of {@code base}) within the same round. */
    static double medianRatio(List<Row> rows, ServerKind s, ServerKind base, int conns, int size,
                              ToDoubleFunction<Row> metric) {
        return median(ratios(rows, s, base, conns, size, metric));
    }

    /** Per round, in round order: (metric of {@code s}) / (metric of {@code base}). */
    static double[] ratios(List<Row> rows, ServerKind s, ServerKind base, int conns, int size,
                           ToDoubleFunction<Row> metric) {
        List<Row> mine = select(rows, s, conns, size);
        List<Row> theirs = select(rows, base, conns, size);
        List<Double> ratios = new ArrayList<>();
        for (Row a : mine) {
            for (Row b : theirs) {
                if (a.round() == b.round()) {
                    double r = metric.applyAsDouble(a) / metric.applyAsDouble(b);
                    ratios.add(Double.isFinite(r) ? r : Double.NaN); // x / 0 says nothing
                }
            }
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** "median× (round 1, round 2, ...)" */
    private static String ratioWithRounds(List<Row> rows, ServerKind s, ServerKind base, int conns, int size,
                                          ToDoubleFunction<Row> metric) {
        double[] r = ratios(rows, s, base, conns, size, metric);
        StringBuilder b = new StringBuilder(ratio(median(r)));
        if (r.length > 1) {
            b.append(" <sub>(");
            for (int i = 0; i < r.length; i++) {
                b.append(i == 0 ? "" : ", ").append(Double.isFinite(r[i]) ? String.format(Locale.ROOT, "%.2f", r[i]) : "n/a");
            }
            b.append(")</sub>");
        }
        return b.toString();
    }

    static String size(int bytes) {
        return bytes >= 1024 && bytes % 1024 == 0 ? (bytes / 1024) + " KiB" : bytes + " B";
    }

    private static String f(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f×", v);
    }

    static void write(List<Row> rows, Meta m, Path docs) throws IOException {
        ServerKind base = m.servers().contains(ServerKind.MIO) ? ServerKind.MIO : m.servers().getFirst();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: loopback echo\n\n");
        md.append("Generated by `").append(m.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(m.started().atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC in ").append(m.took().toMinutes()).append(" min ").append(m.took().toSecondsPart())
                .append(" s. Raw figures of every round: [benchmarks.csv](benchmarks.csv).\n\n");

        md.append("## Machine\n\n");
        Machine mc = m.machine();
        md.append("| | |\n|---|---|\n");
        md.append("| CPU | ").append(mc.cpu()).append(", ").append(mc.cpus()).append(" cores online |\n");
        md.append("| memory | ").append(mc.memory()).append(" |\n");
        md.append("| kernel | Linux ").append(mc.kernel()).append(" |\n");
        md.append("| JDK | ").append(mc.jdk()).append(" |\n");
        md.append("| C compiler | ").append(mc.gcc()).append(" |\n");
        md.append("| perf | ").append(mc.perf()).append(" |\n");
        md.append("| load average (1/5/15 min) | before: ").append(m.loadBefore()).append("; after: ")
                .append(m.loadAfter()).append(" |\n\n");
        double load = parseLoad(m.loadBefore());
        if (load > 0.3) {
            md.append("**The machine was shared during the run**: its load average was ").append(m.loadBefore())
                    .append(" when the run started (other work was running), so absolute figures are noisy;")
                    .append(" the per-round ratios, measured minutes apart under the same load, are the steadier figures.\n\n");
        }

        md.append("## Method\n\n");
        md.append("- Closed loop over loopback: C connections, each with one message of S bytes in flight (send, wait for the whole echo, check it byte for byte, send again).\n");
        md.append("- Each server runs as its own process").append(m.serverCpu() == null ? "" : ", pinned to CPU " + m.serverCpu() + " with `taskset`")
                .append("; the load generator (one thread on io.mio, the same for every server) runs in the harness process")
                .append(m.serverCpu() == null ? "" : ", pinned to the other CPU").append(".\n");
        md.append("- Per cell: ").append(m.warmup().toMillis()).append(" ms warm-up (one second more in the first cell of each server process, for the JIT), ").append(m.measure().toMillis())
                .append(" ms measured (round trips/s, latency, server CPU), then a separate ").append(m.perf().toMillis())
                .append(" ms window (longer if two cycles of all connections take longer) under `perf stat -e raw_syscalls:sys_enter -e context-switches -p PID`, ")
                .append("attached only after the measured window since its tracepoint slows every syscall down, and switched on after a settle period (at least 300 ms) through its control FIFO. ")
                .append("Syscalls and context switches per round trip come from that window; they count every thread of the server process.\n");
        md.append("- ").append(m.rounds()).append(" rounds; every server is started afresh in each round, in an order rotated every round. Tables give the median over rounds; a ratio is computed within each round, then the median of those ratios is taken.\n");
        md.append("- Server CPU time per round trip: utime/stime deltas of `/proc/PID/stat` over the measured window (all threads, JIT and GC included), in µs. The total is the kernel's precise runtime; its user/system split is sampled at each timer tick, so a split below a few percent reads as 0. RSS: `VmRSS` at the end of the window.\n");
        md.append("- Latency (HdrHistogram): time from send to the end of the echo, as seen by the client: it includes the client's own queueing, which dominates at 1000 connections.\n");
        md.append("- Java servers share JVM options `").append(String.join(" ", ServerProcess.JVM_OPTIONS)).append("`.\n");
        md.append("- Servers: **io.mio** (`MioEchoServer`: one thread, edge-triggered, one shared direct buffer, stops reading at a short read); ")
                .append("**java.nio** (`NioEchoServer`: `Selector.select(Consumer)`, one shared direct buffer, TCP_NODELAY); ")
                .append("**virtual threads** (`VirtualThreadEchoServer`: blocking `java.net.Socket`, one virtual thread per connection); ")
                .append("**Netty epoll** (`NettyEchoServer`: Netty 4.2 native epoll transport, one event-loop thread); ")
                .append("**C epoll** (`epoll_echo.c`, gcc -O2, edge-triggered, in two read modes: *drain* reads until EAGAIN, *short read* stops at a short read)");
        if (m.servers().stream().anyMatch(k -> k.mainClass == WasmEchoServer.class)) {
            md.append("; **wasm guests** (`WasmEchoServer`: a wasm32-wasi module under mio-wasm, i.e. Chicory in compiled mode with every socket call and poll served by io.mio; *echo_guest* is `src/main/wasm/echo_guest.c`: unchanged FD_READ subscriptions on epoll_oneoff or poll_oneoff, echo sent right after the read; *wasm guest* is mio-wasm's Rust `mio_style_server.wasm`, *wasm C guest* its `poll_server.wasm`, both waiting for FD_WRITE before each send)");
        }
        md.append(".\n");
        md.append("- Client CPU: share of the measured window the load generator's thread was on CPU. Near 100 % the client, not the server, bounds the rate: compare CPU per round trip rather than round trips/s there.\n");
        if (m.cNote() != null) {
            md.append("- ").append(m.cNote()).append("\n");
        }
        if (m.perfNote() != null) {
            md.append("- ").append(m.perfNote()).append("\n");
        }
        for (String failure : m.failures()) {
            md.append("- **Failed**: ").append(failure).append("\n");
        }
        md.append("\n");

        md.append("## Headline: cost per round trip relative to io.mio\n\n");
        md.append("Ratio server / io.mio, computed within each round: the median, then each round's ratio in brackets. ")
                .append("For round trips/s above 1 is faster than io.mio; for the costs per round trip (server CPU, syscalls) below 1 is cheaper. ")
                .append("The user/system split comes from tick sampling (see Method): total CPU per round trip is the precise figure.\n\n");
        md.append("| C | S | server | round trips/s | CPU/rt (user + sys) | user CPU/rt | system CPU/rt | syscalls/rt |\n|---|---|---|---|---|---|---|---|\n");
        for (int c : m.conns()) {
            for (int s : m.sizes()) {
                for (ServerKind k : m.servers()) {
                    if (k == base) {
                        continue;
                    }
                    md.append("| ").append(c).append(" | ").append(size(s)).append(" | ").append(k.label).append(" | ")
                            .append(ratioWithRounds(rows, k, base, c, s, Row::roundTripsPerSecond)).append(" | ")
                            .append(ratioWithRounds(rows, k, base, c, s, Row::cpuMicrosPerRt)).append(" | ")
                            .append(ratioWithRounds(rows, k, base, c, s, Row::userMicrosPerRt)).append(" | ")
                            .append(ratioWithRounds(rows, k, base, c, s, Row::sysMicrosPerRt)).append(" | ")
                            .append(ratioWithRounds(rows, k, base, c, s, Row::syscallsPerRt)).append(" |\n");
                }
            }
        }
        md.append("\n");

        md.append("## Results\n\n");
        for (int c : m.conns()) {
            for (int s : m.sizes()) {
                md.append("### C = ").append(c).append(", S = ").append(size(s)).append("\n\n");
                md.append("| server | round trips/s | × io.mio | CPU µs/rt | p50 µs | p99 µs | p99.9 µs | user µs/rt | sys µs/rt | syscalls/rt | ctx switches/rt | RSS MiB | client CPU |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (ServerKind k : m.servers()) {
                    md.append("| ").append(k.label)
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::roundTripsPerSecond), 0))
                            .append(" | ").append(ratio(medianRatio(rows, k, base, c, s, Row::roundTripsPerSecond)))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::cpuMicrosPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::p50Micros), 1))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::p99Micros), 1))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::p999Micros), 1))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::userMicrosPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::sysMicrosPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::syscallsPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::contextSwitchesPerRt), 3))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::rssMiB), 0))
                            .append(" | ").append(f(100 * medianOf(rows, k, c, s, Row::clientCpuShare), 0)).append(" %")
                            .append(" |\n");
                }
                md.append("\n");
            }
        }

        md.append("## Charts\n\n");
        chart(rows, m, docs.resolve("benchmarks-throughput.png"), "Round trips per second (median)", "round trips/s",
                Row::roundTripsPerSecond, false);
        chart(rows, m, docs.resolve("benchmarks-cpu.png"), "Server CPU per round trip, user + system (median)", "µs",
                Row::cpuMicrosPerRt, false);
        chart(rows, m, docs.resolve("benchmarks-syscalls.png"), "Server syscalls per round trip (median)", "syscalls",
                Row::syscallsPerRt, false);
        chart(rows, m, docs.resolve("benchmarks-latency-p99.png"), "Latency p99 seen by the client (median, log scale)", "µs",
                Row::p99Micros, true);
        int splitConns = m.conns().contains(64) ? 64 : m.conns().getFirst();
        int splitSize = m.sizes().getFirst();
        splitChart(rows, m, docs.resolve("benchmarks-cpu-split.png"), splitConns, splitSize);
        md.append("![round trips per second](benchmarks-throughput.png)\n\n");
        md.append("![server CPU per round trip](benchmarks-cpu.png)\n\n");
        md.append("![user and system CPU per round trip](benchmarks-cpu-split.png)\n\n");
        md.append("![syscalls per round trip](benchmarks-syscalls.png)\n\n");
        md.append("![p99 latency](benchmarks-latency-p99.png)\n\n");

        md.append("## Microbenchmarks\n\n`scripts/jmh.sh` runs JMH microbenchmarks (poll with 0/1/64 ready events, wake to event, ")
                .append("64-byte read and write with heap, direct and byte[] buffers against SocketChannel, all with `-prof gc`) ")
                .append("and writes [benchmarks-jmh.md](benchmarks-jmh.md).\n\n");
        md.append("## Reproduce\n\n```\n").append(m.command()).append("\n```\n\n");
        md.append("`scripts/bench.sh --smoke` only checks that every server starts and echoes correctly (no timings); ")
                .append("`scripts/bench.sh --full` adds 10000 connections. The servers and the harness are in `mio-bench/`.\n");
        Files.writeString(docs.resolve("benchmarks.md"), md.toString());
    }

    private static double parseLoad(String load) {
        try {
            return Double.parseDouble(load.split(" ")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** User and system CPU per round trip, stacked, one bar per server, for one cell. */
    private static void splitChart(List<Row> rows, Meta m, Path file, int conns, int size) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ServerKind k : m.servers()) {
            double user = medianOf(rows, k, conns, size, Row::userMicrosPerRt);
            double sys = medianOf(rows, k, conns, size, Row::sysMicrosPerRt);
            data.addValue(Double.isNaN(user) ? null : user, "user", k.label);
            data.addValue(Double.isNaN(sys) ? null : sys, "system", k.label);
        }
        JFreeChart chart = ChartFactory.createStackedBarChart(
                "Server CPU per round trip, user and system (median), C=" + conns + ", " + size(size), null, "µs",
                data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, new Color(0xFF7F0E));
        renderer.setSeriesPaint(1, new Color(0x1F77B4));
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 450);
    }

    private static final Color[] PALETTE = {
            new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
            new Color(0x7F7F7F), new Color(0x444444)};

    private static void chart(List<Row> rows, Meta m, Path file, String title, String axis, ToDoubleFunction<Row> metric,
                              boolean log) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int c : m.conns()) {
            for (int s : m.sizes()) {
                String category = "C=" + c + ", " + size(s);
                for (ServerKind k : m.servers()) {
                    double v = medianOf(rows, k, c, s, metric);
                    data.addValue(Double.isNaN(v) ? null : v, k.label, category);
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        CategoryAxis domain = plot.getDomainAxis();
        domain.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        if (log) {
            LogarithmicAxis logAxis = new LogarithmicAxis(axis);
            logAxis.setAllowNegativesFlag(false);
            logAxis.setStrictValuesFlag(false);
            plot.setRangeAxis(logAxis);
        }
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.02);
        for (int i = 0; i < m.servers().size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[m.servers().get(i).ordinal() % PALETTE.length]);
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 500);
    }
}
