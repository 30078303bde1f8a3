package io.mio.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A child process (openssl, curl) with its output (stdout and stderr together) collected line by line and its stdin
 * open for writing. Closing it kills the process, by its own handle, if it is still running.
 */
public final class Proc implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>(); // guarded by itself; a null element marks the end
    private final String name;

    private Proc(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name(name + "-output").start(this::collect);
    }

    /** Skips the calling test (with the reason) if {@code tool} is not installed; .ci/run installs openssl and curl. */
    public static String tool(String tool) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        assumeTrue(false, tool + " is not installed (.ci/run installs it with apt-get)");
        return null;
    }

    public static Proc start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new Proc(Path.of(command.getFirst()).getFileName().toString(), p);
    }

    private void collect() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // killed: the output ends here
        } finally {
            synchronized (lines) {
                lines.add(null);
                lines.notifyAll();
            }
        }
    }

    /** Writes {@code text} to the process's stdin. */
    public void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Closes the process's stdin (its end of input). */
    public void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Waits for a line matching {@code test} and returns it.
     *
     * @throws AssertionError if the output ends, or {@code timeout} passes, without one (with the output so far)
     */
    public String await(String what, Predicate<String> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String line = lines.get(seen);
                    if (line == null) {
                        throw new AssertionError(name + " ended without " + what + "; its output:\n" + output());
                    }
                    if (test.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " from " + name + " within " + timeout + "; its output:\n"
                            + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    /** Waits for a line containing {@code text}. */
    public String awaitContaining(String text, Duration timeout) throws InterruptedException {
        return await("a line containing '" + text + "'", l -> l.contains(text), timeout);
    }

    /** Waits for the process to exit and returns its status; kills it and fails after {@code timeout}. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not exit within " + timeout + "; its output:\n" + output());
        }
        // the output thread sees the end of the pipe right after the exit
        synchronized (lines) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((lines.isEmpty() || lines.getLast() != null) && System.nanoTime() < deadline) {
                lines.wait(100);
            }
        }
        return process.exitValue();
    }

    /** Everything the process printed so far. */
    public String output() {
        synchronized (lines) {
            StringBuilder s = new StringBuilder();
            for (String l : lines) {
                if (l != null) {
                    s.append(l).append('\n');
                }
            }
            return s.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
