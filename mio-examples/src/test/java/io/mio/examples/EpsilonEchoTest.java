package io.mio.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo server's loop allocates nothing per round trip: it runs in a child JVM with the Epsilon GC (which
 * never collects, and dies with OutOfMemoryError once the small heap is used up) and serves a million
 * checked round trips, then must still be alive.
 *
 * <p>The heap is sized to hold the JVM's start-up and the server's set-up with little room to spare, so a
 * loop that allocated even a few dozen bytes per round trip would exhaust it long before the end.
 */
class EpsilonEchoTest {
    private static final String HEAP = System.getProperty("mio.epsilon.heap", "24m");
    private static final int CONNECTIONS = 16;
    private static final int ROUND_TRIPS = 1_000_000;
    private static final int MESSAGE = 16;

    /** One client connection with one message in flight. */
    private static final class Client {
        final int id;
        final TcpStream stream;
        final Token token;
        final ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        final ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        long sequence;
        boolean connected;

        Client(int id, TcpStream stream) {
            this.id = id;
            this.stream = stream;
            this.token = new Token(id);
        }

        /** The message for {@code sequence}: the connection, the sequence number and a check word. */
        void prepare() {
            out.clear();
            out.putInt(id).putLong(sequence).putInt((int) (sequence * 0x9E3779B1L) ^ id);
            out.flip();
        }

        void send() throws IOException {
            while (out.hasRemaining()) {
                if (stream.write(out) == 0) {
                    throw new AssertionError("a 16-byte write would block on connection " + id);
                }
            }
        }

        /** Reads what arrived; true when the whole echo is in and matches what was sent. */
        boolean receive() throws IOException {
            while (in.hasRemaining()) {
                int n = stream.read(in);
                if (n < 0) {
                    throw new AssertionError("server closed connection " + id + " at message " + sequence);
                }
                if (n == 0) {
                    return false;
                }
            }
            in.flip();
            int gotId = in.getInt();
            long gotSequence = in.getLong();
            int gotCheck = in.getInt();
            if (gotId != id || gotSequence != sequence || gotCheck != ((int) (sequence * 0x9E3779B1L) ^ id)) {
                throw new AssertionError("connection " + id + " expected message " + sequence + " back, got id "
                        + gotId + ", sequence " + gotSequence + ", check " + gotCheck);
            }
            in.clear();
            return true;
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void echo_server_serves_a_million_round_trips_without_allocating_under_epsilon() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(javaBin.toString(),
                "-XX:+UnlockExperimentalVMOptions", "-XX:+UseEpsilonGC", "-Xms" + HEAP, "-Xmx" + HEAP,
                "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:stdout", "-XX:EpsilonPrintHeapSteps=100",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                TcpServer.class.getName(), "0");
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith(" $ nc ")) {
                        String[] parts = line.trim().split(" ");
                        port.complete(Integer.parseInt(parts[parts.length - 1]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new AssertionError("server exited before it listened: " + output));
        });
        try {
            int serverPort = port.get(60, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long done;
            try {
                done = drive(new InetSocketAddress("127.0.0.1", serverPort));
            } catch (IOException | AssertionError e) {
                server.waitFor(2, TimeUnit.SECONDS);
                throw new AssertionError("echo run failed; server " + (server.isAlive() ? "alive" : "exited with "
                        + server.exitValue()) + ", its output: " + String.join("\n", output), e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(done).isEqualTo(ROUND_TRIPS);
            // Epsilon never collects: had the loop allocated, the server would have died of OutOfMemoryError.
            Thread.sleep(200);
            assertThat(server.isAlive()).as("server alive after %d round trips with a %s Epsilon heap; output: %s",
                    ROUND_TRIPS, HEAP, output).isTrue();
            String heapLine = "";
            synchronized (output) {
                for (String line : output) {
                    if (line.contains("Heap:") || line.contains("used")) {
                        heapLine = line;
                    }
                }
            }
            System.out.printf("[epsilon] %d round trips over %d connections in %.1f s (%.0f/s), Epsilon heap %s;"
                    + " last heap report of the server: %s%n", done, CONNECTIONS, seconds, done / seconds, HEAP, heapLine);
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            reader.join(5_000);
        }
    }

    /** Runs the round trips over {@value #CONNECTIONS} connections, one message in flight on each. */
    private static long drive(InetSocketAddress address) throws IOException {
        try (Poll poll = Poll.open()) {
            Registry registry = poll.registry();
            Client[] clients = new Client[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                clients[i] = new Client(i, TcpStream.connect(address));
                registry.register(clients[i].stream, clients[i].token, Interest.READABLE.add(Interest.WRITABLE));
            }
            Events events = Events.withCapacity(64);
            long completed = 0;
            long started = 0;
            long lastProgress = System.nanoTime();
            try {
                while (completed < ROUND_TRIPS) {
                    poll.poll(events, Duration.ofSeconds(1));
                    if (events.isEmpty() && System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                        throw new AssertionError("no progress for 30 s after " + completed + " round trips");
                    }
                    for (Event event : events) {
                        Client c = clients[(int) event.token().value()];
                        if (!c.connected) {
                            if (!event.isWritable()) {
                                continue;
                            }
                            IOException error = c.stream.takeError();
                            if (error != null) {
                                throw error;
                            }
                            c.connected = true;
                            c.stream.setNodelay(true);
                            registry.reregister(c.stream, c.token, Interest.READABLE);
                            c.prepare();
                            c.send();
                            started++;
                            continue;
                        }
                        while (c.receive()) {
                            completed++;
                            lastProgress = System.nanoTime();
                            c.sequence++;
                            if (started < ROUND_TRIPS) {
                                c.prepare();
                                c.send();
                                started++;
                            } else {
                                break;
                            }
                        }
                    }
                }
            } finally {
                for (Client c : clients) {
                    c.stream.close();
                }
            }
            return completed;
        }
    }
}
