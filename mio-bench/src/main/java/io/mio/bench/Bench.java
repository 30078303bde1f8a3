package io.mio.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark's driver. Its echo part starts each server as its own process (pinned to one CPU), drives it
 * with {@link EchoClient} from this process (pinned to another one by scripts/bench.sh), samples the server's
 * CPU time and memory from /proc and its syscalls and context switches with perf; its scale part
 * ({@link Scale}) makes each server hold a rising number of idle connections. Then it writes the report. Its HTTP
 * part ({@link HttpBench}) runs wrk against three HTTP servers and writes its own section of the report
 * ({@link HttpReport}).
 *
 * <p>Options: {@code --smoke} (only check that every server starts and echoes correctly, and holds idle
 * connections while others echo, and that every HTTP server answers correctly; no timings), {@code --full} (adds
 * 10000 connections), {@code --part echo,scale,http} (the parts to run; all three by default; {@code --no-scale} and
 * {@code --no-http} leave one out; echo and scale rewrite the whole report),
 * {@code --part wasm} (only the WebAssembly section: io.mio and the wasm guests in the wasm cells; it replaces that
 * section of docs/benchmarks.md and writes docs/benchmarks-wasm.csv, the rest of the report stays as it is),
 * {@code --part wasi-startup} (the .wasm sizes of mio-examples compiled to wasm32-wasi and TcpServer's start-up
 * time on mio-wasm and WasmEdge, {@link WasiStartup}: the subsection "Java compiled to wasm32-wasi" of that section;
 * {@code --startup-runs N}, default 3), {@code --part wasm-density} (1, 10 and 100 echo guests in one mio-wasm JVM
 * against a WasmEdge process each, memory per guest, and requests/s on one keep-alive connection with and without
 * TCP_NODELAY, {@link WasmDensity}: its own section; {@code --density-guests 1,10,100}, {@code --nodelay-s 5}),
 * {@code --part uring-targets} (issue 13's io_uring targets in paired rounds, {@link PairedTargets}: every server
 * kept running and the target cells measured server after server, seconds apart; its own section; 8 rounds of 1 s
 * warm-up, 2 s measured and 1 s perf per cell unless {@code --rounds} and the window options are given;
 * {@code --paired-cells 64x64,1x64,1x4096,1000x64}, the default, must hold the three target cells),
 * {@code --rounds N}, {@code --warmup-ms},
 * {@code --measure-ms}, {@code --perf-ms},
 * {@code --servers mio,mio-selector,nio,vthread,netty,netty-uring,netty-uring-bufring,c-drain,c-short,c-uring,c-uring-defer,wasm-echo,wasm-echo-poll,wasm-echo-wasmedge,wasm-echo-poll-wasmedge,wasm,wasm-epoll,wasm-c,wasi-tcp,wasi-tcp-wasmedge,mio-tls,netty-tls,mio-uring,mio-jfr}
 * (the TLS servers only when named: the load generator then speaks TLS 1.3 to them),
 * {@code --conns 1,64,1000}, {@code --sizes 64,4096}, {@code --wasm-conns 1,64} and {@code --wasm-sizes 64} (the
 * cells the wasm guests run), {@code --server-cpu N} (pin servers; -1: no pinning), {@code --work DIR},
 * {@code --docs DIR}, {@code --command TEXT} (the command line to quote in the report). Scale part:
 * {@code --idle 0,1000,10000,50000} (idle connection counts; those over the open-file limit are skipped),
 * {@code --scale-active N} (active connections, default 1), {@code --scale-servers LIST} (default: the
 * {@code --servers} given, less the wasm guests, else {@link ServerKind#scaleDefaults}), {@code --scale-rounds N},
 * {@code --scale-warmup-ms}, {@code --scale-measure-ms}, {@code --scale-perf-ms}. HTTP part: {@code --http-servers
 * mio,netty,jdk}, {@code --http-loads plaintext,json,pipelined}, {@code --http-conns 64,1000}, {@code --http-rounds N},
 * {@code --http-server-warmup-s}, {@code --http-warmup-s}, {@code --http-measure-s}.
 */
public final class Bench {
    private Bench() {
    }

    static final class Options {
        boolean smoke;
        boolean full;
        boolean echo = true;
        boolean scale = true;
        boolean http = true;
        /** The io_uring targets in paired rounds ({@link PairedTargets}): their own section of the report. */
        boolean uringTargets;
        boolean roundsGiven;
        List<int[]> pairedCells = PairedTargets.DEFAULT_CELLS;
        boolean windowsGiven;
        /** Only the WebAssembly section: io.mio and the wasm guests, spliced into the existing report. */
        boolean wasm;
        /** The .wasm sizes and start-up times of the Java examples compiled to wasm32-wasi ({@link WasiStartup}). */
        boolean wasiStartup;
        int startupRuns = 3;
        /** Many echo guests per JVM against a WasmEdge process each, and Nagle ({@link WasmDensity}). */
        boolean wasmDensity;
        List<Integer> densityGuests = List.of(1, 10, 100);
        int nodelaySeconds = 5;
        int rounds = 3;
        // Cut from 1000 / 1500 / 500 ms when the wasm guests and the scale part joined the default run (Report says so).
        Duration warmup = Duration.ofMillis(500);
        Duration measure = Duration.ofMillis(800);
        Duration perf = Duration.ofMillis(400);
        Set<ServerKind> servers = ServerKind.defaults();
        boolean serversGiven;
        List<Integer> conns;
        List<Integer> sizes = List.of(64, 4096);
        List<Integer> wasmConns = List.of(1, 64);
        List<Integer> wasmSizes = List.of(64);
        Integer serverCpu = 0;
        Path work = Path.of("mio-bench/target/bench");
        Path docs = Path.of("docs");
        String command = "scripts/bench.sh";
        List<Integer> idle = List.of(0, 1000, 10000, 50000);
        int scaleActive = 1;
        Set<ServerKind> scaleServers;
        int scaleRounds = 1;
        Duration scaleWarmup = Duration.ofMillis(300);
        Duration scaleMeasure = Duration.ofMillis(700);
        Duration scalePerf = Duration.ofMillis(400);
        List<HttpServerKind> httpServers = List.of(HttpServerKind.values());
        List<HttpBench.Load> httpLoads = List.of(HttpBench.Load.values());
        List<Integer> httpConns = List.of(64, 1000);
        int httpRounds = 3;
        Duration httpServerWarmup = Duration.ofSeconds(12);
        Duration httpWarmup = Duration.ofSeconds(1);
        Duration httpMeasure = Duration.ofSeconds(4);

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> o.smoke = true;
                    case "--full" -> o.full = true;
                    case "--part" -> {
                        o.echo = false;
                        o.scale = false;
                        o.http = false;
                        for (String part : args[++i].split(",")) {
                            switch (part.trim()) {
                                case "echo" -> o.echo = true;
                                case "scale" -> o.scale = true;
                                case "http" -> o.http = true;
                                case "wasm" -> o.wasm = true;
                                case "wasi-startup" -> o.wasiStartup = true;
                                case "wasm-density" -> o.wasmDensity = true;
                                case "uring-targets" -> o.uringTargets = true;
                                default -> throw new IllegalArgumentException("unknown part " + part
                                        + " (echo, scale, http, wasm, wasi-startup, wasm-density, uring-targets)");
                            }
                        }
                        if ((o.wasm || o.wasiStartup) && (o.echo || o.scale)) {
                            throw new IllegalArgumentException("--part wasm and wasi-startup replace their section of"
                                    + " the report, echo and scale rewrite all of it: run them apart");
                        }
                    }
                    case "--paired-cells" -> o.pairedCells = PairedTargets.parseCells(args[++i]);
                    case "--startup-runs" -> o.startupRuns = Integer.parseInt(args[++i]);
                    case "--density-guests" -> o.densityGuests = ints(args[++i]);
                    case "--nodelay-s" -> o.nodelaySeconds = Integer.parseInt(args[++i]);
                    case "--no-scale" -> o.scale = false;
                    case "--no-http" -> o.http = false;
                    case "--http-servers" -> o.httpServers = java.util.Arrays.stream(args[++i].split(","))
                            .map(HttpServerKind::parse).distinct().toList();
                    case "--http-loads" -> o.httpLoads = java.util.Arrays.stream(args[++i].split(","))
                            .map(HttpBench.Load::parse).distinct().toList();
                    case "--http-conns" -> o.httpConns = ints(args[++i]);
                    case "--http-rounds" -> o.httpRounds = Integer.parseInt(args[++i]);
                    case "--http-server-warmup-s" -> o.httpServerWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--http-warmup-s" -> o.httpWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--http-measure-s" -> o.httpMeasure = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--rounds" -> {
                        o.rounds = Integer.parseInt(args[++i]);
                        o.roundsGiven = true;
                    }
                    case "--warmup-ms" -> {
                        o.warmup = Duration.ofMillis(Long.parseLong(args[++i]));
                        o.windowsGiven = true;
                    }
                    case "--measure-ms" -> {
                        o.measure = Duration.ofMillis(Long.parseLong(args[++i]));
                        o.windowsGiven = true;
                    }
                    case "--perf-ms" -> {
                        o.perf = Duration.ofMillis(Long.parseLong(args[++i]));
                        o.windowsGiven = true;
                    }
                    case "--servers" -> {
                        o.servers = kinds(args[++i]);
                        o.serversGiven = true;
                    }
                    case "--conns" -> o.conns = ints(args[++i]);
                    case "--sizes" -> o.sizes = ints(args[++i]);
                    case "--wasm-conns" -> o.wasmConns = ints(args[++i]);
                    case "--wasm-sizes" -> o.wasmSizes = ints(args[++i]);
                    case "--server-cpu" -> {
                        int cpu = Integer.parseInt(args[++i]);
                        o.serverCpu = cpu < 0 ? null : cpu;
                    }
                    case "--work" -> o.work = Path.of(args[++i]);
                    case "--docs" -> o.docs = Path.of(args[++i]);
                    case "--command" -> o.command = args[++i];
                    case "--idle" -> o.idle = ints(args[++i]);
                    case "--scale-active" -> o.scaleActive = Integer.parseInt(args[++i]);
                    case "--scale-servers" -> o.scaleServers = kinds(args[++i]);
                    case "--scale-rounds" -> o.scaleRounds = Integer.parseInt(args[++i]);
                    case "--scale-warmup-ms" -> o.scaleWarmup = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--scale-measure-ms" -> o.scaleMeasure = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--scale-perf-ms" -> o.scalePerf = Duration.ofMillis(Long.parseLong(args[++i]));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.conns == null) {
                o.conns = o.full ? List.of(1, 64, 1000, 10000) : List.of(1, 64, 1000);
            }
            if (o.wasm) {
                // io.mio native is the guests' yardstick, measured in the same rounds; only the wasm cells run
                Set<ServerKind> s = EnumSet.of(ServerKind.MIO);
                (o.serversGiven ? o.servers : ServerKind.defaults()).stream().filter(ServerKind::isWasm).forEach(s::add);
                o.servers = s;
                o.conns = o.wasmConns;
                o.sizes = o.wasmSizes;
            }
            if (o.scaleServers == null) {
                if (o.serversGiven) {
                    o.scaleServers = EnumSet.noneOf(ServerKind.class);
                    o.servers.stream().filter(k -> !k.isWasm()).forEach(o.scaleServers::add);
                } else {
                    o.scaleServers = ServerKind.scaleDefaults();
                }
            }
            return o;
        }

        /** Whether {@code kind} runs the echo cell (conns, size): the wasm guests only run the wasm cells. */
        boolean runs(ServerKind kind, int c, int size) {
            return c <= kind.maxConns && (!kind.isWasm() || (wasmConns.contains(c) && wasmSizes.contains(size)));
        }

        HttpBench.Settings httpSettings() {
            return new HttpBench.Settings(httpServers, httpLoads, httpConns, httpRounds, httpServerWarmup, httpWarmup,
                    httpMeasure, serverCpu, work.resolve("http"));
        }

        /**
         * The paired part's settings: the servers named with {@code --servers} (else the two io.mio io_uring kinds and
         * {@link PairedTargets#BASES}), 8 rounds and windows of 1 s warm-up, 2 s measured and 1 s of perf unless
         * {@code --rounds} or the window options say otherwise.
         */
        PairedTargets.Settings pairedSettings() {
            List<ServerKind> kinds = new ArrayList<>();
            if (serversGiven) {
                kinds.addAll(servers);
            } else {
                kinds.addAll(UringReport.KINDS);
                kinds.addAll(PairedTargets.BASES);
            }
            return new PairedTargets.Settings(kinds, pairedCells, roundsGiven ? rounds : 8,
                    windowsGiven ? warmup : Duration.ofSeconds(1), windowsGiven ? measure : Duration.ofSeconds(2),
                    windowsGiven ? perf : Duration.ofSeconds(1), serverCpu, work.resolve("paired"), docs, command);
        }

        Scale.Settings scaleSettings() {
            return new Scale.Settings(idle, scaleActive, scaleRounds, scaleWarmup, scaleMeasure, scalePerf, serverCpu,
                    work.resolve("scale"));
        }

        private static Set<ServerKind> kinds(String csv) {
            Set<ServerKind> s = EnumSet.noneOf(ServerKind.class);
            for (String name : csv.split(",")) {
                s.add(ServerKind.parse(name));
            }
            return s;
        }

        private static List<Integer> ints(String csv) {
            List<Integer> out = new ArrayList<>();
            for (String s : csv.split(",")) {
                out.add(Integer.parseInt(s.trim()));
            }
            return out;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.smoke) {
            System.exit(smokeAll(o) ? 0 : 1);
        }
        if (o.echo || o.scale || o.wasm) {
            run(o);
        }
        if (o.http) {
            runHttp(o);
        }
        if (o.uringTargets) {
            PairedTargets.run(o.pairedSettings());
        }
        if (o.wasiStartup) {
            WasiStartup.run(o.startupRuns, o.work.resolve("wasi-startup"), o.docs, o.command);
        }
        if (o.wasmDensity) {
            WasmDensity.run(new WasmDensity.Settings(o.densityGuests, o.nodelaySeconds, o.work.resolve("wasm-density"),
                    o.docs, o.command));
        }
    }

    /** The HTTP part: wrk against the HTTP servers; writes its section of the report. Skipped without wrk. */
    static void runHttp(Options o) throws IOException {
        if (Wrk.path() == null) {
            System.out.println("HTTP part skipped: wrk is not installed (Debian package wrk; scripts/bench.sh installs it"
                    + " when run as root)");
            return;
        }
        Report.Machine machine = Report.Machine.describe();
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<String> failures = new ArrayList<>();
        List<HttpBench.Row> rows = HttpBench.run(o.httpSettings(), failures);
        HttpReport.Meta meta = new HttpReport.Meta(machine, Wrk.version(), o.command, started,
                Duration.between(started, Instant.now()), loadBefore, Report.Machine.loadAverage(), o.httpSettings(),
                failures);
        HttpReport.write(rows, meta, o.docs);
        System.out.println("wrote the HTTP section of " + o.docs.resolve("benchmarks.md") + " and "
                + o.docs.resolve("benchmarks-http.csv") + (failures.isEmpty() ? "" : "; " + failures.size()
                + " failure(s), see the report"));
    }

    // ---- smoke --------------------------------------------------------------------------------------

    /** What one smoke check exchanged. */
    record SmokeResult(ServerKind server, long roundTrips, long expected) {
    }

    /** The exchanges of a smoke check: connections, message size, round trips per connection. */
    static final int[][] SMOKE_PLANS = {{1, 1, 20}, {3, 64, 50}, {3, 4096, 50}, {2, 256 * 1024, 5}, {50, 100, 3}};

    /** Idle and active connections of the scale part's smoke check. */
    static final int SMOKE_IDLE = 200;
    static final int SMOKE_ACTIVE = 2;

    private static boolean smokeAll(Options o) throws IOException {
        Path cServer = (o.echo && needsC(o.servers)) || (o.scale && needsC(o.scaleServers)) ? CServer.build(o.work) : null;
        boolean ok = true;
        for (ServerKind kind : o.echo || o.wasm ? o.servers : Set.<ServerKind>of()) {
            if (kind.isNative() && cServer == null) {
                System.out.println("smoke " + kind.label + ": SKIPPED (" + CServer.problem + ")");
                continue;
            }
            String missing = skip(kind);
            if (missing != null) {
                System.out.println("smoke " + kind.label + ": SKIPPED (" + missing + ")");
                continue;
            }
            try {
                List<SmokeResult> results = smoke(kind, cServer, o.work.resolve("logs"));
                long rts = results.stream().mapToLong(SmokeResult::roundTrips).sum();
                System.out.println("smoke " + kind.label + ": ok (" + rts + " round trips checked byte for byte)");
            } catch (IOException e) {
                ok = false;
                System.out.println("smoke " + kind.label + ": FAILED: " + e.getMessage());
            }
        }
        if (o.http) {
            ok &= smokeHttp(o);
        }
        if (!o.scale) {
            return ok;
        }
        try (Holders holders = new Holders(o.work.resolve("logs"))) {
            for (ServerKind kind : o.scaleServers) {
                if (kind.isNative() && cServer == null) {
                    System.out.println("smoke scale " + kind.label + ": SKIPPED (" + CServer.problem + ")");
                    continue;
                }
                if (kind.uringProblem() != null) {
                    System.out.println("smoke scale " + kind.label + ": SKIPPED (" + kind.uringProblem() + ")");
                    continue;
                }
                try {
                    Scale.SmokeResult r = Scale.smoke(kind, cServer, o.work.resolve("logs"), holders, SMOKE_IDLE, SMOKE_ACTIVE);
                    String problem = scaleSmokeProblem(r);
                    if (problem != null) {
                        ok = false;
                        System.out.println("smoke scale " + kind.label + ": FAILED: " + problem);
                    } else {
                        System.out.printf(Locale.ROOT, "smoke scale %s: ok (%d idle connections held, %d round trips"
                                        + " of %d active connections checked meanwhile; RSS %d KiB%s)%n", kind.label,
                                r.idle(), r.roundTrips(), SMOKE_ACTIVE, r.rssKiB(),
                                r.heap() == null ? "" : ", heap " + r.heap().used() / 1024 + " KiB after GC");
                    }
                } catch (IOException e) {
                    ok = false;
                    System.out.println("smoke scale " + kind.label + ": FAILED: " + e.getMessage());
                }
            }
        }
        return ok;
    }

    /** Every HTTP server answers correctly (and serves wrk briefly, if wrk is installed). */
    private static boolean smokeHttp(Options o) {
        boolean ok = true;
        boolean wrk = Wrk.path() != null;
        if (!wrk) {
            System.out.println("smoke http: wrk is not installed: answers checked without it");
        }
        for (HttpServerKind kind : o.httpServers) {
            try {
                HttpBench.SmokeResult r = HttpBench.smoke(kind, o.work.resolve("http-smoke"), wrk);
                System.out.println("smoke http " + kind.label + ": ok (" + r.checked() + " answers checked"
                        + (r.wrk() == null ? "" : ", wrk served without errors") + ")");
            } catch (IOException e) {
                ok = false;
                System.out.println("smoke http " + kind.label + ": FAILED: " + e.getMessage());
            }
        }
        return ok;
    }

    /** What is wrong with a scale smoke check's result, or null. */
    static String scaleSmokeProblem(Scale.SmokeResult r) {
        if (r.serverFdsGained() < r.idle()) {
            return "the server gained " + r.serverFdsGained() + " descriptors for " + r.idle() + " idle connections";
        }
        if (r.roundTrips() != r.expected()) {
            return r.roundTrips() + " of " + r.expected() + " round trips";
        }
        if (r.heldAfter() != r.idle()) {
            return "only " + r.heldAfter() + " of " + r.idle() + " idle connections still held after the exchange";
        }
        if (r.rssKiB() <= 0 || (r.server().isJava() && r.heap() == null)) {
            return "no memory figures";
        }
        return null;
    }

    /** Starts {@code kind}, runs the smoke exchanges against it (each echo checked), stops it. */
    static List<SmokeResult> smoke(ServerKind kind, Path cServer, Path logDir) throws IOException {
        List<SmokeResult> out = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, cServer, null, logDir, 60)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
            for (int[] p : smokePlans(kind)) {
                EchoClient.Result r;
                try {
                    r = EchoClient.run(addr, EchoClient.Plan.counted(p[0], p[1], p[2], Duration.ofSeconds(30)),
                            new EchoClient.Hooks() { }, kind.clientTls());
                } catch (IOException e) {
                    throw new IOException(kind.label + ", " + p[0] + " connections of " + p[1] + " B: "
                            + e.getMessage() + "; server log: " + server.logTail(), e);
                }
                out.add(new SmokeResult(kind, r.roundTrips(), (long) p[0] * p[2]));
            }
            if (!server.process.isAlive()) {
                throw new IOException(kind.label + " server died: " + server.logTail());
            }
        }
        return out;
    }

    /** The smoke exchanges {@code kind} can serve: those within its connection limit. */
    static List<int[]> smokePlans(ServerKind kind) {
        return java.util.Arrays.stream(SMOKE_PLANS).filter(p -> p[0] <= kind.maxConns).toList();
    }

    static boolean needsC(java.util.Collection<ServerKind> kinds) {
        return kinds.stream().anyMatch(ServerKind::isNative);
    }

    /** Why {@code kind} cannot run here, or null: io_uring unusable ({@link ServerKind#uringProblem}), or {@link #wasiSkip}. */
    static String skip(ServerKind kind) {
        String uring = kind.uringProblem();
        return uring != null ? uring : wasiSkip(kind);
    }

    /**
     * Why {@code kind} cannot run here, or null: its .wasm was not built, or (the WasmEdge kind) wasmedge is
     * missing or its ahead-of-time compile failed. The compile (about half a minute) happens here, once per .wasm.
     */
    static String wasiSkip(ServerKind kind) {
        String problem = kind.wasiProblem();
        if (problem != null || !kind.isWasmEdge()) {
            return problem;
        }
        try {
            ServerProcess.wasmedgeModule(kind);
            return null;
        } catch (IllegalStateException e) {
            return WasiExamples.aotProblem;
        }
    }

    // ---- timed run ----------------------------------------------------------------------------------

    /** Samples the server at the client's phase boundaries. */
    static final class Sampler implements EchoClient.Hooks {
        final long pid;
        ProcStat before;
        ProcStat after;
        /** The JIT compiler threads' ticks at the measured window's ends. */
        long jitBefore;
        long jitAfter;
        Perf perf;
        Perf.Counts counts;

        Sampler(long pid) {
            this.pid = pid;
        }

        @Override
        public void measureStart() {
            jitBefore = jitTicks();
            before = stat();
        }

        @Override
        public void measureEnd() {
            after = stat();
            jitAfter = jitTicks();
        }

        private long jitTicks() {
            try {
                return ProcStat.compilerTicks(pid);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("server process " + pid + " is gone", e);
            }
        }

        @Override
        public void perfAttach() {
            // Attached only after the measured window: perf's tracepoint slows every syscall of the server.
            perf = Perf.attach(pid);
        }

        @Override
        public void perfStart() {
            if (perf != null && !perf.enable()) {
                perf.close();
                perf = null;
            }
        }

        @Override
        public void perfEnd() {
            if (perf != null) {
                perf.disable();
                counts = perf.finish();
                perf.close();
            }
        }

        private ProcStat stat() {
            try {
                return ProcStat.read(pid);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("server process " + pid + " is gone", e);
            }
        }
    }

    static void run(Options o) throws IOException {
        Files.createDirectories(o.work);
        Files.createDirectories(o.docs);
        Report.Machine machine = Report.Machine.describe();
        List<ServerKind> kinds = o.echo || o.wasm ? new ArrayList<>(o.servers) : new ArrayList<>();
        List<ServerKind> scaleKinds = o.scale ? new ArrayList<>(o.scaleServers) : new ArrayList<>();
        String cNote = null;
        Path cServer = null;
        if (needsC(kinds) || needsC(scaleKinds)) {
            cServer = CServer.build(o.work);
            if (cServer == null) {
                cNote = "C servers skipped: " + CServer.problem;
                System.out.println(cNote);
                kinds.removeIf(ServerKind::isNative);
                scaleKinds.removeIf(ServerKind::isNative);
            }
        }
        List<String> notes = new ArrayList<>();
        for (ServerKind kind : List.copyOf(kinds)) {
            String skip = skip(kind);
            if (skip != null) {
                notes.add(kind.label + " skipped: " + skip);
                System.out.println(notes.getLast());
                kinds.remove(kind);
            }
        }
        for (ServerKind kind : List.copyOf(scaleKinds)) {
            if (kind.uringProblem() != null) {
                notes.add(kind.label + " skipped in the scale part: " + kind.uringProblem());
                System.out.println(notes.getLast());
                scaleKinds.remove(kind);
            }
        }
        String perfNote = Perf.probe() ? null : "perf unavailable, no syscall or context-switch figures: " + Perf.unavailable();
        if (perfNote != null) {
            System.out.println(perfNote);
        }
        int cells = 0;
        for (ServerKind kind : kinds) {
            cells += o.rounds * cellsOf(kind, o);
        }
        if (o.echo || o.wasm) {
            System.out.printf(Locale.ROOT, (o.wasm ? "wasm part of the " : "") + "echo benchmark: %d rounds x %d servers x %d connection counts x %d sizes"
                            + " (wasm guests: C in %s, S in %s) = %d cells, %d ms warm-up + %d ms measured + %d ms perf"
                            + " each; servers on CPU %s%n",
                    o.rounds, kinds.size(), o.conns.size(), o.sizes.size(), o.wasmConns, o.wasmSizes, cells,
                    o.warmup.toMillis(), o.measure.toMillis(), o.perf.toMillis(),
                    o.serverCpu == null ? "(not pinned)" : o.serverCpu);
        }
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Path csv = o.work.resolve("results.csv");
        Files.writeString(csv, Row.CSV_HEADER + "\n");
        int done = 0;
        for (int round = 1; round <= (o.echo || o.wasm ? o.rounds : 0); round++) {
            for (int k = 0; k < kinds.size(); k++) {
                ServerKind kind = kinds.get((k + round - 1) % kinds.size()); // rotate the order every round
                int cellsOfServer = cellsOf(kind, o);
                int doneOfServer = 0;
                // A failure (a server that does not start or dies, a wrong echo) costs the rest of that server's
                // cells in this round, not the run: it is reported and the next server goes on.
                try (ServerProcess server = ServerProcess.start(kind, cServer, o.serverCpu, o.work.resolve("logs"), 60)) {
                    InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port);
                    warmUp(kind, server, addr);
                    for (int conns : o.conns) {
                        for (int size : o.sizes) {
                            if (!o.runs(kind, conns, size)) {
                                continue; // beyond its connection limit, or not a wasm cell
                            }
                            Row row = cell(round, kind, server, addr, conns, size, o.warmup, o);
                            rows.add(row);
                            Files.writeString(csv, row.csv() + "\n", java.nio.file.StandardOpenOption.APPEND);
                            done++;
                            doneOfServer++;
                            long elapsed = Duration.between(started, Instant.now()).toSeconds();
                            long eta = elapsed * (cells - done) / done;
                            System.out.printf(Locale.ROOT, "[%3d/%d, %dm%02ds left] round %d %-20s C=%-5d S=%-5d %9.0f rt/s"
                                            + "  p99 %8.1f us  cpu %6.2f us/rt (user %.2f sys %.2f)  syscalls/rt %s%n",
                                    done, cells, eta / 60, eta % 60, round, kind.label, conns, size,
                                    row.roundTripsPerSecond(), row.p99Micros(), row.cpuMicrosPerRt(),
                                    row.userMicrosPerRt(), row.sysMicrosPerRt(),
                                    Double.isNaN(row.syscallsPerRt()) ? "n/a" : String.format(Locale.ROOT, "%.2f", row.syscallsPerRt()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    String failure = "round " + round + ", " + kind.label + ": " + e.getMessage();
                    failures.add(failure);
                    System.out.println("FAILED " + failure);
                    done += cellsOfServer - doneOfServer;
                }
            }
        }
        Duration echoTook = Duration.between(started, Instant.now());
        Scale.Result scale = null;
        if (o.scale && !scaleKinds.isEmpty()) {
            try {
                scale = Scale.run(scaleKinds, cServer, o.scaleSettings());
                Files.copy(o.scaleSettings().work().resolve("results-scale.csv"), o.docs.resolve("benchmarks-scale.csv"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                failures.add("scale part: " + e.getMessage()); // the echo part's report is still written
                System.out.println("FAILED scale part: " + e.getMessage());
            }
        }
        String loadAfter = Report.Machine.loadAverage();
        Duration took = Duration.between(started, Instant.now());
        Report.Meta meta = new Report.Meta(machine, o.command, started, took, loadBefore, loadAfter, o.rounds,
                o.warmup, o.measure, o.perf, o.serverCpu, cNote, perfNote, failures, o.conns, o.sizes, kinds,
                o.wasmConns, o.wasmSizes, echoTook, notes);
        if (o.wasm) {
            Report.writeWasmSection(rows, meta, o.docs);
            Files.copy(csv, o.docs.resolve(Report.WASM_CSV), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("wrote the WebAssembly section of " + o.docs.resolve("benchmarks.md") + " and "
                    + o.docs.resolve(Report.WASM_CSV) + " (" + took.toSeconds() + " s)"
                    + (failures.isEmpty() ? "" : "; " + failures.size() + " failure(s), see the report"));
            return;
        }
        Report.write(rows, meta, scale, o.docs);
        if (o.echo) {
            Files.copy(csv, o.docs.resolve("benchmarks.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int failed = failures.size() + (scale == null ? 0 : scale.failures().size());
        System.out.println("wrote " + o.docs.resolve("benchmarks.md") + " (" + took.toSeconds() + " s)"
                + (failed == 0 ? "" : "; " + failed + " failure(s), see the report"));
    }

    /** Connections of the warm-up every server process gets before its first cell: many, for a high rate. */
    static final int PROCESS_WARMUP_CONNS = 64;

    /**
     * How long a fresh server process echoes on {@value #PROCESS_WARMUP_CONNS} connections before its first cell,
     * for the JIT: one second, four for a wasm guest (its module, compiled to JVM bytecode at start-up, is more
     * code for the JIT than a whole Java echo server; with less, its first cells measure the JIT at work), twenty
     * for the Java TcpServer compiled to wasm by TeaVM (a module of 1,816 functions: on this 2-core machine, shared,
     * its CPU per round trip at 64 connections came down from 120 to a steady 14 µs over 12 to 18 s, and with four
     * seconds of warm-up its cells measured 3 to 9 times their steady figure), and one for WasmEdge's ahead-of-time
     * compiled guest (no JIT); four for a TLS server too (a TLS round trip costs some ten times a plain one, so one
     * second is too few for the JIT).
     */
    static Duration processWarmup(ServerKind kind) {
        if (kind == ServerKind.WASI_TCP) {
            return Duration.ofSeconds(20);
        }
        return Duration.ofSeconds((kind.isWasm() && !kind.isWasmEdge()) || kind.isTls() ? 4 : 1);
    }

    /**
     * The Java TcpServer compiled to wasm warms up in turns of {@value #PROCESS_WARMUP_CONNS} connections for 1.5 s
     * and 1 connection for 0.5 s, new connections each turn: after one long run of 64 connections its first second
     * at 1 connection still cost several times its steady CPU per round trip (the JIT at work on paths the long run
     * had not taken), which the 1-connection cell then measured. Every guest on mio-wasm warms up so: the echo
     * guest's JIT log showed its compiled loop, sock_recv and poll_oneoff deoptimized (uncommon traps) when the
     * warm-up's connections closed, and recompiled inside the first cell; in turns, those traps come in the first.
     */
    static final Duration WASI_WARMUP_MANY = Duration.ofMillis(1500);
    static final Duration WASI_WARMUP_ONE = Duration.ofMillis(500);

    static void warmUp(ServerKind kind, ServerProcess server, InetSocketAddress addr) throws IOException {
        try {
            if (kind.isWasm() && !kind.isWasmEdge()) {
                long end = System.nanoTime() + processWarmup(kind).toNanos();
                while (System.nanoTime() < end) {
                    warmEcho(addr, PROCESS_WARMUP_CONNS, WASI_WARMUP_MANY, null);
                    warmEcho(addr, 1, WASI_WARMUP_ONE, null);
                }
                return;
            }
            warmEcho(addr, PROCESS_WARMUP_CONNS, processWarmup(kind), kind.clientTls());
            if (kind.isJava()) {
                settleJit(kind, server, addr);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(kind.label + " warm-up: " + e.getMessage() + "; server log: " + server.logTail(), e);
        }
    }

    /** Echoes 64 B on {@code conns} new connections for {@code total}, unmeasured (TLS when {@code tls} is set). */
    private static void warmEcho(InetSocketAddress addr, int conns, Duration total, io.mio.tls.TlsConfig tls)
            throws IOException {
        EchoClient.run(addr, EchoClient.Plan.timed(conns, 64, total.minusMillis(100), Duration.ofMillis(100), Duration.ZERO),
                new EchoClient.Hooks() { }, tls);
    }

    /** A warm-up slice after the fixed warm-up, repeated while the JIT compiler threads are still busy. */
    static final Duration JIT_SLICE = Duration.ofMillis(500);
    /** The most the JIT may use of a slice for the JIT to count as settled: 2 % (one 10 ms clock tick). */
    static final long JIT_SETTLED_TICKS = JIT_SLICE.toMillis() * ProcStat.CLOCK_TICKS / 1000 / 50;
    /** At most this much warm-up is added for the JIT; a server still compiling after it is measured as it is. */
    static final Duration JIT_SETTLE_MAX = Duration.ofSeconds(10);

    /**
     * Keeps echoing on {@value #PROCESS_WARMUP_CONNS} connections in slices of {@link #JIT_SLICE} until the JVM's
     * compiler threads use at most {@link #JIT_SETTLED_TICKS} ticks of a slice: the echo part's CPU per round trip
     * counts every thread of the server, and a fixed warm-up left C2 compiling inside the first cells of some
     * servers (the io_uring backend's, whose paths differ). Says on stdout how long it took when it took longer.
     */
    private static void settleJit(ServerKind kind, ServerProcess server, InetSocketAddress addr) throws IOException {
        long deadline = System.nanoTime() + JIT_SETTLE_MAX.toNanos();
        int slices = 0;
        long used;
        do {
            long before = ProcStat.compilerTicks(server.pid());
            warmEcho(addr, PROCESS_WARMUP_CONNS, JIT_SLICE, kind.clientTls());
            used = ProcStat.compilerTicks(server.pid()) - before;
            slices++;
        } while (used > JIT_SETTLED_TICKS && System.nanoTime() < deadline);
        if (slices > 1 || used > JIT_SETTLED_TICKS) {
            System.out.printf(java.util.Locale.ROOT, "bench: %s: JIT %s after %d more warm-up slice(s) of %d ms%n",
                    kind.label, used > JIT_SETTLED_TICKS ? "still compiling (" + used + " ticks in the last)" : "settled",
                    slices, JIT_SLICE.toMillis());
        }
    }

    /** Echo cells {@code kind} runs in one round. */
    private static int cellsOf(ServerKind kind, Options o) {
        int n = 0;
        for (int c : o.conns) {
            for (int s : o.sizes) {
                n += o.runs(kind, c, s) ? 1 : 0;
            }
        }
        return n;
    }


    static Row cell(int round, ServerKind kind, ServerProcess server, InetSocketAddress addr, int conns,
                            int size, Duration warmup, Options o) throws IOException {
        Sampler sampler = new Sampler(server.pid());
        EchoClient.Result r;
        try {
            r = EchoClient.run(addr, EchoClient.Plan.timed(conns, size, warmup, o.measure, o.perf), sampler, kind.clientTls());
        } catch (IOException | RuntimeException e) {
            throw new IOException(kind.label + " C=" + conns + " S=" + size + ": " + e.getMessage()
                    + "; server log: " + server.logTail(), e);
        }
        Histogram h = r.latencyNanos();
        Costs c = Costs.of(sampler, r);
        long jit = sampler.jitAfter - sampler.jitBefore;
        long all = sampler.after.utimeTicks() + sampler.after.stimeTicks() - sampler.before.utimeTicks() - sampler.before.stimeTicks();
        if (jit > 0 && jit * 20 > all) {
            System.out.printf(java.util.Locale.ROOT, "bench: %s C=%d S=%d round %d: the JIT used %d of the server's %d ticks in the measured window%n",
                    kind.label, conns, size, round, jit, all);
        }
        return new Row(round, kind, conns, size, r.roundTripsPerSecond(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, c.userMicrosPerRt(),
                c.sysMicrosPerRt(), c.syscallsPerRt(), c.contextSwitchesPerRt(), sampler.after.rssKiB() / 1024.0,
                r.clientCpuShare());
    }

    /** The server's costs per round trip in a timed run; NaN where perf gave nothing. */
    record Costs(double userMicrosPerRt, double sysMicrosPerRt, double syscallsPerRt, double contextSwitchesPerRt) {
        static Costs of(Sampler sampler, EchoClient.Result r) {
            double rts = r.roundTrips();
            double tickMicros = 1e6 / ProcStat.CLOCK_TICKS;
            double user = (sampler.after.utimeTicks() - sampler.before.utimeTicks()) * tickMicros / rts;
            double sys = (sampler.after.stimeTicks() - sampler.before.stimeTicks()) * tickMicros / rts;
            double syscalls = Double.NaN;
            double switches = Double.NaN;
            if (sampler.counts != null && r.perfRoundTrips() > 0) {
                if (sampler.counts.syscalls() >= 0) {
                    syscalls = sampler.counts.syscalls() / (double) r.perfRoundTrips();
                }
                if (sampler.counts.contextSwitches() >= 0) {
                    switches = sampler.counts.contextSwitches() / (double) r.perfRoundTrips();
                }
            }
            return new Costs(user, sys, syscalls, switches);
        }
    }
}
