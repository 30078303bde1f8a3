package io.mio.wasm;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The command line: {@code mio-wasm run [options] app.wasm [args...]} runs a wasm32-wasi command module with
 * WasmEdge's socket API on io.mio, in a sandbox that denies all network access unless allowed ({@code --instances N}
 * runs N isolated copies in this JVM, {@link WasmHost}; {@code mio-wasm run-all FILE} runs the guests of several
 * modules that FILE lists, each with its own sandbox, see {@link GuestsFile}). Exits with the
 * guest's exit code, {@value #TRAPPED} if the guest traps, {@value #CANNOT_RUN} if the module cannot be loaded or
 * linked, 2 for a usage error. mio-wasm's own messages go to stderr, one line each, prefixed {@code mio-wasm:}.
 */
@Command(name = "mio-wasm", mixinStandardHelpOptions = true, version = "mio-wasm 0.1.0",
        description = "Runs wasm32-wasi modules written against WasmEdge's socket API on Chicory and io.mio.",
        subcommands = {Main.Run.class, Main.RunAll.class})
public final class Main implements Callable<Integer> {
    /** Exit code when the guest traps (a Rust panic, an out-of-bounds access, ...) or is stopped. */
    public static final int TRAPPED = 125;
    /** Exit code when the module cannot be loaded, validated or linked. */
    public static final int CANNOT_RUN = 126;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    Main(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return 2;
    }

    /** Validates a command-line value with the NetPolicy builder method it is for, so a bad one is a usage error. */
    private abstract static class Checked implements CommandLine.ITypeConverter<String> {
        private final Consumer<String> check;

        Checked(Consumer<String> check) {
            this.check = check;
        }

        @Override
        public String convert(String value) {
            try {
                check.accept(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    static final class BindPattern extends Checked {
        BindPattern() {
            super(v -> NetPolicy.builder().allowBind(v));
        }
    }

    static final class ConnectPattern extends Checked {
        ConnectPattern() {
            super(v -> NetPolicy.builder().allowConnect(v));
        }
    }

    static final class NamePattern extends Checked {
        NamePattern() {
            super(v -> NetPolicy.builder().allowResolve(v));
        }
    }

    /** A byte count with an optional K, M or G suffix (powers of 1024), at least one 64 KiB page. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parse(value, " (one wasm page)");
        }

        /** {@code value} in bytes; {@code why64k} says why less than 64K is refused. */
        static long parse(String value, String why64k) {
            String v = value.trim().toUpperCase(java.util.Locale.ROOT);
            long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1;
            };
            try {
                long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
                if (n < 0 || n > (1L << 40) / unit) {
                    throw new NumberFormatException();
                }
                if (n * unit < 65536) {
                    throw new CommandLine.TypeConversionException("at least 64K" + why64k + ", not " + value);
                }
                return n * unit;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("a size is a number of bytes with an optional K, M or"
                        + " G suffix (64M), not " + value);
            }
        }
    }

    static final class DeviceName extends Checked {
        DeviceName() {
            super(v -> NetPolicy.builder().allowDevice(v));
        }
    }

    @Command(name = "run", description = "Runs APP's _start with the given arguments.", sortOptions = false,
            mixinStandardHelpOptions = true, exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"N:the guest's exit code (proc_exit, 0 when _start returns)",
                "2:usage error", Main.TRAPPED + ":the guest trapped (a Rust panic, ...) or was stopped",
                Main.CANNOT_RUN + ":APP cannot be loaded, validated or linked"})
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        private Main main;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--allow-bind", paramLabel = "HOST:PORT", converter = BindPattern.class,
                description = "Allow bind/listen on matching addresses (*, 127.0.0.1:8080, 0.0.0.0:8000-8099, "
                        + "[::1]:*, 10.0.0.0/8:*, localhost:*). Repeatable.")
        private List<String> allowBind = new ArrayList<>();

