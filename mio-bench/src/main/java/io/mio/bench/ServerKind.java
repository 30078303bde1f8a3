package io.mio.bench;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The echo servers the benchmark compares, in the order they run in a round. */
enum ServerKind {
    MIO("io.mio", MioEchoServer.class, null),
    /** The same server on io.mio's portable backend (the JDK's Selector underneath), chosen with io.mio.backend. */
    MIO_SELECTOR("io.mio, Selector backend", MioEchoServer.class, null, List.of(), Integer.MAX_VALUE,
            List.of("-Dio.mio.backend=selector")),
    NIO("java.nio", NioEchoServer.class, null),
    VTHREAD("virtual threads", VirtualThreadEchoServer.class, null),
    NETTY("Netty epoll", NettyEchoServer.class, null),
    /** The same Netty echo on its io_uring transport ({@link NettyUringEchoServer}), where io_uring works. */
    NETTY_URING("Netty io_uring", NettyUringEchoServer.class, null),
    /** The same with a provided buffer ring for the accepted channels (named with {@code --servers netty-uring-bufring}). */
    NETTY_URING_BUFRING("Netty io_uring, buffer ring", NettyUringEchoServer.class, null, List.of("bufring"),
            Integer.MAX_VALUE),
    C_DRAIN("C epoll, drain", null, "drain"),
    C_SHORT("C epoll, short read", null, "short"),
    /**
     * src/main/c/uring_echo.c (liburing): multishot accept, multishot receive into a provided buffer ring, one send
     * per received chunk, one io_uring_submit_and_wait per loop; where liburing-dev is installed and io_uring works.
     */
    C_URING("C io_uring", null, "plain"),
    /**
     * The same C server on a ring set up with IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN: completion
     * work runs only inside the loop's io_uring_submit_and_wait (named with {@code --servers c-uring-defer}).
     */
    C_URING_DEFER("C io_uring, DEFER_TASKRUN", null, "defer"),
    /**
     * The benchmark's own C guest (src/main/wasm/echo_guest.c) on edge-triggered epoll_oneoff: subscriptions that
     * do not change between calls, the echo sent right after the read.
     */
    WASM_ECHO("wasm echo_guest, epoll_oneoff", WasmEchoServer.class, null, List.of("echo_guest.wasm"), Integer.MAX_VALUE),
    /** The same guest on level-triggered poll_oneoff. */
    WASM_ECHO_POLL("wasm echo_guest, poll_oneoff", WasmEchoServer.class, null, List.of("echo_guest.wasm", "poll"),
            Integer.MAX_VALUE),
    /** The Rust guest shaped like mio_wasi's event loop, waiting with poll_oneoff (level-triggered). */
    WASM("wasm guest, poll_oneoff", WasmEchoServer.class, null, List.of("mio_style_server.wasm"), Integer.MAX_VALUE),
    /** The same Rust guest waiting with WasmEdge's edge-triggered epoll_oneoff (mio_wasi's epoll feature). */
    WASM_EPOLL("wasm guest, epoll_oneoff", WasmEchoServer.class, null, List.of("mio_style_server.wasm", "epoll"),
            Integer.MAX_VALUE),
    /** The C guest on wasi-libc's poll(): it serves at most 16 connections (MAXC in poll_server.c). */
    WASM_C("wasm C guest, poll()", WasmEchoServer.class, null, List.of("poll_server.wasm"), 16),
    /**
     * mio-examples' TcpServer, the same Java source the JVM runs, compiled to wasm32-wasi by TeaVM 0.13.1 with
     * io.mio's WASI backend (mio-wasi-examples' build: {@link WasiExamples}), under mio-wasm.
     */
    WASI_TCP("Java TcpServer compiled to wasm (TeaVM, WASI backend) on mio-wasm", WasmEchoServer.class, null,
            List.of(WasmEchoServer.WASI_EXAMPLE), Integer.MAX_VALUE, List.of(), WasiExamples.TCP_SERVER),
    /**
     * The same .wasm on WasmEdge, compiled ahead of time ({@code wasmedge compile}) and run with
     * {@code wasmedge --run-mode=aot} as the server process itself: a comparison, where wasmedge is installed.
     */
    WASI_TCP_WASMEDGE("Java TcpServer compiled to wasm (TeaVM, WASI backend) on WasmEdge AOT", null, null, List.of(),
            Integer.MAX_VALUE, List.of(), WasiExamples.TCP_SERVER),
    /**
     * The benchmark's echo_guest.wasm (WASM_ECHO's guest, epoll_oneoff) on WasmEdge, compiled ahead of time once per
     * run and run with {@code wasmedge --run-mode=aot} as the server process itself: item 7's comparison.
     */
    WASM_ECHO_WASMEDGE("wasm echo_guest, epoll_oneoff, on WasmEdge AOT", null, null, List.of("echo_guest.wasm"),
            Integer.MAX_VALUE),
    /** The same guest on WasmEdge AOT waiting with poll_oneoff (WASM_ECHO_POLL's twin). */
    WASM_ECHO_POLL_WASMEDGE("wasm echo_guest, poll_oneoff, on WasmEdge AOT", null, null,
            List.of("echo_guest.wasm", "poll"), Integer.MAX_VALUE),
    /** TLS 1.3 echo on io.mio's TlsStream (mio-tls; the JDK's SSLEngine); the load generator speaks TLS to it. */
    MIO_TLS("io.mio TlsStream, TLS 1.3", MioTlsEchoServer.class, null),
    /** TLS 1.3 echo on Netty's SslHandler with the JDK's SSLEngine (SslProvider.JDK), native epoll transport. */
    NETTY_TLS("Netty SslHandler (JDK), TLS 1.3", NettyTlsEchoServer.class, null),
    /** The same server as MIO on io.mio's io_uring backend (opt-in, chosen with io.mio.backend; Linux 6.0+). */
    MIO_URING("io.mio, io_uring backend", MioEchoServer.class, null, List.of(), Integer.MAX_VALUE,
            List.of("-Dio.mio.backend=uring")),
    /**
     * MIO_URING with queued sends switched off ({@code -Dio.mio.uring.queuedSends=false}): each write is a
     * {@code send(2)}, as on EPOLL, instead of a SEND entry that leaves with the poller's next {@code io_uring_enter}.
     */
    MIO_URING_SEND_CALLS("io.mio, io_uring backend, send(2) writes", MioEchoServer.class, null, List.of(),
            Integer.MAX_VALUE, List.of("-Dio.mio.backend=uring", "-Dio.mio.uring.queuedSends=false")),
    /**
     * The same server as MIO with a flight recording running from start-up with the JDK's default settings, as a
     * service recording continuously would: io.mio's own JFR events (io.mio.PollWait, io.mio.Registration) are on
     * by default, so this measures what they and JFR cost (named with {@code --servers mio-jfr}).
     */
    MIO_JFR("io.mio, JFR recording (default settings)", MioEchoServer.class, null, List.of(), Integer.MAX_VALUE,
            List.of("-XX:StartFlightRecording=settings=default"));

