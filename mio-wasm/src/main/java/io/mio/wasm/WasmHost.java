package io.mio.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.WasmModule;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Many guests of one module in one JVM: the module is parsed and compiled to JVM bytecode once, and each
 * {@link #start started} guest is an isolated instance of it on its own thread, with its own linear memory, WASI
 * state (arguments, environment, pre-opened directories, stdin/stdout/stderr, exit code), socket descriptor table,
 * {@link io.mio.Poll}, {@link NetPolicy sandbox}, socket limit and memory cap ({@link WasmRunner.Builder#maxMemory}:
 * guest memories share the JVM's heap, so set one where guests are not trusted). What the instances share is immutable: the
 * parsed module and the classes Chicory generated for its functions.
 *
 * <pre>{@code
 * try (WasmHost host = WasmHost.load(Path.of("echo.wasm"))) {       // parse and compile once
 *     WasmHost.Guest a = host.start("a", host.guest().args(List.of("echo", "9001"))
 *             .policy(NetPolicy.builder().allowBind("127.0.0.1:9001").build()));
 *     WasmHost.Guest b = host.start("b", host.guest().args(List.of("echo", "9002"))
 *             .policy(NetPolicy.builder().allowBind("127.0.0.1:9002").maxSockets(100).build()));
 *     int code = a.awaitExit();                                       // b serves on whatever a does
 * }
 * }</pre>
 *
 * <p>Each guest runs on a <b>platform</b> thread of its own (a daemon: the JVM does not wait for guests). Not a
 * virtual thread: a guest that waits, waits in {@code epoll_wait} through a foreign call, which pins a virtual
 * thread to its carrier, so a few waiting guests would hold every carrier and starve the rest; a platform thread's
 * stack is reserved, not committed, so an idle guest costs little more.
 *
 * <p>A guest that traps (a Rust panic, an out-of-bounds access), exits, exhausts its socket limit or is refused by
 * its sandbox affects no other guest: it ends its own thread with its own exit code.
 *
 * <p>Thread-safety: a WasmHost and its {@link Guest}s may be used from any thread. {@link #close()} stops every
 * guest still running and waits up to 5 s for their threads.
 *
 * @see io.mio.Poll
 */
public final class WasmHost implements AutoCloseable {
    private final WasmModule module;
    private final String name;
    /** Chicory's compiled module, shared by every instance; null when the module is interpreted. */
    private final Function<Instance, Machine> machine;
    private final Set<Guest> guests = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean closed;

    private WasmHost(WasmModule module, String name, boolean compile, CompileCache cache) {
        this.module = module;
        this.name = name;
        this.machine = compile ? WasmRunner.compile(module, cache) : null;
    }

    /**
     * Parses {@code wasm} and compiles it to JVM bytecode (blocking; about a second for a few MB of wasm).
     *
     * @throws IOException if the file cannot be read
     * @throws ChicoryException if it is not a valid module (malformed, or invalid)
     */
    public static WasmHost load(Path wasm) throws IOException {
        return load(wasm, true);
    }

    /** As {@link #load(Path)}; {@code compile} false interprets every instance instead (slower, starts sooner). */
    public static WasmHost load(Path wasm, boolean compile) throws IOException {
        return load(wasm, compile, null);
    }

    /**
     * As {@link #load(Path, boolean)}, with the compiled code taken from {@code cache} when an earlier run stored it
     * there (and stored there otherwise); null: no cache. See {@link CompileCache}.
     */
    public static WasmHost load(Path wasm, boolean compile, CompileCache cache) throws IOException {
        return new WasmHost(WasmRunner.parse(WasmRunner.read(wasm), compile, cache), wasm.getFileName().toString(),
                compile, cache);
    }

    /**
     * A host for the module in {@code wasm} (its bytes; {@code name} names it in thread names and messages).
     *
     * @throws ChicoryException if it is not a valid module
     */
    public static WasmHost of(String name, byte[] wasm, boolean compile) {
        return of(name, wasm, compile, null);
    }

    /**
     * As {@link #of(String, byte[], boolean)}, with the compiled code taken from {@code cache} when an earlier run
     * stored it there (and stored there otherwise); null: no cache. See {@link CompileCache}.
     */
    public static WasmHost of(String name, byte[] wasm, boolean compile, CompileCache cache) {
        Objects.requireNonNull(wasm, "wasm");
        return new WasmHost(WasmRunner.parse(wasm, compile, cache), Objects.requireNonNull(name, "name"), compile,
                cache);
    }

    /** The name of the thread of this host's guest {@code guest}. */
    String threadName(String guest) {
        return "mio-wasm-" + name + "-" + guest;
    }

    /** The module's name, as given to {@link #load} or {@link #of}. */
    public String name() {
        return name;
    }

    /** Whether instances run compiled code (the default) or are interpreted. */
    public boolean compiled() {
        return machine != null;
    }

    /**
     * A new guest's configuration, for {@link #start}: a {@link WasmRunner.Builder} of this host's module that
     * reuses its compiled code. Set the guest's arguments, environment, stdio, policy and so on there. Its
     * {@link WasmRunner.Builder#build()} also works, for a guest run on a thread of the caller's.
     */
    public WasmRunner.Builder guest() {
        return new WasmRunner.Builder(module, machine);
    }

    /** As {@link #start(String, WasmRunner.Builder)}, named by its start number (0, 1, ...). */
    public Guest start(WasmRunner.Builder config) throws IOException {
        return start(null, config);
    }

    /**
     * Starts a guest configured by {@code config} (from {@link #guest()}) on a new thread; returns at once.
     *
     * @param name names the guest (and its thread, {@code mio-wasm-NAME}); null: its start number
     * @throws IllegalArgumentException if {@code config} is not from this host's {@link #guest()}
     * @throws IllegalStateException if the host is closed
     * @throws IOException if the guest's Poll cannot be opened (the process is out of descriptors)
     */
    public Guest start(String name, WasmRunner.Builder config) throws IOException {
        Objects.requireNonNull(config, "config");
        if (config.module() != module) {
            throw new IllegalArgumentException("this configuration is for another module: start it with the WasmHost"
                    + " whose guest() made it");
        }
        if (closed) {
            throw new IllegalStateException("the WasmHost of " + this.name + " is closed");
        }
        int number = started.getAndIncrement();
        Guest g = new Guest(name != null ? name : Integer.toString(number), config.build());
        guests.add(g);
        g.start();
        if (closed) { // closed while this one started: it must not outlive the host
            g.stop();
        }
        return g;
    }

    /** The guests started and not yet ended, in no particular order. */
    public List<Guest> guests() {
        return guests.stream().filter(Guest::isAlive).toList();
    }

    /** Stops every guest (see {@link Guest#stop()}) and waits up to 5 s for their threads; idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Guest g : guests) {
            g.stop();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Guest g : guests) {
            try {
                g.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One running instance of the host's module. Thread-safe. Its exit code is {@link #exit()}'s value: the guest's
     * own ({@code proc_exit}, 0 when {@code _start} returns), {@link Main#TRAPPED} when it trapped or was stopped
     * in a host call (then {@link #failure()} says why), {@link Main#CANNOT_RUN} when it could not be linked or
     * instantiated (an import no host function matches, a start function that traps, a memory that starts above
     * its {@link WasmRunner.Builder#maxMemory cap}).
     */
    public final class Guest implements AutoCloseable {
        private final String name;
        private final WasmRunner runner;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final Thread thread;
        private volatile Throwable failure;

        private Guest(String name, WasmRunner runner) {
            this.name = name;
            this.runner = runner;
            this.thread = Thread.ofPlatform().name(threadName(name)).daemon()
                    .unstarted(this::run);
        }

        private void start() {
            thread.start();
        }

        private void run() {
            try {
                exit.complete(runner.run());
            } catch (UnlinkableException | UninstantiableException | IllegalArgumentException e) {
                failure = e;
                exit.complete(Main.CANNOT_RUN);
            } catch (ChicoryException | StackOverflowError e) {
                failure = e;
                exit.complete(Main.TRAPPED);
            } catch (Throwable t) {
                failure = t;
                exit.completeExceptionally(t);
            } finally {
                runner.close();
                guests.remove(this);
            }
        }

        /** The guest's name (see {@link WasmHost#start(String, WasmRunner.Builder)}). */
        public String name() {
            return name;
        }

        /** The guest's socket host: its descriptor table ({@link SocketHost#openSockets()}), for inspection. */
        public SocketHost sockets() {
            return runner.sockets();
        }

        /** Whether the guest is still running. */
        public boolean isAlive() {
            return !exit.isDone();
        }

        /**
         * Completes with the exit code when the guest ends (see {@link Guest}); completes exceptionally only on an
         * error of the JVM's own (an {@link OutOfMemoryError}, a bug of the host), which {@link #failure()} also holds.
         */
        public CompletableFuture<Integer> exit() {
            return exit.copy();
        }

        /** Blocks until the guest ends; returns its exit code. */
        public int awaitExit() throws InterruptedException {
            try {
                return exit.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the host failed running guest " + name, e.getCause());
            }
        }

        /**
         * Blocks up to {@code timeout} for the guest to end.
         *
         * @return its exit code, or null if it still runs after {@code timeout}
         */
        public Integer awaitExit(Duration timeout) throws InterruptedException {
            try {
                return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException("the host failed running guest " + name, e.getCause());
            }
        }

        /** Why the guest trapped or could not run (the exception from Chicory), or null. */
        public Throwable failure() {
            return failure;
        }

        /**
         * Stops the guest: closes its sockets and interrupts its thread, so that it traps in its next host call
         * (or, compiled code running, where Chicory checks the interrupt). Does not wait; {@link #awaitExit}
         * does. Idempotent; no effect on a guest that ended.
         */
        public void stop() {
            if (exit.isDone()) {
                return;
            }
            runner.close();
            thread.interrupt();
        }

        /** {@link #stop()}, then waits up to 5 s for the guest's thread. */
        @Override
        public void close() {
            stop();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return "guest " + name + " of " + WasmHost.this.name + (isAlive() ? " (running)" : " (ended)");
        }
    }
}
