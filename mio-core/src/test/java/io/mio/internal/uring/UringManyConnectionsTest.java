package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many more connections than provided buffers, every one with bytes in flight at once (issue 13's
 * 10,000-connection echo, scaled down): an echo server on a URING Poll that stops reading at a short read, as
 * the benchmark's does, must finish every round on every connection with the bytes in order, see every peer's
 * close, and leave no descriptor open once the connections are gone. Runs in the {@code uring-backend} execution.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UringManyConnectionsTest {
    private static final int CONNS = 1_000;
    private static final int BUFFERS = 64;
    private static final int ROUNDS = 5;
    private static final int SIZE = 64;
    private static final Token LISTENER = new Token(Long.MAX_VALUE);

    @BeforeEach
    void uringBackendOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.current() == Backend.URING,
                "checks the URING backend: runs in the uring-backend execution (-Dio.mio.backend=uring)");
    }

    @AfterEach
    void restoreBuffers() {
        UringSelector.bufferEntriesOfNewPolls = 512;
        UringSelector.bufferSizeOfNewPolls = 4096;
    }

    /**
     * One echo server thread on its own Poll: reads into a shared buffer and stops at a short read (the socket's
     * queue is then empty, so the next byte raises a new edge), closes a connection at end of stream, and with
     * {@code closeFirst} closes each connection itself once it has echoed {@code closeAfter} bytes.
     */
    private static final class EchoServer implements AutoCloseable {
        final Poll poll;
        final TcpListener listener;
        final Thread thread;
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger closedByUs = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<TcpStream> conns = new ArrayList<>();
        final List<long[]> echoed = new ArrayList<>();
        volatile boolean stop;

        EchoServer(long closeAfter) throws IOException {
            poll = Poll.open();
            listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            poll.registry().register(listener, LISTENER, Interest.READABLE);
            thread = new Thread(() -> {
                try {
                    serve(closeAfter);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "echo-server");
            thread.start();
        }

        private void serve(long closeAfter) throws IOException {
            Events events = Events.withCapacity(1024);
            ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
            while (!stop) {
                poll.poll(events, Duration.ofMillis(50));
                for (Event e : events) {
                    if (e.token().equals(LISTENER)) {
                        TcpStream s;
                        while ((s = listener.accept()) != null) {
                            s.setNodelay(true);
                            poll.registry().register(s, new Token(conns.size()), Interest.READABLE);
                            conns.add(s);
                            echoed.add(new long[1]);
                            open.incrementAndGet();
                        }
                        continue;
                    }
                    int id = (int) e.token().value();
                    TcpStream s = conns.get(id);
                    if (s == null) {
                        continue;
                    }
                    boolean keep = true;
                    while (true) {
                        buf.clear();
                        int n = s.read(buf);
                        if (n < 0) {
                            keep = false;
                            break;
                        }
                        if (n == 0) {
                            break;
                        }
                        buf.flip();
                        while (buf.hasRemaining()) {
                            assertThat(s.write(buf)).as("echo fits in the send buffer").isPositive();
                        }
                        echoed.get(id)[0] += n;
                        if (n < buf.capacity()) {
                            break;
                        }
                    }
                    if (keep && closeAfter > 0 && echoed.get(id)[0] >= closeAfter) {
                        closedByUs.incrementAndGet();
                        keep = false;
                    }
                    if (!keep) {
                        s.close();
                        conns.set(id, null);
                        open.decrementAndGet();
                    }
                }
            }
        }

        /** The server streams' receive states (evidence when a connection is stuck), read after the loop stopped. */
        String rxStates() throws Exception {
            stop = true;
            thread.join(10_000);
            int[] byState = new int[5];
            int[] ended = new int[1];
            java.lang.reflect.Field f = TcpStream.class.getDeclaredField("impl");
            f.setAccessible(true);
            for (TcpStream s : conns) {
                if (s != null) {
                    int[] st = ((UringTcpStream) f.get(s)).rxStats();
                    byState[st[2]]++;
                    ended[0] += st[1];
                }
            }
            return "server streams by receive state (none, armed, ended, done, cancelling): "
                    + java.util.Arrays.toString(byState) + ", receives ended by the kernel: " + ended[0];
        }

        @Override
        public void close() throws Exception {
            stop = true;
            thread.join(10_000);
            for (TcpStream s : conns) {
                if (s != null) {
                    s.close();
                }
            }
            listener.close();
            poll.close();
        }
    }

    /** Sends one message on every connection, then reads every echo; fails naming a connection that gets none. */
    private static void echoRounds(EchoServer server, Socket[] clients, int rounds) throws Exception {
        byte[] msg = new byte[SIZE];
        byte[] got = new byte[SIZE];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < clients.length; i++) {
                fill(msg, i, round);
                clients[i].getOutputStream().write(msg);
            }
            for (int i = 0; i < clients.length; i++) {
                fill(msg, i, round);
                InputStream in = clients[i].getInputStream();
                int have = 0;
                try {
                    while (have < SIZE) {
                        int n = in.read(got, have, SIZE - have);
                        assertThat(n).as("connection %d round %d: echo before end of stream", i, round).isPositive();
                        have += n;
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("connection " + i + " round " + round + ": " + have + " of " + SIZE
                            + " echoed bytes within 10 s; " + server.rxStates(), e);
                }
                assertThat(got).as("connection %d round %d: the bytes sent, in order", i, round).isEqualTo(msg);
            }
        }
    }

    private static void fill(byte[] msg, int conn, int round) {
        for (int j = 0; j < msg.length; j++) {
            msg[j] = (byte) (conn * 31 + round * 7 + j);
        }
    }

    private static Socket[] connect(EchoServer server, int n) throws IOException {
        Socket[] clients = new Socket[n];
        for (int i = 0; i < n; i++) {
            Socket c = new Socket();
            c.connect(server.listener.localAddr(), 10_000);
            c.setTcpNoDelay(true);
            c.setSoTimeout(10_000);
            clients[i] = c;
        }
        return clients;
    }

    private static void awaitOpen(EchoServer server, int n, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.open.get() != n && System.nanoTime() < deadline && server.failure.get() == null) {
            Thread.sleep(5);
        }
        assertThat(server.failure.get()).as("the server loop's failure").isNull();
        assertThat(server.open.get()).as(what).isEqualTo(n);
    }

    private static void awaitFds(int baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (TestSupport.openFds() > baseline && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(TestSupport.openFds()).as("open descriptors, back to the baseline; now open: %s", fdTargets())
                .isLessThanOrEqualTo(baseline);
    }

    /** What each open descriptor is (the failure message of a leak): its link, and a TCP socket's table line. */
    private static String fdTargets() {
        StringBuilder b = new StringBuilder();
        String[] names = new java.io.File("/proc/self/fd").list();
        for (String n : names == null ? new String[0] : names) {
            try {
                String t = Files.readSymbolicLink(Path.of("/proc/self/fd", n)).toString();
                b.append(n).append("->").append(t).append(' ');
                if (t.startsWith("socket:[")) {
                    String inode = t.substring(8, t.length() - 1);
                    for (String table : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
                        for (String line : Files.readAllLines(Path.of(table))) {
                            if (List.of(line.trim().split("\\s+")).contains(inode)) {
                                b.append('(').append(line.trim()).append(") ");
                            }
                        }
                    }
                }
            } catch (IOException e) {
                b.append(n).append("->(gone) ");
            }
        }
        return b.toString();
    }

    /**
     * Open descriptors after one connection has echoed and closed: the first use of sockets in a JVM may keep a
     * descriptor of the JDK's open (seen: one connected Unix socket), which is not the server's to free.
     */
    private static int baselineFds() throws Exception {
        try (EchoServer warm = new EchoServer(0)) {
            Socket[] one = connect(warm, 1);
            awaitOpen(warm, 1, "warm-up connection accepted");
            echoRounds(warm, one, 1);
            one[0].close();
            awaitOpen(warm, 0, "warm-up connection closed");
        }
        return TestSupport.openFds();
    }

    @Test
    void many_more_connections_than_buffers_all_echo_every_round_and_the_peers_closes_free_every_descriptor()
            throws Exception {
        UringSelector.bufferEntriesOfNewPolls = BUFFERS;
        int baseline = baselineFds();
        try (EchoServer server = new EchoServer(0)) {
            Socket[] clients = connect(server, CONNS);
            awaitOpen(server, CONNS, "connections accepted");
            echoRounds(server, clients, ROUNDS);
            for (Socket c : clients) {
                c.close(); // the peer closes first: the server must see every end of stream
            }
            awaitOpen(server, 0, "connections the server closed at end of stream");
        }
        awaitFds(baseline);
    }

    @Test
    void many_more_connections_than_buffers_closed_by_the_server_free_every_descriptor() throws Exception {
        UringSelector.bufferEntriesOfNewPolls = BUFFERS;
        int baseline = baselineFds();
        try (EchoServer server = new EchoServer((long) ROUNDS * SIZE)) {
            Socket[] clients = connect(server, CONNS);
            awaitOpen(server, CONNS, "connections accepted");
            echoRounds(server, clients, ROUNDS);
            awaitOpen(server, 0, "connections the server closed after its last echo");
            assertThat(server.closedByUs.get()).isEqualTo(CONNS);
            for (Socket c : clients) {
                assertThat(c.getInputStream().read()).as("end of stream after the server's close").isEqualTo(-1);
                c.close();
            }
        }
        awaitFds(baseline);
    }

    @Test
    void a_short_read_of_the_queue_after_the_receive_ended_leaves_the_socket_watched() throws Exception {
        UringSelector.bufferEntriesOfNewPolls = 2; // two buffers: the third chunk ends the receive (ENOBUFS)
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket peer = new Socket()) {
            Events events = Events.withCapacity(16);
            peer.connect(listener.localAddr(), 10_000);
            peer.setTcpNoDelay(true);
            TcpStream stream = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stream == null) {
                assertThat(System.nanoTime()).as("accepted in time").isLessThan(deadline);
                stream = listener.accept();
            }
            try (TcpStream s = stream) {
                poll.registry().register(s, new Token(1), Interest.READABLE);
                java.lang.reflect.Field f = TcpStream.class.getDeclaredField("impl");
                f.setAccessible(true);
                UringTcpStream impl = (UringTcpStream) f.get(s);
                for (int chunk = 0; chunk < 3; chunk++) {
                    peer.getOutputStream().write(new byte[] {(byte) ('a' + chunk)});
                    int queued = Math.min(chunk + 1, 2);
                    while (impl.rxStats()[0] < queued || (chunk == 2 && impl.rxStats()[1] == 0)) {
                        assertThat(System.nanoTime()).as("chunk %d received", chunk).isLessThan(deadline);
                        poll.poll(events, Duration.ofMillis(10));
                    }
                }
                assertThat(impl.rxStats()[2]).as("the receive ended").isEqualTo(UringTcpStream.RX_ENDED);
                // A short read: the two queued bytes; a reader that stops here waits for an edge for the third.
                byte[] buf = new byte[64];
                assertThat(s.read(buf, 0, buf.length)).isEqualTo(2);
                assertThat(new String(buf, 0, 2, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ab");
                boolean readable = false;
                while (!readable) {
                    assertThat(System.nanoTime()).as("a readable event for the byte left in the socket")
                            .isLessThan(deadline);
                    poll.poll(events, Duration.ofMillis(10));
                    for (Event e : events) {
                        readable |= e.isReadable();
                    }
                }
                assertThat(s.read(buf, 0, buf.length)).isEqualTo(1);
                assertThat(buf[0]).isEqualTo((byte) 'c');
            }
        }
    }

    @Test
    void a_receive_armed_again_while_every_buffer_is_taken_waits_for_data_instead_of_ending_at_once() throws Exception {
        UringSelector.bufferEntriesOfNewPolls = 2;
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket peerA = new Socket();
             Socket peerB = new Socket()) {
            Events events = Events.withCapacity(16);
            TcpStream[] s = new TcpStream[2];
            Socket[] peers = {peerA, peerB};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int i = 0; i < 2; i++) {
                peers[i].connect(listener.localAddr(), 10_000);
                peers[i].setTcpNoDelay(true);
                while ((s[i] = listener.accept()) == null) {
                    assertThat(System.nanoTime()).as("accepted in time").isLessThan(deadline);
                }
                poll.registry().register(s[i], new Token(i), Interest.READABLE);
            }
            try (TcpStream a = s[0]; TcpStream b = s[1]) {
                java.lang.reflect.Field f = TcpStream.class.getDeclaredField("impl");
                f.setAccessible(true);
                UringTcpStream implA = (UringTcpStream) f.get(a);
                UringTcpStream implB = (UringTcpStream) f.get(b);
                for (int chunk = 0; chunk < 2; chunk++) { // A holds both buffers, unread
                    peerA.getOutputStream().write(new byte[] {(byte) chunk});
                    while (implA.rxStats()[0] < chunk + 1) {
                        assertThat(System.nanoTime()).as("A's chunk %d queued", chunk).isLessThan(deadline);
                        poll.poll(events, Duration.ofMillis(10));
                    }
                }
                peerB.getOutputStream().write('x'); // no buffer: B's receive ends
                while (implB.rxStats()[1] == 0) {
                    assertThat(System.nanoTime()).as("B's receive ended").isLessThan(deadline);
                    poll.poll(events, Duration.ofMillis(10));
                }
                byte[] buf = new byte[16];
                assertThat(b.read(buf, 0, buf.length)).as("B's byte, from the socket").isEqualTo(1);
                assertThat(implB.rxStats()[2]).as("armed again at the short read").isEqualTo(UringTcpStream.RX_ARMED);
                for (int i = 0; i < 5; i++) {
                    poll.poll(events, Duration.ofMillis(20));
                }
                // With the ring still empty, a receive that tried at once would end again (ENOBUFS) with no data.
                assertThat(implB.rxStats()[1]).as("B's receive ended only by the byte that came").isEqualTo(1);
                assertThat(implB.rxStats()[2]).as("B's receive still armed").isEqualTo(UringTcpStream.RX_ARMED);
                peerB.getOutputStream().write('y');
                boolean readable = false;
                while (!readable) {
                    assertThat(System.nanoTime()).as("B readable for its next byte").isLessThan(deadline);
                    poll.poll(events, Duration.ofMillis(10));
                    for (Event e : events) {
                        readable |= e.token().value() == 1 && e.isReadable();
                    }
                }
                assertThat(b.read(buf, 0, buf.length)).isEqualTo(1);
                assertThat(buf[0]).isEqualTo((byte) 'y');
            }
        }
    }
}
