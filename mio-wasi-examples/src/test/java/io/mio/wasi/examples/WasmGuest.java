package io.mio.wasi.examples;

import io.mio.wasm.NetPolicy;
import io.mio.wasm.WasmRunner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A wasm module built by this module's TeaVM step, running on mio-wasm on its own thread, its stdout by line. */
final class WasmGuest implements AutoCloseable {
    /** Loopback only, as every test here. */
    static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*").allowConnect("127.0.0.1:*").build();

    private final WasmRunner runner;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private WasmGuest(String file, String... args) throws IOException {
        Path wasm = path(file);
        List<String> argv = new ArrayList<>();
        argv.add(file);
        argv.addAll(List.of(args));
        runner = WasmRunner.builder(wasm).args(argv).policy(LOOPBACK).stdout(new Lines()).stderr(new Lines()).build();
        thread = Thread.ofPlatform().name("wasm-" + file).daemon().start(() -> {
            try {
                exit.complete(runner.run());
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    /** Where the build step wrote {@code file}; fails if it is not there (the build step did not run). */
    static Path path(String file) {
        String dir = System.getProperty("mio.wasi.out");
        if (dir == null) {
            throw new AssertionError("mio.wasi.out is not set: run the tests through Maven (the TeaVM step sets it)");
        }
        Path p = Path.of(dir, file);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " was not built");
        }
        return p;
    }

    static WasmGuest start(String file, String... args) throws IOException {
        return new WasmGuest(file, args);
    }

    /** The next line the guest printed; fails after {@code within} or if the guest ended first. */
    String nextLine(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
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
        throw new AssertionError("no line from the guest within " + within + "; printed so far: " + seen);
    }

    /** Every line until the guest exits, and its exit code. */
    int awaitExit(Duration within, List<String> out) throws Exception {
        try {
            int code = exit.get(within.toMillis(), TimeUnit.MILLISECONDS);
            lines.drainTo(seen);
            out.addAll(seen);
            return code;
        } catch (TimeoutException e) {
            lines.drainTo(seen);
            throw new AssertionError("guest still running after " + within + "; printed " + seen);
        }
    }

    int openSockets() {
        return runner.sockets().openSockets();
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

    /** The clock subscriptions the guest's poll_oneoff calls carried so far (mio-wasm's count). */
    long clockSubscriptions() {
        return runner.sockets().clockSubscriptions();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        thread.join(5000);
    }

    private final class Lines extends OutputStream {
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
    }
}
