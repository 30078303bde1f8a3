package io.mio.reliability;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running one of this module's main classes with this JVM's java.home and a minimal class path
 * (this module's classes and io.mio's), optionally under a lower open-file limit ({@code bash -c 'ulimit -n N;
 * exec java ...'}). Its stdout is read line by line on a daemon thread.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class Child implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final List<String> seen = new ArrayList<>();

    private Child(Process process) {
        this.process = process;
        Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)), true), "child-stdout");
        Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), false), "child-stderr");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    private void pump(BufferedReader r, boolean toQueue) {
        try (r) {
            for (String line; (line = r.readLine()) != null; ) {
                if (toQueue) {
                    lines.add(line);
                } else {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    /** The class path entries holding this module's classes and io.mio's. */
    static String classPath() {
        try {
            String self = Path.of(Child.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            String mio = Path.of(io.mio.Poll.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            return self + File.pathSeparator + mio;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@code mainClass} with {@code args}; {@code fdLimit} > 0 runs it under {@code ulimit -n fdLimit}.
     */
    public static Child start(Class<?> mainClass, int fdLimit, String... args) throws IOException {
        return start(mainClass, fdLimit, List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args);
    }

    /** Like {@link #start(Class, int, String...)} with the given JVM options (instead of the small-JVM defaults). */
    public static Child start(Class<?> mainClass, int fdLimit, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        String backend = System.getProperty("io.mio.backend");
        if (backend != null) {
            cmd.add("-Dio.mio.backend=" + backend); // a child serves on the backend its parent tests
        }
        cmd.addAll(List.of("-Xshare:auto", "--enable-native-access=ALL-UNNAMED", "-cp", classPath(), mainClass.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb;
        if (fdLimit > 0) {
            StringBuilder line = new StringBuilder("ulimit -n " + fdLimit + " && exec");
            for (String c : cmd) line.append(" '").append(c.replace("'", "'\\''")).append('\'');
            pb = new ProcessBuilder("bash", "-c", line.toString());
        } else {
            pb = new ProcessBuilder(cmd);
        }
        return new Child(pb.start());
    }

    /** The next stdout line starting with {@code prefix} (earlier other lines are kept in {@link #seen()}). */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = end - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("child printed no line starting with '" + prefix + "' within " + timeout
                        + "; lines so far: " + seen + "; alive: " + process.isAlive() + "; stderr: " + stderr());
            }
            seen.add(line);
            if (line.startsWith(prefix)) return line;
        }
    }

    /** A line already printed, or null; does not wait. */
    public String pollLine() {
        String l = lines.poll();
        if (l != null) seen.add(l);
        return l;
    }

    public List<String> seen() {
        return List.copyOf(seen);
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    public Process process() {
        return process;
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** SIGKILL (Process.destroyForcibly on Unix) and wait for the exit. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("killed child did not exit");
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
