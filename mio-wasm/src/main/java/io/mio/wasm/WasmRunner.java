package io.mio.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs one wasm32-wasi command module (its {@code _start}) on Chicory with WASI preview 1 and WasmEdge's socket
 * API served by io.mio. One runner is one guest; {@link #run()} blocks the calling thread while the guest runs.
 * {@link #close()} (from any thread) closes the guest's sockets and makes a guest blocked in a host call trap; so
 * does interrupting the thread in {@link #run()} ({@link Thread#interrupt()}). Nothing else stops a guest: a signal
 * that interrupts the host's wait (EINTR) only makes it wait on until the call's deadline.
 */
public final class WasmRunner implements AutoCloseable {
    private static final long PAGE = 64 * 1024;
    private final WasmModule module;
    private final WasiPreview1 wasi;
    private final SocketHost sockets;
    private final boolean compile;
    /** Compiled code shared with other runners of the same module ({@link WasmHost}), or null: compile in run(). */
    private final Function<Instance, Machine> machine;
    /** Where run() keeps or finds the compiled code when it compiles, or null. */
    private final CompileCache cache;
    /** The most 64 KiB pages the guest's memory may grow to, or -1: the module's own maximum. */
    private final int maxPages;

    private WasmRunner(Builder b) throws IOException {
        this.module = b.module;
        this.machine = b.machine;
        this.cache = b.cache;
        this.maxPages = b.maxPages;
        WasiOptions.Builder o = WasiOptions.builder();
        o.withArguments(b.args);
        b.env.forEach(o::withEnvironment);
        b.dirs.forEach(o::withDirectory);
        if (b.stdin != null) {
            o.withStdin(b.stdin);
        }
        if (b.stdout != null) {
            o.withStdout(b.stdout);
        }
        if (b.stderr != null) {
            o.withStderr(b.stderr);
        }
        this.wasi = WasiPreview1.builder().withOptions(o.build()).build();
        this.sockets = new SocketHost(wasi, b.policy);
        sockets.setTcpNodelay(b.tcpNodelay);
        this.compile = b.compile;
    }

    public static Builder builder(Path wasm) {
        return new Builder(Parser.parse(wasm));
    }

    /**
     * A builder for the module in file {@code wasm} whose compiled code is kept in {@code cache} (as
     * {@link Builder#cache}); when the cache holds good classes for it, the module is parsed without validating it
     * again ({@link CompileCache#parse}). Blocks reading the file and the cache.
     *
     * @throws IOException if {@code wasm} cannot be read
     * @throws com.dylibso.chicory.wasm.ChicoryException if it is not a valid module
     */
    public static Builder builder(Path wasm, CompileCache cache) throws IOException {
        return new Builder(parse(read(wasm), true, cache)).cache(cache);
    }

    /** The bytes of file {@code wasm}; a path that is no regular file is a NoSuchFileException saying so. */
    static byte[] read(Path wasm) throws IOException {
        Objects.requireNonNull(wasm, "wasm");
        if (!java.nio.file.Files.isRegularFile(wasm)) {
            throw new java.nio.file.NoSuchFileException(wasm.toString(), null, "no such file");
        }
        return java.nio.file.Files.readAllBytes(wasm);
    }

    /** {@code wasm} parsed, through {@code cache} (or null) when it will be compiled; see {@link CompileCache#parse}. */
    static WasmModule parse(byte[] wasm, boolean compile, CompileCache cache) {
        return compile && cache != null ? cache.parse(wasm) : Parser.parse(wasm);
    }

    public static Builder builder(byte[] wasm) {
        return new Builder(Parser.parse(wasm));
    }

    /** The guest's socket host (its table, for inspection). */
    public SocketHost sockets() {
        return sockets;
    }

    /**
     * Instantiates the module and runs {@code _start}.
     *
     * @return the guest's exit code: 0 when {@code _start} returns or calls {@code proc_exit(0)}
     * @throws com.dylibso.chicory.wasm.ChicoryException if the guest traps (or was stopped by {@link #close()})
     */
    public int run() {
        List<ImportFunction> fns = new ArrayList<>(sockets.hostFunctions(module));
        Instance.Builder ib = Instance.builder(module)
                .withImportValues(ImportValues.builder().withFunctions(fns).build())
                .withMemoryFactory(SegmentMemory::of)
                .withStart(false);
        if (compile) {
            ib.withMachineFactory(machine != null ? machine : compile(module, cache));
        }
        MemoryLimits capped = cappedMemory();
        if (capped != null) {
            ib.withMemoryLimits(capped);
        }
        try {
            Instance instance = ib.build();
            instance.export("_start").apply();
            return 0;
        } catch (WasiExitException e) {
            return e.exitCode();
        } catch (com.dylibso.chicory.runtime.ExecutionCompletedException e) {
            return 0;
        } finally {
            sockets.close();
        }
    }

    /**
     * The module's own memory limits with the maximum cut to {@link Builder#maxMemory}, or null: no cap, or the
     * module defines no memory of its own.
     */
    private MemoryLimits cappedMemory() {
        if (maxPages < 0 || module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
            return null;
        }
        MemoryLimits own = module.memorySection().get().getMemory(0).limits();
        if (own.initialPages() > maxPages) {
            throw new IllegalArgumentException("the module's memory starts at " + own.initialPages() + " pages of 64 KiB, "
                    + "more than its cap of " + maxPages + " pages (--max-memory)");
        }
        return new MemoryLimits(own.initialPages(), Math.min(own.maximumPages(), maxPages), own.shared());
    }

    /** How many modules were compiled in this JVM (tests check that a WasmHost compiles once). */
    static final java.util.concurrent.atomic.AtomicInteger COMPILATIONS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Compiles {@code module}'s functions to JVM bytecode (Chicory's runtime compiler; a function too large for a JVM
     * method is interpreted): a machine factory that any number of instances of that same module object may share.
     * With a {@code cache} (or null), classes compiled earlier for the same module are loaded from it instead, and
     * newly compiled ones are stored there.
     */
    static Function<Instance, Machine> compile(WasmModule module, CompileCache cache) {
        COMPILATIONS.incrementAndGet();
        // CompileCache.OPTIONS names these options in every entry's key
        MachineFactoryCompiler.Builder b = MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(InterpreterFallback.SILENT);
        if (cache != null) {
            b.withCache(cache);
        }
        return b.compile();
    }

    @Override
    public void close() {
        sockets.close();
        wasi.close();
    }

    public static final class Builder {
        private final WasmModule module;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, Path> dirs = new LinkedHashMap<>();
        private InputStream stdin;
        private OutputStream stdout;
        private OutputStream stderr;
        private NetPolicy policy = NetPolicy.denyAll();
        private boolean compile = true;
        private boolean tcpNodelay = true;
        private final Function<Instance, Machine> machine;
        private int maxPages = -1;
        private CompileCache cache;

        private Builder(WasmModule module) {
            this(module, null);
            this.compile = true;
        }

        /** A builder whose runners reuse {@code machine}, compiled from {@code module} ({@link WasmHost#guest()}). */
        Builder(WasmModule module, Function<Instance, Machine> machine) {
            this.module = module;
            this.machine = machine;
            this.compile = machine != null; // a WasmHost that interprets makes builders that interpret
        }

        WasmModule module() {
            return module;
        }

        /** The guest's argv, program name first. */
        public Builder args(List<String> args) {
            this.args.clear();
            this.args.addAll(args);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** Pre-opens host directory {@code host} as {@code guest}. */
        public Builder dir(String guest, Path host) {
            dirs.put(guest, host);
            return this;
        }

        public Builder stdin(InputStream in) {
            this.stdin = in;
            return this;
        }

        public Builder stdout(OutputStream out) {
            this.stdout = out;
            return this;
        }

        public Builder stderr(OutputStream err) {
            this.stderr = err;
            return this;
        }

        public Builder policy(NetPolicy policy) {
            this.policy = Objects.requireNonNull(policy);
            return this;
        }

        /** TCP_NODELAY on every guest TCP stream (default: on); see {@link SocketHost#setTcpNodelay}. */
        public Builder tcpNodelay(boolean on) {
            this.tcpNodelay = on;
            return this;
        }

        /**
         * Caps the guest's linear memory at {@code bytes} (rounded down to whole 64 KiB pages): past it the guest's
         * {@code memory.grow} fails (returns -1, as when a runtime is out of memory; a Rust guest then aborts). Its
         * memory lives off the JVM's heap, in native memory (on the heap with {@code -Dio.mio.wasm.memory=bytearray}), shared
         * by every guest of a {@link WasmHost}, so a cap keeps one guest from taking the memory the others need. Default: none, the module's own maximum (at most 4 GiB). A module whose
         * memory starts above the cap cannot run: {@link #run()} throws IllegalArgumentException.
         *
         * @throws IllegalArgumentException if {@code bytes} is less than one page
         */
        public Builder maxMemory(long bytes) {
            if (bytes < PAGE) {
                throw new IllegalArgumentException("a memory cap needs at least one 64 KiB page, not " + bytes + " bytes");
            }
            this.maxPages = (int) Math.min(bytes / PAGE, MemoryLimits.MAX_PAGES);
            return this;
        }

        /**
         * Keeps the guest's compiled code in {@code cache} (or null: none, the default), so that the next run of the
         * same module in a new JVM loads it instead of compiling again; see {@link CompileCache}. No effect on a
         * builder from {@link WasmHost#guest()} (its host compiled the module already) or when interpreting.
         */
        public Builder cache(CompileCache cache) {
            this.cache = cache;
            return this;
        }

        /** Compile the guest to JVM bytecode at start-up (default) or interpret it. */
        public Builder compile(boolean compile) {
            this.compile = compile;
            return this;
        }

        public WasmRunner build() throws IOException {
            return new WasmRunner(this);
        }
    }
}