    /** Name in the progress lines, tables and charts. */
    final String label;
    /** Main class of a Java server, null for the C server. */
    final Class<?> mainClass;
    /** Read mode argument of the C server, null for a Java server. */
    final String cMode;
    /** Arguments of the main class before the port. */
    final List<String> mainArgs;
    /** The most connections the server serves at once; cells and smoke checks with more are skipped. */
    final int maxConns;
    /** JVM options of this server on top of {@link ServerProcess#JVM_OPTIONS}. */
    final List<String> jvmOptions;
    /** The mio-wasi-examples program this server runs ({@link WasiExamples}), null for the others. */
    final String wasiExample;

    ServerKind(String label, Class<?> mainClass, String cMode) {
        this(label, mainClass, cMode, List.of(), Integer.MAX_VALUE);
    }

    ServerKind(String label, Class<?> mainClass, String cMode, List<String> mainArgs, int maxConns) {
        this(label, mainClass, cMode, mainArgs, maxConns, List.of());
    }

    ServerKind(String label, Class<?> mainClass, String cMode, List<String> mainArgs, int maxConns,
               List<String> jvmOptions) {
        this(label, mainClass, cMode, mainArgs, maxConns, jvmOptions, null);
    }

    ServerKind(String label, Class<?> mainClass, String cMode, List<String> mainArgs, int maxConns,
               List<String> jvmOptions, String wasiExample) {
        this.label = label;
        this.mainClass = mainClass;
        this.cMode = cMode;
        this.mainArgs = mainArgs;
        this.maxConns = maxConns;
        this.jvmOptions = jvmOptions;
        this.wasiExample = wasiExample;
    }

    /**
     * The servers of the echo part of a run without {@code --servers}: the native servers, the wasm echo_guest
     * on epoll_oneoff and on poll_oneoff (on mio-wasm, and on WasmEdge AOT where wasmedge is installed), the Rust
     * guest on poll_oneoff, and the Java TcpServer compiled to wasm
     * on mio-wasm and on WasmEdge (the wasm guests only in the cells of {@code --wasm-conns} x
     * {@code --wasm-sizes}; the Java one skipped, with the reason, when its .wasm was not built or wasmedge is
     * missing). Left out, to be named with {@code --servers}: io.mio on its Selector backend (in the scale part
     * by default), the Rust guest on epoll_oneoff, the C poll() guest, the TLS servers (mio-tls, netty-tls), the C
     * io_uring server with DEFER_TASKRUN (c-uring-defer), Netty io_uring with a buffer ring (netty-uring-bufring) and
     * io.mio with a flight recording on (mio-jfr). io.mio on its io_uring backend (mio-uring) is in: the report judges its targets (issue 13).
     */
    static Set<ServerKind> defaults() {
        return EnumSet.complementOf(EnumSet.of(MIO_SELECTOR, WASM_EPOLL, WASM_C, MIO_TLS, NETTY_TLS,
                C_URING_DEFER, NETTY_URING_BUFRING, MIO_JFR));
    }

