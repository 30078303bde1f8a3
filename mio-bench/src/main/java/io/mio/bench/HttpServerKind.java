package io.mio.bench;

/** The HTTP servers the benchmark's HTTP part compares, in the order they run in a round. */
enum HttpServerKind {
    MIO("io.mio HttpServer", MioHttpServer.class),
    NETTY("Netty HTTP codec", NettyHttpServer.class),
    JDK("JDK HttpServer, virtual threads", JdkHttpServer.class);

    /** Name in the progress lines and tables. */
    final String label;
    final Class<?> mainClass;

    HttpServerKind(String label, Class<?> mainClass) {
        this.label = label;
        this.mainClass = mainClass;
    }

    /** Parses a command-line name: mio, netty, jdk (any case). */
    static HttpServerKind parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
