package io.mio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One server running as its own process, optionally pinned to a CPU with {@code taskset}: an echo server of
 * {@link ServerKind}, or an HTTP server of {@link HttpServerKind}. It is ready once it printed {@code READY <port>};
 * closing its standard input makes it exit. A Java server answers the line {@code gc} with its heap use after a
 * full collection ({@link #heapAfterGc}). The exception: a guest on WasmEdge ({@link ServerKind#isWasmEdge}) is
 * mio-examples' TcpServer as it is, run by {@code wasmedge} itself; it is ready at its line {@code " $ nc HOST PORT"},
 * reads no standard input and is stopped with SIGTERM (the benchmark's own echo_guest on WasmEdge likewise, ready at
 * {@code listening PORT}).
 */
final class ServerProcess implements AutoCloseable {
    /** JVM options shared by every Java server: the same heap and collector for all. */
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC", "-Xms64m", "-Xmx1g",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    /** The echo server's kind; null for an HTTP server. */
    final ServerKind kind;
    /** Name in messages. */
    final String label;
    final Process process;
    final int port;
    private final Path log;
    /** The HEAP lines the server printed, not yet taken. */
    private final BlockingQueue<String> heapLines = new LinkedBlockingQueue<>();

    private ServerProcess(ServerKind kind, String label, Process process, int port, Path log) {
        this.kind = kind;
        this.label = label;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Heap of a Java server after a full collection, in bytes. */
    record Heap(long used, long committed) {
    }

    long pid() {
        return process.pid();
    }

    /**
     * The command line that starts {@code kind}; {@code cServer} is the compiled C server (for the C kinds),
     * {@code extraJvmOptions} go after the shared and the kind's own JVM options (ignored for the C server).
     */
    static List<String> command(ServerKind kind, Path cServer, Integer cpu, List<String> extraJvmOptions) {
        List<String> cmd = new ArrayList<>();
        if (cpu != null) {
            cmd.addAll(List.of("taskset", "-c", cpu.toString()));
        }
        if (kind.isNative()) {
            cmd.add(cServer.resolveSibling(kind.cProgram()).toString());
            cmd.add(kind.cMode);
        } else if (kind.isWasmEdge()) {
            cmd.add(WasiExamples.wasmedge() == null ? "wasmedge" : WasiExamples.wasmedge().toString());
            cmd.add("--run-mode=aot");
            cmd.add(wasmedgeModule(kind).toString());
            if (kind.mioWasmTwin() != null) {
                // the benchmark's own guest takes PORT COUNT [mode], as WasmEchoServer passes them
                cmd.addAll(List.of("0", "1000000000"));
                cmd.addAll(kind.mainArgs.subList(1, kind.mainArgs.size()));
                return cmd;
            }
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JVM_OPTIONS);
            cmd.addAll(kind.jvmOptions);
            cmd.addAll(extraJvmOptions);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(kind.mainClass.getName());
            cmd.addAll(kind.mainArgs);
            if (kind.wasiExample != null) {
                cmd.add(wasiExample(kind).toString());
            }
        }
        cmd.add("0");
        return cmd;
    }

    /** The compiled mio-wasi-examples program of {@code kind}; fails naming what to build when it was not built. */
    static Path wasiExample(ServerKind kind) {
        Path p = WasiExamples.find(kind.wasiExample);
        if (p == null) {
            throw new IllegalStateException(kind.label + ": " + WasiExamples.missing(kind.wasiExample));
        }
        return p;
    }

    /** Where the WasmEdge AOT builds of the .wasm files go: next to them, in mio-wasi-examples/target. */
    static Path aotDir() {
        return WasiExamples.dir().toAbsolutePath().normalize().resolveSibling("wasmedge-aot");
    }

    /**
     * The guest of a WasmEdge kind, compiled ahead of time by {@code wasmedge compile} (once per .wasm content,
     * about half a minute); fails with the reason when wasmedge or the .wasm is missing or the compile failed.
     */
    static Path wasmedgeModule(ServerKind kind) {
        Path aot = kind.mioWasmTwin() != null
                ? WasiExamples.wasmedgeAot(benchGuest(kind.mainArgs.getFirst()), benchGuestDir())
                : WasiExamples.wasmedgeAot(wasiExample(kind), aotDir());
        if (aot == null) {
            throw new IllegalStateException(kind.label + ": " + WasiExamples.aotProblem);
        }
        return aot;
    }

    private static Path benchGuestDir;

    /** A temporary directory of this run for the benchmark's own guests and their AOT builds, deleted at exit. */
    private static synchronized Path benchGuestDir() {
        if (benchGuestDir == null) {
            try {
                benchGuestDir = Files.createTempDirectory("mio-bench-wasmedge-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a temporary directory for WasmEdge's AOT builds: " + e, e);
            }
            Path dir = benchGuestDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temporary directory left behind is harmless
                }
            }));
        }
        return benchGuestDir;
    }

    /** The benchmark's guest {@code name} (a resource next to {@link WasmEchoServer}) copied into {@link #benchGuestDir}. */
    static synchronized Path benchGuest(String name) {
        Path file = benchGuestDir().resolve(name);
        if (!Files.isRegularFile(file)) {
            try (var in = WasmEchoServer.class.getResourceAsStream("wasm/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("no guest " + name + " in io/mio/bench/wasm");
                }
                Files.copy(in, file);
            } catch (IOException e) {
                throw new IllegalStateException("cannot copy the guest " + name + ": " + e, e);
            }
        }
        return file;
    }

    /** Starts the server and waits (up to {@code timeoutSeconds}) for its READY line. */
    static ServerProcess start(ServerKind kind, Path cServer, Integer cpu, Path logDir, int timeoutSeconds)
            throws IOException {
        return start(kind, cServer, cpu, List.of(), logDir, timeoutSeconds);
    }

    /** As {@link #start(ServerKind, Path, Integer, Path, int)}, with JVM options added for this start. */
    static ServerProcess start(ServerKind kind, Path cServer, Integer cpu, List<String> extraJvmOptions, Path logDir,
                               int timeoutSeconds) throws IOException {
        return launch(kind, kind.label, kind.name(), command(kind, cServer, cpu, extraJvmOptions), logDir, timeoutSeconds);
    }

    /** Starts the HTTP server {@code kind} (its main class with {@link #JVM_OPTIONS}, port 0) and waits for READY. */
    static ServerProcess start(HttpServerKind kind, Integer cpu, Path logDir, int timeoutSeconds) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (cpu != null) {
            cmd.addAll(List.of("taskset", "-c", cpu.toString()));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), kind.mainClass.getName(), "0"));
        return launch(null, kind.label, "http-" + kind.name(), cmd, logDir, timeoutSeconds);
    }

    private static ServerProcess launch(ServerKind kind, String label, String name, List<String> command, Path logDir,
                                        int timeoutSeconds) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name.toLowerCase(java.util.Locale.ROOT) + ".log");
        Process p = new ProcessBuilder(command)
                .redirectError(log.toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        return Integer.parseInt(line.substring(6).trim());
                    }
                    if (kind != null && kind.isWasmEdge() && WasiExamples.ncPort(line) > 0) {
                        return WasiExamples.ncPort(line);
                    }
                    if (kind != null && kind.mioWasmTwin() != null && line.startsWith("listening ")) {
                        return Integer.parseInt(line.substring(10).trim());
                    }
                }
                return -1;
            } catch (IOException e) {
                return -1;
            }
        });
        int port;
        try {
            port = ready.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            port = -1;
        } catch (Exception e) {
            port = -1;
        }
        if (port <= 0) {
            p.destroyForcibly();
            throw new IOException(label + " server did not start: " + tail(log));
        }
        ServerProcess server = new ServerProcess(kind, label, p, port, log);
        server.drainInBackground(out);
        return server;
    }

    /** Reads the rest of the server's output: keeps the HEAP lines, drops the others. */
    private void drainInBackground(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("HEAP ")) {
                        heapLines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "server-stdout");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Asks a Java server for a full collection and its heap use after it; null for the C server, or when the
     * server does not answer in time.
     */
    Heap heapAfterGc(java.time.Duration timeout) throws IOException {
        if (kind != null && !kind.isJava()) {
            return null;
        }
        heapLines.clear();
        process.getOutputStream().write("gc\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        try {
            String line = heapLines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                return null;
            }
            String[] f = line.split(" ");
            return new Heap(Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** What the server wrote on stderr, last lines. */
    String logTail() {
        return tail(log);
    }

    @Override
    public void close() {
        try {
            if (kind != null && kind.isWasmEdge()) {
                process.destroy(); // SIGTERM: the guest does not read its standard input
            }
            process.getOutputStream().close(); // EOF on stdin: the server exits
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