    /** The servers of the scale part (idle connections) when neither {@code --scale-servers} nor {@code --servers} names them. */
    static Set<ServerKind> scaleDefaults() {
        return EnumSet.of(MIO, MIO_SELECTOR, NIO, VTHREAD, NETTY, NETTY_URING, C_SHORT, C_URING, MIO_URING);
    }

    /** A C server (needs gcc): the epoll ones, or the io_uring one. */
    boolean isNative() {
        return cMode != null;
    }

    /** The binary of a C server, built by {@link CServer} next to the epoll one. */
    String cProgram() {
        return this == C_URING || this == C_URING_DEFER ? "uring_echo" : "epoll_echo";
    }

    /** An io_uring server: it runs only where io_uring works ({@link #uringProblem}). */
    boolean isUring() {
        return this == C_URING || this == C_URING_DEFER || this == NETTY_URING || this == NETTY_URING_BUFRING;
    }

    /**
     * Why this io_uring server cannot run here, or null (also for every other kind): for the C one, what
     * {@link CServer#build} found (call that first); for Netty's, why its transport is unavailable; for io.mio's,
     * that its URING backend is unavailable.
     */
    String uringProblem() {
        return switch (this) {
            case C_URING, C_URING_DEFER -> CServer.uringProblem;
            case NETTY_URING, NETTY_URING_BUFRING -> NettyUringEchoServer.problem();
            case MIO_URING, MIO_URING_SEND_CALLS -> mioUringProblem();
            default -> null;
        };
    }

    private static String mioUringProblem;
    private static boolean mioUringProbed;

    /**
     * Why io.mio's URING backend cannot run here, or null; probed once in this process with
     * {@code Backend.URING.isAvailable()}, which sets up a small ring without choosing the backend (the harness's
     * own load generator stays on EPOLL).
     */
    private static synchronized String mioUringProblem() {
        if (!mioUringProbed) {
            mioUringProbed = true;
            try {
                mioUringProblem = io.mio.Backend.URING.isAvailable() ? null
                        : "io.mio's URING backend is unavailable here (io_uring missing, refused or older than Linux 6.0,"
                        + " or no native access)";
            } catch (RuntimeException | LinkageError e) {
                mioUringProblem = "io.mio's URING backend could not be probed: " + e;
            }
        }
        return mioUringProblem;
    }

    /** A server on the JVM: it has a heap, and answers the line {@code gc}. */
    boolean isJava() {
        return mainClass != null;
    }

    /** A TLS server: the load generator connects with TLS ({@link Tls#clientConfig()}). */
    boolean isTls() {
        return mainClass == MioTlsEchoServer.class || mainClass == NettyTlsEchoServer.class;
    }

    /** What the load generator's connections to this server speak: TLS, or plain TCP (null). */
    io.mio.tls.TlsConfig clientTls() {
        return isTls() ? Tls.clientConfig() : null;
    }

    /** A WebAssembly guest: under mio-wasm, or (the WasmEdge comparison) under WasmEdge. */
    boolean isWasm() {
        return mainClass == WasmEchoServer.class || wasiExample != null || mioWasmTwin() != null;
    }

    /** The guest runs on WasmEdge, as the server process itself. */
    boolean isWasmEdge() {
        return (wasiExample != null && mainClass == null) || mioWasmTwin() != null;
    }

    /** For one of the benchmark's own guests on WasmEdge: the kind running the same guest on mio-wasm; else null. */
    ServerKind mioWasmTwin() {
        return switch (this) {
            case WASM_ECHO_WASMEDGE -> WASM_ECHO;
            case WASM_ECHO_POLL_WASMEDGE -> WASM_ECHO_POLL;
            default -> null;
        };
    }

    /** For a guest on mio-wasm that also runs on WasmEdge AOT: that WasmEdge kind; else null. */
    ServerKind wasmEdgeTwin() {
        return switch (this) {
            case WASM_ECHO -> WASM_ECHO_WASMEDGE;
            case WASM_ECHO_POLL -> WASM_ECHO_POLL_WASMEDGE;
            case WASI_TCP -> WASI_TCP_WASMEDGE;
            default -> null;
        };
    }

    /** The mio-wasi-examples build {@link #wasiExample} needs, when it lacks; null when the kind needs nothing built. */
    String wasiProblem() {
        if (wasiExample == null) {
            return mioWasmTwin() != null && WasiExamples.wasmedge() == null ? WasiExamples.NO_WASMEDGE : null;
        }
        if (WasiExamples.find(wasiExample) == null) {
            return WasiExamples.missing(wasiExample);
        }
        return isWasmEdge() && WasiExamples.wasmedge() == null ? WasiExamples.NO_WASMEDGE : null;
    }

    /**
     * Parses a command-line name: the enum name in any case, with '-' for '_' (mio, mio-selector, nio, vthread,
     * netty, netty-uring, netty-uring-bufring, c-drain, c-short, c-uring, c-uring-defer, wasm-echo, wasm-echo-poll, wasm-echo-wasmedge, wasm-echo-poll-wasmedge, wasm, wasm-epoll, wasm-c, wasi-tcp, wasi-tcp-wasmedge,
     * mio-tls, netty-tls, mio-uring).
     */
    static ServerKind parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
