package io.mio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The harness's side of the {@link IdleHolder} processes: as many as the idle connections need (each holds at
 * most what its own open-file limit allows), started when first needed and reused from server to server.
 */
final class Holders implements AutoCloseable {
    /** Connections asked of a holder at once: the harness checks the server accepted them before the next chunk. */
    static final int CHUNK = 2000;
    /** Descriptors a holder keeps free for itself (JVM, epoll, pipes). */
    private static final int HEADROOM = 64;
    /** No more holder processes than this: more would say that something is wrong with the limits. */
    private static final int MAX_HOLDERS = 16;

    private static final class Holder {
        final Process process;
        final OutputStream in;
        final BlockingQueue<String> lines;
        final int capacity;
        int held;

        Holder(Process process, BlockingQueue<String> lines, int capacity) {
            this.process = process;
            this.in = process.getOutputStream();
            this.lines = lines;
            this.capacity = capacity;
        }

        String ask(String command, Duration timeout) throws IOException {
            lines.clear();
            in.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            try {
                String reply = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (reply == null) {
                    throw new IOException("idle-connection holder " + process.pid() + " did not answer '" + command
                            + "' in " + timeout.toSeconds() + " s" + (process.isAlive() ? "" : " (it died)"));
                }
                if (!reply.startsWith("OK ")) {
                    throw new IOException("idle-connection holder " + process.pid() + ": " + reply);
                }
                return reply.substring(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** Called after each chunk with the number of idle connections held in all; it may wait for the server. */
    interface Pacer {
        void held(int total) throws IOException;
    }

    private final List<Holder> holders = new ArrayList<>();
    private final Path logDir;

    Holders(Path logDir) {
        this.logDir = logDir;
    }

    /** Idle connections held in all. */
    int held() {
        return holders.stream().mapToInt(h -> h.held).sum();
    }

    /** How many holder processes run. */
    int processes() {
        return holders.size();
    }

    /**
     * Opens idle connections to {@code server} until {@code total} are held (they must all go to the same server:
     * {@link #closeAll} first when it changes), in chunks of {@value #CHUNK}, calling {@code pacer} after each.
     */
    void holdUpTo(InetSocketAddress server, int total, Pacer pacer) throws IOException {
        while (held() < total) {
            Holder h = holders.stream().filter(x -> x.held < x.capacity).findFirst().orElse(null);
            if (h == null) {
                h = startHolder();
            }
            int n = Math.min(CHUNK, Math.min(h.capacity - h.held, total - held()));
            String reply = h.ask("connect " + server.getHostString() + " " + server.getPort() + " " + n,
                    Duration.ofSeconds(90));
            h.held = Integer.parseInt(reply.trim());
            pacer.held(held());
        }
    }

    /** Closes every idle connection (the holder processes stay for the next server). */
    void closeAll() throws IOException {
        for (Holder h : holders) {
            if (h.held > 0) {
                h.ask("close", Duration.ofSeconds(30));
                h.held = 0;
            }
        }
    }

    private Holder startHolder() throws IOException {
        if (holders.size() >= MAX_HOLDERS) {
            throw new IOException("more than " + MAX_HOLDERS + " idle-connection holder processes needed");
        }
        Files.createDirectories(logDir);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), IdleHolder.class.getName(),
                "127.0.0." + (10 + holders.size()))); // each holder its own source address (IdleHolder says why)
        Process p = new ProcessBuilder(cmd)
                .redirectError(logDir.resolve("idle-holder-" + holders.size() + ".log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "idle-holder-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String ready = lines.poll(30, TimeUnit.SECONDS);
            if (ready == null || !ready.startsWith("READY ")) {
                p.destroyForcibly();
                throw new IOException("idle-connection holder did not start: " + (ready == null ? "no answer" : ready));
            }
            String[] f = ready.split(" ");
            long limit = Long.parseLong(f[1]);
            int open = Integer.parseInt(f[2]);
            int capacity = (int) Math.min(Integer.MAX_VALUE, limit - open - HEADROOM);
            if (capacity <= 0) {
                p.destroyForcibly();
                throw new IOException("idle-connection holder's open-file limit is " + limit);
            }
            Holder h = new Holder(p, lines, capacity);
            holders.add(h);
            return h;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    /** Ends the holder processes (closing their standard input), which closes what they hold. */
    @Override
    public void close() {
        for (Holder h : holders) {
            try {
                h.in.close();
                if (!h.process.waitFor(10, TimeUnit.SECONDS)) {
                    h.process.destroyForcibly();
                    h.process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                h.process.destroyForcibly();
            } catch (InterruptedException e) {
                h.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        holders.clear();
    }
}
