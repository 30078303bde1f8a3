package io.mio.tls;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peers that break the protocol or vanish: each gives a clear exception (type and message naming the cause), nothing
 * hangs (every wait has a deadline, the class a timeout), and no socket is left open afterwards.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BadPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final TestPki pki = TestPki.get();
    private TreeMap<Integer, String> fdsBefore;

    @BeforeAll
    static void warmUp() throws IOException {
        // The first handshake of a JVM opens files of its own (security providers, random sources): not a leak.
        try (Loopback l = Loopback.open(TlsConfig.of(TestPki.get().serverContext()),
                TlsConfig.of(TestPki.get().clientContext()), "localhost")) {
            l.handshake();
        }
    }

    @BeforeEach
    void countDescriptors() {
        fdsBefore = Fds.open();
    }

    @AfterEach
    void noDescriptorLeaked() throws InterruptedException {
        Fds.assertNoSocketLeak(fdsBefore);
    }

    /** A TlsStream server for one connection, driven on the test thread while a broken client runs on another. */
    private final class OneConnectionServer implements AutoCloseable {
        final Poll poll = Poll.open();
        final TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        TlsStream tls;

        OneConnectionServer() throws IOException {
            poll.registry().register(listener, new Token(0), Interest.READABLE);
        }

        InetSocketAddress address() throws IOException {
            return listener.localAddr();
        }

        /** Serves until the connection fails (returns the exception) or ends with close_notify (returns null). */
        IOException serve(TlsConfig config) throws IOException {
            Events events = Events.withCapacity(8);
            ByteBuffer buf = ByteBuffer.allocate(1024);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(50));
                for (Event e : events) {
                    if (e.token().value() == 0) {
                        TcpStream s = listener.accept();
                        if (s != null) {
                            tls = TlsStream.server(s, config);
                            poll.registry().register(tls, new Token(1), Interest.READABLE);
                        }
                        continue;
                    }
                    try {
                        int n;
                        while ((n = tls.read(buf.clear())) > 0) {
                            received.write(buf.array(), 0, n);
                        }
                        if (n < 0) {
                            return null;
                        }
                        tls.flush();
                    } catch (IOException failure) {
                        return failure;
                    }
                }
            }
            throw new AssertionError("the connection neither failed nor closed within " + WAIT);
        }

        @Override
        public void close() {
            if (tls != null) {
                tls.close();
            }
            listener.close();
            poll.close();
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void a_plaintext_client_on_the_tls_port_is_named_as_such() throws Exception {
        try (OneConnectionServer server = new OneConnectionServer()) {
            InetSocketAddress address = server.address();
            CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> {
                try (Socket s = new Socket()) {
                    s.connect(address, 10_000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    int total = 0;
                    while (in.read() >= 0) {
                        total++; // until the server closes: the client is not left hanging either
                    }
                    return total;
                } catch (IOException e) {
                    return -1;
                }
            });
            IOException failure = server.serve(TlsConfig.of(pki.serverContext()));
            assertThat(failure).isInstanceOf(SSLException.class)
                    .hasMessageContaining("does not speak TLS")
                    .hasMessageContaining("GET / HTTP/1.1")
                    .hasMessageContaining("plaintext");
            server.tls.close();
            assertThat(await(client)).as("the client saw the connection end").isGreaterThanOrEqualTo(-1);
        }
    }

    @Test
    void a_record_cut_short_by_the_peer_closing_is_a_truncated_record() throws Exception {
        try (OneConnectionServer server = new OneConnectionServer()) {
            InetSocketAddress address = server.address();
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (RawTlsClient c = new RawTlsClient(address, pki.clientContext(), "localhost")) {
                    c.handshake();
                    byte[] whole = c.wrap("complete".getBytes(StandardCharsets.US_ASCII));
                    c.send(whole, whole.length);
                    byte[] cut = c.wrap("this record is cut short".getBytes(StandardCharsets.US_ASCII));
                    c.send(cut, 10);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            IOException failure = server.serve(TlsConfig.of(pki.serverContext()));
            await(client);
            assertThat(new String(server.received.toByteArray(), StandardCharsets.US_ASCII))
                    .as("the whole record before it was delivered").isEqualTo("complete");
            assertThat(failure).isExactlyInstanceOf(SSLException.class)
                    .hasMessageContaining("truncated TLS record")
                    .hasMessageContaining("after 10 bytes of a")
                    .hasMessageContaining("without close_notify");
        }
    }

    @Test
    void a_tcp_end_of_stream_without_close_notify_is_a_truncation() throws Exception {
        try (OneConnectionServer server = new OneConnectionServer()) {
            InetSocketAddress address = server.address();
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (RawTlsClient c = new RawTlsClient(address, pki.clientContext(), "localhost")) {
                    c.handshake();
                    byte[] whole = c.wrap("all of it?".getBytes(StandardCharsets.US_ASCII));
                    c.send(whole, whole.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            IOException failure = server.serve(TlsConfig.of(pki.serverContext()));
            await(client);
            assertThat(new String(server.received.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("all of it?");
            assertThat(failure).isExactlyInstanceOf(SSLException.class)
                    .hasMessageContaining("truncation")
                    .hasMessageContaining("without close_notify");
            // Every later call says the connection failed, with the first error as the cause.
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> server.tls.read(ByteBuffer.allocate(1))))
                    .isInstanceOf(SSLException.class).hasMessageContaining("failed earlier").hasCause(failure);
        }
    }

    @Test
    void a_client_that_vanishes_in_the_middle_of_its_hello_fails_the_handshake() throws Exception {
        try (OneConnectionServer server = new OneConnectionServer()) {
            InetSocketAddress address = server.address();
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (RawTlsClient c = new RawTlsClient(address, pki.clientContext(), "localhost")) {
                    byte[] hello = c.clientHello();
                    c.send(hello, hello.length / 2);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            IOException failure = server.serve(TlsConfig.of(pki.serverContext()));
            await(client);
            assertThat(failure).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("closed the connection during the TLS handshake")
                    .hasMessageContaining("in the middle of a record");
        }
    }

    @Test
    void a_client_that_vanishes_after_its_hello_fails_the_handshake() throws Exception {
        try (OneConnectionServer server = new OneConnectionServer()) {
            InetSocketAddress address = server.address();
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (RawTlsClient c = new RawTlsClient(address, pki.clientContext(), "localhost")) {
                    byte[] hello = c.clientHello();
                    c.send(hello, hello.length);
                    c.socket.shutdownOutput();
                    c.drainUntilClosed(); // the server's flight arrives; then the server gives up
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            IOException failure = server.serve(TlsConfig.of(pki.serverContext()));
            server.tls.close();
            await(client);
            assertThat(failure).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("closed the connection during the TLS handshake")
                    .hasMessageNotContaining("middle");
        }
    }

    @Test
    void a_server_that_vanishes_mid_handshake_fails_the_clients_handshake() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Poll poll = Poll.open()) {
            CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> {
                try (Socket s = raw.accept()) {
                    s.setSoTimeout(10_000);
                    return s.getInputStream().read(new byte[100]); // part of the ClientHello, then gone
                } catch (IOException e) {
                    return -2;
                }
            });
            TcpStream tcp = TcpStream.connect(new InetSocketAddress("127.0.0.1", raw.getLocalPort()));
            try (TlsStream tls = TlsStream.client(tcp, pki.clientContext(), "localhost")) {
                poll.registry().register(tls, new Token(1), Interest.READABLE.add(Interest.WRITABLE));
                IOException failure = driveClientUntilFailure(poll, tls);
                assertThat(await(server)).as("the server read some of the hello").isPositive();
                assertThat(failure).isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("closed the connection during the TLS handshake");
            }
        }
    }

    private static IOException driveClientUntilFailure(Poll poll, TlsStream tls) throws IOException {
        Events events = Events.withCapacity(4);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(50));
            if (!events.isEmpty()) {
                try {
                    tls.read(ByteBuffer.allocate(100));
                    tls.flush();
                } catch (IOException failure) {
                    return failure;
                }
            }
        }
        throw new AssertionError("the client's handshake did not fail within " + WAIT);
    }

    @Test
    void an_expired_server_certificate_fails_the_handshake_naming_the_expiry() throws Exception {
        TlsConfig server = TlsConfig.of(TestPki.context(pki.expiredServer, pki.ca));
        try (Loopback l = Loopback.open(server, TlsConfig.of(pki.clientContext()), "localhost")) {
            l.pumpUntil(WAIT, () -> l.client.error != null && l.server.error != null);
            assertThat(l.client.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("validity check failed")
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
            assertThat(l.server.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("certificate");
        }
    }

    @Test
    void a_certificate_for_another_host_fails_hostname_verification() throws Exception {
        TlsConfig server = TlsConfig.of(TestPki.context(pki.wrongHostServer, pki.ca));
        try (Loopback l = Loopback.open(server, TlsConfig.of(pki.clientContext()), "localhost")) {
            l.pumpUntil(WAIT, () -> l.client.error != null && l.server.error != null);
            assertThat(l.client.error).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative DNS name matching localhost");
        }
        // The same chain with verification off connects: what failed above was the name, not the chain.
        TlsConfig noVerification = TlsConfig.builder(pki.clientContext()).hostnameVerification(false).build();
        try (Loopback l = Loopback.open(server, noVerification, "localhost")) {
            l.handshake();
            assertThat(l.client.error).isNull();
            assertThat(l.server.error).isNull();
        }
    }

    @Test
    void an_untrusted_server_certificate_fails_the_handshake() throws Exception {
        try (Loopback l = Loopback.open(TlsConfig.of(pki.serverContext()),
                TlsConfig.of(TestPki.context(null, pki.otherCa)), "localhost")) {
            l.pumpUntil(WAIT, () -> l.client.error != null && l.server.error != null);
            assertThat(l.client.error).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("PKIX path building failed");
            assertThat(l.server.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("certificate_unknown");
        }
    }

    @Test
    void no_common_protocol_version_fails_the_handshake() throws Exception {
        TlsConfig server = TlsConfig.builder(pki.serverContext()).protocols("TLSv1.3").build();
        TlsConfig client = TlsConfig.builder(pki.clientContext()).protocols("TLSv1.2").build();
        try (Loopback l = Loopback.open(server, client, "localhost")) {
            l.pumpUntil(WAIT, () -> l.client.error != null && l.server.error != null);
            assertThat(l.server.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("protocol");
            assertThat(l.client.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("protocol_version");
        }
    }
}
