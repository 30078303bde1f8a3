package io.mio.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An example's {@code main} running in a child JVM: the test JVM's Java and class path, native access granted, its
 * output (stdout and stderr together) collected line by line. Closing it kills the child.
 */
final class ExampleProcess implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>(); // guarded by itself

    private ExampleProcess(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("example-output").start(this::collect);
    }

    static ExampleProcess start(Class<?> example, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                example.getName()));
        command.addAll(List.of(args));
        return new ExampleProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
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
            // the child was killed: its output ends here
        } finally {
            synchronized (lines) {
                lines.add(null); // end of output
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits for a line starting with {@code prefix} and returns it.
     *
     * @throws AssertionError if the output ends, or {@code timeout} passes, without one
     */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String line = lines.get(seen);
                    if (line == null) {
                        throw new AssertionError("the example's output ended without a line starting with '" + prefix
                                + "': " + output());
                    }
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line starting with '" + prefix + "' within " + timeout + ": " + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    /** Waits for the child to exit and for its output to end; returns the exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the example did not exit within " + timeout + ": " + output());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** The output so far. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines.stream().filter(l -> l != null).toList());
        }
    }

    /** The port at the end of a line such as {@code " $ nc -u 127.0.0.1 9000"}. */
    static int portAtEnd(String line) {
        String[] words = line.trim().split(" ");
        return Integer.parseInt(words[words.length - 1]);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(5_000);
    }
}
