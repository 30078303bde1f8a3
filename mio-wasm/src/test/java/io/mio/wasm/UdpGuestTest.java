package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The UDP C guests of src/test/c running on Chicory, talking to Java datagram sockets over loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpGuestTest {
    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*")
            .allowConnect("127.0.0.1:*").build();

    static DatagramSocket javaPeer() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(10_000);
        return s;
    }

    static String exchange(DatagramSocket s, int port, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        s.receive(p);
        assertThat(p.getPort()).as("the reply comes from the guest's port").isEqualTo(port);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void v2_and_epoll_oneoff_echo_server_replies_to_the_sender_port() throws Exception {
        try (Guest g = Guest.start("udp_echo", LOOPBACK, "0", "4"); DatagramSocket a = javaPeer();
                DatagramSocket b = javaPeer()) {
            int port = g.listeningPort();
            assertThat(exchange(a, port, "one")).isEqualTo("one");
            assertThat(g.nextLine()).isEqualTo("from 127.0.0.1 " + a.getLocalPort() + " 3");
            assertThat(exchange(b, port, "")).as("an empty datagram").isEmpty();
            assertThat(g.nextLine()).isEqualTo("from 127.0.0.1 " + b.getLocalPort() + " 0");
            // two datagrams queued before the guest wakes: edge-triggered, so it must drain both
            byte[] big = new byte[60_000];
            big[59_999] = 'z';
            a.send(new DatagramPacket(big, big.length, InetAddress.getLoopbackAddress(), port));
            a.send(new DatagramPacket("two".getBytes(), 3, InetAddress.getLoopbackAddress(), port));
            DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
            a.receive(p);
            assertThat(p.getLength()).isEqualTo(60_000);
            assertThat(p.getData()[59_999]).isEqualTo((byte) 'z');
            a.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength())).isEqualTo("two");
            assertThat(g.nextLine()).isEqualTo("from 127.0.0.1 " + a.getLocalPort() + " 60000");
            assertThat(g.nextLine()).isEqualTo("from 127.0.0.1 " + a.getLocalPort() + " 3");
            assertThat(g.nextLine()).startsWith("done 60006 ");
            assertThat(g.exitCode()).isZero();
            assertThat(g.sockets().openSockets()).isZero();
        }
    }

    @Test
    void v1_client_uses_send_to_recv_from_then_connected_send_recv() throws Exception {
        try (DatagramSocket server = javaPeer()) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try {
                    StringBuilder log = new StringBuilder();
                    for (int i = 0; i < 2; i++) {
                        DatagramPacket p = new DatagramPacket(new byte[512], 512);
                        server.receive(p);
                        String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                        log.append(text).append('@').append(p.getPort()).append(' ');
                        byte[] r = ("re:" + text + i).getBytes(StandardCharsets.UTF_8);
                        server.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                    }
                    return log.toString();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, EchoGuestTest.EXEC);
            try (Guest g = Guest.start("udp_client", LOOPBACK, "127.0.0.1", String.valueOf(server.getLocalPort()),
                    "ping")) {
                assertThat(g.nextLine()).isEqualTo("reply re:ping0 from 127.0.0.1");
                assertThat(g.nextLine()).isEqualTo("connected reply re:ping1");
                assertThat(g.exitCode()).isZero();
                String log = served.get(10, TimeUnit.SECONDS);
                String[] parts = log.trim().split(" ");
                assertThat(parts).hasSize(2);
                assertThat(parts[0]).startsWith("ping@");
                assertThat(parts[1]).as("the implicit bind's port is kept by connect").isEqualTo(parts[0]);
            }
        }
    }

    @Test
    void the_sandbox_refuses_a_destination_with_perm() throws Exception {
        NetPolicy noConnect = NetPolicy.builder().allowBind("127.0.0.1:*").build();
        try (DatagramSocket server = javaPeer();
                Guest g = Guest.start("udp_client", noConnect, "127.0.0.1", String.valueOf(server.getLocalPort()),
                        "x")) {
            assertThat(g.nextLine()).isEqualTo("error 63 in we_sock_send_to(fd, &out, 1, &to, port, 0, &sent)");
            assertThat(g.exitCode()).isEqualTo(WasiErrno.PERM);
            server.setSoTimeout(200);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> server.receive(new DatagramPacket(new byte[8], 8)))
                    .as("nothing was sent").isInstanceOf(SocketTimeoutException.class);
        }
    }
}
