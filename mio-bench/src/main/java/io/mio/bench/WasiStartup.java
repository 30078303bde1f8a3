package io.mio.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench.sh --part wasi-startup}: what mio-examples compiled to wasm32-wasi (TeaVM 0.13.1, io.mio's
 * WASI backend; {@link WasiExamples}) weighs and how fast its TcpServer starts. The size of each example's .wasm;
 * then TcpServer's start-up, the time from starting the process to its line {@code " $ nc 127.0.0.1 PORT"} (it
 * listens; port 0), on mio-wasm (the project's command, a new JVM that compiles the module to JVM bytecode with
 * Chicory: every start is cold, nothing is cached), on WasmEdge's interpreter and on WasmEdge ahead of time (after
 * {@code wasmedge compile}, timed once), and for reference the same TcpServer.java on the JVM. Each process then
 * echoes 64 bytes once (checked) and is stopped; the runtimes take turns, {@code runs} times; the median is
 * published. Writes the subsection {@value Report#WASI_HEADING} of docs/benchmarks.md's WebAssembly section.
 */
final class WasiStartup {
    private WasiStartup() {
    }

    /** One way to start TcpServer: its name in the table, the command shown, the command run, or why it cannot run. */
    /** {@code env}: added to the process's environment (over {@code MIO_WASM_AOT=0}, which every start gets). */
    record Runtime(String name, String shown, List<String> argv, String problem, java.util.Map<String, String> env) {
        Runtime(String name, String shown, List<String> argv, String problem) {
            this(name, shown, argv, problem, java.util.Map.of());
        }
    }

    /** A start: milliseconds to the listening line. */
    record Start(Runtime runtime, int run, double millis) {
    }

    static void run(int runs, Path work, Path docs, String command) throws IOException {
        Files.createDirectories(work);
        Files.createDirectories(docs);
        Report.Machine machine = Report.Machine.describe();
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<String> notes = new ArrayList<>();

        StringBuilder sizes = new StringBuilder("| file | bytes |\n|---|---:|\n");
        for (String name : WasiExamples.EXAMPLES) {
            Path p = WasiExamples.find(name);
            sizes.append("| `").append(name).append("` | ").append(p == null ? "not built" : String.format(Locale.ROOT, "%,d",
                    Files.size(p))).append(" |\n");
        }
        Path tcp = WasiExamples.find(WasiExamples.TCP_SERVER);
        List<Runtime> runtimes = new ArrayList<>();
        String aotNote = null;
        if (tcp == null) {
            notes.add("no start-up figures: " + WasiExamples.missing(WasiExamples.TCP_SERVER));
        } else {
            Path wasm = work.toAbsolutePath().resolve(WasiExamples.TCP_SERVER);
            Files.copy(tcp, wasm, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Runtime mioWasm = mioWasm(wasm);
            runtimes.add(mioWasm);
            if (mioWasm.problem() == null) {
                List<String> argv = new ArrayList<>(mioWasm.argv());
                argv.add(2, "--interpret");
                runtimes.add(new Runtime("mio-wasm, Chicory's interpreter (`--interpret`)",
                        "mio-wasm/scripts/mio-wasm run --interpret --allow-bind '127.0.0.1:*' tcp_server.wasm 0", argv, null));
                // the compiled classes from the cache a run before stored (as the launcher does by default)
                List<String> cached = new ArrayList<>(mioWasm.argv());
                cached.set(3, work.toAbsolutePath().resolve("chicory-cache").toString());
                Runtime warm = new Runtime("mio-wasm, compiled classes cached (`--cache-dir`)",
                        "mio-wasm/scripts/mio-wasm run --allow-bind '127.0.0.1:*' tcp_server.wasm 0 (cache filled)", cached, null);
                startOnce(warm, work, 0); // fills the cache, untimed
                runtimes.add(warm);
                // the launcher's default: also the JVM's own start-up from its AOT cache, which the first start after
                // a build records and the next creates (both untimed here); the other rows go without it
                Runtime jvmCached = new Runtime("mio-wasm, compiled classes and JVM start-up cached (launcher default)",
                        "mio-wasm/scripts/mio-wasm run --allow-bind '127.0.0.1:*' tcp_server.wasm 0 (caches filled)",
                        cached, null, java.util.Map.of("MIO_WASM_AOT", "1",
                                "MIO_WASM_CACHE_DIR", work.toAbsolutePath().resolve("launcher-cache").toString()));
                startOnce(jvmCached, work, -1);
                startOnce(jvmCached, work, 0);
                runtimes.add(jvmCached);
            }
            Path wasmedge = WasiExamples.wasmedge();
            if (wasmedge == null) {
                notes.add("WasmEdge not measured: " + WasiExamples.NO_WASMEDGE);
            } else {
                runtimes.add(new Runtime("WasmEdge, interpreter", "wasmedge --dir .:. tcp_server.wasm 0",
                        List.of(wasmedge.toString(), "--dir", ".:.", wasm.toString(), "0"), null));
                Path so = work.toAbsolutePath().resolve("tcp_server.so");
                Files.deleteIfExists(so);
                System.out.println("wasi-startup: wasmedge compile tcp_server.wasm tcp_server.so (about half a minute)");
                long t0 = System.nanoTime();
                String failed = WasiExamples.compile(wasmedge, wasm, so);
                double compileSeconds = (System.nanoTime() - t0) / 1e9;
                if (failed != null) {
                    notes.add("WasmEdge AOT not measured: wasmedge compile failed: " + failed);
                } else {
                    sizes.append("| `tcp_server.so` (WasmEdge AOT, `wasmedge compile`) | ")
                            .append(String.format(Locale.ROOT, "%,d", Files.size(so))).append(" |\n");
                    aotNote = String.format(Locale.ROOT, "`wasmedge compile tcp_server.wasm tcp_server.so` took %.1f s"
                            + " (once, before the runs; not in the start-up figures)", compileSeconds);
                    runtimes.add(new Runtime("WasmEdge, AOT", "wasmedge --run-mode=aot tcp_server.so 0",
                            List.of(wasmedge.toString(), "--run-mode=aot", so.toString(), "0"), null));
                }
            }
            runtimes.add(jvm());
        }

        List<Start> starts = new ArrayList<>();
        for (Runtime rt : runtimes) {
            if (rt.problem() != null) {
                notes.add(rt.name() + " not measured: " + rt.problem());
            }
        }
        List<Runtime> measured = runtimes.stream().filter(r -> r.problem() == null).toList();
        for (int run = 1; run <= runs; run++) {
            for (Runtime rt : measured) {
                try {
                    double ms = startOnce(rt, work, run);
                    starts.add(new Start(rt, run, ms));
                    System.out.printf(Locale.ROOT, "wasi-startup: run %d %-40s %8.0f ms%n", run, rt.name(), ms);
                } catch (IOException e) {
                    notes.add("**Failed**: " + rt.name() + ", run " + run + ": " + e.getMessage());
                    System.out.println("FAILED wasi-startup " + rt.name() + ", run " + run + ": " + e.getMessage());
                }
            }
        }
        String loadAfter = Report.Machine.loadAverage();

        StringBuilder md = new StringBuilder();
        md.append(Report.WASI_HEADING).append("\n\n");
        md.append("mio-examples' `HelloMio`, `TcpServer` and `UdpServer`, the very `.java` files the JVM runs, compiled to")
                .append(" wasm32-wasi by TeaVM 0.13.1 with io.mio's WASI backend (`mio-wasi`), by mio-wasi-examples' Maven build")
                .append(" (`scripts/build-wasi-examples.sh OUTDIR` runs it and copies the `.wasm` files to OUTDIR). The rows")
                .append(" above with *Java TcpServer compiled to wasm* are the same `tcp_server.wasm`.\n\n");
        md.append("Measured by `").append(command).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(started.atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC, on ").append(machine.cpu()).append(", ").append(machine.cpus())
                .append(" cores online (`nproc`), Linux ").append(machine.kernel()).append(", ").append(machine.jdk())
                .append(", WasmEdge ").append(machine.wasmedge()).append(". Load average (1/5/15 min) before: ").append(loadBefore)
                .append("; after: ").append(loadAfter).append(".");
        if (parseLoad(loadBefore) > 0.3 || parseLoad(loadAfter) > 0.3) {
            md.append(" **The machine was shared** (2 cores, other work running): start-up times, which use both cores")
                    .append(" (the JVM compiles and collects on threads of its own), are longer than on an idle machine.");
        }
        md.append("\n\n**Size** of each example (TeaVM's output, optimised, no debug information):\n\n").append(sizes).append("\n");
        md.append("**Start-up** of `tcp_server.wasm`: the time from starting the process to its line ` $ nc 127.0.0.1 PORT`")
                .append(" (it listens; port 0 picks a free one), median of ").append(runs)
                .append(" fresh processes, each run in brackets. Each started process then echoed 64 bytes (checked) and was")
                .append(" stopped; the runtimes took turns; processes not pinned to a CPU, as a user starts them.\n\n");
        md.append("| runtime | command | median ms | runs ms |\n|---|---|---:|---|\n");
        for (Runtime rt : runtimes) {
            double[] ms = starts.stream().filter(s -> s.runtime() == rt).mapToDouble(Start::millis).toArray();
            md.append("| ").append(rt.name()).append(" | `").append(rt.shown()).append("` | ")
                    .append(ms.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", Report.median(ms))).append(" | ")
                    .append(ms.length == 0 ? (rt.problem() == null ? "failed" : "not measured")
                            : String.join(", ", Arrays.stream(ms).mapToObj(v -> String.format(Locale.ROOT, "%.0f", v)).toList()))
                    .append(" |\n");
        }
        md.append("\n");
        md.append("- mio-wasm: `mio-wasm/scripts/mio-wasm` as a user runs it (already built: the script's check that")
                .append(" nothing changed since is in the figure), a new JVM that parses the module and compiles it to JVM")
                .append(" bytecode with Chicory before the guest's first instruction: with `--cache-dir ''` every start is")
                .append(" cold; by default the launcher keeps the compiled classes in `~/.cache/mio-wasm`, and the row")
                .append(" *compiled classes cached* loads them from a cache filled by one untimed run before. These rows")
                .append(" run with `MIO_WASM_AOT=0`; the row *JVM start-up cached* is the launcher's default, with the JVM's")
                .append(" own classes from a JDK AOT cache too, recorded and created by two untimed runs before (see")
                .append(" mio-wasm/README.md, *Where a cached start goes*). With `--interpret` Chicory interprets the module instead of compiling it (the echo")
                .append(" figures above are of the compiled mode).\n");
        if (aotNote != null) {
            md.append("- WasmEdge AOT: ").append(aotNote).append(".\n");
        }
        md.append("- JVM: the same `TcpServer.java` on the JVM (io.mio's epoll backend), as `scripts/run-example.sh TcpServer 0`")
                .append(" starts it once built; for reference.\n");
        for (String note : notes) {
            md.append("- ").append(note).append("\n");
        }
        md.append("\n");
        String text = Report.replaceWasiSubsection(Report.existing(docs), md.toString());
        Files.writeString(docs.resolve("benchmarks.md"), text);
        System.out.println("wrote " + Report.WASI_HEADING.substring(4) + " in " + docs.resolve("benchmarks.md"));
    }

    private static double parseLoad(String load) {
        try {
            return Double.parseDouble(load.split(" ")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** mio-wasm's command, built first (untimed) when a source changed since its last build. */
    private static Runtime mioWasm(Path wasm) throws IOException {
        String shown = "mio-wasm/scripts/mio-wasm run --cache-dir '' --allow-bind '127.0.0.1:*' tcp_server.wasm 0";
        Path script = Path.of("mio-wasm/scripts/mio-wasm").toAbsolutePath();
        if (!Files.isExecutable(script)) {
            return new Runtime("mio-wasm (Chicory, compiled to JVM bytecode)", shown, List.of(),
                    script + " not found (run from the repository's root, as scripts/bench.sh does)");
        }
        try {
            Process p = new ProcessBuilder(script.toString(), "run", "--help").redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return new Runtime("mio-wasm (Chicory, compiled to JVM bytecode)", shown, List.of(),
                        "its build failed: " + new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Runtime("mio-wasm (Chicory, compiled to JVM bytecode)", shown, // --cache-dir '': no cache, cold
                List.of(script.toString(), "run", "--cache-dir", "", "--allow-bind", "127.0.0.1:*", wasm.toString(), "0"), null);
    }

    /** The same TcpServer on the JVM, as scripts/run-example.sh runs it: io.mio as a named module. */
    private static Runtime jvm() {
        String shown = "java --enable-native-access=io.mio --module-path … --module io.mio.examples/io.mio.examples.TcpServer 0";
        try {
            Path examples = location("io.mio.examples.TcpServer");
            Path core = location("io.mio.Poll");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return new Runtime("JVM (reference): `TcpServer.java` itself", shown, List.of(java, "--enable-native-access=io.mio",
                    "--module-path", examples + File.pathSeparator + core, "--module",
                    "io.mio.examples/io.mio.examples.TcpServer", "0"), null);
        } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
            return new Runtime("JVM (reference): `TcpServer.java` itself", shown, List.of(), "not on the class path: " + e);
        }
    }

    private static Path location(String className) throws ClassNotFoundException, URISyntaxException {
        return Path.of(Class.forName(className, false, WasiStartup.class.getClassLoader())
                .getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Starts {@code rt}, times it to the listening line, checks one echo, stops it. */
    static double startOnce(Runtime rt, Path work, int run) throws IOException {
        Path log = work.resolve(rt.name().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT) + "-" + run + ".log");
        ProcessBuilder pb = new ProcessBuilder(rt.argv()).directory(work.toFile()).redirectError(log.toFile());
        pb.environment().put("MIO_WASM_AOT", "0");
        pb.environment().putAll(rt.env());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<long[]> listening = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        int port = WasiExamples.ncPort(line);
                        if (port > 0) {
                            return new long[] {System.nanoTime(), port};
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
                return null;
            });
            long[] at;
            try {
                at = listening.get(180, TimeUnit.SECONDS);
            } catch (Exception e) {
                at = null;
            }
            if (at == null) {
                throw new IOException("no listening line within 180 s: " + ChildOutput.lastLines(log));
            }
            double ms = (at[0] - t0) / 1e6;
            ChildOutput.discardInBackground(out);
            echoOnce((int) at[1]);
            return ms;
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
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

    private static void echoOnce(int port) throws IOException {
        byte[] msg = new byte[64];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) ('a' + i % 26);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(msg);
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(msg.length);
            if (!Arrays.equals(got, msg)) {
                throw new IOException("echo differs: sent 64 bytes, got " + got.length + " bytes that differ");
            }
        }
    }
}
