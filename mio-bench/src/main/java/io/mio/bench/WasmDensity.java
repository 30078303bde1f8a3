package io.mio.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/bench.sh --part wasm-density}: many wasm guests per machine, and Nagle's algorithm.
 *
 * <p>Density: 1, 10 and 100 copies of the benchmark's echo guest ({@code echo_guest.wasm}) on mio-wasm, all in one
 * JVM ({@code mio-wasm run --instances N}, the launcher as a user runs it: module compiled once, each copy its own
 * memory, sockets and sandbox), against as many WasmEdge processes (one per guest, the module compiled ahead of time,
 * {@code wasmedge --run-mode=aot}) where wasmedge is installed. Each guest is checked to echo (10 round trips of
 * 64 B, compared), then memory is read from /proc: RSS ({@code VmRSS}) and PSS ({@code Pss} of
 * {@code smaps_rollup}: shared pages divided among the processes that map them, which is what N processes of one
 * binary really add up to), summed over the processes; per additional guest is (total at N - total at 1) / (N - 1).
 *
 * <p>Nagle: requests per second on one keep-alive connection to the hyper-shaped test guest (mio-wasm's
 * {@code http_server.wasm}: each response's head and body in two sock_send calls) on mio-wasm with its default
 * {@code --tcp-nodelay} and with {@code --no-tcp-nodelay}, and on WasmEdge AOT (which leaves Nagle on).
 *
 * <p>Writes the section {@value #HEADING} of docs/benchmarks.md and {@value #CSV}.
 */
final class WasmDensity {
    private WasmDensity() {
    }

    static final String HEADING = "## WebAssembly: many guests per JVM, and Nagle";
    static final String CSV = "benchmarks-wasm-density.csv";
    /** The hyper-shaped guest, from the repository root (mio-wasm's committed test guests). */
    static final Path HTTP_GUEST = Path.of("mio-wasm/src/test/resources/guests/http_server.wasm");
    /** Seconds of requests on a first connection before the measured one (mio-wasm's JIT). */
    static final int NAGLE_WARMUP_SECONDS = 3;
    private static final Pattern INSTANCE_LINE = Pattern.compile("\\[(\\d+)] listening (\\d+)");

    record Settings(List<Integer> counts, int nodelaySeconds, Path work, Path docs, String command) {
    }

    /** Memory of one runtime with {@code guests} guests: summed over its processes, kB. */
    record Density(String runtime, int guests, int processes, long rssKb, long pssKb, double startSeconds) {
    }

    /** Requests per second on one keep-alive connection. */
    record Nagle(String runtime, String mode, long requests, double seconds) {
        double perSecond() {
            return requests / seconds;
        }
    }

    static void run(Settings s) throws IOException {
        Files.createDirectories(s.work());
        Files.createDirectories(s.docs());
        Report.Machine machine = Report.Machine.describe();
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<String> notes = new ArrayList<>();

        Path echo = s.work().toAbsolutePath().resolve("echo_guest.wasm");
        try (InputStream in = WasmDensity.class.getResourceAsStream("wasm/echo_guest.wasm")) {
            if (in == null) {
                throw new IOException("echo_guest.wasm is not on the class path (io/mio/bench/wasm)");
            }
            Files.copy(in, echo, StandardCopyOption.REPLACE_EXISTING);
        }
        Path launcher = Path.of("mio-wasm/scripts/mio-wasm").toAbsolutePath();
        String mioProblem = buildLauncher(launcher);
        Path wasmedge = WasiExamples.wasmedge();
        Path echoSo = null;
        if (wasmedge == null) {
            notes.add("WasmEdge not measured: " + WasiExamples.NO_WASMEDGE);
        } else {
            echoSo = WasiExamples.wasmedgeAot(echo, s.work().resolve("aot"));
            if (echoSo == null) {
                notes.add("WasmEdge not measured: " + WasiExamples.aotProblem);
            }
        }

        List<Density> density = new ArrayList<>();
        for (int n : s.counts()) {
            if (mioProblem == null) {
                try {
                    density.add(mioWasm(launcher, echo, n, s.work()));
                } catch (IOException e) {
                    notes.add("**Failed**: mio-wasm with " + n + " guests: " + e.getMessage());
                    System.out.println("FAILED wasm-density mio-wasm " + n + ": " + e.getMessage());
                }
            }
            if (echoSo != null) {
                try {
                    density.add(wasmEdge(wasmedge, echoSo, n, s.work()));
                } catch (IOException e) {
                    notes.add("**Failed**: WasmEdge with " + n + " guests: " + e.getMessage());
                    System.out.println("FAILED wasm-density WasmEdge " + n + ": " + e.getMessage());
                }
            }
        }
        if (mioProblem != null) {
            notes.add("mio-wasm not measured: " + mioProblem);
        }

        List<Nagle> nagle = new ArrayList<>();
        Path http = HTTP_GUEST.toAbsolutePath();
        if (!Files.isRegularFile(http)) {
            notes.add("Nagle not measured: " + HTTP_GUEST + " not found (run from the repository's root)");
        } else {
            if (mioProblem == null) {
                for (String flag : List.of("--tcp-nodelay", "--no-tcp-nodelay")) {
                    List<String> argv = List.of(launcher.toString(), "run", "-q", "--allow-bind", "127.0.0.1:*", flag,
                            http.toString(), "0", "0");
                    nagle.add(keepAlive("mio-wasm", "`" + flag + "`" + (flag.equals("--tcp-nodelay") ? " (default)" : ""),
                            argv, s, notes));
                }
            }
            if (wasmedge != null) {
                Path httpSo = WasiExamples.wasmedgeAot(http, s.work().resolve("aot"));
                if (httpSo == null) {
                    notes.add("Nagle on WasmEdge not measured: " + WasiExamples.aotProblem);
                } else {
                    nagle.add(keepAlive("WasmEdge AOT", "Nagle on (WasmEdge sets no TCP_NODELAY)", List.of(
                            wasmedge.toString(), "--run-mode=aot", httpSo.toString(), "0", "0"), s, notes));
                }
            }
        }
        nagle.removeIf(n -> n == null);
        String loadAfter = Report.Machine.loadAverage();
        Duration took = Duration.between(started, Instant.now());
        writeCsv(s.docs().resolve(CSV), density, nagle);
        String md = markdown(s, machine, started, took, loadBefore, loadAfter, density, nagle, notes);
        Files.writeString(s.docs().resolve("benchmarks.md"), Report.replaceSection(Report.existing(s.docs()), HEADING, md));
        System.out.println("wrote " + HEADING.substring(3) + " in " + s.docs().resolve("benchmarks.md") + " and "
                + s.docs().resolve(CSV));
    }

    /**
     * A process of {@code argv} without the launcher's JVM start-up cache (MIO_WASM_AOT=0): its first runs would
     * record and create one in the user's cache directory, so the figures would depend on that directory's state.
     */
    private static ProcessBuilder launcher(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("MIO_WASM_AOT", "0");
        return pb;
    }

    /** Builds mio-wasm through its launcher when a source changed (untimed); null when it is ready, else why not. */
    private static String buildLauncher(Path launcher) throws IOException {
        if (!Files.isExecutable(launcher)) {
            return launcher + " not found (run from the repository's root, as scripts/bench.sh does)";
        }
        try {
            Process p = launcher(List.of(launcher.toString(), "run", "--help")).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "its build failed: " + new String(out, StandardCharsets.UTF_8).strip();
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** mio-wasm: one JVM, {@code n} copies of the echo guest; memory once every copy echoed. */
    private static Density mioWasm(Path launcher, Path echo, int n, Path work) throws IOException {
        List<String> argv = List.of(launcher.toString(), "run", "-q", "--instances", Integer.toString(n),
                "--allow-bind", "127.0.0.1:*", echo.toString(), "0", "1000000000");
        Path log = work.resolve("mio-wasm-" + n + ".log");
        long t0 = System.nanoTime();
        Process p = launcher(argv).redirectError(log.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Map<Integer, Integer> ports = new TreeMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (ports.size() < n) {
                String line = readLine(out, p, deadline, log);
                Matcher m = INSTANCE_LINE.matcher(line);
                if (m.matches()) {
                    ports.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                } else if (n == 1 && line.startsWith("listening ")) { // one copy: its lines carry no prefix
                    ports.put(0, Integer.parseInt(line.substring(10).trim()));
                }
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            ChildOutput.discardInBackground(out);
            for (int port : ports.values()) {
                checkEcho(port);
            }
            settle();
            Density d = new Density("mio-wasm (one JVM)", n, 1, rssKb(p.pid()), pssKb(p.pid()), startSeconds);
            System.out.printf(Locale.ROOT, "wasm-density: mio-wasm, %3d guests: RSS %,d kB, PSS %,d kB (all echoed)%n",
                    n, d.rssKb(), d.pssKb());
            return d;
        } finally {
            stop(List.of(p));
        }
    }

    /** WasmEdge AOT: {@code n} processes, one guest each; memory summed once every one echoed. */
    private static Density wasmEdge(Path wasmedge, Path so, int n, Path work) throws IOException {
        List<Process> ps = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            List<BufferedReader> outs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path log = work.resolve("wasmedge-" + n + "-" + i + ".log");
                Process p = new ProcessBuilder(wasmedge.toString(), "--run-mode=aot", so.toString(), "0", "1000000000")
                        .redirectError(log.toFile()).start();
                ps.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            List<Integer> ports = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            for (int i = 0; i < n; i++) {
                Path log = work.resolve("wasmedge-" + n + "-" + i + ".log");
                String line;
                do {
                    line = readLine(outs.get(i), ps.get(i), deadline, log);
                } while (!line.startsWith("listening "));
                ports.add(Integer.parseInt(line.substring(10).trim()));
                ChildOutput.discardInBackground(outs.get(i));
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            for (int port : ports) {
                checkEcho(port);
            }
            settle();
            long rss = 0;
            long pss = 0;
            for (Process p : ps) {
                rss += rssKb(p.pid());
                pss += pssKb(p.pid());
            }
            System.out.printf(Locale.ROOT, "wasm-density: WasmEdge AOT, %3d guests: RSS %,d kB, PSS %,d kB (all echoed)%n",
                    n, rss, pss);
            return new Density("WasmEdge AOT (a process per guest)", n, n, rss, pss, startSeconds);
        } finally {
            stop(ps);
        }
    }

    /** One keep-alive connection to a fresh server, one request at a time for the set seconds. */
    private static Nagle keepAlive(String runtime, String mode, List<String> argv, Settings s, List<String> notes) {
        Path log = s.work().resolve("nagle-" + runtime.replaceAll("[^A-Za-z0-9]+", "-") + "-"
                + mode.replaceAll("[^A-Za-z0-9]+", "-") + ".log");
        Process p = null;
        try {
            p = launcher(argv).redirectError(log.toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            String line;
            do {
                line = readLine(out, p, deadline, log);
            } while (!line.startsWith("listening "));
            int port = Integer.parseInt(line.substring(10).trim());
            ChildOutput.discardInBackground(out);
            requests(runtime, mode, port, NAGLE_WARMUP_SECONDS); // the JIT, on a first connection of its own
            Nagle n = requests(runtime, mode, port, s.nodelaySeconds());
            System.out.printf(Locale.ROOT, "wasm-nodelay: %-14s %-40s %,8d requests in %.1f s: %,.0f requests/s%n",
                    runtime, mode, n.requests(), n.seconds(), n.perSecond());
            return n;
        } catch (IOException e) {
            notes.add("**Failed**: Nagle, " + runtime + " " + mode + ": " + e.getMessage());
            System.out.println("FAILED wasm-nodelay " + runtime + " " + mode + ": " + e.getMessage());
            return null;
        } finally {
            if (p != null) {
                stop(List.of(p));
            }
        }
    }

    static Nagle requests(String runtime, String mode, int port, int seconds) throws IOException {
        byte[] request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setTcpNoDelay(true); // the client's writes are whole requests: only the server's side is measured
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long n = 0;
            while (System.nanoTime() < end) {
                out.write(request);
                int length = contentLength(readHead(in));
                if (in.readNBytes(length).length != length) {
                    throw new IOException("connection closed in a response body");
                }
                n++;
            }
            return new Nagle(runtime, mode, n, (System.nanoTime() - start) / 1e9);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) throws IOException {
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + head.lines().findFirst().orElse(""));
        }
        for (String l : head.split("\r\n")) {
            if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(l.substring(15).trim());
            }
        }
        throw new IOException("no Content-Length in " + head.strip());
    }

    private static String readLine(BufferedReader out, Process p, long deadline, Path log) throws IOException {
        while (System.nanoTime() < deadline) {
            if (out.ready()) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                return line;
            }
            if (!p.isAlive() && !out.ready()) {
                break;
            }
            sleep(20);
        }
        throw new IOException(p.isAlive() ? "no line within 300 s" : "the process ended (exit " + p.exitValue()
                + "): " + ChildOutput.lastLines(log));
    }

    /** Ten round trips of 64 B, compared: the guest serves. */
    private static void checkEcho(int port) throws IOException {
        byte[] msg = new byte[64];
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            for (int r = 0; r < 10; r++) {
                for (int i = 0; i < msg.length; i++) {
                    msg[i] = (byte) ('a' + (i + r + port) % 26);
                }
                s.getOutputStream().write(msg);
                byte[] got = s.getInputStream().readNBytes(msg.length);
                if (!Arrays.equals(got, msg)) {
                    throw new IOException("the guest on port " + port + " echoed " + got.length + " bytes that differ");
                }
            }
        }
    }

    /** Lets the processes settle (the JVM's compiler threads, a trim of the native heap) before memory is read. */
    private static void settle() {
        sleep(3000);
    }

    static long rssKb(long pid) throws IOException {
        return field(Path.of("/proc/" + pid + "/status"), "VmRSS:");
    }

    static long pssKb(long pid) throws IOException {
        return field(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
    }

    private static long field(Path file, String name) throws IOException {
        for (String l : Files.readAllLines(file)) {
            if (l.startsWith(name)) {
                return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in " + file);
    }

    private static void stop(List<Process> ps) {
        for (Process p : ps) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : ps) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeCsv(Path file, List<Density> density, List<Nagle> nagle) throws IOException {
        StringBuilder csv = new StringBuilder("measure,runtime,guests_or_mode,processes,rss_kb,pss_kb,start_s,requests,seconds\n");
        for (Density d : density) {
            csv.append(String.format(Locale.ROOT, "density,%s,%d,%d,%d,%d,%.2f,,%n", d.runtime(), d.guests(),
                    d.processes(), d.rssKb(), d.pssKb(), d.startSeconds()));
        }
        for (Nagle n : nagle) {
            csv.append(String.format(Locale.ROOT, "nagle,%s,%s,1,,,,%d,%.2f%n", n.runtime(),
                    n.mode().replace(",", ";").replace("`", ""), n.requests(), n.seconds()));
        }
        Files.writeString(file, csv.toString());
    }

    /** Memory added per guest from the fewest to {@code n} guests, in MB, or NaN. */
    static double perGuestMb(List<Density> rows, String runtime, int n, boolean pss) {
        Density base = null;
        Density at = null;
        for (Density d : rows) {
            if (!d.runtime().equals(runtime)) {
                continue;
            }
            if (base == null || d.guests() < base.guests()) {
                base = d;
            }
            if (d.guests() == n) {
                at = d;
            }
        }
        if (base == null || at == null || at.guests() == base.guests()) {
            return Double.NaN;
        }
        long kb = pss ? at.pssKb() - base.pssKb() : at.rssKb() - base.rssKb();
        return kb / 1024.0 / (at.guests() - base.guests());
    }

    private static String markdown(Settings s, Report.Machine machine, Instant started, Duration took, String loadBefore,
                                   String loadAfter, List<Density> density, List<Nagle> nagle, List<String> notes) {
        StringBuilder md = new StringBuilder(HEADING).append("\n\n");
        md.append("Measured by `").append(s.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(started.atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC in ").append(took.toSeconds()).append(" s (raw figures: [").append(CSV).append("](")
                .append(CSV).append(")), on ").append(machine.cpu()).append(", ").append(machine.cpus())
                .append(" cores online, Linux ").append(machine.kernel()).append(", ").append(machine.jdk())
                .append(", WasmEdge ").append(machine.wasmedge()).append(". Load average (1/5/15 min) before: ")
                .append(loadBefore).append("; after: ").append(loadAfter).append(".");
        if (Report.parseLoad(loadBefore) > 0.3 || Report.parseLoad(loadAfter) > 0.3) {
            md.append(" **The machine was shared** (other work running): memory figures hold, request rates may be low.");
        }
        md.append("\n\n### Density: echo guests per machine\n\n");
        md.append("The benchmark's echo guest (`echo_guest.wasm`, C on WasmEdge's socket API, 1, 10 and 100 copies) on")
                .append(" mio-wasm as one JVM (`mio-wasm/scripts/mio-wasm run --instances N --allow-bind '127.0.0.1:*'")
                .append(" echo_guest.wasm 0 1000000000`: the module compiled once, each copy on its own thread with its own")
                .append(" linear memory, descriptor table, Poll, sandbox and socket limit) and on WasmEdge AOT as one process")
                .append(" per guest (`wasmedge --run-mode=aot echo_guest.so 0 1000000000`, after `wasmedge compile`). Every")
                .append(" guest echoed 10 x 64 B (checked) before memory was read, 3 s later. RSS is `VmRSS`; PSS is")
                .append(" `Pss` of `/proc/PID/smaps_rollup` (pages shared between processes, such as WasmEdge's libraries,")
                .append(" divided among them, also with processes of other programs: the JVM's class-data archive and")
                .append(" jars are shared with every other JVM running on the machine, so mio-wasm's PSS is lower while other")
                .append(" JVMs run), both summed over the processes. The target: at most 10 MB per additional guest.\n\n");
        md.append("| runtime | guests | processes | RSS total MB | PSS total MB | start s |\n|---|---:|---:|---:|---:|---:|\n");
        for (Density d : density) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f |%n", d.runtime(), d.guests(),
                    d.processes(), d.rssKb() / 1024.0, d.pssKb() / 1024.0, d.startSeconds()));
        }
        md.append("\nPer additional guest, from the fewest guests measured:\n\n| runtime | to guests | RSS MB/guest | PSS MB/guest |\n|---|---:|---:|---:|\n");
        List<String> runtimes = density.stream().map(Density::runtime).distinct().toList();
        for (String rt : runtimes) {
            for (Density d : density) {
                if (!d.runtime().equals(rt)) {
                    continue;
                }
                double rss = perGuestMb(density, rt, d.guests(), false);
                if (!Double.isNaN(rss)) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f |%n", rt, d.guests(), rss,
                            perGuestMb(density, rt, d.guests(), true)));
                }
            }
        }
        for (String rt : runtimes) {
            int most = density.stream().filter(d -> d.runtime().equals(rt)).mapToInt(Density::guests).max().orElse(0);
            double rss = perGuestMb(density, rt, most, false);
            if (!Double.isNaN(rss)) {
                md.append(String.format(Locale.ROOT, "%n- **%s**: %.2f MB RSS (%.2f MB PSS) per additional guest up to %d"
                        + " guests: the target of at most 10 MB %s.", rt, rss, perGuestMb(density, rt, most, true), most,
                        rss <= 10 ? "is **met**" : "is **not met** on RSS" + (perGuestMb(density, rt, most, true) <= 10
                                ? " (met on PSS)" : "")));
            }
        }
        md.append("\n- A figure of a few guests can be lower than one of fewer: the JVM's heap and native heap (a"
                + " collection, a trim) move its RSS between reads by more than a few guests add; the figure at the most"
                + " guests is the one to read.");
        md.append("\n- start s: from starting the processes to every guest's `listening` line (mio-wasm: one JVM start")
                .append(" and one compilation of the module for all copies; WasmEdge: the processes start side by side).\n");
        md.append("\n### Nagle: `--tcp-nodelay`\n\n");
        md.append("Requests per second on one keep-alive HTTP/1.1 connection, one request at a time for ")
                .append(s.nodelaySeconds()).append(" s (after ").append(NAGLE_WARMUP_SECONDS)
                .append(" s of the same on a first connection, for the JIT), to the hyper-shaped test guest (`mio-wasm/src/test/c/http_server.c`:")
                .append(" each response's head and body in two `sock_send` calls, as hyper 0.14 over tokio_wasi writes them).")
                .append(" With Nagle's algorithm on, the body waits for the ACK of the head, which the client delays (about")
                .append(" 40 ms). mio-wasm sets `TCP_NODELAY` on every guest TCP stream by default (`--no-tcp-nodelay` leaves")
                .append(" Nagle on); WasmEdge has no such option and its socket ABI cannot set it.\n\n");
        md.append("| runtime | TCP_NODELAY | requests | s | requests/s |\n|---|---|---:|---:|---:|\n");
        for (Nagle n : nagle) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %,.0f |%n", n.runtime(), n.mode(),
                    n.requests(), n.seconds(), n.perSecond()));
        }
        md.append("\n");
        for (String note : notes) {
            md.append("- ").append(note).append("\n");
        }
        if (!notes.isEmpty()) {
            md.append("\n");
        }
        return md.toString();
    }
}
