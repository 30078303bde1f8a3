package io.mio.wasi.examples;

import io.mio.examples.HelloMio;
import io.mio.wasi.conformance.Conformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * mio-examples' programs and the conformance guest, compiled to wasm32-wasi by TeaVM with the WASI backend
 * (this module's build step), running on mio-wasm: the same sources as on the JVM.
 */
@Timeout(120)
class WasiExamplesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern NC_LINE = Pattern.compile(" \\$ nc (?:-u )?(\\S+) (\\d+)");

    @Test
    void hello_mio_prints_what_the_jvm_version_prints() throws Exception {
        List<String> wasm = new ArrayList<>();
        int code;
        try (WasmGuest g = WasmGuest.start("hello_mio.wasm")) {
            code = g.awaitExit(WAIT, wasm);
        }
        assertThat(code).as("exit code; output " + wasm).isZero();

        ByteArrayOutputStream jvmOut = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(jvmOut, true, StandardCharsets.UTF_8));
        try {
            HelloMio.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        List<String> jvm = jvmOut.toString(StandardCharsets.UTF_8).lines().toList();
        // Ports differ from run to run; everything else is the same text.
        assertThat(wasm.stream().map(WasiExamplesTest::withoutPorts).toList())
                .isEqualTo(jvm.stream().map(WasiExamplesTest::withoutPorts).toList())
                .contains("done");
    }

    private static String withoutPorts(String line) {
        return line.replaceAll(":\\d+", ":PORT");
    }

    @Test
    void tcp_server_echoes_64_connections_of_64_bytes_every_byte_checked() throws Exception {
        try (WasmGuest g = WasmGuest.start("tcp_server.wasm", "0")) {
            int port = ncPort(g);
            Random random = new Random(64);
            Socket[] sockets = new Socket[64];
            byte[][] sent = new byte[64][64];
            try {
                for (int i = 0; i < sockets.length; i++) {
                    sockets[i] = new Socket(InetAddress.getLoopbackAddress(), port);
                    sockets[i].setSoTimeout(20_000);
                    sockets[i].setTcpNoDelay(true);
                }
                for (int round = 0; round < 4; round++) {
                    for (int i = 0; i < sockets.length; i++) {
                        random.nextBytes(sent[i]);
                        sockets[i].getOutputStream().write(sent[i]);
                    }
                    for (int i = 0; i < sockets.length; i++) {
                        byte[] back = new byte[64];
                        new DataInputStream(sockets[i].getInputStream()).readFully(back);
                        assertThat(back).as("connection %d round %d", i, round).isEqualTo(sent[i]);
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            // The server closes each connection at end of stream: its sockets go back to the listener alone.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (g.openSockets() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(g.openSockets()).as("guest sockets after every client closed").isEqualTo(1);
        }
    }

    /**
     * TcpServer polls with no timeout: its poll_oneoff calls subscribe its sockets alone, no clock (on WasmEdge a
     * clock subscription arms and disarms a timerfd on every wait: two system calls per round trip).
     */
    @Test
    void tcp_server_waits_without_a_clock_subscription() throws Exception {
        try (WasmGuest g = WasmGuest.start("tcp_server.wasm", "0")) {
            int port = ncPort(g);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(20_000);
                s.setTcpNoDelay(true);
                for (int round = 0; round < 100; round++) {
                    byte[] sent = new byte[64];
                    java.util.Arrays.fill(sent, (byte) round);
                    s.getOutputStream().write(sent);
                    byte[] back = new byte[64];
                    new DataInputStream(s.getInputStream()).readFully(back);
                    assertThat(back).isEqualTo(sent);
                }
            }
            assertThat(g.clockSubscriptions()).as("clock subscriptions in 100 round trips' waits").isZero();
        }
    }

    @Test
    void tcp_server_echoes_a_large_transfer_through_partial_writes() throws Exception {
        try (WasmGuest g = WasmGuest.start("tcp_server.wasm", "0");
             Socket s = new Socket(InetAddress.getLoopbackAddress(), ncPort(g))) {
            s.setSoTimeout(20_000);
            byte[] big = new byte[2 * 1024 * 1024]; // more than the socket buffers hold: write would-block paths
            new Random(7).nextBytes(big);
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(big);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = s.getInputStream().readAllBytes();
            writer.join(20_000);
            assertThat(back.length).isEqualTo(big.length);
            assertThat(Arrays.equals(back, big)).as("echoed bytes equal the sent ones").isTrue();
        }
    }

    @Test
    void udp_server_echoes_datagrams_to_their_senders() throws Exception {
        try (WasmGuest g = WasmGuest.start("udp_server.wasm", "0");
             DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = ncPort(g);
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            for (int i = 0; i < 50; i++) {
                DatagramSocket client = i % 2 == 0 ? a : b;
                byte[] payload = ("datagram " + i + " from " + client.getLocalPort()).getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
                client.receive(reply);
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength())).isEqualTo(payload);
                assertThat(reply.getPort()).isEqualTo(port);
            }
            byte[] empty = new byte[0];
            a.send(new DatagramPacket(empty, 0, InetAddress.getLoopbackAddress(), port));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            a.receive(reply);
            assertThat(reply.getLength()).as("an empty datagram is echoed as one").isZero();
        }
    }

    @Test
    void conformance_guest_passes_every_check_on_mio_wasm() throws Exception {
        List<String> out = new ArrayList<>();
        int code;
        try (WasmGuest g = WasmGuest.start("conformance.wasm")) {
            code = g.awaitExit(WAIT, out);
        }
        assertThat(out).as("conformance output").noneMatch(l -> l.startsWith("FAILED"));
        assertThat(out).last().asString().matches("\\d+ passed, 0 failed");
        assertThat(code).isZero();
        assertThat(out.stream().filter(l -> l.startsWith("ok ")).count()).as("checks run").isEqualTo(checkCount());
    }

    @Test
    void the_wasi_backend_allocates_nothing_per_round_trip_in_the_guest() throws Exception {
        List<String> out = new ArrayList<>();
        int code;
        try (WasmGuest g = WasmGuest.start("allocation_guest.wasm", "10000")) {
            code = g.awaitExit(WAIT, out);
        }
        assertThat(out).containsExactly("allocated 0 bytes in 10000 round trips");
        assertThat(code).isZero();
    }

    @Test
    void conformance_checks_pass_on_the_jvm_backend_too() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int failed = Conformance.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(failed).as(text).isZero();
        assertThat(text.lines().filter(l -> l.startsWith("ok ")).count()).isEqualTo(checkCount());
    }

    /** How many checks the conformance program has: counted on the JVM, so neither side can skip one. */
    private static long checkCount() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Conformance.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("ok ") || l.startsWith("FAILED")).count();
    }

    private static int ncPort(WasmGuest g) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            Matcher m = NC_LINE.matcher(g.nextLine(WAIT));
            if (m.matches()) {
                assertThat(m.group(1)).isEqualTo("127.0.0.1");
                return Integer.parseInt(m.group(2));
            }
        }
        throw new AssertionError("the server printed no ' $ nc HOST PORT' line");
    }
}
