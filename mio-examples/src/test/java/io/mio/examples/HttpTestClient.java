package io.mio.examples;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the HTTP tests use to talk to the server: a raw socket with a strict response reader, and curl. */
final class HttpTestClient implements AutoCloseable {
    static final int SO_TIMEOUT_MILLIS = 10_000;

    /** One response: status code, headers (names lower-cased, each at most once), body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    final Socket socket;
    final InputStream in;

    HttpTestClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, SO_TIMEOUT_MILLIS);
        socket.setSoTimeout(SO_TIMEOUT_MILLIS); // a missing answer fails the test instead of hanging it
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    /** A GET of {@code path} with the Host header HTTP/1.1 requires. */
    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    /** Reads one response, strictly: a status line, CRLF-terminated headers, a Content-Length body. */
    Response read() throws IOException {
        String statusLine = line();
        assertThat(statusLine).as("status line").matches("HTTP/1\\.1 \\d{3} .+");
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = line()).isEmpty()) {
            int colon = line.indexOf(':');
            assertThat(colon).as("header line '%s'", line).isPositive();
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String previous = headers.put(name, line.substring(colon + 1).trim());
            assertThat(previous).as("second %s header", name).isNull();
        }
        byte[] body = new byte[0];
        if (status >= 200) { // 1xx answers have no body
            String length = headers.get("content-length");
            assertThat(length).as("Content-Length of a %d answer", status).isNotNull();
            body = in.readNBytes(Integer.parseInt(length));
            assertThat(body.length).as("body bytes before end of stream").isEqualTo(Integer.parseInt(length));
        }
        return new Response(status, headers, body);
    }

    /** A line ending in CRLF, without it; fails at end of stream or at a bare LF. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).as("end of stream in a response head: '%s'", b.toString(StandardCharsets.ISO_8859_1)).isNotNegative();
            b.write(c);
        }
        byte[] bytes = b.toByteArray();
        assertThat(bytes.length > 0 && bytes[bytes.length - 1] == '\r').as("line ends in CRLF").isTrue();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
    }

    /** Asserts that the server closed the connection: end of stream, with no further byte. */
    void assertClosedByServer() throws IOException {
        assertThat(in.read()).as("end of stream after the last answer").isEqualTo(-1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- curl --------------------------------------------------------------------------------------------------

    /** What a curl run printed. */
    record Curl(int exit, String out, String err) {
    }

    /** Skips the calling test, naming the reason, where curl is missing (CI installs it: .ci/run). */
    static String curlPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "curl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        assumeTrue(false, "curl not found on PATH (install Debian's curl; .ci/run does)");
        return null;
    }

    /** Runs curl with {@code args}, never through a proxy, and waits for it (60 s at most). */
    static Curl curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(curlPath(), "--noproxy", "*", "--max-time", "30", "-sS"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("curl", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("curl finished").isTrue();
            return new Curl(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
