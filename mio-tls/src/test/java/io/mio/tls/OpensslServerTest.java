package io.mio.tls;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TlsStream on the client side against Debian's {@code openssl s_server}: TLS 1.3 with ALPN and key updates from both
 * sides, TLS 1.2 with renegotiations from both sides, client certificates, and the server certificates a client must
 * refuse. The client is driven by events the way TlsStream's documentation says (see {@link Loopback.End}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpensslServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Token CLIENT = new Token(1);
    private final TestPki pki = TestPki.get();
    private final Path pem = pki.pemDir();
    private TreeMap<Integer, String> fdsBefore;

    @BeforeEach
    void countDescriptors() {
        fdsBefore = Fds.open();
    }

    @AfterEach
    void noDescriptorLeaked() throws InterruptedException {
        Fds.assertNoSocketLeak(fdsBefore);
    }

    /** Starts {@code openssl s_server} on a free loopback port with the given certificate and options. */
    private Proc sServer(String cert, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(Proc.tool("openssl"), "s_server", "-accept", "127.0.0.1:0",
                "-cert", pem.resolve(cert + ".pem").toString(), "-key", pem.resolve(cert + ".key").toString(), "-msg"));
        command.addAll(List.of(extra));
        return Proc.start(command);
    }

    private static int port(Proc server) throws InterruptedException {
        String accept = server.awaitContaining("ACCEPT 127.0.0.1:", WAIT);
        return Integer.parseInt(accept.substring(accept.lastIndexOf(':') + 1).trim());
    }

    /** A TlsStream client in its own Poll, driven by events like {@link Loopback}'s ends. */
    private static final class Client implements AutoCloseable {
        final Poll poll = Poll.open();
        final Loopback.End end;
        private final Events events = Events.withCapacity(4);
        private final Proc server; // its output goes into failure messages

        Client(Proc server, TlsConfig config) throws Exception {
            this(port(server), config, server);
        }

        Client(int port, TlsConfig config, Proc server) throws IOException {
            this.server = server;
            TlsStream tls = TlsStream.client(TcpStream.connect(new InetSocketAddress("127.0.0.1", port)), config, "localhost");
            end = new Loopback.End("client", tls, CLIENT, poll, 16 * 1024);
            end.registerConnecting(); // nothing is written before the connect completed
        }

        void pumpUntil(String what, BooleanSupplier done) throws IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.getAsBoolean()) {
                assertThat(System.nanoTime()).as("%s within %s; client received: %s, error: %s, handshaking %s, wantsWrite "
                        + "%s, events %d; the server's output:%n%s", what, WAIT, received(), end.error, end.tls.isHandshaking(),
                        end.tls.wantsWrite(), end.events, server.output().replaceAll("(?m)^    .*\\n", "")).isLessThan(deadline);
                poll.poll(events, Duration.ofMillis(50));
                for (Event ignored : events) {
                    end.onEvent();
                }
            }
        }

        /** Queues {@code text}; it goes out on the next events (the first ones complete the connect and handshake). */
        void send(String text) throws IOException {
            end.send(text.getBytes(StandardCharsets.UTF_8));
            if (!end.tls.isHandshaking()) {
                end.kickWrites();
            }
        }

        String received() {
            return new String(end.receivedBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            end.tls.close();
            poll.close();
        }
    }

    private static boolean said(Proc p, java.util.function.Predicate<String> line) {
        return p.output().lines().anyMatch(line);
    }

    /** Lines of {@code p}'s output with that start and end (openssl's -msg names the record version, then the message). */
    private static long lines(Proc p, String prefix, String suffix) {
        return p.output().lines().filter(l -> l.startsWith(prefix) && l.endsWith(suffix)).count();
    }

    @Test
    void tls13_with_alpn_and_key_updates_from_both_sides() throws Exception {
        try (Proc server = sServer("server", "-tls1_3", "-alpn", "http/1.1,echo")) {
            TlsConfig config = TlsConfig.builder(pki.clientContext()).applicationProtocols("h2", "echo").build();
            try (Client client = new Client(server, config)) {
                client.send("hello from io.mio\n");
                client.pumpUntil("the client's line", () -> said(server, "hello from io.mio"::equals));
                assertThat(client.end.tls.session().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(client.end.tls.applicationProtocol()).isEqualTo("echo");

                // The server's KeyUpdate asks the client to update too: it answers while reading.
                server.send("K\n");
                client.pumpUntil("the client's KeyUpdate in answer",
                        () -> said(server, l -> l.equals("<<< TLS 1.3, Handshake [length 0005], KeyUpdate")));
                server.send("after the server's key update\n");
                client.pumpUntil("the server's line", () -> client.received().contains("after the server's key update\n"));

                // The client's own key update: s_server sees it (and answers the request for its own).
                client.end.tls.renegotiate();
                client.end.kickWrites();
                client.send("after the client's key update\n");
                client.pumpUntil("the client's line after its key update", () -> said(server, "after the client's key update"::equals));
                assertThat(lines(server, "<<< TLS 1.3, Handshake [length 0005]", "KeyUpdate"))
                        .as("KeyUpdates the server received:\n%s", server.output()).isEqualTo(2);

                client.end.shutdownWanted = true;
                client.end.kickWrites();
                client.pumpUntil("the server's close_notify", () -> client.end.eof || client.end.error != null);
                assertThat(client.end.error).isNull();
            }
        }
    }

    @Test
    void tls12_with_renegotiations_from_both_sides() throws Exception {
        // OpenSSL 3 servers refuse renegotiations that clients start unless told otherwise (see the next test).
        try (Proc server = sServer("server", "-tls1_2", "-client_renegotiation")) {
            try (Client client = new Client(server, TlsConfig.of(pki.clientContext()))) {
                client.send("hello over TLS 1.2\n");
                client.pumpUntil("the client's line", () -> said(server, "hello over TLS 1.2"::equals));
                assertThat(client.end.tls.session().getProtocol()).isEqualTo("TLSv1.2");

                // The server asks for a renegotiation (HelloRequest, and a client certificate this time): the client
                // starts one. The next line only after it: s_server takes a whole read of its stdin as the command.
                server.send("R\n");
                client.pumpUntil("the second handshake", () -> said(server, "SSL_do_handshake -> 1"::equals)
                        && lines(server, "<<< TLS 1.", "ClientHello") == 2
                        && lines(server, "<<< TLS 1.", "Finished") == 2);
                client.send("client line after the server's renegotiation\n");
                client.pumpUntil("the client's line after the renegotiation",
                        () -> said(server, "client line after the server's renegotiation"::equals));
                server.send("after the server's renegotiation\n");
                client.pumpUntil("the server's line", () -> client.received().contains("after the server's renegotiation\n"));

                client.end.tls.renegotiate(); // and one the client starts itself
                client.end.kickWrites();
                client.send("after the client's renegotiation\n");
                client.pumpUntil("the line after the third handshake", () -> said(server, "after the client's renegotiation"::equals));
                assertThat(lines(server, "<<< TLS 1.", "ClientHello"))
                        .as("ClientHellos the server received:\n%s", server.output()).isEqualTo(3);
                assertThat(client.end.error).isNull();
            }
        }
    }

    @Test
    void a_tls12_renegotiation_the_server_refuses_fails_with_its_alert() throws Exception {
        try (Proc server = sServer("server", "-tls1_2"); Client client = new Client(server, TlsConfig.of(pki.clientContext()))) {
            client.send("hello\n");
            client.pumpUntil("the client's line", () -> said(server, "hello"::equals));
            client.end.tls.renegotiate();
            client.end.kickWrites();
            client.pumpUntil("the refusal", () -> client.end.error != null);
            assertThat(client.end.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("no_renegotiation");
        }
    }

    @Test
    void a_client_certificate_when_the_server_requires_one() throws Exception {
        try (Proc server = sServer("server", "-Verify", "1", "-verify_return_error",
                "-CAfile", pem.resolve("ca.pem").toString())) {
            int port = port(server);
            try (Client client = new Client(port, TlsConfig.of(TestPki.context(pki.client, pki.ca)), server)) {
                client.send("with my certificate\n");
                client.pumpUntil("the client's line", () -> said(server, "with my certificate"::equals));
                assertThat(server.output()).contains("CN = mio test client");
            }
            try (Client client = new Client(port, TlsConfig.of(pki.clientContext()), server)) {
                client.send("without one\n");
                client.pumpUntil("the server's refusal", () -> client.end.error != null);
                assertThat(client.end.error).isInstanceOf(SSLException.class).hasMessageContaining("certificate_required");
            }
        }
    }

    @Test
    void an_expired_server_certificate_is_refused() throws Exception {
        try (Proc server = sServer("expired"); Client client = new Client(server, TlsConfig.of(pki.clientContext()))) {
            client.pumpUntil("the handshake's failure", () -> client.end.error != null);
            assertThat(client.end.error).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("validity check failed")
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
            server.awaitContaining("certificate expired", WAIT); // the alert reached openssl
        }
    }

    @Test
    void a_server_certificate_for_another_host_is_refused() throws Exception {
        try (Proc server = sServer("wronghost"); Client client = new Client(server, TlsConfig.of(pki.clientContext()))) {
            client.pumpUntil("the handshake's failure", () -> client.end.error != null);
            assertThat(client.end.error).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative DNS name matching localhost");
            server.awaitContaining("certificate unknown", WAIT);
        }
    }

    @Test
    void a_server_certificate_from_an_untrusted_ca_is_refused() throws Exception {
        try (Proc server = sServer("server");
             Client client = new Client(server, TlsConfig.of(TestPki.context(null, pki.otherCa)))) {
            client.pumpUntil("the handshake's failure", () -> client.end.error != null);
            assertThat(client.end.error).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("PKIX path building failed");
        }
    }
}
