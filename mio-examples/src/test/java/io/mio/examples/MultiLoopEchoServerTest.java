package io.mio.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MultiLoopEchoServerTest {
    private static final int SO_TIMEOUT_MILLIS = 10_000;

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, SO_TIMEOUT_MILLIS);
        s.setSoTimeout(SO_TIMEOUT_MILLIS); // a read that gets no echo fails instead of hanging
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads exactly {@code n} bytes; fails at end of stream or after the socket's timeout. */
    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertThat(b.length).as("bytes echoed before end of stream").isEqualTo(n);
        return b;
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void many_connections_are_echoed_and_spread_over_the_loops() throws Exception {
        int loops = 4;
        int connections = 64;
        List<Socket> clients = new ArrayList<>();
        MultiLoopEchoServer.Running server = MultiLoopEchoServer.start(new InetSocketAddress("127.0.0.1", 0), loops);
        try {
            InetSocketAddress address = server.address();
            // All open at once, so every loop holds several live connections while the others serve theirs.
            for (int i = 0; i < connections; i++) {
                clients.add(connect(address));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < connections; i++) {
                    byte[] message = ("connection " + i + ", round " + round + "\n").getBytes(StandardCharsets.US_ASCII);
                    clients.get(i).getOutputStream().write(message);
                    assertThat(readExactly(clients.get(i).getInputStream(), message.length))
                            .as("echo on connection %d, round %d", i, round).isEqualTo(message);
                }
            }
            server.close(); // joins the loops' threads, so their counts are final and visible here

            long[] accepted = server.acceptedPerLoop();
            assertThat(Arrays.stream(accepted).sum()).as("connections accepted, per loop: %s", Arrays.toString(accepted))
                    .isEqualTo(connections);
            // The kernel hashes each connection to one of the listeners: with 64 connections over 4 listeners, all
            // landing on one would have odds of 4^-63.
            assertThat(Arrays.stream(accepted).filter(n -> n > 0).count())
                    .as("loops that accepted connections: %s", Arrays.toString(accepted)).isGreaterThan(1);
            // A stopped loop closes its connections: every client sees end of stream.
            for (int i = 0; i < connections; i++) {
                assertThat(clients.get(i).getInputStream().read()).as("read on connection %d after stop", i).isEqualTo(-1);
            }
        } finally {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void a_stream_larger_than_the_socket_buffers_comes_back_whole() throws Exception {
        // Several megabytes sent while reading: whenever the reader falls behind, the server's writes would block,
        // and it must hold the rest, stop reading, and resume on writable without losing or reordering a byte.
        int size = 8 * 1024 * 1024;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + (i >>> 13));
        }
        try (MultiLoopEchoServer.Running server = MultiLoopEchoServer.start(new InetSocketAddress("127.0.0.1", 0), 2);
             Socket client = connect(server.address())) {
            OutputStream out = client.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < size; off += 100_000) {
                        out.write(data, off, Math.min(100_000, size - off));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, command -> Thread.ofPlatform().daemon().start(command));
            byte[] echoed = readExactly(client.getInputStream(), size);
            writer.get(30, TimeUnit.SECONDS);
            assertThat(Arrays.mismatch(echoed, data)).as("first byte that differs").isEqualTo(-1);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void main_prints_where_to_connect_and_echoes() throws Exception {
        try (ExampleProcess server = ExampleProcess.start(MultiLoopEchoServer.class, "0", "2")) {
            String line = server.awaitLine(" $ nc 127.0.0.1 ", Duration.ofSeconds(60));
            assertThat(server.output()).contains("2 event loops share /127.0.0.1:" + ExampleProcess.portAtEnd(line));
            try (Socket client = connect(new InetSocketAddress("127.0.0.1", ExampleProcess.portAtEnd(line)))) {
                byte[] hello = "hello, loops\n".getBytes(StandardCharsets.US_ASCII);
                client.getOutputStream().write(hello);
                assertThat(readExactly(client.getInputStream(), hello.length)).isEqualTo(hello);
            }
        }
    }
}
