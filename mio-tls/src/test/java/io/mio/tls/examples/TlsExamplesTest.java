package io.mio.tls.examples;

import io.mio.tls.Proc;
import io.mio.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples as programs: TlsEchoServer's and TlsClient's {@code main} in child JVMs (their command lines and
 * output as the README shows them), and TlsClient against {@code openssl s_server}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsExamplesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Path pem = TestPki.get().pemDir();

    private static List<String> java(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static int listeningPort(Proc server) throws InterruptedException {
        String line = server.awaitContaining("Listening on 127.0.0.1:", WAIT);
        return Integer.parseInt(line.replaceAll("^Listening on 127\\.0\\.0\\.1:(\\d+) .*$", "$1"));
    }

    @Test
    void the_echo_server_program_with_the_client_program_and_curl() throws Exception {
        try (Proc server = Proc.start(java(TlsEchoServer.class, "--certs", pem.resolve("server.pem").toString(),
                "--key", pem.resolve("server.key").toString(), "--port", "0", "--verbose", "--proto", "http/1.1", "http"))) {
            int port = listeningPort(server);
            try (Proc curl = Proc.start(List.of(Proc.tool("curl"), "-sS", "--max-time", "20", "--cacert",
                    pem.resolve("ca.pem").toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                    "https://localhost:" + port + "/"))) {
                assertThat(curl.exitCode(WAIT)).as(curl.output()).isZero();
                assertThat(curl.output()).isEqualTo("Hello from io.mio's TlsEchoServer\n");
            }
            try (Proc client = Proc.start(java(TlsClient.class, "--port", String.valueOf(port), "--connect", "127.0.0.1",
                    "--cafile", pem.resolve("ca.pem").toString(), "--proto", "http/1.1", "--http", "--verbose", "localhost"))) {
                assertThat(client.exitCode(WAIT)).as(client.output()).isZero();
                assertThat(client.output()).contains("HTTP/1.1 200 OK", "Hello from io.mio's TlsEchoServer",
                        "TlsClient: TLSv1.3", "ALPN http/1.1", "server CN=localhost");
            }
            server.awaitContaining("ALPN http/1.1, SNI localhost", WAIT);
        }
    }

    @Test
    void the_client_sends_its_input_to_the_echo_server_and_prints_the_echo() throws Exception {
        try (Proc server = Proc.start(java(TlsEchoServer.class, "--certs", pem.resolve("server.pem").toString(),
                "--key", pem.resolve("server.key").toString(), "--port", "0", "echo"))) {
            int port = listeningPort(server);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int status = TlsClient.run(new String[] {"--port", String.valueOf(port), "--connect", "127.0.0.1",
                    "--cafile", pem.resolve("ca.pem").toString(), "localhost"},
                    "line one\nline two\n".getBytes(StandardCharsets.UTF_8), out, new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(status).as(log.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("line one\nline two\n");
        }
    }

    @Test
    void the_client_against_openssl_s_server_www_and_rev() throws Exception {
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            try (Proc server = Proc.start(List.of(Proc.tool("openssl"), "s_server", "-accept", "127.0.0.1:0", version,
                    "-cert", pem.resolve("server.pem").toString(), "-key", pem.resolve("server.key").toString(), "-www"))) {
                String accept = server.awaitContaining("ACCEPT 127.0.0.1:", WAIT);
                String port = accept.substring(accept.lastIndexOf(':') + 1).trim();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                int status = TlsClient.run(new String[] {"--port", port, "--connect", "127.0.0.1", "--cafile",
                        pem.resolve("ca.pem").toString(), "--http", "localhost"}, new byte[0], out,
                        new PrintStream(log, true, StandardCharsets.UTF_8));
                assertThat(status).as(log.toString(StandardCharsets.UTF_8)).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("HTTP/1.0 200 ok",
                        "New, " + (version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2") + ", Cipher is");
            }
        }
        try (Proc server = Proc.start(List.of(Proc.tool("openssl"), "s_server", "-accept", "127.0.0.1:0",
                "-cert", pem.resolve("server.pem").toString(), "-key", pem.resolve("server.key").toString(), "-rev"))) {
            String accept = server.awaitContaining("ACCEPT 127.0.0.1:", WAIT);
            String port = accept.substring(accept.lastIndexOf(':') + 1).trim();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int status = TlsClient.run(new String[] {"--port", port, "--connect", "127.0.0.1", "--cafile",
                    pem.resolve("ca.pem").toString(), "localhost"}, "hello, openssl\n".getBytes(StandardCharsets.UTF_8),
                    out, new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(status).as(log.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("lssnepo ,olleh");
        }
    }

    @Test
    void the_client_reports_a_certificate_it_does_not_trust_and_exits_1() throws Exception {
        try (Proc server = Proc.start(List.of(Proc.tool("openssl"), "s_server", "-accept", "127.0.0.1:0",
                "-cert", pem.resolve("wronghost.pem").toString(), "-key", pem.resolve("wronghost.key").toString(), "-www"))) {
            String accept = server.awaitContaining("ACCEPT 127.0.0.1:", WAIT);
            String port = accept.substring(accept.lastIndexOf(':') + 1).trim();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int status = TlsClient.run(new String[] {"--port", port, "--connect", "127.0.0.1", "--cafile",
                    pem.resolve("ca.pem").toString(), "--http", "localhost"}, new byte[0], new ByteArrayOutputStream(),
                    new PrintStream(log, true, StandardCharsets.UTF_8));
            assertThat(status).isEqualTo(1);
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("SSLHandshakeException",
                    "No subject alternative DNS name matching localhost");
        }
    }
}
