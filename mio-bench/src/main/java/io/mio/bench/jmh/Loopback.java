package io.mio.bench.jmh;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Connected loopback pairs of io.mio streams for the microbenchmarks' setup (not measured). */
final class Loopback {
    private Loopback() {
    }

    /** Connects {@code n} pairs through one listener; returns [client0, server0, client1, server1, ...]. */
    static TcpStream[] pairs(int n) throws IOException {
        TcpStream[] out = new TcpStream[2 * n];
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), Math.max(n, 16));
             Poll poll = Poll.open()) {
            InetSocketAddress addr = listener.localAddr();
            Events events = Events.withCapacity(16);
            for (int i = 0; i < n; i++) {
                TcpStream client = TcpStream.connect(addr);
                TcpStream server = null;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (server == null) {
                    server = listener.accept();
                    if (server == null) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("loopback connect timed out");
                        }
                        poll.poll(events, Duration.ofMillis(1));
                    }
                }
                // wait until the client side reports the connection established
                poll.registry().register(client, new Token(i), Interest.WRITABLE);
                while (client.takeError() == null && !connected(client)) {
                    poll.poll(events, Duration.ofMillis(10));
                }
                poll.registry().deregister(client);
                client.setNodelay(true);
                server.setNodelay(true);
                out[2 * i] = client;
                out[2 * i + 1] = server;
            }
        }
        return out;
    }

    private static boolean connected(TcpStream s) {
        try {
            s.peerAddr();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void closeAll(AutoCloseable... all) {
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // teardown
                }
            }
        }
    }
}