        @Option(names = "--allow-connect", paramLabel = "HOST:PORT", converter = ConnectPattern.class,
                description = "Allow connecting, and sending UDP datagrams, to matching addresses (same patterns). "
                        + "Repeatable.")
        private List<String> allowConnect = new ArrayList<>();

        @Option(names = "--allow-resolve", paramLabel = "NAME", converter = NamePattern.class,
                description = "Allow DNS lookups of NAME (example.com, *.example.com, *). Numeric hosts and "
                        + "localhost always resolve. Repeatable.")
        private List<String> allowResolve = new ArrayList<>();

        @Option(names = "--allow-device", paramLabel = "NAME", converter = DeviceName.class,
                description = "Allow binding sockets to network device NAME (SO_BINDTODEVICE), * for any. The "
                        + "loopback device is always allowed. Repeatable.")
        private List<String> allowDevice = new ArrayList<>();

        @Option(names = "--max-sockets", paramLabel = "N", description = "Open sockets at most (default: the "
                + "process's open-file limit, at least 1024: ${DEFAULT-VALUE} here).")
        private int maxSockets = NetPolicy.defaultMaxSockets();

        @Option(names = "--max-memory", paramLabel = "SIZE", converter = Size.class, description = "Cap the guest's "
                + "linear memory (each copy's, with --instances) at SIZE bytes (K, M, G suffixes: 64M); past it "
                + "memory.grow fails. Default: the module's own maximum (at most 4G).")
        private Long maxMemory;

        @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set an environment variable. Repeatable.")
        private List<String> env = new ArrayList<>();

        @Option(names = "--dir", paramLabel = "GUEST[=HOST]",
                description = "Pre-open host directory HOST (default: GUEST) as GUEST. Repeatable.")
        private List<String> dirs = new ArrayList<>();

        @Option(names = "--tcp-nodelay", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "TCP_NODELAY on every guest TCP stream, accepted or connected (default: on; "
                        + "--no-tcp-nodelay leaves Nagle's algorithm on, as WasmEdge does).")
        private boolean tcpNodelay = true;

        @Option(names = "--interpret", description = "Interpret the module instead of compiling it to JVM bytecode.")
        private boolean interpret;

