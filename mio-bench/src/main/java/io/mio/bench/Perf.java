package io.mio.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Counts a process's syscalls and context switches with {@code perf stat} over a window that the caller
 * opens and closes exactly: perf attaches with its events disabled and is switched on and off through its
 * control FIFO ({@code --control fifo:ctl,ack}), so attach time never leaks into the window. Every failure
 * (no perf, not permitted, an old perf) turns into "no figures", never into an exception.
 */
final class Perf implements AutoCloseable {
    private static volatile String unavailable; // why perf cannot be used, once known

    private final Process process;
    private final Path dir;
    private final CompletableFuture<Fifos> fifos;

    private record Fifos(OutputStream ctl, BufferedReader ack) {
    }

    /** Syscalls and context switches counted in the window; -1 where perf reported none. */
    record Counts(long syscalls, long contextSwitches) {
    }

    private Perf(Process process, Path dir, CompletableFuture<Fifos> fifos) {
        this.process = process;
        this.dir = dir;
        this.fifos = fifos;
    }

    /** Why perf is not used, or null while it seems usable. */
    static String unavailable() {
        return unavailable;
    }

    /** Checks once that perf exists and may count raw_syscalls for another process; false if not. */
    static synchronized boolean probe() {
        if (unavailable != null) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-e",
                    "context-switches", "--", "true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.contains("raw_syscalls:sys_enter")
                    || out.contains("<not supported>")) {
                unavailable = "perf stat failed: " + out.strip().lines().findFirst().orElse("exit " + p.exitValue());
                return false;
            }
            return true;
        } catch (IOException e) {
            unavailable = "perf not found (" + e.getMessage() + ")";
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted";
            return false;
        }
    }

    /** Attaches perf to every thread {@code pid} has now, events disabled; null if perf is unavailable. */
    static Perf attach(long pid) {
        if (!probe()) {
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("mio-bench-perf");
            Path ctl = dir.resolve("ctl");
            Path ack = dir.resolve("ack");
            for (Path fifo : new Path[] {ctl, ack}) {
                Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
                if (mk.waitFor() != 0) {
                    unavailable = "mkfifo failed";
                    return null;
                }
            }
            Process p = new ProcessBuilder("perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-e",
                    "context-switches", "--control", "fifo:" + ctl + "," + ack, "-D", "-1",
                    "-p", Long.toString(pid), "-o", dir.resolve("out").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log").toFile())
                    .start();
            // perf opens ctl, then ack: open them in that order, off this thread, as opening a FIFO blocks.
            CompletableFuture<Fifos> fifos = CompletableFuture.supplyAsync(() -> {
                try {
                    OutputStream c = new FileOutputStream(new File(ctl.toString()));
                    BufferedReader a = new BufferedReader(new InputStreamReader(
                            new FileInputStream(ack.toFile()), StandardCharsets.US_ASCII));
                    return new Fifos(c, a);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> {
                Thread t = new Thread(r, "perf-fifo-opener");
                t.setDaemon(true);
                t.start();
            });
            return new Perf(p, dir, fifos);
        } catch (IOException e) {
            unavailable = "perf failed to start: " + e.getMessage();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Switches counting on; false if perf did not answer. */
    boolean enable() {
        return command("enable");
    }

    /** Switches counting off; false if perf did not answer. */
    boolean disable() {
        return command("disable");
    }

    private boolean command(String cmd) {
        try {
            Fifos f = fifos.get(10, TimeUnit.SECONDS);
            f.ctl().write((cmd + "\n").getBytes(StandardCharsets.US_ASCII));
            f.ctl().flush();
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.ack().readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            return "ack".equals(line.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            return false;
        }
    }

    /** Stops perf and returns what it counted while enabled; null if it printed nothing usable. */
    Counts finish() {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            long syscalls = -1;
            long switches = -1;
            Path out = dir.resolve("out");
            if (!Files.exists(out)) {
                return null;
            }
            for (String line : Files.readAllLines(out)) {
                String[] f = line.split(",");
                if (f.length < 3) {
                    continue;
                }
                long v = f[0].startsWith("<") ? 0 : parse(f[0]);
                if (f[2].equals("raw_syscalls:sys_enter")) {
                    syscalls = v;
                } else if (f[2].equals("context-switches")) {
                    switches = v;
                }
            }
            return syscalls < 0 && switches < 0 ? null : new Counts(syscalls, switches);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        fifos.cancel(true);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
