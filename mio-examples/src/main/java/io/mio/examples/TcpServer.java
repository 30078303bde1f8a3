package io.mio.examples;

import io.mio.Poll;
import io.mio.net.TcpListener;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * mio's {@code tcp_server} example: an echo server. Every byte a client sends comes back. It serves until
 * stopped.
 *
 * <p>Usage: {@code TcpServer [port]} (default 9000); then {@code nc 127.0.0.1 9000}.
 *
 * <p>The serving is {@link EchoLoop}'s, on the main thread; its loop allocates nothing per round trip.
 * {@link MultiLoopEchoServer} runs several such loops on one port.
 */
public final class TcpServer {
    private TcpServer() {}

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        try (Poll poll = Poll.open();
             TcpListener server = TcpListener.bind(new InetSocketAddress("127.0.0.1", port))) {
            InetSocketAddress bound = server.localAddr();
            System.out.println("You can connect to the server using `nc`:");
            System.out.println(" $ nc " + bound.getHostString() + " " + bound.getPort());
            System.out.println("Anything you type is echoed back.");
            System.out.flush();
            // No Waker with EchoLoop.STOP exists, so this serves until the process is killed.
            new EchoLoop(poll, server).run();
        }
    }
}