        @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = "${env:MIO_WASM_CACHE_DIR}",
                description = "Keep the JVM classes compiled from APP in DIR (created rwx------; refused if others may "
                        + "write it) and load them from there next time instead of compiling again; each entry is "
                        + "checked (module SHA-256, Chicory version, a hash of its bytes) and recompiled if it does not "
                        + "match. Default: $MIO_WASM_CACHE_DIR (the launcher sets ~/.cache/mio-wasm); empty: no cache.")
        private String cacheDir;

        @Option(names = "--cache-max", paramLabel = "SIZE", defaultValue = "${env:MIO_WASM_CACHE_MAX}",
                description = "Keep the cache's entries within SIZE bytes in total (K, M, G suffixes): after storing "
                        + "one, delete the least recently used until they fit; files the cache did not write are "
                        + "never deleted. Default: $MIO_WASM_CACHE_MAX, else 256M.")
        private String cacheMax;

        @Option(names = "--instances", paramLabel = "N", description = "Run N isolated copies of APP in this JVM, "
                + "compiled once, each on its own thread with its own memory, sockets, sandbox (the same rules) and "
                + "--max-sockets. {i} in ARGS and --env values becomes the copy's number (0 to N-1); each line a copy "
                + "prints is prefixed [i]; stdin is empty. Exits when all have ended: 0 if all exited 0, else the "
                + "lowest-numbered copy's non-zero code (default: 1).")
        private int instances = 1;

        @Option(names = {"-q", "--quiet"}, description = "Print none of mio-wasm's own messages but the error that "
                + "ends a run (no sandbox refusals).")
        private boolean quiet;

        @Option(names = {"-v", "--verbose"}, description = "Also print what runs, how it ended and the host's "
                + "details (and a trap's Java stack trace).")
        private boolean verbose;

        @Parameters(index = "0", paramLabel = "APP", description = "The .wasm file.")
        private Path app;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the guest.")
        private List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            if (quiet && verbose) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--quiet and --verbose are mutually exclusive");
            }
            if (instances < 1 || instances > MAX_INSTANCES) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--instances needs a number from 1 to " + MAX_INSTANCES + ", not " + instances);
            }
            checkEnv(spec.commandLine(), "");
            NetPolicy.Builder p = policy();
            List<String> argv = new ArrayList<>();
            argv.add(app.getFileName().toString());
            argv.addAll(args);
            CompileCache cache = openCache(spec, main.err, interpret ? null : cacheDir, cacheMax);
            if (instances > 1) {
                return runInstances(p.build(), cache);
            }
            try (Messages log = new Messages(main.err, quiet ? Level.OFF : verbose ? Level.FINE : Level.WARNING)) {
                WasmRunner.Builder b;
                try {
                    b = interpret || cache == null ? WasmRunner.builder(app) : WasmRunner.builder(app, cache);
                } catch (RuntimeException | java.io.IOException e) {
                    main.err.println("mio-wasm: cannot load " + app + ": " + message(e));
                    return CANNOT_RUN;
                }
                NetPolicy policy = p.build();
                b.args(argv).policy(policy).compile(!interpret).cache(cache).tcpNodelay(tcpNodelay)
                        .stdin(main.in).stdout(main.out).stderr(main.err);
                if (maxMemory != null) {
                    b.maxMemory(maxMemory);
                }
                envAndDirs(b, null);
                log.fine("running " + app + (interpret ? " (interpreted)" : " (compiled to JVM bytecode)")
                        + ", " + policy + ", TCP_NODELAY " + (tcpNodelay ? "on" : "off"));
                try (WasmRunner r = b.build()) {
                    int code = r.run();
                    log.fine("the guest exited with code " + code);
                    return code;
                } catch (UnlinkableException | UninstantiableException | InvalidException | MalformedException
                         | IllegalArgumentException e) {
                    main.err.println("mio-wasm: cannot run " + app + ": " + message(e));
                    return CANNOT_RUN;
                } catch (ChicoryException | StackOverflowError e) {
                    // a trap (unreachable, out-of-bounds access, ...), or the guest was stopped in a host call
                    String why = e instanceof StackOverflowError ? "call stack exhausted" : message(e);
                    main.err.println("mio-wasm: the guest trapped: " + why + " (exit code " + TRAPPED + ")");
                    if (verbose) {
                        e.printStackTrace(main.err);
                    }
                    return TRAPPED;
                } catch (java.io.IOException e) {
                    main.err.println("mio-wasm: cannot start " + app + ": " + message(e));
                    return CANNOT_RUN;
                }
            } finally {
                main.out.flush();
                main.err.flush();
            }
        }

        /** The sandbox the flags describe (the patterns were checked when parsed). */
        NetPolicy.Builder policy() {
            NetPolicy.Builder p = NetPolicy.builder().maxSockets(maxSockets);
            allowBind.forEach(p::allowBind);
            allowConnect.forEach(p::allowConnect);
            allowResolve.forEach(p::allowResolve);
            allowDevice.forEach(p::allowDevice);
            return p;
        }

        /** A usage error on {@code cl} (prefixed {@code where}) unless every --env is NAME=VALUE. */
        void checkEnv(CommandLine cl, String where) {
            for (String e : env) {
                if (e.indexOf('=') <= 0) {
                    throw new CommandLine.ParameterException(cl, where + "--env needs NAME=VALUE: " + e);
                }
            }
        }

        /** --env and --dir onto {@code b}; {@code instance} (or null) replaces {i} in the values. */
        private void envAndDirs(WasmRunner.Builder b, String instance) {
            envAndDirs(b, instance, null);
        }

        /** As above; relative --dir host paths are resolved against {@code base} (null: the working directory). */
        void envAndDirs(WasmRunner.Builder b, String instance, Path base) {
            for (String e : env) {
                int eq = e.indexOf('=');
                String value = e.substring(eq + 1);
                b.env(e.substring(0, eq), instance == null ? value : value.replace("{i}", instance));
            }
            for (String d : dirs) {
                int eq = d.indexOf('=');
                String guest = eq < 0 ? d : d.substring(0, eq);
                Path host = Path.of(eq < 0 ? d : d.substring(eq + 1));
                b.dir(guest, base == null ? host : base.resolve(host));
            }
        }

        /** --instances N: N guests of one compiled module in this JVM ({@link WasmHost}); waits for all of them. */
        private int runInstances(NetPolicy policy, CompileCache cache) {
            String threadPrefix = "mio-wasm-" + app.getFileName() + "-";
            try (Messages log = new Messages(main.err, quiet ? Level.OFF : verbose ? Level.FINE : Level.WARNING,
                    threadPrefix)) {
                WasmHost host;
                try {
                    host = WasmHost.load(app, !interpret, cache);
                } catch (java.io.IOException | RuntimeException e) {
                    main.err.println("mio-wasm: cannot load " + app + ": " + message(e));
                    return CANNOT_RUN;
                }
                try (host) {
                    log.fine("running " + instances + " instances of " + app + (interpret ? " (interpreted)"
                            : " (compiled to JVM bytecode once)") + ", each with " + policy + ", TCP_NODELAY "
                            + (tcpNodelay ? "on" : "off"));
                    List<WasmHost.Guest> guests = new ArrayList<>();
                    List<PrefixedLines> streams = new ArrayList<>();
                    for (int i = 0; i < instances; i++) {
                        String n = Integer.toString(i);
                        List<String> argv = new ArrayList<>();
                        argv.add(app.getFileName().toString());
                        args.forEach(a -> argv.add(a.replace("{i}", n)));
                        PrefixedLines out = new PrefixedLines(main.out, "[" + n + "] ");
                        PrefixedLines err = new PrefixedLines(main.err, "[" + n + "] ");
                        streams.add(out);
                        streams.add(err);
                        WasmRunner.Builder b = host.guest().args(argv).policy(policy).tcpNodelay(tcpNodelay)
                                .stdin(InputStream.nullInputStream()).stdout(out).stderr(err);
                        envAndDirs(b, n);
                        if (maxMemory != null) {
                            b.maxMemory(maxMemory);
                        }
                        try {
                            guests.add(host.start(n, b));
                        } catch (java.io.IOException e) {
                            main.err.println("mio-wasm: cannot start instance " + n + ": " + message(e));
                            return CANNOT_RUN;
                        }
                    }
                    // each copy's end is told as it happens (a trapped copy while the others serve on)
                    List<CompletableFuture<Integer>> ends = new ArrayList<>();
                    for (WasmHost.Guest g : guests) {
                        ends.add(g.exit().handle((code, error) -> ended(g, code, error, log)));
                    }
                    int result = firstNonZeroExit(ends);
                    streams.forEach(PrefixedLines::flush);
                    return result;
                }
            } finally {
                main.out.flush();
                main.err.flush();
            }
        }

        /** Tells how copy {@code g} ended (on stderr when it failed); returns its exit code. */
        private int ended(WasmHost.Guest g, Integer exitCode, Throwable error, Messages log) {
            int code = exitCode != null ? exitCode : TRAPPED;
            Throwable why = error != null ? error : g.failure();
            if (code == CANNOT_RUN && why != null) {
                main.err.println("mio-wasm: [" + g.name() + "] cannot run " + app + ": " + message(why));
            } else if (why != null) {
                String what = why instanceof StackOverflowError ? "call stack exhausted" : message(why);
                main.err.println("mio-wasm: [" + g.name() + "] the guest trapped: " + what + " (exit code " + code
                        + ")");
                if (verbose) {
                    why.printStackTrace(main.err);
                }
            } else if (verbose) {
                // not through the log: on the guest's thread it would add the copy's number a second time
                main.err.println("mio-wasm: [" + g.name() + "] the guest exited with code " + code);
            }
            return code;
        }

        /**
         * The cache in {@code dir} (null or blank: none) bounded to {@code max} (null or blank: the default); a
         * directory that cannot be used or a bad size is a usage error when given as an option, a warning when it
         * came from the environment.
         */
        static CompileCache openCache(CommandLine.Model.CommandSpec spec, PrintStream err, String dir, String max) {
            if (dir == null || dir.isBlank()) {
                return null;
            }
            long maxBytes = CompileCache.DEFAULT_MAX_BYTES;
            if (max != null && !max.isBlank()) {
                try {
                    maxBytes = Size.parse(max, "");
                } catch (CommandLine.TypeConversionException e) {
                    if (spec.commandLine().getParseResult().hasMatchedOption("--cache-max")) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--cache-max " + max + ": "
                                + e.getMessage());
                    }
                    err.println("mio-wasm: ignoring MIO_WASM_CACHE_MAX=" + max + " (" + e.getMessage() + "): the cache"
                            + " holds at most " + (maxBytes >> 20) + "M");
                }
            }
            try {
                return CompileCache.open(Path.of(dir), maxBytes);
            } catch (IllegalArgumentException | java.io.IOException e) {
                String why = e instanceof java.nio.file.FileSystemException f
                        ? "cannot use it: " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName())
                        : message(e);
                if (!spec.commandLine().getParseResult().hasMatchedOption("--cache-dir")) {
                    // the default ($MIO_WASM_CACHE_DIR): a cache that cannot be used only costs start-up time
                    err.println("mio-wasm: not caching compiled code: " + dir + ": " + why);
                    return null;
                }
                throw new CommandLine.ParameterException(spec.commandLine(), "--cache-dir " + dir + ": " + why);
            }
        }

        static String message(Throwable e) {
            return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
    }

    @Command(name = "run-all", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Runs the guests FILE lists in this JVM: several modules, each guest with its own "
                    + "sandbox, arguments, environment, limits and copies. One guest per line:",
                "  NAME: [run options] APP [ARGS...]",
                "with the options of 'mio-wasm run' (but -q, -v, --cache-dir and --cache-max, which go before FILE), "
                    + "words split as a shell splits them ('...', \"...\", \\); blank lines and lines starting with # are "
                    + "skipped. NAME: letters, digits, _ and -, unique. APP and relative --dir host paths are relative "
                    + "to FILE's directory. Each line a guest prints is prefixed [NAME] ([NAME.i] for copy i of "
                    + "--instances N; {i} in ARGS and --env values becomes the copy's number, 0 for a single copy). "
                    + "Identical .wasm files are compiled once. stdin is empty. A guest that traps, exits or runs out "
                    + "of sockets ends alone; the run ends when every guest has ended.",
                "Example:",
                "  echo: --allow-bind 127.0.0.1:9001 echo.wasm 9001",
                "  web: --allow-bind 127.0.0.1:8080 --max-memory 256M --env MODE=prod http.wasm"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every guest exited 0",
                "N:the first guest in FILE's order (copies in order) that did not exit 0: its exit code",
                "2:usage error (FILE cannot be read, a bad line: FILE:LINE: why)",
                Main.TRAPPED + ":(as a guest's code) it trapped or was stopped",
                Main.CANNOT_RUN + ":an APP cannot be loaded, validated or linked (nothing is started)"})
    static final class RunAll implements Callable<Integer> {
        @CommandLine.ParentCommand
        private Main main;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = "${env:MIO_WASM_CACHE_DIR}",
                description = "As for run: keep and reuse the compiled classes of every APP in DIR.")
        private String cacheDir;

        @Option(names = "--cache-max", paramLabel = "SIZE", defaultValue = "${env:MIO_WASM_CACHE_MAX}",
                description = "As for run: the cache's entries in total at most (default: $MIO_WASM_CACHE_MAX, else "
                        + "256M).")
        private String cacheMax;

        @Option(names = {"-q", "--quiet"}, description = "Print none of mio-wasm's own messages but the errors that "
                + "end a guest or the run.")
        private boolean quiet;

        @Option(names = {"-v", "--verbose"}, description = "Also print what runs, how each guest ended and the host's "
                + "details.")
        private boolean verbose;

        @Parameters(index = "0", paramLabel = "FILE", description = "The guests, one per line.")
        private Path file;

        /** One line of FILE, parsed: its options as a {@code run} command's, and where its APP is. */
        private record Group(GuestsFile.Line line, Run run, Path app) {
            String where(Path file) {
                return file + ":" + line.number() + ": ";
            }
        }

        @Override
        public Integer call() {
            if (quiet && verbose) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--quiet and --verbose are mutually exclusive");
            }
            List<Group> groups = groups();
            CompileCache cache = Run.openCache(spec, main.err, cacheDir, cacheMax);
            // a record logged on a guest's thread is prefixed with the guest's label
            java.util.Map<String, String> labels = new java.util.concurrent.ConcurrentHashMap<>();
            List<WasmHost> hosts = new ArrayList<>();
            try (Messages log = new Messages(main.err, quiet ? Level.OFF : verbose ? Level.FINE : Level.WARNING,
                    labels::get)) {
                // identical files (and modes) share one WasmHost: parsed and compiled once
                java.util.Map<String, WasmHost> byContent = new java.util.HashMap<>();
                List<WasmHost> hostOf = new ArrayList<>();
                for (Group g : groups) {
                    boolean compile = !g.run().interpret;
                    WasmHost host;
                    try {
                        byte[] bytes = java.nio.file.Files.readAllBytes(g.app());
                        String key = java.util.HexFormat.of().formatHex(java.security.MessageDigest
                                .getInstance("SHA-256").digest(bytes)) + (compile ? "" : " interpreted");
                        host = byContent.get(key);
                        if (host == null) {
                            host = WasmHost.of(g.app().getFileName().toString(), bytes, compile, cache);
                            byContent.put(key, host);
                            hosts.add(host);
                            log.fine(g.where(file) + "loaded " + g.app() + (compile ? " (compiled to JVM bytecode)"
                                    : " (interpreted)"));
                        } else {
                            log.fine(g.where(file) + g.app() + ": the same module as an earlier line, not compiled"
                                    + " again");
                        }
                    } catch (java.io.IOException | RuntimeException | java.security.NoSuchAlgorithmException e) {
                        main.err.println("mio-wasm: " + g.where(file) + "cannot load " + g.app() + ": "
                                + Run.message(e));
                        return CANNOT_RUN;
                    }
                    hostOf.add(host);
                }
                record Started(String label, Group group, WasmHost.Guest guest, List<PrefixedLines> streams) {
                }
                List<Started> started = new ArrayList<>();
                for (int gi = 0; gi < groups.size(); gi++) {
                    Group g = groups.get(gi);
                    Run r = g.run();
                    WasmHost host = hostOf.get(gi);
                    NetPolicy policy = r.policy().build();
                    log.fine(g.where(file) + g.line().name() + ": " + r.instances + " x " + g.app() + ", " + policy
                            + ", TCP_NODELAY " + (r.tcpNodelay ? "on" : "off"));
                    for (int i = 0; i < r.instances; i++) {
                        String n = Integer.toString(i);
                        String label = r.instances == 1 ? g.line().name() : g.line().name() + "." + n;
                        List<String> argv = new ArrayList<>();
                        argv.add(g.app().getFileName().toString());
                        r.args.forEach(a -> argv.add(a.replace("{i}", n)));
                        PrefixedLines out = new PrefixedLines(main.out, "[" + label + "] ");
                        PrefixedLines err = new PrefixedLines(main.err, "[" + label + "] ");
                        WasmRunner.Builder b = host.guest().args(argv).policy(policy).tcpNodelay(r.tcpNodelay)
                                .stdin(InputStream.nullInputStream()).stdout(out).stderr(err);
                        r.envAndDirs(b, n, g.app().getParent());
                        if (r.maxMemory != null) {
                            b.maxMemory(r.maxMemory);
                        }
                        labels.put(host.threadName(label), label);
                        try {
                            started.add(new Started(label, g, host.start(label, b), List.of(out, err)));
                        } catch (java.io.IOException | RuntimeException e) {
                            main.err.println("mio-wasm: [" + label + "] cannot start: " + Run.message(e));
                            return CANNOT_RUN; // closing the hosts stops those started
                        }
                    }
                }
                // each guest's end is told as it happens (a trapped guest while the others serve on)
                List<CompletableFuture<Integer>> ends = new ArrayList<>();
                for (Started s : started) {
                    ends.add(s.guest().exit().handle((code, error) -> {
                        s.streams().forEach(PrefixedLines::flush);
                        return ended(s.label(), s.group().app(), s.guest(), code, error, log);
                    }));
                }
                int result = firstNonZeroExit(ends);
                log.fine("every guest has ended: exit code " + result);
                return result;
            } finally {
                hosts.forEach(WasmHost::close);
                main.out.flush();
                main.err.flush();
            }
        }

        /** FILE's lines, each parsed with run's options; a usage error (FILE:LINE: why) for the first bad one. */
        private List<Group> groups() {
            String text;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": "
                        + Run.message(e));
            }
            List<GuestsFile.Line> lines;
            try {
                lines = GuestsFile.parse(text);
            } catch (GuestsFile.BadLine e) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + ":" + e.number + ": "
                        + e.getMessage());
            }
            if (lines.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + " lists no guests (one per line: "
                        + "NAME: [options] APP [ARGS...])");
            }
            Path base = file.toAbsolutePath().getParent();
            List<Group> groups = new ArrayList<>();
            for (GuestsFile.Line l : lines) {
                String where = file + ":" + l.number() + ": ";
                Run r = new Run();
                CommandLine cl = new CommandLine(r);
                try {
                    CommandLine.ParseResult pr = cl.parseArgs(l.words().toArray(String[]::new));
                    for (String global : new String[] {"--quiet", "--verbose", "--cache-dir", "--cache-max"}) {
                        if (pr.hasMatchedOption(global)) {
                            throw new CommandLine.ParameterException(cl, global + " applies to the whole run: put it"
                                    + " before FILE (mio-wasm run-all " + global + (global.equals("--cache-dir")
                                    ? " DIR" : global.equals("--cache-max") ? " SIZE" : "") + " FILE)");
                        }
                    }
                    if (pr.isUsageHelpRequested() || pr.isVersionHelpRequested()) {
                        throw new CommandLine.ParameterException(cl, "--help and --version are not options of a guest");
                    }
                    if (r.instances < 1 || r.instances > MAX_INSTANCES) {
                        throw new CommandLine.ParameterException(cl, "--instances needs a number from 1 to "
                                + MAX_INSTANCES + ", not " + r.instances);
                    }
                    r.checkEnv(cl, "");
                } catch (CommandLine.ParameterException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), where + l.name() + ": "
                            + e.getMessage());
                }
                groups.add(new Group(l, r, base.resolve(r.app)));
            }
            return groups;
        }

        /** Tells how guest {@code label} ended (on stderr when it failed); returns its exit code. */
        private int ended(String label, Path app, WasmHost.Guest g, Integer exitCode, Throwable error,
                          Messages log) {
            int code = exitCode != null ? exitCode : TRAPPED;
            Throwable why = error != null ? error : g.failure();
            if (code == CANNOT_RUN && why != null) {
                main.err.println("mio-wasm: [" + label + "] cannot run " + app + ": " + Run.message(why));
            } else if (why != null) {
                String what = why instanceof StackOverflowError ? "call stack exhausted" : Run.message(why);
                main.err.println("mio-wasm: [" + label + "] the guest trapped: " + what + " (exit code " + code + ")");
                if (verbose) {
                    why.printStackTrace(main.err);
                }
            } else if (verbose) {
                // not through the log: on the guest's thread it would add the label a second time
                main.err.println("mio-wasm: [" + label + "] the guest exited with code " + code);
            }
            return code;
        }
    }

    /** The most copies {@code --instances} runs. */
    static final int MAX_INSTANCES = 100_000;

    /**
     * One guest's stdout or stderr under {@code --instances}: whole lines, each prefixed with the copy's number, so
     * that the copies' lines do not interleave mid-line; a last line without its newline comes out at {@link #flush()}.
     */
    static final class PrefixedLines extends java.io.OutputStream {
        private final PrintStream target;
        private final byte[] prefix;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        PrefixedLines(PrintStream target, String prefix) {
            this.target = target;
            this.prefix = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i + 1 - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        private void emit() {
            synchronized (target) { // one whole line at a time among all copies
                target.write(prefix, 0, prefix.length);
                target.write(line.toByteArray(), 0, line.size());
                target.flush();
            }
            line.reset();
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                line.write('\n');
                emit();
            }
        }
    }

    /**
     * mio-wasm's log (java.util.logging, loggers under {@code io.mio.wasm}) for the length of one run: one line per
     * record on {@code err}, prefixed {@code mio-wasm:}, from {@code level} up; what was there before comes back on
     * {@link #close()}.
     */
    private static final class Messages implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.mio.wasm");
        private final Level oldLevel = logger.getLevel();
        private final boolean oldUseParent = logger.getUseParentHandlers();
        private final StreamHandler handler;

        Messages(PrintStream err, Level level) {
            this(err, level, (java.util.function.Function<String, String>) t -> null);
        }

        /** {@code guestThreads}: a record logged on a thread named so is prefixed with the rest of its name in []. */
        Messages(PrintStream err, Level level, String guestThreads) {
            this(err, level, t -> t.startsWith(guestThreads) ? t.substring(guestThreads.length()) : null);
        }

        /** {@code label}: a record logged on a thread it gives a label for (else null) is prefixed [label]. */
        Messages(PrintStream err, Level level, java.util.function.Function<String, String> label) {
            handler = new StreamHandler(err, new Formatter() {
                @Override
                public String format(LogRecord r) {
                    String t = label.apply(Thread.currentThread().getName()); // handlers publish on the logging thread
                    String m = "mio-wasm: " + (t != null ? "[" + t + "] " : "") + formatMessage(r);
                    return (r.getThrown() != null ? m + ": " + r.getThrown() : m) + System.lineSeparator();
                }
            }) {
                @Override
                public synchronized void publish(LogRecord r) {
                    super.publish(r);
                    flush(); // a line as it happens, not when the run ends
                }
            };
            handler.setLevel(level);
            logger.setLevel(level);
            logger.setUseParentHandlers(false); // not also the console handler's two-line format
            logger.addHandler(handler);
        }

        void fine(String message) {
            logger.fine(message);
        }

        @Override
        public void close() {
            handler.flush(); // not close(): that would close stderr
            logger.removeHandler(handler);
            logger.setUseParentHandlers(oldUseParent);
            logger.setLevel(oldLevel);
        }
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(InputStream in, PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main(in, out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(System.in, System.out, System.err, args));
    }

    /**
     * Waits for every guest's end; the first non-zero exit code in the list's order, else 0. An interrupted wait or
     * a guest that ended with an exception counts as {@link #TRAPPED}.
     */
    private static int firstNonZeroExit(List<CompletableFuture<Integer>> ends) {
        int result = 0;
        for (CompletableFuture<Integer> end : ends) {
            int code;
            try {
                code = end.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return TRAPPED;
            } catch (java.util.concurrent.ExecutionException e) {
                code = TRAPPED;
            }
            if (result == 0) {
                result = code;
            }
        }
        return result;
    }
}
