package io.mio.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The HTTP benchmark's JDK peer: {@code com.sun.net.httpserver.HttpServer} with one virtual thread per exchange,
 * serving {@code /plaintext} and {@code /json} from preformatted bytes (the JSON as in the io.mio example: no
 * per-request serialization). The JDK adds the {@code Date} header itself (formatted per answer).
 *
 * <p>Two of the JDK server's defaults are raised, as anyone serving 1000 keep-alive connections with it would:
 * {@code sun.net.httpserver.maxIdleConnections} (200: it closes keep-alive connections beyond that many idle ones,
 * so at 1000 connections most would reconnect per request) and {@code sun.net.httpserver.nodelay} (off: Nagle's
 * algorithm would delay answers).
 *
 * <p>Usage: {@code JdkHttpServer [port]}; prints {@code READY <port>}.
 */
public final class JdkHttpServer {
    private static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private JdkHttpServer() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", ServerSupport.port(args)),
                ServerSupport.BACKLOG);
        server.createContext("/plaintext", exchange -> answer(exchange, "text/plain", PLAINTEXT));
        server.createContext("/json", exchange -> answer(exchange, "application/json", JSON));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        ServerSupport.ready(server.getAddress().getPort());
    }

    private static void answer(HttpExchange exchange, String type, byte[] body) throws IOException {
        try (exchange) {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream()); // a request body, if any, is read and dropped
            }
            // A context matches its path as a prefix: only the exact paths and GET are these answers.
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET") || !path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Server", "JDK");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
