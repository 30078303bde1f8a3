package io.mio.wasm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A test guest from src/test/resources/guests running on its own thread, with its stdout line by line. */
final class Guest implements AutoCloseable {
    private final WasmRunner runner;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private Guest(String name, NetPolicy policy, Runnable onThread, String... args) throws IOException {
        byte[] wasm;
        try (InputStream in = Guest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            if (in == null) {
                throw new IOException("no guest " + name);
            }
            wasm = in.readAllBytes();
        }
        List<String> argv = new ArrayList<>();
        argv.add(name);
        argv.addAll(List.of(args));
        runner = WasmRunner.builder(wasm).args(argv).policy(policy).stdout(new LineSplitter()).stderr(new LineSplitter())
                .build();
        thread = Thread.ofPlatform().name("guest-" + name).daemon().start(() -> {
            try {
                onThread.run();
                exit.complete(runner.run());
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    static Guest start(String name, NetPolicy policy, String... args) throws IOException {
        return new Guest(name, policy, () -> { }, args);
    }

    /** Like {@link #start(String, NetPolicy, String...)}, running {@code onThread} on the guest's thread first. */
    static Guest start(String name, NetPolicy policy, Runnable onThread, String... args) throws IOException {
        return new Guest(name, policy, onThread, args);
    }

    void interrupt() {
        thread.interrupt();
    }

    SocketHost sockets() {
        return runner.sockets();
    }

    /** The next stdout line; fails after 10 s or if the guest ended without printing one. */
    String nextLine() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String l = lines.poll(50, TimeUnit.MILLISECONDS);
            if (l != null) {
                seen.add(l);
                return l;
            }
            if (exit.isDone() && lines.isEmpty()) {
                throw new AssertionError("guest ended (" + describeExit() + ") after printing " + seen);
            }
        }
        throw new AssertionError("no line from the guest within 10 s; printed so far: " + seen);
    }

    /** The port from the guest's first line, "listening PORT". */
    int listeningPort() throws InterruptedException {
        String l = nextLine();
        if (!l.startsWith("listening ")) {
            throw new AssertionError("expected 'listening PORT', got '" + l + "'");
        }
        return Integer.parseInt(l.substring("listening ".length()).trim());
    }

    int exitCode() throws Exception {
        try {
            int code = exit.get(10, TimeUnit.SECONDS);
            if (code != 0 && !lines.isEmpty()) {
                seen.addAll(lines);
                lines.clear();
            }
            return code;
        } catch (TimeoutException e) {
            throw new AssertionError("guest still running; printed " + seen + " " + lines);
        }
    }

    private String describeExit() {
        try {
            return "exit " + exit.get();
        } catch (ExecutionException e) {
            return "trap " + e.getCause();
        } catch (InterruptedException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        runner.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class LineSplitter extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }
}
