package io.mio.wasm;

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

/**
 * The command line: {@code mio-wasm run [options] app.wasm [args...]} runs a wasm32-wasi command module with
 * WasmEdge's socket API on io.mio, in a sandbox that denies all network access unless allowed. Exits with the
 * guest's exit code (125 if the guest traps or cannot be loaded).
 */
@Command(name = "mio-wasm", mixinStandardHelpOptions = true, version = "mio-wasm 0.1.0",
        description = "Runs wasm32-wasi modules written against WasmEdge's socket API on Chicory and io.mio.",
        subcommands = {Main.Run.class})
public final class Main implements Callable<Integer> {
    /** Exit code when the guest traps or the module cannot be run. */
    public static final int TRAPPED = 125;

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

    @Command(name = "run", description = "Runs APP's _start with the given arguments.", sortOptions = false)
    static final class Run implements Callable<Integer> {
        @CommandLine.ParentCommand
        private Main main;

        @Option(names = "--allow-bind", paramLabel = "HOST:PORT",
                description = "Allow bind/listen on matching addresses (*, 127.0.0.1:8080, 0.0.0.0:8000-8099, "
                        + "[::1]:*, 10.0.0.0/8:*, localhost:*). Repeatable.")
        private List<String> allowBind = new ArrayList<>();

        @Option(names = "--allow-connect", paramLabel = "HOST:PORT",
                description = "Allow connecting, and sending UDP datagrams, to matching addresses (same patterns). "
                        + "Repeatable.")
        private List<String> allowConnect = new ArrayList<>();

        @Option(names = "--allow-resolve", paramLabel = "NAME",
                description = "Allow DNS lookups of NAME (example.com, *.example.com, *). Numeric hosts and "
                        + "localhost always resolve. Repeatable.")
        private List<String> allowResolve = new ArrayList<>();

        @Option(names = "--allow-device", paramLabel = "NAME",
                description = "Allow binding sockets to network device NAME (SO_BINDTODEVICE), * for any. The "
                        + "loopback device is always allowed. Repeatable.")
        private List<String> allowDevice = new ArrayList<>();

        @Option(names = "--max-sockets", paramLabel = "N", description = "Open sockets at most (default: the "
                + "process's open-file limit, at least 1024: ${DEFAULT-VALUE} here).")
        private int maxSockets = NetPolicy.defaultMaxSockets();

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

        @Parameters(index = "0", paramLabel = "APP", description = "The .wasm file.")
        private Path app;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the guest.")
        private List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            NetPolicy.Builder p = NetPolicy.builder().maxSockets(maxSockets);
            allowBind.forEach(p::allowBind);
            allowConnect.forEach(p::allowConnect);
            allowResolve.forEach(p::allowResolve);
            allowDevice.forEach(p::allowDevice);
            List<String> argv = new ArrayList<>();
            argv.add(app.getFileName().toString());
            argv.addAll(args);
            WasmRunner.Builder b;
            try {
                b = WasmRunner.builder(app);
            } catch (RuntimeException e) {
                main.err.println("mio-wasm: cannot load " + app + ": " + e.getMessage());
                return TRAPPED;
            }
            b.args(argv).policy(p.build()).compile(!interpret).tcpNodelay(tcpNodelay)
                    .stdin(main.in).stdout(main.out).stderr(main.err);
            for (String e : env) {
                int eq = e.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--env needs NAME=VALUE: " + e);
                }
                b.env(e.substring(0, eq), e.substring(eq + 1));
            }
            for (String d : dirs) {
                int eq = d.indexOf('=');
                String guest = eq < 0 ? d : d.substring(0, eq);
                b.dir(guest, Path.of(eq < 0 ? d : d.substring(eq + 1)));
            }
            try (WasmRunner r = b.build()) {
                return r.run();
            } catch (RuntimeException e) {
                main.err.println("mio-wasm: " + app + ": " + e);
                return TRAPPED;
            } finally {
                main.out.flush();
                main.err.flush();
            }
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
}
