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
    C_DRAIN("C epoll, drain", null, "drain"),
    C_SHORT("C epoll, short read", null, "short"),
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
    WASM_C("wasm C guest, poll()", WasmEchoServer.class, null, List.of("poll_server.wasm"), 16);

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

    ServerKind(String label, Class<?> mainClass, String cMode) {
        this(label, mainClass, cMode, List.of(), Integer.MAX_VALUE);
    }

    ServerKind(String label, Class<?> mainClass, String cMode, List<String> mainArgs, int maxConns) {
        this(label, mainClass, cMode, mainArgs, maxConns, List.of());
    }

    ServerKind(String label, Class<?> mainClass, String cMode, List<String> mainArgs, int maxConns,
               List<String> jvmOptions) {
        this.label = label;
        this.mainClass = mainClass;
        this.cMode = cMode;
        this.mainArgs = mainArgs;
        this.maxConns = maxConns;
        this.jvmOptions = jvmOptions;
    }

    /**
     * The servers of the echo part of a run without {@code --servers}: the native servers, the wasm echo_guest
     * on epoll_oneoff and on poll_oneoff, and the Rust guest on poll_oneoff (the wasm guests only in the cells of
     * {@code --wasm-conns} x {@code --wasm-sizes}). Left out, to be named with {@code --servers}: io.mio on its
     * Selector backend (in the scale part by default), the Rust guest on epoll_oneoff and the C poll() guest.
     */
    static Set<ServerKind> defaults() {
        return EnumSet.complementOf(EnumSet.of(MIO_SELECTOR, WASM_EPOLL, WASM_C));
    }

    /** The servers of the scale part (idle connections) when neither {@code --scale-servers} nor {@code --servers} names them. */
    static Set<ServerKind> scaleDefaults() {
        return EnumSet.of(MIO, MIO_SELECTOR, NIO, VTHREAD, NETTY, C_SHORT);
    }

    boolean isNative() {
        return mainClass == null;
    }

    /** A WebAssembly guest under mio-wasm. */
    boolean isWasm() {
        return mainClass == WasmEchoServer.class;
    }

    /**
     * Parses a command-line name: the enum name in any case, with '-' for '_' (mio, mio-selector, nio, vthread,
     * netty, c-drain, c-short, wasm-echo, wasm-echo-poll, wasm, wasm-epoll, wasm-c).
     */
    static ServerKind parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
