package io.mio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Echo server with one virtual thread per connection on blocking java.net sockets: the JDK's answer to
 * "do I need an event loop at all". Reads block the virtual thread (the JDK parks it and polls the socket
 * for it), each read is written straight back. The accept loop runs on the main thread.
 *
 * <p>Usage: {@code VirtualThreadEchoServer [port]}; prints {@code READY <port>}.
 */
public final class VirtualThreadEchoServer {
    /** Per-connection buffer: larger than any benchmark message, small enough for 10000 connections. */
    private static final int BUFFER = 16 * 1024;

    public static void main(String[] args) throws IOException {
        try (ServerSocket listener = new ServerSocket(ServerSupport.port(args), ServerSupport.BACKLOG,
                InetAddress.getByName("127.0.0.1"))) {
            ServerSupport.ready(listener.getLocalPort());
            while (true) {
                Socket socket = listener.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // reset by the peer: the connection is over
        }
    }
}
