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
    record Machine(String cpu, int cpus, String memory, String kernel, String jdk, String gcc, String perf,
                   String wasmedge) {
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
            return new Machine(cpu, cpus, mem, kernel, jdk, firstLine("gcc", "--version"), firstLine("perf", "--version"),
                    WasiExamples.wasmedgeVersion());
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
                String cNote, String perfNote, List<String> failures, List<Integer> conns, List<Integer> sizes, List<ServerKind> servers,
                List<Integer> wasmConns, List<Integer> wasmSizes, Duration echoTook, List<String> notes) {
    }

    /** The report's section of the wasm guests, and the CSV of a run of that section alone ({@code --part wasm}). */
    static final String WASM_HEADING = "## WebAssembly guest";
    static final String WASM_CSV = "benchmarks-wasm.csv";
    /** Its subsection on the Java examples compiled to wasm32-wasi (sizes, start-up), written by {@link WasiStartup}. */
    static final String WASI_HEADING = "### Java compiled to wasm32-wasi";
    /** The sections after the WebAssembly one, in order: where it goes when the report has none yet. */
    private static final List<String> AFTER_WASM = List.of("## Scale: idle connections", "## User-space CPU",
            "## Microbenchmarks", "## Reproduce");

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

    /** Whether {@code s} has figures in the cell. */
    private static boolean has(List<Row> rows, ServerKind s, int conns, int size) {
        return !select(rows, s, conns, size).isEmpty();
    }

    static void write(List<Row> rows, Meta m, Scale.Result scale, Path docs) throws IOException {
        // The subsection on the Java examples compiled to wasm comes from its own part (--part wasi-startup): kept.
        String wasi = subsection(existing(docs), WASI_HEADING);
        // So does the section on many guests per JVM and Nagle (--part wasm-density, WasmDensity).
        String density = subsection(existing(docs), WasmDensity.HEADING);
        // And the io_uring targets measured in paired rounds (--part uring-targets, PairedTargets).
        String paired = subsection(existing(docs), PairedTargets.HEADING);
        boolean echo = !m.servers().isEmpty();
        ServerKind base = m.servers().contains(ServerKind.MIO) || !echo ? ServerKind.MIO : m.servers().getFirst();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: loopback echo").append(scale != null ? ", idle connections" : "").append("\n\n");
        md.append("Generated by `").append(m.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(m.started().atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC in ").append(minSec(m.took()));
        if (echo && scale != null) {
            md.append(" (echo part ").append(minSec(m.echoTook())).append(", scale part ").append(minSec(scale.took())).append(")");
        }
        md.append(". Raw figures of every round:");
        if (echo) {
            md.append(" [benchmarks.csv](benchmarks.csv)");
        }
        if (scale != null) {
            md.append(echo ? " and" : "").append(" [benchmarks-scale.csv](benchmarks-scale.csv) (scale part)");
        }
        md.append(".\n\n");

        md.append("## Machine\n\n");
        Machine mc = m.machine();
        md.append("| | |\n|---|---|\n");
        md.append("| CPU | ").append(mc.cpu()).append(", ").append(mc.cpus()).append(" cores online |\n");
        md.append("| memory | ").append(mc.memory()).append(" |\n");
        md.append("| kernel | Linux ").append(mc.kernel()).append(" |\n");
        md.append("| JDK | ").append(mc.jdk()).append(" |\n");
        md.append("| C compiler | ").append(mc.gcc()).append(" |\n");
        md.append("| perf | ").append(mc.perf()).append(" |\n");
        md.append("| WasmEdge | ").append(mc.wasmedge()).append(" |\n");
        if (scale != null) {
            md.append("| open-file limit (RLIMIT_NOFILE) | soft ").append(limit(scale.fdLimitSoft())).append(", hard ")
                    .append(limit(scale.fdLimitHard())).append(" |\n");
        }
        md.append("| load average (1/5/15 min) | before: ").append(m.loadBefore()).append("; after: ")
                .append(m.loadAfter()).append(" |\n\n");
        double load = parseLoad(m.loadBefore());
        if (load > 0.3) {
            md.append("**The machine may have been shared**: its load average was ").append(m.loadBefore())
                    .append(" when the run started (other work was running, or had run in the minutes before: the figure decays")
                    .append(" slowly), so absolute figures may be noisy;")
                    .append(" the per-round ratios, measured minutes apart under the same load, are the steadier figures.\n\n");
        }

        md.append("## Method\n\n");
        if (echo) {
            echoMethod(md, m);
        }
        if (scale != null) {
            scaleMethod(md, m, scale);
        }
        if (m.cNote() != null) {
            md.append("- ").append(m.cNote()).append("\n");
        }
        if (m.perfNote() != null) {
            md.append("- ").append(m.perfNote()).append("\n");
        }
        for (String note : m.notes()) {
            md.append("- ").append(note).append("\n");
        }
        for (String failure : m.failures()) {
            md.append("- **Failed**: ").append(failure).append("\n");
        }
        if (scale != null) {
            for (String failure : scale.failures()) {
                md.append("- **Failed**: ").append(failure).append("\n");
            }
        }
        md.append("\n");

        if (echo) {
            echoSections(md, rows, m, base, docs);
            UringReport.section(md, rows, m);
        }
        if (paired != null) {
            md.append(paired);
        }
        if (m.servers().stream().anyMatch(ServerKind::isWasm)) {
            wasmSection(md, rows, m, base);
            if (wasi != null) {
                md.append(wasi);
            }
        } else if (wasi != null) {
            md.append(WASM_HEADING).append("\n\nNo wasm guest ran in this run's echo part.\n\n").append(wasi);
        }
        if (density != null) {
            md.append(density);
        }
        if (scale != null) {
            scaleSection(md, scale, m, docs);
        }

        // The HTTP part writes its own section (HttpReport); a run of the other parts keeps the last one.
        md.append(HttpReport.preserved(docs.resolve("benchmarks.md")));
        md.append("## User-space CPU\n\n")
                .append("The user/system split above is sampled at 100 Hz ticks, too coarse for what a library adds in user space. ")
                .append("`scripts/bench-user-cpu.sh` measures it by sampling each server with `perf record -e cpu-clock` at 10 kHz, ")
                .append("judges the issue's user-CPU targets (at most 0.5× java.nio's, at most 0.35× Netty epoll's) on the time above ")
                .append("the C server's, and shows each server's user-space profile and what io.mio and java.nio add to the bare ")
                .append("syscall: [benchmarks-user-cpu.md](benchmarks-user-cpu.md).\n\n");
        md.append("## TLS\n\n")
                .append("`scripts/bench.sh --servers mio-tls,netty-tls` runs TLS 1.3 echo servers (the load generator then speaks ")
                .append("TLS 1.3 with TLS_AES_128_GCM_SHA256): io.mio's `TlsStream` against Netty's `SslHandler`, both on the JDK's ")
                .append("SSLEngine. Figures, the command, the machine and why they are noisy: [benchmarks-tls.md](benchmarks-tls.md).\n\n");
        md.append("## Microbenchmarks\n\n`scripts/jmh.sh` runs JMH microbenchmarks (poll with 0/1/64 ready events, ")
                .append("a poll that finds nothing with 0 to 10000 idle sockets registered, wake to event, ")
                .append("64-byte read and write with heap, direct and byte[] buffers against SocketChannel, all with `-prof gc`) ")
                .append("and writes [benchmarks-jmh.md](benchmarks-jmh.md).\n\n");
        md.append("## Reproduce\n\n```\n").append(m.command()).append("\n```\n\n");
        md.append("`scripts/bench.sh --smoke` only checks that every server starts and echoes correctly, and holds ")
                .append(Bench.SMOKE_IDLE).append(" idle connections while ").append(Bench.SMOKE_ACTIVE)
                .append(" others echo (no timings); `scripts/bench.sh --full` adds 10000 connections to the echo part; ")
                .append("`--part echo`, `--part scale` or `--part http` runs one part only; `--part wasm` runs io.mio and the wasm guests")
                .append(" and replaces only the [WebAssembly section](#webassembly-guest), `--part wasi-startup` only its")
                .append(" subsection on the Java examples compiled to wasm32-wasi (sizes, start-up time).")
                .append(" The servers and the harness are in `mio-bench/`.\n");
        Files.writeString(docs.resolve("benchmarks.md"), md.toString());
    }

    private static String minSec(Duration d) {
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private static String limit(long v) {
        return v == Long.MAX_VALUE ? "unlimited" : Long.toString(v);
    }

    private static void echoMethod(StringBuilder md, Meta m) {
        md.append("Echo part:\n\n");
        md.append("- Closed loop over loopback: C connections, each with one message of S bytes in flight (send, wait for the whole echo, check it byte for byte, send again).\n");
        md.append("- Each server runs as its own process").append(m.serverCpu() == null ? "" : ", pinned to CPU " + m.serverCpu() + " with `taskset`")
                .append("; the load generator (one thread on io.mio, the same for every server) runs in the harness process")
                .append(m.serverCpu() == null ? "" : ", pinned to the other CPU").append(".\n");
        md.append("- Each server process first echoes 64 B on ").append(Bench.PROCESS_WARMUP_CONNS).append(" connections for ")
                .append(Bench.processWarmup(ServerKind.MIO).toSeconds()).append(" s, for the JIT (")
                .append(Bench.processWarmup(ServerKind.WASM_ECHO).toSeconds())
                .append(" s for a wasm guest on mio-wasm, in turns of new connections as below since closing connections deoptimized the guest's compiled code: its module, compiled to JVM bytecode, is more code to JIT, and with less its first cells measured the JIT at work; as long for a TLS server, whose round trips cost some ten times more; ")
                .append(Bench.processWarmup(ServerKind.WASI_TCP).toSeconds())
                .append(" s for the Java TcpServer compiled to wasm, a much larger module, in turns of 64 connections for ")
                .append(Bench.WASI_WARMUP_MANY.toMillis()).append(" ms and 1 for ").append(Bench.WASI_WARMUP_ONE.toMillis())
                .append(" ms, since after one long run of 64 its first second at 1 connection still had the JIT at work; ")
                .append(Bench.processWarmup(ServerKind.WASI_TCP_WASMEDGE).toSeconds())
                .append(" s on WasmEdge AOT, no JIT there). A Java server then goes on echoing in slices of ")
                .append(Bench.JIT_SLICE.toMillis()).append(" ms until its JIT compiler threads use at most ")
                .append(Bench.JIT_SETTLED_TICKS * 1000 / ProcStat.CLOCK_TICKS).append(" ms of a slice (at most ")
                .append(Bench.JIT_SETTLE_MAX.toSeconds()).append(" s more): the CPU per round trip counts every thread, and a fixed warm-up left C2 compiling in some servers' first cells.\n");
        md.append("- Per cell: ").append(m.warmup().toMillis()).append(" ms warm-up, ").append(m.measure().toMillis())
                .append(" ms measured (round trips/s, latency, server CPU), then a separate ").append(m.perf().toMillis())
                .append(" ms window (longer if two cycles of all connections take longer) under `perf stat -e raw_syscalls:sys_enter -e context-switches -p PID`, ")
                .append("attached only after the measured window since its tracepoint slows every syscall down, and switched on after a settle period (at least 300 ms) through its control FIFO. ")
                .append("Syscalls and context switches per round trip come from that window; they count every thread of the server process. ")
                .append("(The default windows, 500 + 800 + 400 ms, were cut from 1000 + 1500 + 500 ms when the wasm guests and the scale part joined the default run, to keep it near 8 minutes on 2 cores.)\n");
        md.append("- ").append(m.rounds()).append(" rounds; every server is started afresh in each round, in an order rotated every round. Tables give the median over rounds; a ratio is computed within each round, then the median of those ratios is taken.\n");
        md.append("- Server CPU time per round trip: utime/stime deltas of `/proc/PID/stat` over the measured window (all threads, JIT and GC included), in µs. The total is the kernel's precise runtime; its user/system split is sampled at each timer tick, so a split below a few percent reads as 0. RSS: `VmRSS` at the end of the window.\n");
        md.append("- Latency (HdrHistogram): time from send to the end of the echo, as seen by the client: it includes the client's own queueing, which dominates at 1000 connections.\n");
        md.append("- Java servers share JVM options `").append(String.join(" ", ServerProcess.JVM_OPTIONS)).append("`.\n");
        md.append("- Servers: **io.mio** (`MioEchoServer`: one thread, edge-triggered, one shared direct buffer, stops reading at a short read); ");
        if (m.servers().contains(ServerKind.MIO_SELECTOR)) {
            md.append("**io.mio, Selector backend** (the same `MioEchoServer` with `-Dio.mio.backend=selector`: io.mio's portable backend on the JDK's `Selector`); ");
        }
        if (m.servers().contains(ServerKind.MIO_URING)) {
            md.append("**io.mio, io_uring backend** (the same `MioEchoServer` with `-Dio.mio.backend=uring`: readiness from one multishot poll per registration, TCP reads from a provided-buffer ring filled by a multishot receive, writes queued as `SEND` entries that leave with the next poll's `io_uring_enter`, one `io_uring_enter` per poll; see [its targets](#io_uring-backend-targets)); ");
        }
        if (m.servers().contains(ServerKind.MIO_URING_SEND_CALLS)) {
            md.append("**io.mio, io_uring backend, send(2) writes** (the same with `-Dio.mio.uring.queuedSends=false` too: each write is a `send(2)`, as on EPOLL); ");
        }
        if (m.servers().contains(ServerKind.MIO_JFR)) {
            md.append("**io.mio, JFR recording** (the same `MioEchoServer` started with `-XX:StartFlightRecording=settings=default`: a continuous recording with the JDK's default settings, io.mio's own events `io.mio.PollWait` and `io.mio.Registration` on, as they are by default); ");
        }
        md.append("**java.nio** (`NioEchoServer`: `Selector.select(Consumer)`, one shared direct buffer, TCP_NODELAY); ")
                .append("**virtual threads** (`VirtualThreadEchoServer`: blocking `java.net.Socket`, one virtual thread per connection); ")
                .append("**Netty epoll** (`NettyEchoServer`: Netty 4.2 native epoll transport, one event-loop thread); ")
                .append("**C epoll** (`epoll_echo.c`, gcc -O2, edge-triggered, in two read modes: *drain* reads until EAGAIN, *short read* stops at a short read)");
        if (m.servers().stream().anyMatch(ServerKind::isUring)) {
            md.append("; **Netty io_uring** (`NettyUringEchoServer`: the same handler on Netty 4.2.18's io_uring transport, its defaults;"
                    + " *buffer ring*: its channels receive into a provided buffer ring of 4096 buffers)"
                    + "; **C io_uring** (`uring_echo.c`, gcc -O2 with liburing: multishot accept, multishot receive into a provided"
                    + " buffer ring of 4096 x 4 KiB shared by all connections, one send per received chunk from its buffer, one"
                    + " `io_uring_submit_and_wait` per loop; *DEFER_TASKRUN*: its ring set up with IORING_SETUP_SINGLE_ISSUER |"
                    + " IORING_SETUP_DEFER_TASKRUN)");
        }
        if (m.servers().stream().anyMatch(ServerKind::isWasm)) {
            md.append("; **wasm guests** (`WasmEchoServer`, see [WebAssembly guest](#webassembly-guest))");
        }
        if (m.servers().stream().anyMatch(ServerKind::isTls)) {
            md.append("; **TLS 1.3** servers, to which the load generator speaks TLS 1.3 with TLS_AES_128_GCM_SHA256 only: "
                    + "**io.mio TlsStream** (`MioTlsEchoServer`: mio-tls's `TlsStream` over the JDK's SSLEngine, shaped like "
                    + "`MioEchoServer` but reading until 0, one shared heap buffer) and **Netty SslHandler (JDK)** "
                    + "(`NettyTlsEchoServer`: `NettyEchoServer` with an `SslHandler` on `SslProvider.JDK`)");
        }
        md.append(".\n");
        if (m.servers().stream().anyMatch(ServerKind::isWasm)) {
            md.append("- The wasm guests run only the cells C ∈ ").append(m.wasmConns()).append(", S ∈ ")
                    .append(m.wasmSizes().stream().map(Report::size).toList())
                    .append(" (`--wasm-conns`, `--wasm-sizes`): their targets are about those, and the run stays short.\n");
        }
        md.append("- Client CPU: share of the measured window the load generator's thread was on CPU. Near 100 % the client, not the server, bounds the rate: compare CPU per round trip rather than round trips/s there.\n\n");
    }

    private static void echoSections(StringBuilder md, List<Row> rows, Meta m, ServerKind base, Path docs) throws IOException {
        md.append("## Headline: cost per round trip relative to io.mio\n\n");
        md.append("Ratio server / io.mio, computed within each round: the median, then each round's ratio in brackets. ")
                .append("For round trips/s above 1 is faster than io.mio; for the costs per round trip (server CPU, syscalls) below 1 is cheaper. ")
                .append("The user/system split comes from tick sampling (see Method): total CPU per round trip is the precise figure.\n\n");
        md.append("| C | S | server | round trips/s | CPU/rt (user + sys) | user CPU/rt | system CPU/rt | syscalls/rt |\n|---|---|---|---|---|---|---|---|\n");
        for (int c : m.conns()) {
            for (int s : m.sizes()) {
                for (ServerKind k : m.servers()) {
                    if (k == base || !has(rows, k, c, s)) {
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
                    if (!has(rows, k, c, s)) {
                        continue;
                    }
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
    }

    // ---- WebAssembly guests -------------------------------------------------------------------------

    /** Target: a wasm echo guest's CPU per round trip at most this many times io.mio's native server's. */
    static final double WASM_CPU_TARGET = 2.0;
    /** Target: at most this many syscalls per round trip for a wasm echo guest. */
    static final double WASM_SYSCALL_TARGET = 3.0;

    private static String guestDescription(ServerKind k) {
        return switch (k) {
            case WASM_ECHO -> "`mio-bench/src/main/wasm/echo_guest.c`, the benchmark's own guest, written as a fast event loop on"
                    + " WasmEdge's socket API would be: edge-triggered `epoll_oneoff` (mio_wasi's `epoll` feature) with one FD_READ"
                    + " subscription per socket that stays the same from call to call, one shared 64 KiB buffer, reading stopped at"
                    + " a short read, the echo sent right after the read (FD_WRITE only after a send that would block), no clock subscription";
            case WASM_ECHO_POLL -> "the same guest waiting with level-triggered `poll_oneoff` (served from one edge-triggered"
                    + " registration per socket and the readiness the host keeps across calls: no epoll_ctl per call)";
            case WASM -> "mio-wasm's test guest `mio_style_server.wasm` (Rust, mio_wasi's call shapes) on `poll_oneoff`: it reads,"
                    + " then waits for FD_WRITE before every send (two waits per round trip), and adds a 100 ms clock subscription to every wait";
            case WASM_EPOLL -> "the same Rust guest on edge-triggered `epoll_oneoff`";
            case WASM_C -> "mio-wasm's example `poll_server.wasm` (C on wasi-libc's `poll()`, read / wait for FD_WRITE / send,"
                    + " 8 KiB buffer; at most 16 connections)";
            case WASI_TCP -> "mio-examples' `TcpServer`, the very Java source the JVM runs (its `EchoLoop`: edge-triggered,"
                    + " a 64 KiB direct buffer per connection, reading stopped at a short read), compiled to wasm32-wasi by TeaVM"
                    + " 0.13.1 with io.mio's WASI backend (mio-wasi: `Poll` over `poll_oneoff`, edge-triggered emulated as the"
                    + " Selector backend does) by mio-wasi-examples' Maven build, which scripts/bench.sh runs first"
                    + " (`" + WasiExamples.BUILD_DIR + "/" + WasiExamples.TCP_SERVER + "`; nothing committed). Started as a user"
                    + " starts it, with the port as its only argument: `WasmEchoServer --wasi-example tcp_server.wasm PORT`";
            case WASI_TCP_WASMEDGE -> "the same `tcp_server.wasm` on WasmEdge, for comparison: compiled ahead of time once"
                    + " (`wasmedge compile tcp_server.wasm tcp_server.so`) and run as the server process itself, no JVM"
                    + " (`wasmedge --run-mode=aot tcp_server.so PORT`). Its syscalls are WasmEdge's: 0.17.1's `poll_oneoff`"
                    + " adds every subscribed socket to an epoll set and removes it again (`epoll_ctl` twice per socket and"
                    + " call); `strace -c -f` of one connection counted, per round trip, 2 `epoll_ctl`, 1 `ioctl`, 1 `epoll_wait`,"
                    + " 1 `recvmsg`, 1 `sendmsg` (4 more, 2 `epoll_ctl` and 2 `timerfd_settime` for a timerfd, before io.mio's WASI"
                    + " backend stopped adding a clock subscription to waits without a timeout). WasmEdge leaves Nagle's algorithm on (the guest's `setNodelay`"
                    + " is unsupported under WASI; mio-wasm sets TCP_NODELAY), which holds nothing back with one message in"
                    + " flight per connection";
            case WASM_ECHO_WASMEDGE -> "`echo_guest.wasm` on WasmEdge, for comparison (issue 12, item 7): compiled ahead of time"
                    + " once per run into a temporary directory (`wasmedge compile echo_guest.wasm echo_guest.so`) and run as the"
                    + " server process itself, no JVM (`wasmedge --run-mode=aot echo_guest.so PORT COUNT`; WasmEdge 0.17.1"
                    + " serves `epoll_oneoff`)";
            case WASM_ECHO_POLL_WASMEDGE -> "the same on WasmEdge AOT waiting with `poll_oneoff`"
                    + " (`wasmedge --run-mode=aot echo_guest.so PORT COUNT poll`)";
            default -> "";
        };
    }

    /** Issue 12, item 7: echo_guest's CPU per round trip on mio-wasm at most this many times io.mio's native server's. */
    static final double ITEM7_NATIVE_TARGET = 1.1;
    /** Issue 12, item 7: echo_guest's CPU per round trip on mio-wasm at most this many times the same guest's on WasmEdge AOT. */
    static final double ITEM7_WASMEDGE_TARGET = 0.6;

    /**
     * The verdict on per-round ratios against {@code target}: met when their median is within it, with the rounds
     * over it named (1-based): "met", "met (round 2 over)", "**not met** (rounds 1, 3 over)"; "n/a" without ratios.
     */
    static String roundsVerdict(double[] ratios, double target) {
        double median = median(ratios);
        if (Double.isNaN(median)) {
            return "n/a";
        }
        List<String> over = new ArrayList<>();
        for (int i = 0; i < ratios.length; i++) {
            if (ratios[i] > target) {
                over.add(Integer.toString(i + 1));
            }
        }
        String verdict = median <= target ? "met" : "**not met**";
        return over.isEmpty() ? verdict
                : verdict + " (round" + (over.size() > 1 ? "s " : " ") + String.join(", ", over) + " over)";
    }

    /**
     * Item 7's targets for the guests that also ran on WasmEdge AOT: CPU per round trip against io.mio native and
     * against the same guest on WasmEdge, within each round.
     */
    private static void item7Targets(StringBuilder md, List<Row> rows, Meta m, ServerKind base) {
        List<String> lines = new ArrayList<>();
        for (ServerKind k : m.servers()) {
            ServerKind twin = k.wasmEdgeTwin();
            if (twin == null || k == ServerKind.WASI_TCP) {
                continue;
            }
            for (int c : m.conns()) {
                for (int s : m.sizes()) {
                    if (!has(rows, k, c, s)) {
                        continue;
                    }
                    boolean haveNative = m.servers().contains(base) && has(rows, base, c, s);
                    boolean haveEdge = m.servers().contains(twin) && has(rows, twin, c, s);
                    double[] toNative = haveNative ? ratios(rows, k, base, c, s, Row::cpuMicrosPerRt) : new double[0];
                    double[] toEdge = haveEdge ? ratios(rows, k, twin, c, s, Row::cpuMicrosPerRt) : new double[0];
                    lines.add("| " + c + " | " + size(s) + " | " + k.label
                            + " | " + (haveNative ? ratioWithRounds(rows, k, base, c, s, Row::cpuMicrosPerRt) : "n/a")
                            + " | " + roundsVerdict(toNative, ITEM7_NATIVE_TARGET)
                            + " | " + (haveEdge ? f(medianOf(rows, twin, c, s, Row::cpuMicrosPerRt), 2) : "n/a")
                            + " | " + (haveEdge ? ratioWithRounds(rows, k, twin, c, s, Row::cpuMicrosPerRt) : "n/a")
                            + " | " + roundsVerdict(toEdge, ITEM7_WASMEDGE_TARGET) + " |");
                }
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        md.append("**Issue 12, item 7** (the echo guest on mio-wasm): CPU per round trip at most **")
                .append(f(ITEM7_NATIVE_TARGET, 1)).append("× io.mio native** and at most **").append(f(ITEM7_WASMEDGE_TARGET, 1))
                .append("× the same guest on WasmEdge AOT**, both ratios within each round (median, then each round's in")
                .append(" brackets; the rounds over a target are named).\n\n");
        md.append("| C | S | guest on mio-wasm | CPU/rt ÷ io.mio | ≤ ").append(f(ITEM7_NATIVE_TARGET, 1))
                .append("×? | WasmEdge AOT CPU µs/rt | CPU/rt ÷ WasmEdge AOT | ≤ ").append(f(ITEM7_WASMEDGE_TARGET, 1)).append("×? |\n");
        md.append("|---|---|---|---|---|---:|---|---|\n");
        for (String line : lines) {
            md.append(line).append("\n");
        }
        md.append("\n");
    }

    private static void wasmSection(StringBuilder md, List<Row> rows, Meta m, ServerKind base) {
        wasmSection(md, rows, m, base, null);
    }

    /**
     * The WebAssembly section; {@code provenance}, when the section is written alone ({@code --part wasm}), says
     * where its figures come from, since the rest of the page comes from another run.
     */
    private static void wasmSection(StringBuilder md, List<Row> rows, Meta m, ServerKind base, String provenance) {
        List<ServerKind> guests = m.servers().stream().filter(ServerKind::isWasm).toList();
        boolean haveBase = m.servers().contains(ServerKind.MIO);
        md.append(WASM_HEADING).append("\n\n");
        if (provenance != null) {
            md.append(provenance);
        }
        md.append("**Targets**: a wasm echo guest server's CPU per round trip at most **").append(f(WASM_CPU_TARGET, 0))
                .append("× io.mio's native echo server** (`MioEchoServer`) measured in the same run, and at most **")
                .append(f(WASM_SYSCALL_TARGET, 0)).append(" syscalls per round trip**.\n\n");
        md.append("Each guest runs as its own process like the other servers: `io.mio.bench.WasmEchoServer GUEST.wasm [mode] PORT` loads")
                .append(" the guest into mio-wasm's `WasmRunner` (Chicory, the module compiled to JVM bytecode at start-up; every socket")
                .append(" call and every `poll_oneoff`/`epoll_oneoff` served by io.mio's `Poll`), in a sandbox that allows binding 127.0.0.1")
                .append(" only, with the same JVM options as the other Java servers")
                .append(guests.stream().anyMatch(ServerKind::isWasmEdge)
                        ? "; the WasmEdge row is `wasmedge` itself as the server process (CPU, syscalls and RSS are its own)" : "")
                .append(". Guests in this run:\n\n");
        for (ServerKind k : guests) {
            md.append("- **").append(k.label).append("** (`--servers ").append(k.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .append("`): ").append(guestDescription(k)).append(".\n");
        }
        for (String note : m.notes()) {
            md.append("- **Not run**: ").append(note).append(".\n");
        }
        md.append("\nCPU/rt ÷ io.mio is computed within each round (guest and io.mio measured minutes apart under the same load):")
                .append(" the median, then each round's ratio in brackets. A target is met when the median is within it;")
                .append(" the rounds over it are named. Syscalls per round trip: median over rounds (io.mio's in brackets).\n\n");
        md.append("| C | S | guest | CPU µs/rt | CPU/rt ÷ io.mio | ≤ ").append(f(WASM_CPU_TARGET, 0))
                .append("×? | syscalls/rt | ≤ ").append(f(WASM_SYSCALL_TARGET, 0))
                .append("? | round trips/s | user µs/rt | sys µs/rt | ctx switches/rt | RSS MiB |\n");
        md.append("|---|---|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|\n");
        List<String> summary = new ArrayList<>();
        for (ServerKind k : guests) {
            int cells = 0;
            int cpuMet = 0;
            int sysMet = 0;
            for (int c : m.conns()) {
                for (int s : m.sizes()) {
                    if (!has(rows, k, c, s)) {
                        continue;
                    }
                    cells++;
                    double[] r = haveBase ? ratios(rows, k, base, c, s, Row::cpuMicrosPerRt) : new double[0];
                    double cpuRatio = median(r);
                    String cpuVerdict;
                    if (Double.isNaN(cpuRatio)) {
                        cpuVerdict = haveBase ? "n/a" : "n/a (io.mio not in the run)";
                    } else {
                        boolean met = cpuRatio <= WASM_CPU_TARGET;
                        cpuMet += met ? 1 : 0;
                        List<String> over = new ArrayList<>();
                        for (int i = 0; i < r.length; i++) {
                            if (r[i] > WASM_CPU_TARGET) {
                                over.add(Integer.toString(i + 1));
                            }
                        }
                        cpuVerdict = (met ? "met" : "**not met**")
                                + (over.isEmpty() || !met ? "" : " (round " + String.join(", ", over) + " over)");
                    }
                    double sys = medianOf(rows, k, c, s, Row::syscallsPerRt);
                    String sysVerdict = Double.isNaN(sys) ? "n/a" : sys <= WASM_SYSCALL_TARGET + 0.005 ? "met" : "**not met**";
                    sysMet += !Double.isNaN(sys) && sys <= WASM_SYSCALL_TARGET + 0.005 ? 1 : 0;
                    md.append("| ").append(c).append(" | ").append(size(s)).append(" | ").append(k.label)
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::cpuMicrosPerRt), 2))
                            .append(" | ").append(haveBase ? ratioWithRounds(rows, k, base, c, s, Row::cpuMicrosPerRt) : "n/a")
                            .append(" | ").append(cpuVerdict)
                            .append(" | ").append(f(sys, 2));
                    if (haveBase) {
                        md.append(" <sub>(").append(f(medianOf(rows, base, c, s, Row::syscallsPerRt), 2)).append(")</sub>");
                    }
                    md.append(" | ").append(sysVerdict)
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::roundTripsPerSecond), 0))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::userMicrosPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::sysMicrosPerRt), 2))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::contextSwitchesPerRt), 3))
                            .append(" | ").append(f(medianOf(rows, k, c, s, Row::rssMiB), 0)).append(" |\n");
                }
            }
            if (cells > 0) {
                summary.add("- **" + k.label + "**: CPU target " + (haveBase ? "met in " + cpuMet + " of " + cells + " cells" : "n/a")
                        + ", syscall target met in " + sysMet + " of " + cells + " cells.");
            }
        }
        md.append("\n");
        if (haveBase && m.servers().contains(ServerKind.MIO)) {
            md.append("For reference, io.mio native in the same cells: ");
            List<String> ref = new ArrayList<>();
            for (int c : m.conns()) {
                for (int s : m.sizes()) {
                    if (guests.stream().anyMatch(k -> has(rows, k, c, s)) && has(rows, ServerKind.MIO, c, s)) {
                        ref.add("C = " + c + ", " + size(s) + ": " + f(medianOf(rows, ServerKind.MIO, c, s, Row::cpuMicrosPerRt), 2)
                                + " µs/rt, " + f(medianOf(rows, ServerKind.MIO, c, s, Row::syscallsPerRt), 2) + " syscalls/rt");
                    }
                }
            }
            md.append(String.join("; ", ref)).append(".\n\n");
        }
        md.append(String.join("\n", summary)).append("\n\n");
        item7Targets(md, rows, m, base);
    }

    /**
     * {@code --part wasm}: replaces the WebAssembly section of {@code docs/benchmarks.md} with this run's (the
     * subsection on the Java examples compiled to wasm32-wasi kept), leaving the rest of the report as it is.
     */
    static void writeWasmSection(List<Row> rows, Meta m, Path docs) throws IOException {
        String md = existing(docs);
        String wasi = subsection(md, WASI_HEADING);
        Machine mc = m.machine();
        StringBuilder p = new StringBuilder();
        p.append("The figures of this section come from their own run, not from the one of the rest of this page:")
                .append(" `").append(m.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(m.started().atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC in ").append(minSec(m.took())).append(" (raw figures of every round: [").append(WASM_CSV)
                .append("](").append(WASM_CSV).append(")), on ").append(mc.cpu()).append(", ").append(mc.cpus())
                .append(" cores online (`nproc`), Linux ").append(mc.kernel()).append(", ").append(mc.jdk())
                .append(", perf ").append(mc.perf().replace("perf version ", "")).append(", WasmEdge ")
                .append(mc.wasmedge()).append(". Load average (1/5/15 min) before: ")
                .append(m.loadBefore()).append("; after: ").append(m.loadAfter()).append(".");
        if (parseLoad(m.loadBefore()) > 0.3) {
            p.append(" **The machine was shared** (other work was running, or had run in the minutes before): absolute")
                    .append(" figures may be noisy; the ratios to io.mio, measured in the same rounds, are the steadier figures.");
        }
        p.append("\n\nMethod as in the echo part (see [Method](#method)): each server its own process")
                .append(m.serverCpu() == null ? "" : ", pinned to CPU " + m.serverCpu()).append(", the load generator")
                .append(m.serverCpu() == null ? "" : " on the other CPU").append("; each process first echoes 64 B on ")
                .append(Bench.PROCESS_WARMUP_CONNS).append(" connections for ")
                .append(Bench.processWarmup(ServerKind.WASM_ECHO).toSeconds()).append(" s, for the JIT (a guest on mio-wasm in turns of ")
                .append(Bench.WASI_WARMUP_MANY.toMillis()).append(" ms on 64 connections and ").append(Bench.WASI_WARMUP_ONE.toMillis())
                .append(" ms on 1, new connections each turn, since closing connections deoptimized its compiled code; io.mio: ")
                .append(Bench.processWarmup(ServerKind.MIO).toSeconds()).append(" s; the Java TcpServer compiled to wasm on mio-wasm, a")
                .append(" module of 1,816 functions whose CPU per round trip takes 12 to 18 s of load to settle here: ")
                .append(Bench.processWarmup(ServerKind.WASI_TCP).toSeconds()).append(" s, in turns of 64 connections for ")
                .append(Bench.WASI_WARMUP_MANY.toMillis()).append(" ms and 1 for ").append(Bench.WASI_WARMUP_ONE.toMillis())
                .append(" ms, since after one long run of 64 its first second at 1 connection still had the JIT at work; on WasmEdge AOT, no JIT: ")
                .append(Bench.processWarmup(ServerKind.WASI_TCP_WASMEDGE).toSeconds()).append(" s); per cell ").append(m.warmup().toMillis())
                .append(" ms warm-up, ").append(m.measure().toMillis()).append(" ms measured (server CPU from /proc), then ")
                .append(m.perf().toMillis()).append(" ms under `perf stat -e raw_syscalls:sys_enter` (syscalls per round trip); ")
                .append(m.rounds()).append(" rounds, servers started afresh in each, in an order rotated every round.\n\n");
        for (String failure : m.failures()) {
            p.append("- **Failed**: ").append(failure).append("\n");
        }
        if (m.perfNote() != null) {
            p.append("- ").append(m.perfNote()).append("\n");
        }
        if (!m.failures().isEmpty() || m.perfNote() != null) {
            p.append("\n");
        }
        StringBuilder section = new StringBuilder();
        wasmSection(section, rows, m, ServerKind.MIO, p.toString());
        if (wasi != null) {
            section.append(wasi);
        }
        Files.writeString(docs.resolve("benchmarks.md"), replaceSection(md, WASM_HEADING, section.toString()));
    }

    /** {@code docs/benchmarks.md} as it is, or "" when there is none. */
    static String existing(Path docs) throws IOException {
        Path file = docs.resolve("benchmarks.md");
        return Files.isRegularFile(file) ? Files.readString(file) : "";
    }

    /** Offset of the line {@code heading} in {@code md}, or -1. */
    private static int headingAt(String md, String heading) {
        if (md.startsWith(heading + "\n")) {
            return 0;
        }
        int i = md.indexOf("\n" + heading + "\n");
        return i < 0 ? -1 : i + 1;
    }

    /** Where the section starting at {@code from} (a heading of {@code level} #) ends: the next heading of that level or above. */
    private static int sectionEnd(String md, int from, int level) {
        int i = md.indexOf('\n', from);
        while (i >= 0 && i + 1 < md.length()) {
            int hashes = 0;
            while (i + 1 + hashes < md.length() && md.charAt(i + 1 + hashes) == '#') {
                hashes++;
            }
            if (hashes > 0 && hashes <= level && i + 1 + hashes < md.length() && md.charAt(i + 1 + hashes) == ' ') {
                return i + 1;
            }
            i = md.indexOf('\n', i + 1);
        }
        return md.length();
    }

    private static int level(String heading) {
        int n = 0;
        while (n < heading.length() && heading.charAt(n) == '#') {
            n++;
        }
        return n;
    }

    /** The subsection (or section) {@code heading} of {@code md} up to the next heading of its level or above, or null. */
    static String subsection(String md, String heading) {
        int from = headingAt(md, heading);
        return from < 0 ? null : md.substring(from, sectionEnd(md, from, level(heading)));
    }

    /**
     * {@code md} with its section {@code heading} (a level-2 heading) replaced by {@code text}; when it has none,
     * {@code text} goes before the first of the sections that follow the WebAssembly one, else at the end.
     */
    static String replaceSection(String md, String heading, String text) {
        int from = headingAt(md, heading);
        if (from >= 0) {
            return md.substring(0, from) + text + md.substring(sectionEnd(md, from, level(heading)));
        }
        for (String next : AFTER_WASM) {
            int at = headingAt(md, next);
            if (at >= 0) {
                return md.substring(0, at) + text + md.substring(at);
            }
        }
        return md + (md.isEmpty() || md.endsWith("\n\n") ? "" : md.endsWith("\n") ? "\n" : "\n\n") + text;
    }

    /**
     * {@code md} with the subsection {@link #WASI_HEADING} replaced by {@code text}, or added at the end of the
     * WebAssembly section (which is made, with a line saying so, when the report has none).
     */
    static String replaceWasiSubsection(String md, String text) {
        int from = headingAt(md, WASI_HEADING);
        if (from >= 0) {
            return md.substring(0, from) + text + md.substring(sectionEnd(md, from, level(WASI_HEADING)));
        }
        int section = headingAt(md, WASM_HEADING);
        if (section < 0) {
            return replaceSection(md, WASM_HEADING, WASM_HEADING + "\n\nNo wasm guest ran in the echo part of this page's run.\n\n" + text);
        }
        int end = sectionEnd(md, section, level(WASM_HEADING));
        return md.substring(0, end) + text + md.substring(end);
    }

    // ---- scale: idle connections ----------------------------------------------------------------------

    /** "Flat": CPU per round trip at the largest idle count at most this times the one at 0 idle... */
    static final double FLAT_CPU = 1.25;
    /** ... and at most this many more syscalls per round trip. */
    static final double FLAT_SYSCALLS = 0.1;

    private static List<ScaleRow> selectScale(List<ScaleRow> rows, ServerKind k, int idle) {
        return rows.stream().filter(r -> r.server() == k && r.idle() == idle).toList();
    }

    /** Median over rounds of {@code metric} for one server and idle count. */
    static double scaleMedian(List<ScaleRow> rows, ServerKind k, int idle, ToDoubleFunction<ScaleRow> metric) {
        return median(selectScale(rows, k, idle).stream().mapToDouble(metric).toArray());
    }

    /** Per round: metric at {@code idle} against the same server's at 0 idle, as {@code combine(at idle, at 0)}. */
    private static double[] againstZero(List<ScaleRow> rows, ServerKind k, int idle, ToDoubleFunction<ScaleRow> metric,
                                        java.util.function.DoubleBinaryOperator combine) {
        List<Double> out = new ArrayList<>();
        for (ScaleRow a : selectScale(rows, k, idle)) {
            for (ScaleRow z : selectScale(rows, k, 0)) {
                if (a.round() == z.round()) {
                    double v = combine.applyAsDouble(metric.applyAsDouble(a), metric.applyAsDouble(z));
                    out.add(Double.isFinite(v) ? v : Double.NaN);
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Bytes per idle connection of a KiB metric: (at idle - at 0) / idle within each round, median over rounds. */
    static double bytesPerConnection(List<ScaleRow> rows, ServerKind k, int idle, ToDoubleFunction<ScaleRow> kib) {
        if (idle == 0) {
            return Double.NaN;
        }
        return median(againstZero(rows, k, idle, kib, (a, z) -> (a - z) * 1024 / idle));
    }

    /** Ratio of a metric at {@code idle} to the same server's at 0 idle, within each round, median over rounds. */
    static double ratioToZero(List<ScaleRow> rows, ServerKind k, int idle, ToDoubleFunction<ScaleRow> metric) {
        return median(againstZero(rows, k, idle, metric, (a, z) -> a / z));
    }

    /** The largest idle count above 0 with figures for every one of {@code kinds}; 0 if none. */
    static int largestCommonIdle(List<ScaleRow> rows, List<Integer> ladder, ServerKind... kinds) {
        int best = 0;
        for (int n : ladder) {
            if (n == 0) {
                continue;
            }
            boolean all = true;
            for (ServerKind k : kinds) {
                all &= !selectScale(rows, k, n).isEmpty() && !selectScale(rows, k, 0).isEmpty();
            }
            if (all) {
                best = Math.max(best, n);
            }
        }
        return best;
    }

    private static String bytes(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f B", v);
    }

    private static void scaleMethod(StringBuilder md, Meta m, Scale.Result scale) {
        Scale.Settings st = scale.settings();
        List<ServerKind> kinds = scale.rows().stream().map(ScaleRow::server).distinct().toList();
        md.append("Scale part (idle connections):\n\n");
        md.append("- Servers: ").append(String.join(", ", kinds.stream().map(k -> k.label).toList()))
                .append(", the same programs as in the echo part")
                .append(kinds.contains(ServerKind.MIO_SELECTOR) ? "; io.mio's *Selector backend* is `MioEchoServer` with `-Dio.mio.backend=selector`." : ".")
                .append(" Each runs as its own process").append(m.serverCpu() == null ? "" : ", pinned to CPU " + m.serverCpu())
                .append("; Java servers get the echo part's JVM options plus `").append(String.join(" ", Scale.JVM_OPTIONS))
                .append("` (the 64 MiB initial heap is touched at start, so RSS then grows with what the server keeps, not with how far its allocator has walked).\n");
        md.append("- Per server process: a warm-up (16 connections echoing 64 B for ").append(Scale.WARMUP.toMillis())
                .append(" ms, then closed, for the JIT and the lazily opened descriptors; then one unrecorded step at 0 idle, active run and full collection,")
                .append(" since the first ones of a process still move its CPU and RSS),")
                .append(" then idle connections rising through ").append(scale.ladder().idle())
                .append(" in the same process. They are opened by ").append(scale.holderProcesses())
                .append(" separate holder process(es) (`IdleHolder`, on io.mio, at most ").append(IdleHolder.WINDOW)
                .append(" connecting at once, in chunks of ").append(Holders.CHUNK)
                .append(", each chunk counted in the server's `/proc/PID/fd` before the next, so the accept queue never overflows) and never carry a byte.")
                .append(" At the end the server is stopped first, then the holders close their side.\n");
        md.append("- Memory at each step, after the active run below and once its connections are gone (so that every sample, the baseline's too, follows the same activity): for the Java servers a full collection")
                .append(" (the line `gc` on the server's standard input; it answers with the `MemoryMXBean` heap use after `System.gc()`), then `VmRSS`.")
                .append(" What a server keeps per connection is its live heap plus its memory outside the heap (direct buffers, native allocations,")
                .append(" thread stacks, metaspace): RSS less the committed heap, which `AlwaysPreTouch` keeps all resident (RSS alone would hide")
                .append(" the heap's growth inside the touched 64 MiB). For the C server it is all of RSS. Per idle connection: (value with N idle −")
                .append(" value with 0 idle) / N, within each round. None of this counts the kernel's socket buffers, the same for every server.")
                .append(" A few MiB outside the heap come and go with JIT compilations and the C library's allocator: divided by N, about ±3 MiB is");
        int top = scale.ladder().idle().getLast();
        md.append(top > 0 ? String.format(Locale.ROOT, " ±%.0f B per connection at %d idle", 3.0 * 1024 * 1024 / top, top) : " noise")
                .append(", so the largest count is the one to read.\n");
        md.append("- Kernel memory per idle connection (its own column): what a registration costs in the kernel (an epitem for epoll,")
                .append(" a multishot poll request for io_uring) and the sockets themselves are in no process's RSS. At each step, right after RSS,")
                .append(" the machine's unreclaimable slab (`SUnreclaim` in `/proc/meminfo`, the kernel's per-CPU counters folded first through")
                .append(" `/proc/sys/vm/stat_refresh` when run as root); per idle connection: (value with N idle − value with 0 idle) / N, within")
                .append(" each round. It holds both ends of every connection (two TCP sockets of some 2.3 KiB each, and what the holder keeps),")
                .append(" the same for every server: the differences between servers are what each keeps in the kernel per connection, its registration above all. It is machine-wide,")
                .append(" so anything else running moves it. Its registration part, sampled with it where `/proc/slabinfo` is readable (root):")
                .append(" active objects × object size of the caches ").append(String.join(" and ", KernelMemory.REGISTRATION_CACHES.stream().map(c -> "`" + c + "`").toList()))
                .append(" (epoll's epitem, io_uring's request; a cache the kernel merged into another is not listed, and not counted);")
                .append(" the holders close with a reset (SO_LINGER 0) so that no TIME_WAIT socket of one")
                .append(" server expires during the next one's steps, and the part first waits (at most ").append(Scale.TIME_WAIT_MAX.toSeconds())
                .append(" s) until at most ").append(Scale.TIME_WAIT_FEW).append(" TCP sockets on the machine are in TIME_WAIT (mostly the echo part's).")
                .append(" How io.mio's URING backend is bounded: one poll request per registration, freed by deregister or close; its rings")
                .append(" are sized when a Poll opens (256 submission, 4,096 completion entries by default), per Poll, not per connection;")
                .append(" a provided-buffer ring, where one is used, is likewise fixed per ring and counted in the process's RSS, not in slab.\n");
        md.append("- Cost of waiting for events with the N idle connections held: ").append(st.active())
                .append(" active connection(s) echoing 64 B in closed loop, measured as in the echo part (").append(st.warmup().toMillis())
                .append(" ms warm-up, ").append(st.measure().toMillis()).append(" ms measured for server CPU, ").append(st.perf().toMillis())
                .append(" ms under perf for syscalls). With one active connection each round trip is one wait for events (epoll_wait, or")
                .append(" the JDK's selector / poller): a wait whose cost grows with the registered idle connections shows as CPU per round trip growing with N.\n");
        md.append("- ").append(st.rounds()).append(" round(s), servers in an order rotated every round; tables give medians over rounds.\n");
        for (String skip : scale.ladder().skipped()) {
            md.append("- **Not run**: ").append(skip).append(".\n");
        }
        if (scale.ladder().instead() != null) {
            md.append("- ").append(scale.ladder().instead()).append(".\n");
        }
        for (String note : scale.notes()) {
            md.append("- **Not run**: ").append(note).append(".\n");
        }
        md.append("\n");
    }

    private static void scaleSection(StringBuilder md, Scale.Result scale, Meta m, Path docs) throws IOException {
        List<ScaleRow> rows = scale.rows();
        List<Integer> ladder = scale.ladder().idle();
        List<ServerKind> kinds = rows.stream().map(ScaleRow::server).distinct().sorted().toList();
        md.append("## Scale: idle connections\n\n");
        md.append("**Targets**: memory per idle connection below Netty's; poll() cost flat as idle connections grow.\n\n");
        for (String skip : scale.ladder().skipped()) {
            md.append("- Not run: ").append(skip).append(".\n");
        }
        if (scale.ladder().instead() != null) {
            md.append("- ").append(scale.ladder().instead()).append(".\n");
        }
        int common = largestCommonIdle(rows, ladder, ServerKind.MIO, ServerKind.NETTY);
        if (common > 0) {
            double mio = bytesPerConnection(rows, ServerKind.MIO, common, ScaleRow::footprintKiB);
            double netty = bytesPerConnection(rows, ServerKind.NETTY, common, ScaleRow::footprintKiB);
            md.append("- **Memory per idle connection** (live heap + memory outside the heap, ").append(common)
                    .append(" idle): io.mio ").append(bytes(mio)).append(", Netty epoll ").append(bytes(netty)).append(": ")
                    .append(Double.isNaN(mio) || Double.isNaN(netty) || netty <= 0 ? "n/a (no growth above the noise)" : mio < netty
                            ? "**met** (" + ratio(mio / netty) + " Netty's)" : "**not met** (" + ratio(mio / netty) + " Netty's)");
            List<String> others = new ArrayList<>();
            for (ServerKind k : kinds) {
                if (k != ServerKind.MIO && k != ServerKind.NETTY && !selectScale(rows, k, common).isEmpty()) {
                    others.add(k.label + " " + bytes(bytesPerConnection(rows, k, common, ScaleRow::footprintKiB)));
                }
            }
            if (!others.isEmpty()) {
                md.append("; ").append(String.join(", ", others));
            }
            md.append(".\n");
        } else {
            md.append("- Memory per idle connection against Netty: n/a (needs io.mio and Netty epoll with idle connections in the scale part).\n");
        }
        for (ServerKind k : List.of(ServerKind.MIO, ServerKind.MIO_SELECTOR, ServerKind.MIO_URING)) {
            int top = largestCommonIdle(rows, ladder, k);
            if (top == 0) {
                continue;
            }
            double cpu = ratioToZero(rows, k, top, ScaleRow::cpuMicrosPerRt);
            double extra = median(againstZero(rows, k, top, ScaleRow::syscallsPerRt, (a, z) -> a - z));
            boolean flat = cpu <= FLAT_CPU && (Double.isNaN(extra) || extra <= FLAT_SYSCALLS);
            md.append("- **poll() cost, ").append(k.label).append("**: CPU per round trip of the active connection with ").append(top)
                    .append(" idle ÷ with 0: ").append(ratio(cpu)).append("; syscalls per round trip ")
                    .append(f(scaleMedian(rows, k, 0, ScaleRow::syscallsPerRt), 2)).append(" → ")
                    .append(f(scaleMedian(rows, k, top, ScaleRow::syscallsPerRt), 2)).append(": ")
                    .append(Double.isNaN(cpu) ? "n/a" : flat ? "**flat**" : "**not flat**")
                    .append(" (criterion: at most ").append(f(FLAT_CPU, 2)).append("× the CPU and +").append(f(FLAT_SYSCALLS, 1))
                    .append(" syscalls per round trip; one active connection's CPU per round trip is noisy on a shared machine).\n");
        }
        kernelMemory(md, rows, ladder, kinds);
        md.append("\n");
        md.append("Memory: RSS; the live heap after a full collection; memory outside the heap (RSS − committed heap). Per idle")
                .append(" connection: the growth from 0 idle, divided by the idle count: in all (live heap + outside the heap), then each part.")
                .append(" The active connection's figures: round trips/s, server CPU per round trip, its ratio to the same server's with 0 idle,")
                .append(" syscalls and context switches per round trip.\n\n");
        md.append("| server | idle | RSS MiB | heap after GC MiB | outside heap MiB | per idle conn | heap per idle conn | outside heap per idle conn |")
                .append(" kernel per idle conn (SUnreclaim) | of which registration slab |")
                .append(" round trips/s | CPU µs/rt | CPU/rt ÷ 0 idle | syscalls/rt | ctx switches/rt |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ServerKind k : kinds) {
            for (int n : ladder) {
                if (selectScale(rows, k, n).isEmpty()) {
                    continue;
                }
                md.append("| ").append(k.label).append(" | ").append(n)
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::rssKiB) / 1024, 1))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::heapUsedKiB) / 1024, 1))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::outsideHeapKiB) / 1024, 1))
                        .append(" | ").append(n == 0 ? "" : "**" + bytes(bytesPerConnection(rows, k, n, ScaleRow::footprintKiB)) + "**")
                        .append(" | ").append(n == 0 ? "" : bytes(bytesPerConnection(rows, k, n, ScaleRow::heapUsedKiB)))
                        .append(" | ").append(n == 0 ? "" : bytes(bytesPerConnection(rows, k, n, ScaleRow::outsideHeapKiB)))
                        .append(" | ").append(n == 0 ? "" : bytes(bytesPerConnection(rows, k, n, ScaleRow::kernelSlabKiB)))
                        .append(" | ").append(n == 0 ? "" : bytes(bytesPerConnection(rows, k, n, ScaleRow::registrationSlabKiB)))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::roundTripsPerSecond), 0))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::cpuMicrosPerRt), 2))
                        .append(" | ").append(n == 0 ? "" : ratio(ratioToZero(rows, k, n, ScaleRow::cpuMicrosPerRt)))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::syscallsPerRt), 2))
                        .append(" | ").append(f(scaleMedian(rows, k, n, ScaleRow::contextSwitchesPerRt), 3))
                        .append(" |\n");
            }
        }
        md.append("\n");
        scaleCpuChart(rows, kinds, ladder, scale.settings().active(), docs.resolve("benchmarks-scale-cpu.png"));
        int top = ladder.stream().filter(n -> n > 0 && kinds.stream().anyMatch(k -> !selectScale(rows, k, n).isEmpty()))
                .max(Integer::compare).orElse(0);
        md.append("![server CPU per round trip of the active connection against idle connections](benchmarks-scale-cpu.png)\n\n");
        if (top > 0) {
            scaleMemoryChart(rows, kinds, top, docs.resolve("benchmarks-scale-memory.png"));
            md.append("![memory per idle connection](benchmarks-scale-memory.png)\n\n");
        }
    }

    /**
     * The bullet on kernel memory per idle connection (growth of the machine's unreclaimable slab from 0 idle, within
     * each round): every server at the largest count it shares with io.mio, and io.mio URING's difference to EPOLL.
     */
    static void kernelMemory(StringBuilder md, List<ScaleRow> rows, List<Integer> ladder, List<ServerKind> kinds) {
        int top = 0;
        for (ServerKind k : kinds) {
            top = Math.max(top, largestCommonIdle(rows, ladder, k));
        }
        if (top == 0 || kinds.stream().allMatch(k -> Double.isNaN(bytesPerConnection(rows, k, largestCommonIdle(rows, ladder, k),
                ScaleRow::kernelSlabKiB)))) {
            return;
        }
        List<String> each = new ArrayList<>();
        for (ServerKind k : kinds) {
            int n = largestCommonIdle(rows, ladder, k);
            if (n > 0) {
                each.add(k.label + " " + bytes(bytesPerConnection(rows, k, n, ScaleRow::kernelSlabKiB)) + (n == top ? "" : " (" + n + " idle)"));
            }
        }
        md.append("- **Kernel memory per idle connection** (growth of the machine's unreclaimable slab, both ends of each")
                .append(" connection, ").append(top).append(" idle): ").append(String.join(", ", each));
        int common = largestCommonIdle(rows, ladder, ServerKind.MIO, ServerKind.MIO_URING);
        if (common > 0) {
            double epoll = bytesPerConnection(rows, ServerKind.MIO, common, ScaleRow::kernelSlabKiB);
            double uring = bytesPerConnection(rows, ServerKind.MIO_URING, common, ScaleRow::kernelSlabKiB);
            double d = uring - epoll;
            double regEpoll = bytesPerConnection(rows, ServerKind.MIO, common, ScaleRow::registrationSlabKiB);
            double regUring = bytesPerConnection(rows, ServerKind.MIO_URING, common, ScaleRow::registrationSlabKiB);
            md.append(". ").append(ServerKind.MIO_URING.label).append(" − io.mio (EPOLL) at ").append(common).append(" idle: ")
                    .append(Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%+.0f B", d))
                    .append(" per connection; in the registration caches alone ").append(bytes(regUring)).append(" against ")
                    .append(bytes(regEpoll)).append(" (its multishot poll request in place of an epitem)");
        }
        md.append(".\n");
    }

    private static void scaleCpuChart(List<ScaleRow> rows, List<ServerKind> kinds, List<Integer> ladder, int active, Path file)
            throws IOException {
        org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
        for (ServerKind k : kinds) {
            org.jfree.data.xy.XYSeries series = new org.jfree.data.xy.XYSeries(k.label);
            for (int n : ladder) {
                double v = scaleMedian(rows, k, n, ScaleRow::cpuMicrosPerRt);
                if (!Double.isNaN(v)) {
                    series.add(n, v);
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Server CPU per round trip, " + active
                        + " active connection(s), against idle connections (median)", "idle connections held", "µs per round trip",
                data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        org.jfree.chart.plot.XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer renderer = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < kinds.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[kinds.get(i).ordinal() % PALETTE.length]);
            renderer.setSeriesStroke(i, new java.awt.BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 500);
    }

    /** Memory per idle connection, live heap + outside the heap, one horizontal bar per server, log scale, labelled. */
    private static void scaleMemoryChart(List<ScaleRow> rows, List<ServerKind> kinds, int idle, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (ServerKind k : kinds) {
            double total = bytesPerConnection(rows, k, idle, ScaleRow::footprintKiB);
            boolean shown = !Double.isNaN(total) && total > 0;
            data.addValue(shown ? total : null, "live heap + outside the heap", k.label);
            if (shown) {
                min = Math.min(min, total);
                max = Math.max(max, total);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Memory per idle connection, " + idle
                        + " idle (median, log scale)", null, "bytes per connection (live heap + outside the heap)", data,
                PlotOrientation.HORIZONTAL, false, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogarithmicAxis axis = new LogarithmicAxis("bytes per connection (live heap + outside the heap)");
        axis.setAllowNegativesFlag(false);
        axis.setStrictValuesFlag(false);
        if (max > 0) {
            axis.setRange(Math.max(1, min / 4), max * 4); // room for the labels at the bars' ends
        }
        plot.setRangeAxis(axis);
        BarRenderer renderer = new BarRenderer() {
            @Override
            public java.awt.Paint getItemPaint(int row, int column) {
                return PALETTE[kinds.get(column).ordinal() % PALETTE.length];
            }
        };
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator(
                "{2} B", new java.text.DecimalFormat("0")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new org.jfree.chart.labels.ItemLabelPosition(
                org.jfree.chart.labels.ItemLabelAnchor.OUTSIDE3, org.jfree.chart.ui.TextAnchor.CENTER_LEFT));
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 60L * kinds.size() + 140 > 300 ? (int) (60L * kinds.size() + 140) : 300);
    }

    static double parseLoad(String load) {
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

    /** One colour per server kind (by ordinal). */
    /** One colour per server kind (indexed by ordinal), so a server keeps its colour in every chart. */
    static final Color[] PALETTE = {
            new Color(0xD62728), new Color(0xFF9896), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
            new Color(0x7F7F7F), new Color(0x444444), new Color(0x17BECF), new Color(0x9EDAE5), new Color(0xBCBD22),
            new Color(0xE377C2), new Color(0x8C564B), new Color(0xFF7F0E), new Color(0x6B4C9A), new Color(0x98DF8A),
            new Color(0xAEC7E8), new Color(0xC5B0D5), new Color(0xC49C94), new Color(0xF7B6D2), new Color(0xDBDB8D),
            new Color(0x393B79), new Color(0x637939), new Color(0x8C6D31), new Color(0x843C39), new Color(0x7B4173),
            new Color(0x3182BD), new Color(0xE6550D), new Color(0x31A354)};

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
