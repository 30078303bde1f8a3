package io.mio.bench;

/** The echo servers the benchmark compares, in the order they run in a round. */
enum ServerKind {
    MIO("io.mio", MioEchoServer.class, null),
    NIO("java.nio", NioEchoServer.class, null),
    VTHREAD("virtual threads", VirtualThreadEchoServer.class, null),
    NETTY("Netty epoll", NettyEchoServer.class, null),
    C_DRAIN("C epoll, drain", null, "drain"),
    C_SHORT("C epoll, short read", null, "short");

    /** Name in the progress lines, tables and charts. */
    final String label;
    /** Main class of a Java server, null for the C server. */
    final Class<?> mainClass;
    /** Read mode argument of the C server, null for a Java server. */
    final String cMode;

    ServerKind(String label, Class<?> mainClass, String cMode) {
        this.label = label;
        this.mainClass = mainClass;
        this.cMode = cMode;
    }

    boolean isNative() {
        return mainClass == null;
    }

    /** Parses a command-line name: the enum name in any case, with '-' for '_' (mio, nio, vthread, netty, c-drain, c-short). */
    static ServerKind parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
