package io.mio.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The load generator is what makes the smoke test mean something: it must notice an echo that is wrong,
 * not only one that never comes. Each test serves it from a small blocking server on a platform thread.
 */
@Timeout(30)
class EchoClientTest {

    /** Serves each connection on its own thread, answering every read with {@code reply(bytes read)}. */
    private static ServerSocket serve(UnaryOperator<byte[]> reply) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    Thread t = new Thread(() -> echo(s, reply), "test-echo");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    // listener closed
                }
            }
        }, "test-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return listener;
    }

    private static void echo(Socket socket, UnaryOperator<byte[]> reply) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(reply.apply(java.util.Arrays.copyOf(buf, n)));
            }
        } catch (IOException e) {
            // connection dropped
        }
    }

    private static EchoClient.Result run(ServerSocket listener, int conns, int size, int roundTrips) throws IOException {
        return EchoClient.run(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                EchoClient.Plan.counted(conns, size, roundTrips, Duration.ofSeconds(20)), new EchoClient.Hooks() { });
    }

    @Test
    void counts_every_round_trip_against_a_correct_echo() throws IOException {
        try (ServerSocket listener = serve(b -> b)) {
            EchoClient.Result r = run(listener, 2, 100, 7);
            assertThat(r.roundTrips()).isEqualTo(14);
        }
    }

    @Test
    void a_corrupted_byte_in_the_echo_fails_the_run() throws IOException {
        try (ServerSocket listener = serve(b -> {
            b[b.length - 1] ^= 1;
            return b;
        })) {
            assertThatThrownBy(() -> run(listener, 1, 64, 5))
                    .isInstanceOf(IOException.class).hasMessageContaining("echo differs");
        }
    }

    @Test
    void an_echo_sent_twice_fails_the_run() throws IOException {
        try (ServerSocket listener = serve(b -> {
            byte[] twice = java.util.Arrays.copyOf(b, 2 * b.length);
            System.arraycopy(b, 0, twice, b.length, b.length);
            return twice;
        })) {
            assertThatThrownBy(() -> run(listener, 1, 64, 5)).isInstanceOf(IOException.class)
                    .message().containsAnyOf("more bytes than the message", "echo differs");
        }
    }

    @Test
    void a_server_that_never_answers_fails_at_the_deadline() throws IOException {
        try (ServerSocket listener = serve(b -> new byte[0])) {
            assertThatThrownBy(() -> EchoClient.run(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                    EchoClient.Plan.counted(1, 64, 1, Duration.ofMillis(300)), new EchoClient.Hooks() { }))
                    .isInstanceOf(IOException.class).hasMessageContaining("did not finish in time");
        }
    }
}
