package io.mio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One echo server running as its own process, optionally pinned to a CPU with {@code taskset}. It is ready
 * once it printed {@code READY <port>}; closing its standard input makes it exit.
 */
final class ServerProcess implements AutoCloseable {
    /** JVM options shared by every Java server: the same heap and collector for all. */
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC", "-Xms64m", "-Xmx1g",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    final ServerKind kind;
    final Process process;
    final int port;
    private final Path log;

    private ServerProcess(ServerKind kind, Process process, int port, Path log) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    long pid() {
        return process.pid();
    }

    /** The command line that starts {@code kind}; {@code cServer} is the compiled C server (for the C kinds). */
    static List<String> command(ServerKind kind, Path cServer, Integer cpu) {
        List<String> cmd = new ArrayList<>();
        if (cpu != null) {
            cmd.addAll(List.of("taskset", "-c", cpu.toString()));
        }
        if (kind.isNative()) {
            cmd.add(cServer.toString());
            cmd.add(kind.cMode);
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JVM_OPTIONS);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(kind.mainClass.getName());
            cmd.addAll(kind.mainArgs);
        }
        cmd.add("0");
        return cmd;
    }

    /** Starts the server and waits (up to {@code timeoutSeconds}) for its READY line. */
    static ServerProcess start(ServerKind kind, Path cServer, Integer cpu, Path logDir, int timeoutSeconds)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(kind.name().toLowerCase(java.util.Locale.ROOT) + ".log");
        Process p = new ProcessBuilder(command(kind, cServer, cpu))
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
            throw new IOException(kind.label + " server did not start: " + tail(log));
        }
        drainInBackground(p.getInputStream());
        return new ServerProcess(kind, p, port, log);
    }

    private static void drainInBackground(InputStream in) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "server-stdout");
        t.setDaemon(true);
        t.start();
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
