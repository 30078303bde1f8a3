package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The C guests of src/test/c running on Chicory, driven from Java over loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoGuestTest {
    /** A thread per task: blocking socket I/O must not starve (the common pool has one thread on 2 cores). */
    static final java.util.concurrent.Executor EXEC = r -> Thread.ofPlatform().daemon().start(r);

    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*")
            .allowConnect("127.0.0.1:*").build();

    static byte[] payload(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends {@code data} on a new connection, half-closes, returns everything read back until EOF. */
    static byte[] echo(int port, byte[] data) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> { // own thread: the common pool may have 1
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, EXEC);
            byte[] back = s.getInputStream().readAllBytes();
            writer.get(20, TimeUnit.SECONDS);
            return back;
        }
    }

    @Test
    void blocking_echo_server_echoes_to_java_clients() throws Exception {
        try (Guest g = Guest.start("echo_server", LOOPBACK, "0", "2")) {
            int port = g.listeningPort();
            assertThat(echo(port, "hello".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("hello");
            assertThat(g.nextLine()).startsWith("served 5 from ").endsWith(" type 4");
            byte[] big = payload(300_000, 1); // more than socket buffers hold: partial sends, blocking waits
            assertThat(echo(port, big)).isEqualTo(big);
            assertThat(g.nextLine()).startsWith("served 300000 from ");
            assertThat(g.exitCode()).isZero();
            assertThat(g.sockets().openSockets()).isZero();
        }
    }

    @Test
    void echo_server_reports_the_peer_port_in_host_order() throws Exception {
        try (Guest g = Guest.start("echo_server", LOOPBACK, "0", "1")) {
            int port = g.listeningPort();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                int local = s.getLocalPort();
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
                assertThat(g.nextLine()).isEqualTo("served 0 from " + local + " type 4");
            }
            assertThat(g.exitCode()).isZero();
        }
    }

    @Test
    void echo_client_resolves_localhost_and_talks_to_a_java_server() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> echoer = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept()) {
                    byte[] in = c.getInputStream().readAllBytes();
                    c.getOutputStream().write(("echo:" + new String(in, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, EXEC);
            try (Guest g = Guest.start("echo_client", LOOPBACK, "localhost", String.valueOf(server.getLocalPort()),
                    "hi there")) {
                assertThat(g.nextLine()).isEqualTo("reply echo:hi there");
                assertThat(g.exitCode()).isZero();
            }
            echoer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void echo_client_gets_connrefused_from_a_closed_port() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Guest g = Guest.start("echo_client", LOOPBACK, "127.0.0.1", String.valueOf(port), "x")) {
            assertThat(g.nextLine()).isEqualTo("error 14 in we_sock_connect(fd, &addr, port)");
            assertThat(g.exitCode()).isEqualTo(WasiErrno.CONNREFUSED);
        }
    }

    @Test
    void nonblocking_client_connects_with_inprogress_and_so_error() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> echoer = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept()) {
                    c.getOutputStream().write(c.getInputStream().readAllBytes());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, EXEC);
            try (Guest g = Guest.start("nb_client", LOOPBACK, "127.0.0.1", String.valueOf(server.getLocalPort()),
                    "non-blocking")) {
                assertThat(g.nextLine()).isEqualTo("reply non-blocking");
                assertThat(g.exitCode()).isZero();
            }
            echoer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void nonblocking_client_sees_connrefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Guest g = Guest.start("nb_client", LOOPBACK, "127.0.0.1", String.valueOf(port), "x")) {
            assertThat(g.nextLine()).isEqualTo("connect error 14");
            assertThat(g.exitCode()).isEqualTo(WasiErrno.CONNREFUSED);
        }
    }

    @Test
    void poll_server_serves_concurrent_clients() throws Exception {
        try (Guest g = Guest.start("poll_server", LOOPBACK, "0", "3")) {
            int port = g.listeningPort();
            byte[][] data = {payload(200_000, 2), payload(10, 3), payload(70_000, 4)};
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] d = data[i];
                replies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return echo(port, d);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, EXEC));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(replies.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(data[i]);
            }
            assertThat(g.nextLine()).startsWith("done 270010 ");
            assertThat(g.exitCode()).isZero();
            assertThat(g.sockets().openSockets()).isZero();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"poll_oneoff", "epoll"})
    void rust_guest_in_mio_wasi_style_serves_concurrent_clients(String waitWith) throws Exception {
        try (Guest g = Guest.start("mio_style_server", LOOPBACK, "0", "2", waitWith)) {
            int port = g.listeningPort();
            byte[] big = payload(150_000, 5);
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port)) {
                first.setSoTimeout(20_000);
                assertThat(g.nextLine()).isEqualTo("peer " + first.getLocalPort());
                // a second client comes and goes while the first is still open
                assertThat(echo(port, big)).isEqualTo(big);
                assertThat(g.nextLine()).startsWith("peer ");
                first.getOutputStream().write("late".getBytes(StandardCharsets.UTF_8));
                first.shutdownOutput();
                assertThat(first.getInputStream().readAllBytes()).asString().isEqualTo("late");
            }
            assertThat(g.nextLine()).isEqualTo("done " + (big.length + 4));
            assertThat(g.exitCode()).isZero();
            assertThat(g.sockets().openSockets()).isZero();
        }
    }

    @Test
    void poll_server_times_out_when_idle() throws Exception {
        try (Guest g = Guest.start("poll_server", LOOPBACK, "0", "1")) {
            int port = g.listeningPort();
            Thread.sleep(350); // a few 100 ms poll timeouts pass with nothing to do
            assertThat(echo(port, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            String done = g.nextLine();
            assertThat(done).startsWith("done 3 ");
            assertThat(Integer.parseInt(done.substring("done 3 ".length()))).isPositive();
            assertThat(g.exitCode()).isZero();
        }
    }

    @Test
    void sandbox_refuses_bind_with_acces() throws Exception {
        try (Guest g = Guest.start("echo_server", NetPolicy.denyAll(), "0", "1")) {
            assertThat(g.nextLine()).isEqualTo("error 2 in we_sock_bind(fd, &addr, port)");
            assertThat(g.exitCode()).isEqualTo(WasiErrno.ACCES);
        }
    }

    @Test
    void sandbox_refuses_connect_with_perm() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            NetPolicy onlyOtherPort = NetPolicy.builder().allowConnect("127.0.0.1:" + (server.getLocalPort() == 1 ? 2 : 1))
                    .build();
            try (Guest g = Guest.start("echo_client", onlyOtherPort, "127.0.0.1",
                    String.valueOf(server.getLocalPort()), "x")) {
                assertThat(g.nextLine()).isEqualTo("error 63 in we_sock_connect(fd, &addr, port)");
                assertThat(g.exitCode()).isEqualTo(WasiErrno.PERM);
            }
        }
    }

    @Test
    void interrupting_the_guest_thread_stops_a_guest_blocked_in_recv() throws Exception {
        try (Guest g = Guest.start("echo_server", LOOPBACK, "0", "1")) {
            int port = g.listeningPort();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(1); // the guest reads it, echoes it, then blocks in recv
                assertThat(s.getInputStream().read()).isEqualTo(1);
                g.interrupt();
                assertThatThrownBy(g::exitCode).isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .cause().hasMessageContaining("interrupted");
                assertThat(s.getInputStream().read()).as("the guest's sockets are closed").isEqualTo(-1);
            }
        }
    }

    @Test
    void closing_the_runner_stops_a_guest_blocked_in_accept() throws Exception {
        Guest g = Guest.start("echo_server", LOOPBACK, "0", "1");
        g.listeningPort();
        g.close();
        assertThatThrownBy(g::exitCode).isInstanceOf(java.util.concurrent.ExecutionException.class)
                .cause().isInstanceOf(com.dylibso.chicory.wasm.ChicoryException.class)
                .hasMessageContaining("socket host closed");
        // the listener is closed: its port refuses connections now
        assertThat(g.sockets().openSockets()).isZero();
    }
}
