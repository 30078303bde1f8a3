package io.mio.examples;

import io.mio.Poll;
import io.mio.Waker;
import io.mio.net.UdpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UdpServerTest {
    private static final int SO_TIMEOUT_MILLIS = 10_000;

    /** {@link UdpServer#serve} on its own thread, on a free port; closing stops it through its Waker. */
    private static final class Served implements AutoCloseable {
        final Poll poll;
        final UdpSocket socket;
        final Waker waker;
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Served() throws IOException {
            poll = Poll.open();
            socket = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0));
            waker = new Waker(poll.registry(), UdpServer.STOP);
            thread = Thread.ofPlatform().daemon().name("udp-server").start(() -> {
                try {
                    UdpServer.serve(poll, socket);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        }

        InetSocketAddress address() throws IOException {
            return socket.localAddr();
        }

        @Override
        public void close() throws Exception {
            try {
                waker.wake();
                thread.join(Duration.ofSeconds(30));
                assertThat(thread.isAlive()).as("the server still runs 30 s after its stop wake").isFalse();
                assertThat(failure.get()).as("the server's failure").isNull();
            } finally {
                waker.close();
                socket.close();
                poll.close();
            }
        }
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(SO_TIMEOUT_MILLIS);
        return s;
    }

    /** A datagram of {@code size} bytes that no other (client, index) pair sends. */
    private static byte[] payload(int client, int index, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (client * 31 + index * 7 + i);
        }
        return b;
    }

    private static void send(DatagramSocket from, byte[] datagram, InetSocketAddress to) throws IOException {
        from.send(new DatagramPacket(datagram, datagram.length, to));
    }

    private static void expectEcho(DatagramSocket client, byte[] sent, String what) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        client.receive(p); // SocketTimeoutException if nothing comes back
        byte[] got = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
        assertThat(got).as(what).isEqualTo(sent);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void echoes_every_datagram_to_its_own_sender() throws Exception {
        try (Served server = new Served(); DatagramSocket a = client(); DatagramSocket b = client()) {
            InetSocketAddress to = server.address();
            // Sizes from empty (an echo of 0 bytes, not a would-block) to near the IPv4 maximum.
            int[] sizes = {0, 1, 17, 512, 1472, 9_000, 60_000};
            for (int i = 0; i < sizes.length; i++) {
                // Both clients' datagrams wait at the server together, so one drain answers two senders.
                byte[] fromA = payload(0, i, sizes[i]);
                byte[] fromB = payload(1, i, sizes[i]);
                send(a, fromA, to);
                send(b, fromB, to);
                expectEcho(a, fromA, "client A's " + sizes[i] + "-byte datagram back to A");
                expectEcho(b, fromB, "client B's " + sizes[i] + "-byte datagram back to B");
            }
            // A burst: many datagrams queue up before the server runs, and draining until would-block answers all.
            int burst = 20;
            for (int i = 0; i < burst; i++) {
                send(a, payload(0, 100 + i, 100), to);
                send(b, payload(1, 100 + i, 100), to);
            }
            for (int i = 0; i < burst; i++) {
                expectEcho(a, payload(0, 100 + i, 100), "burst datagram " + i + " back to A");
                expectEcho(b, payload(1, 100 + i, 100), "burst datagram " + i + " back to B");
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void the_serving_loop_allocates_nothing_per_datagram_once_compiled() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        int batch = 2_000;
        int maxBatches = 50;
        try (Served server = new Served(); DatagramSocket client = client()) {
            long serverThread = server.thread.threadId();
            byte[] message = "sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII);
            DatagramPacket out = new DatagramPacket(message, message.length, server.address());
            DatagramPacket in = new DatagramPacket(new byte[64], 64);
            // Until the JIT has compiled the loop and the library's calls beneath it, the interpreter and C1 may
            // allocate the temporaries that C2 removes; so run batches and keep the cleanest one.
            long best = Long.MAX_VALUE;
            int b = 0;
            for (; b < maxBatches && best > 0; b++) {
                long before = threads.getThreadAllocatedBytes(serverThread);
                for (int i = 0; i < batch; i++) {
                    client.send(out);
                    in.setLength(64);
                    client.receive(in);
                    assertThat(in.getLength()).isEqualTo(message.length);
                }
                best = Math.min(best, threads.getThreadAllocatedBytes(serverThread) - before);
            }
            System.out.printf("[udp-alloc] cleanest batch: %d bytes over %d round trips, after %d batches%n", best, batch, b);
            // A single 16-byte object per datagram would make every batch allocate 32,000 bytes or more.
            assertThat(best).as("bytes the server thread allocated in its cleanest batch of %d round trips", batch)
                    .isLessThan(1024);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void main_prints_how_to_reach_it_and_echoes() throws Exception {
        try (ExampleProcess server = ExampleProcess.start(UdpServer.class, "0"); DatagramSocket client = client()) {
            String line = server.awaitLine(" $ nc -u 127.0.0.1 ", Duration.ofSeconds(60));
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", ExampleProcess.portAtEnd(line));
            byte[] hello = "hello, mio\n".getBytes(StandardCharsets.US_ASCII);
            send(client, hello, to);
            expectEcho(client, hello, "the typed line back");
        }
    }
}
