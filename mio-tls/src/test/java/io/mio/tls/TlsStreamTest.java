package io.mio.tls;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client and server TlsStreams against each other over loopback: data, closing, the edge-triggered rule, options. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final TestPki pki = TestPki.get();

    private TlsConfig serverConfig(String protocol) {
        return TlsConfig.builder(pki.serverContext()).protocols(protocol).build();
    }

    private TlsConfig clientConfig(String protocol) {
        return TlsConfig.builder(pki.clientContext()).protocols(protocol).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshake_then_echo_both_ways(String protocol) throws IOException {
        try (Loopback l = Loopback.open(serverConfig(protocol), clientConfig(protocol), "localhost")) {
            assertThat(l.client.tls.isHandshaking()).isTrue();
            assertThat(l.client.tls.isClient()).isTrue();
            assertThat(l.server.tls.isClient()).isFalse();
            l.server.echo = true;
            byte[] message = "hello over TLS".getBytes(StandardCharsets.US_ASCII);
            l.client.send(message);
            l.pumpUntil(WAIT, () -> l.client.received.size() >= message.length || l.client.error != null);
            assertThat(l.client.error).isNull();
            assertThat(l.client.receivedBytes()).isEqualTo(message);
            assertThat(l.server.receivedBytes()).isEqualTo(message);
            assertThat(l.client.tls.isHandshaking()).isFalse();
            assertThat(l.server.tls.isHandshaking()).isFalse();
            assertThat(l.client.tls.session().getProtocol()).isEqualTo(protocol);
            assertThat(l.server.tls.session().getProtocol()).isEqualTo(protocol);
            // The client sees the server's chain, the server sees no client certificate (none asked for).
            assertThat(l.client.tls.peerCertificates()).hasSize(2);
            assertThat(((X509Certificate) l.client.tls.peerCertificates().getFirst()).getSubjectX500Principal().getName())
                    .isEqualTo("CN=localhost");
            assertThat(l.server.tls.peerCertificates()).isEmpty();
            assertThat(l.client.tls.toString()).contains("client", protocol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void megabytes_both_ways_through_small_read_buffers_arrive_intact(String protocol) throws IOException {
        // 2 MiB each way: the socket buffers fill (writes return 0 and queue, WRITABLE is needed), records are larger
        // than the 100-byte read buffers (the spill buffer path), and the echo keeps both directions busy at once.
        try (Loopback l = Loopback.open(serverConfig(protocol), clientConfig(protocol), "localhost", "127.0.0.1", 100, 100)) {
            l.server.echo = true;
            byte[] data = new byte[2 << 20];
            new Random(42).nextBytes(data);
            l.client.send(data);
            l.pumpUntil(Duration.ofSeconds(60), () -> l.client.received.size() >= data.length
                    || l.client.error != null || l.server.error != null);
            assertThat(l.client.error).isNull();
            assertThat(l.server.error).isNull();
            assertThat(Arrays.equals(l.server.receivedBytes(), data)).as("server received the data intact").isTrue();
            assertThat(Arrays.equals(l.client.receivedBytes(), data)).as("client received the echo intact").isTrue();
        }
    }

    @Test
    void a_one_way_transfer_larger_than_the_socket_buffers_completes_on_writable_events() throws IOException {
        // The server only reads, so the client gets no readable events: once the socket is full, only the WRITABLE
        // registration that wantsWrite() asks for brings its queued records out.
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            l.handshake();
            byte[] data = new byte[8 << 20];
            new Random(3).nextBytes(data);
            l.client.send(data);
            l.client.kickWrites();
            l.pumpUntil(Duration.ofSeconds(60), () -> l.server.received.size() >= data.length
                    || l.client.error != null || l.server.error != null);
            assertThat(l.client.error).isNull();
            assertThat(Arrays.equals(l.server.receivedBytes(), data)).as("server received the data intact").isTrue();
            assertThat(l.client.allSent()).isTrue();
        }
    }

    @Test
    void records_buffered_inside_the_stream_are_returned_without_a_socket_event() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            l.handshake();
            // Take the client out of the harness: this test reads it by hand.
            l.poll.registry().deregister(l.client.tls);
            for (int i = 0; i < 3; i++) {
                l.server.send(("record " + i + ";").getBytes(StandardCharsets.US_ASCII)); // 9 bytes each
                l.server.kickWrites(); // three writes: three records on the wire
            }
            try (Poll poll = Poll.open()) {
                Token token = new Token(7);
                poll.registry().register(l.client.tls, token, Interest.READABLE);
                Events events = Events.withCapacity(4);
                awaitEvent(poll, events);
                byte[] small = new byte[9];
                int n = readSkippingPostHandshake(l.client.tls, small);
                assertThat(n).isEqualTo(9);
                assertThat(new String(small, 0, n, StandardCharsets.US_ASCII)).isEqualTo("record 0;");
                // The stream read all three records from the socket at once: no edge comes for the other two ...
                poll.poll(events, Duration.ofMillis(200));
                assertThat(events.isEmpty()).as("no event: the socket is empty, the records are inside the stream").isTrue();
                // ... and the rule (read until 0) gets them.
                StringBuilder rest = new StringBuilder();
                while ((n = l.client.tls.read(small)) > 0) {
                    rest.append(new String(small, 0, n, StandardCharsets.US_ASCII));
                }
                assertThat(n).isZero();
                assertThat(rest.toString()).isEqualTo("record 1;record 2;");
            }
        }
    }

    /** The first reads after a TLS 1.3 handshake may consume the server's session tickets: 0 until the data is in. */
    private static int readSkippingPostHandshake(TlsStream tls, byte[] dst) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int n;
        while ((n = tls.read(dst)) == 0) {
            assertThat(System.nanoTime()).as("data within %s", WAIT).isLessThan(deadline);
            Thread.onSpinWait();
        }
        return n;
    }

    private static void awaitEvent(Poll poll, Events events) throws IOException {
        poll.poll(events, WAIT);
        assertThat(events.isEmpty()).as("an event within %s", WAIT).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void shutdown_sends_close_notify_and_read_returns_minus_one(String protocol) throws IOException {
        try (Loopback l = Loopback.open(serverConfig(protocol), clientConfig(protocol), "localhost")) {
            l.handshake();
            l.client.send("last words".getBytes(StandardCharsets.US_ASCII));
            l.client.shutdownWanted = true;
            l.client.kickWrites();
            l.pumpUntil(WAIT, () -> l.server.eof || l.server.error != null);
            assertThat(l.server.error).isNull();
            assertThat(new String(l.server.receivedBytes(), StandardCharsets.US_ASCII)).isEqualTo("last words");
            // -1 again, and writing after shutdown is a clear error.
            assertThat(l.server.tls.read(ByteBuffer.allocate(10))).isEqualTo(-1);
            assertThatThrownBy(() -> l.client.tls.write(ByteBuffer.wrap(new byte[1])))
                    .isInstanceOf(ClosedChannelException.class).hasMessageContaining("after shutdown()");
            // The server answers with its own close_notify (TLS 1.2 does it by itself, TLS 1.3 when asked).
            l.server.shutdownWanted = true;
            l.server.kickWrites();
            l.pumpUntil(WAIT, () -> l.client.eof || l.client.error != null);
            assertThat(l.client.error).isNull();
            // A TCP end of stream after close_notify stays -1.
            l.server.tls.close();
            assertThat(l.client.tls.read(ByteBuffer.allocate(10))).isEqualTo(-1);
        }
    }

    @Test
    void tls13_half_close_lets_the_peer_send_after_our_close_notify() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            l.handshake();
            l.client.shutdownWanted = true;
            l.client.kickWrites();
            l.pumpUntil(WAIT, () -> l.server.eof || l.server.error != null);
            l.server.send("reply after your close_notify".getBytes(StandardCharsets.US_ASCII));
            l.server.shutdownWanted = true;
            l.server.kickWrites();
            l.pumpUntil(WAIT, () -> l.client.eof || l.client.error != null);
            assertThat(l.client.error).isNull();
            assertThat(new String(l.client.receivedBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("reply after your close_notify");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void renegotiation_or_key_update_mid_stream_keeps_the_data_flowing(String protocol) throws IOException {
        try (Loopback l = Loopback.open(serverConfig(protocol), clientConfig(protocol), "localhost", "127.0.0.1", 1000, 1000)) {
            l.server.echo = true;
            byte[] data = new byte[256 * 1024];
            new Random(7).nextBytes(data);
            l.client.send(Arrays.copyOf(data, data.length / 2));
            l.pumpUntil(WAIT, () -> l.client.received.size() >= data.length / 4 || l.client.error != null);
            // Both sides start one, while data is in flight.
            l.client.tls.renegotiate();
            l.client.kickWrites();
            l.server.tls.renegotiate();
            l.server.kickWrites();
            l.client.send(Arrays.copyOfRange(data, data.length / 2, data.length));
            l.client.kickWrites();
            l.pumpUntil(Duration.ofSeconds(60), () -> l.client.received.size() >= data.length
                    || l.client.error != null || l.server.error != null);
            assertThat(l.client.error).isNull();
            assertThat(l.server.error).isNull();
            assertThat(Arrays.equals(l.client.receivedBytes(), data)).as("echo intact across the re-handshake").isTrue();
        }
    }

    @Test
    void renegotiate_before_the_handshake_or_after_close_notify_is_an_error() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            assertThatThrownBy(l.client.tls::renegotiate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before the initial handshake");
            l.handshake();
            l.client.shutdownWanted = true;
            l.client.kickWrites();
            l.pumpUntil(WAIT, () -> l.server.eof);
            assertThatThrownBy(l.client.tls::renegotiate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("after close_notify");
            assertThatThrownBy(l.server.tls::renegotiate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("after close_notify");
            // Neither call broke the connection: the server can still send its last words and close.
            l.server.send("still here".getBytes(StandardCharsets.US_ASCII));
            l.server.shutdownWanted = true;
            l.server.kickWrites();
            l.pumpUntil(WAIT, () -> l.client.eof || l.client.error != null);
            assertThat(new String(l.client.receivedBytes(), StandardCharsets.US_ASCII)).isEqualTo("still here");
        }
    }

    @Test
    void alpn_picks_the_protocol_both_sides_have() throws IOException {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).applicationProtocols("http/1.1", "echo").build();
        TlsConfig client = TlsConfig.builder(pki.clientContext()).applicationProtocols("h2", "echo").build();
        try (Loopback l = Loopback.open(server, client, "localhost")) {
            l.handshake();
            assertThat(l.client.error).isNull();
            assertThat(l.client.tls.applicationProtocol()).isEqualTo("echo");
            assertThat(l.server.tls.applicationProtocol()).isEqualTo("echo");
        }
    }

    @Test
    void without_alpn_there_is_no_application_protocol() throws IOException {
        try (Loopback l = Loopback.open(TlsConfig.of(pki.serverContext()), TlsConfig.of(pki.clientContext()), "localhost")) {
            l.handshake();
            assertThat(l.client.error).isNull();
            assertThat(l.client.tls.applicationProtocol()).isNull();
            assertThat(l.server.tls.applicationProtocol()).isNull();
        }
    }

    @Test
    void alpn_without_a_common_protocol_fails_the_handshake() throws IOException {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).applicationProtocols("http/1.1").build();
        TlsConfig client = TlsConfig.builder(pki.clientContext()).applicationProtocols("h2").build();
        try (Loopback l = Loopback.open(server, client, "localhost")) {
            l.pumpUntil(WAIT, () -> l.server.error != null && l.client.error != null);
            assertThat(l.server.error).isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .hasMessageContaining("application layer protocol");
            assertThat(l.client.error).hasMessageContaining("no_application_protocol");
        }
    }

    @Test
    void sni_carries_the_host_name_to_the_server() throws IOException {
        try (Loopback l = Loopback.open(TlsConfig.of(pki.serverContext()), TlsConfig.of(pki.clientContext()), "localhost")) {
            l.handshake();
            assertThat(l.server.error).isNull();
            assertThat(l.server.tls.serverName()).isEqualTo("localhost");
            assertThat(l.client.tls.serverName()).as("a client has no requested names").isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void an_ip_literal_host_is_verified_against_ip_names_and_sends_no_sni(String ip) throws IOException {
        try (Loopback l = Loopback.open(TlsConfig.of(pki.serverContext()), TlsConfig.of(pki.clientContext()), ip, ip,
                16384, 16384)) {
            l.handshake();
            assertThat(l.client.error).isNull();
            assertThat(l.server.error).isNull();
            assertThat(l.server.tls.serverName()).isNull();
        }
    }

    @Test
    void client_authentication_needed_and_given() throws IOException {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).clientAuth(TlsConfig.ClientAuth.NEED).build();
        TlsConfig client = TlsConfig.of(TestPki.context(pki.client, pki.ca));
        try (Loopback l = Loopback.open(server, client, "localhost")) {
            l.client.send(new byte[] {1});
            l.pumpUntil(WAIT, () -> l.server.received.size() == 1 || l.server.error != null);
            assertThat(l.server.error).isNull();
            assertThat(((X509Certificate) l.server.tls.peerCertificates().getFirst()).getSubjectX500Principal().getName())
                    .isEqualTo("CN=mio test client");
            assertThat(l.server.tls.session().getPeerPrincipal().getName()).isEqualTo("CN=mio test client");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void client_authentication_needed_but_missing_fails(String protocol) throws IOException {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).protocols(protocol)
                .clientAuth(TlsConfig.ClientAuth.NEED).build();
        try (Loopback l = Loopback.open(server, clientConfig(protocol), "localhost")) {
            l.client.send(new byte[] {1});
            l.pumpUntil(WAIT, () -> l.server.error != null && l.client.error != null);
            assertThat(l.server.error).isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .hasMessageContaining("certificate");
            assertThat(l.client.error).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    @Test
    void client_authentication_wanted_but_missing_connects_without_a_peer_certificate() throws IOException {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).clientAuth(TlsConfig.ClientAuth.WANT).build();
        try (Loopback l = Loopback.open(server, TlsConfig.of(pki.clientContext()), "localhost")) {
            l.client.send(new byte[] {1});
            l.pumpUntil(WAIT, () -> l.server.received.size() == 1 || l.server.error != null);
            assertThat(l.server.error).isNull();
            assertThat(l.server.tls.peerCertificates()).isEmpty();
        }
    }

    @Test
    void byte_array_ranges_read_and_write() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            l.handshake();
            byte[] src = "..payload..".getBytes(StandardCharsets.US_ASCII);
            assertThat(l.client.tls.write(src, 2, 7)).isEqualTo(7);
            l.poll.registry().deregister(l.server.tls);
            byte[] dst = new byte[20];
            long deadline = System.nanoTime() + WAIT.toNanos();
            int got = 0;
            while (got < 7 && System.nanoTime() < deadline) {
                int n = l.server.tls.read(dst, 3 + got, 10 - got);
                assertThat(n).isNotNegative();
                got += n;
            }
            assertThat(new String(dst, 3, got, StandardCharsets.US_ASCII)).isEqualTo("payload");
            assertThatThrownBy(() -> l.server.tls.read(dst, 15, 10)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> l.client.tls.write(src, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> l.server.tls.read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
        }
    }

    @Test
    void calls_on_a_closed_stream_throw_closed_channel_exception() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            l.handshake();
            l.client.tls.close();
            l.client.tls.close(); // idempotent
            assertThat(l.client.tls.isOpen()).isFalse();
            assertThatThrownBy(() -> l.client.tls.read(ByteBuffer.allocate(1)))
                    .isInstanceOf(ClosedChannelException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> l.client.tls.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(l.client.tls::flush).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(l.client.tls::shutdown).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void handshake_method_completes_the_handshake_without_reading_data() throws IOException {
        try (Loopback l = Loopback.open(serverConfig("TLSv1.3"), clientConfig("TLSv1.3"), "localhost")) {
            // Only the server is driven by the harness; the client calls handshake() on its events.
            l.client.send("sent once handshake() said so".getBytes(StandardCharsets.US_ASCII));
            l.server.echo = false;
            boolean[] done = {false};
            long deadline = System.nanoTime() + WAIT.toNanos();
            Events events = Events.withCapacity(8);
            while (!done[0]) {
                assertThat(System.nanoTime()).as("handshake within %s", WAIT).isLessThan(deadline);
                l.poll.poll(events, Duration.ofMillis(50));
                for (var e : events) {
                    if (e.token().equals(Loopback.SERVER)) {
                        l.server.onEvent();
                    } else {
                        done[0] = l.client.tls.handshake();
                        if (!done[0]) {
                            l.poll.registry().reregister(l.client.tls, Loopback.CLIENT, l.client.tls.wantsWrite()
                                    ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
                        }
                    }
                }
            }
            assertThat(l.client.tls.isHandshaking()).isFalse();
            assertThat(l.client.tls.handshake()).as("again: already done").isTrue();
            assertThat(l.client.tls.session().getProtocol()).isEqualTo("TLSv1.3");
            l.client.kickWrites();
            l.pumpUntil(WAIT, () -> l.server.received.size() > 0 && l.client.allSent());
            assertThat(new String(l.server.receivedBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("sent once handshake() said so");
        }
    }

    @Test
    void config_rejects_what_the_context_does_not_support() throws Exception {
        SSLContext context = pki.clientContext();
        assertThatThrownBy(() -> TlsConfig.builder(context).protocols("TLSv9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported protocol 'TLSv9'")
                .hasMessageContaining("TLSv1.3");
        assertThatThrownBy(() -> TlsConfig.builder(context).protocols())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one protocol");
        assertThatThrownBy(() -> TlsConfig.builder(context).cipherSuites("TLS_NOT_A_SUITE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS_NOT_A_SUITE");
        assertThatThrownBy(() -> TlsConfig.builder(context).applicationProtocols(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 255 bytes");
        assertThatThrownBy(() -> TlsConfig.builder(null)).isInstanceOf(NullPointerException.class);
        try (io.mio.net.TcpListener listener = io.mio.net.TcpListener.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             io.mio.net.TcpStream tcp = io.mio.net.TcpStream.connect(listener.localAddr())) {
            assertThatThrownBy(() -> TlsStream.client(tcp, context, "")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TlsStream.client(tcp, context, null)).isInstanceOf(NullPointerException.class);
        }
        assertThat(TlsConfig.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(TlsConfig.isIpLiteral("::1")).isTrue();
        assertThat(TlsConfig.isIpLiteral("localhost")).isFalse();
        assertThat(TlsConfig.isIpLiteral("1.2.3")).isFalse();
        assertThat(TlsConfig.isIpLiteral("256.1.1.1")).isFalse();
        assertThat(TlsConfig.isIpLiteral("example.com")).isFalse();
    }
}
