package io.mio.bench;

import io.mio.examples.HttpServer;

import java.net.InetSocketAddress;

/**
 * The HTTP benchmark's io.mio server: mio-examples' {@link HttpServer} as it is, one event loop per available
 * processor (one when the harness pins the process to one CPU).
 *
 * <p>Usage: {@code MioHttpServer [port]}; prints {@code READY <port>}.
 */
public final class MioHttpServer {
    private MioHttpServer() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", ServerSupport.port(args));
        try (HttpServer.Running server = HttpServer.start(address, Runtime.getRuntime().availableProcessors())) {
            ServerSupport.ready(server.address().getPort());
            server.awaitFailure(); // serves until the harness closes stdin (ServerSupport exits the process)
        }
    }
}
