package io.mio.tls.examples;

import io.mio.tls.Fds;
import io.mio.tls.Proc;
import io.mio.tls.TestPki;
import io.mio.tls.TlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS echo server example (TlsStream on the server side) against clients nobody here wrote: Debian's
 * {@code openssl s_client} (TLS 1.3 and 1.2, ALPN, SNI, a TLS 1.3 key update and a TLS 1.2 renegotiation that the
 * client starts, client certificates) and {@code curl} (HTTPS in the server's {@code http} mode). The server runs on a
 * thread of this JVM, so that its sockets can be counted before and after.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsEchoServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final TestPki pki = TestPki.get();
    private final Path pem = pki.pemDir();
    private final ByteArrayOutputStream serverLog = new ByteArrayOutputStream();
    private TreeMap<Integer, String> fdsBefore;

    @BeforeEach
    void countDescriptors() {
        fdsBefore = Fds.open();
    }

    @AfterEach
    void noDescriptorLeaked() throws InterruptedException {
        Fds.assertNoSocketLeak(fdsBefore);
    }

    private TlsEchoServer.Running server(TlsConfig config, TlsEchoServer.Mode mode) throws IOException {
        return TlsEchoServer.start(new InetSocketAddress("127.0.0.1", 0), config, mode,
                new PrintStream(serverLog, true, StandardCharsets.UTF_8));
    }

    private String log() {
        return serverLog.toString(StandardCharsets.UTF_8);
    }

    /**
     * The server's log once it holds every one of {@code parts}, or as it is after {@link #WAIT}: the loop thread
     * may write a connection's line after the client has already seen its echo and exited.
     */
    private String logOnce(String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String log = log();
            if (java.util.Arrays.stream(parts).allMatch(log::contains)) {
                return log;
            }
            Thread.sleep(10);
        }
        return log();
    }

    private List<String> sClient(int port, String... extra) {
        List<String> command = new ArrayList<>(List.of(Proc.tool("openssl"), "s_client",
                "-connect", "127.0.0.1:" + port, "-servername", "localhost", "-verify_hostname", "localhost",
                "-CAfile", pem.resolve("ca.pem").toString(), "-verify_return_error", "-msg"));
        command.addAll(List.of(extra));
        return command;
    }

    @Test
    void openssl_s_client_tls13_echo_with_alpn_sni_and_a_key_update_it_requests() throws Exception {
        TlsConfig config = TlsConfig.builder(pki.serverContext()).applicationProtocols("echo").build();
        try (TlsEchoServer.Running server = server(config, TlsEchoServer.Mode.ECHO);
             Proc client = Proc.start(sClient(server.address().getPort(), "-tls1_3", "-alpn", "echo"))) {
            client.awaitContaining("Verify return code: 0 (ok)", WAIT);
            client.send("hello from openssl\n");
            client.await("the echo", "hello from openssl"::equals, WAIT);
            // K: a KeyUpdate asking the peer to update too; the server must answer with its own KeyUpdate.
            client.send("K\n");
            client.awaitContaining("<<< TLS 1.3, Handshake [length 0005], KeyUpdate", WAIT);
            client.send("after the key update\n");
            client.await("the echo after the key update", "after the key update"::equals, WAIT);
            client.closeInput(); // s_client sends close_notify and exits
            assertThat(client.exitCode(WAIT)).as(client.output()).isZero();
            assertThat(client.output()).contains("New, TLSv1.3", "ALPN protocol: echo");
        }
        assertThat(logOnce("TLSv1.3", "ALPN echo", "SNI localhost", "client certificate none")).contains("TLSv1.3", "ALPN echo", "SNI localhost", "client certificate none");
    }

    @Test
    void openssl_s_client_tls12_echo_across_a_renegotiation_it_starts() throws Exception {
        try (TlsEchoServer.Running server = server(TlsConfig.of(pki.serverContext()), TlsEchoServer.Mode.ECHO);
             Proc client = Proc.start(sClient(server.address().getPort(), "-tls1_2"))) {
            client.awaitContaining("Verify return code: 0 (ok)", WAIT);
            client.send("before\n");
            client.await("the echo", "before"::equals, WAIT);
            client.send("R\n"); // renegotiate
            client.awaitContaining("RENEGOTIATING", WAIT);
            client.send("after the renegotiation\n");
            client.await("the echo after the renegotiation", "after the renegotiation"::equals, WAIT);
            long serverHellos = client.output().lines().filter(l -> l.startsWith("<<< TLS 1.2, Handshake")
                    && l.endsWith("ServerHello")).count();
            assertThat(serverHellos).as("a second full handshake happened:\n%s", client.output()).isEqualTo(2);
            client.closeInput();
            assertThat(client.exitCode(WAIT)).as(client.output()).isZero();
            assertThat(client.output()).contains("New, TLSv1.2");
        }
        assertThat(logOnce("TLSv1.2", "SNI localhost")).contains("TLSv1.2", "SNI localhost");
    }

    @Test
    void openssl_s_client_with_a_client_certificate_when_the_server_requires_one() throws Exception {
        TlsConfig config = TlsConfig.builder(pki.serverContext()).clientAuth(TlsConfig.ClientAuth.NEED).build();
        try (TlsEchoServer.Running server = server(config, TlsEchoServer.Mode.ECHO)) {
            int port = server.address().getPort();
            try (Proc client = Proc.start(sClient(port, "-cert", pem.resolve("client.pem").toString(),
                    "-key", pem.resolve("client.key").toString()))) {
                client.awaitContaining("Verify return code: 0 (ok)", WAIT);
                client.send("with a certificate\n");
                client.await("the echo", "with a certificate"::equals, WAIT);
                client.closeInput();
                assertThat(client.exitCode(WAIT)).as(client.output()).isZero();
            }
            assertThat(logOnce("client certificate CN=mio test client")).contains("client certificate CN=mio test client");
            // Without one: the server refuses (TLS 1.3 reports it after the client's side of the handshake).
            try (Proc client = Proc.start(sClient(port))) {
                client.awaitContaining("certificate required", WAIT);
                client.closeInput();
                client.exitCode(WAIT);
            }
            assertThat(logOnce("SSLHandshakeException")).contains("SSLHandshakeException");
        }
    }

    // ---- curl ----------------------------------------------------------------------------------------

    private List<String> curl(int port, String... extra) {
        List<String> command = new ArrayList<>(List.of(Proc.tool("curl"), "-sS", "-v", "--max-time", "20",
                "--resolve", "localhost:" + port + ":127.0.0.1"));
        command.addAll(List.of(extra));
        return command;
    }

    private static String url(int port) {
        return "https://localhost:" + port + "/";
    }

    @Test
    void curl_gets_the_https_response_over_tls13_and_tls12_with_alpn() throws Exception {
        TlsConfig config = TlsConfig.builder(pki.serverContext()).applicationProtocols("http/1.1").build();
        try (TlsEchoServer.Running server = server(config, TlsEchoServer.Mode.HTTP)) {
            int port = server.address().getPort();
            String ca = pem.resolve("ca.pem").toString();
            for (List<String> version : List.of(List.of("--tlsv1.3"), List.of("--tlsv1.2", "--tls-max", "1.2"))) {
                List<String> args = new ArrayList<>(version);
                args.addAll(List.of("--cacert", ca, url(port)));
                try (Proc curl = Proc.start(curl(port, args.toArray(String[]::new)))) {
                    assertThat(curl.exitCode(WAIT)).as(curl.output()).isZero();
                    String out = curl.output();
                    assertThat(out).contains("Hello from io.mio's TlsEchoServer", "ALPN: server accepted http/1.1",
                            "SSL certificate verify ok", "HTTP/1.1 200 OK");
                    assertThat(out).contains("SSL connection using " + (version.getFirst().equals("--tlsv1.3") ? "TLSv1.3" : "TLSv1.2"));
                }
            }
        }
    }

    @Test
    void curl_with_many_parallel_connections() throws Exception {
        try (TlsEchoServer.Running server = server(TlsConfig.of(pki.serverContext()), TlsEchoServer.Mode.HTTP)) {
            int port = server.address().getPort();
            List<String> args = new ArrayList<>(List.of("--parallel", "--parallel-max", "16",
                    "--cacert", pem.resolve("ca.pem").toString()));
            for (int i = 0; i < 32; i++) {
                args.add(url(port) + "?n=" + i);
            }
            try (Proc curl = Proc.start(curl(port, args.toArray(String[]::new)))) {
                assertThat(curl.exitCode(WAIT)).as(curl.output()).isZero();
                long bodies = curl.output().lines().filter(l -> l.contains("Hello from io.mio's TlsEchoServer")).count();
                assertThat(bodies).as(curl.output()).isEqualTo(32);
            }
        }
    }

    @Test
    void curl_without_the_ca_refuses_and_the_server_serves_on() throws Exception {
        try (TlsEchoServer.Running server = server(TlsConfig.of(pki.serverContext()), TlsEchoServer.Mode.HTTP)) {
            int port = server.address().getPort();
            try (Proc curl = Proc.start(curl(port, "--cacert", pem.resolve("other-ca.pem").toString(), url(port)))) {
                assertThat(curl.exitCode(WAIT)).as("curl's exit status: 60, peer certificate not verified").isEqualTo(60);
                assertThat(curl.output()).contains("SSL certificate problem");
            }
            try (Proc curl = Proc.start(curl(port, "--cacert", pem.resolve("ca.pem").toString(), url(port)))) {
                assertThat(curl.exitCode(WAIT)).as(curl.output()).isZero();
                assertThat(curl.output()).contains("Hello from io.mio's TlsEchoServer");
            }
        }
        // OpenSSL sends this alert before it switched to the handshake keys, which the JDK reports as an unexpected
        // plaintext alert: what matters is that the server names it, and serves the next client.
        assertThat(logOnce("unknown_ca")).contains("unknown_ca");
    }
}
