package io.mio.examples;

import io.mio.examples.HttpTestClient.Curl;
import io.mio.examples.HttpTestClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static io.mio.examples.HttpTestClient.curl;
import static io.mio.examples.HttpTestClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTP example against curl and against a raw socket (for what curl will not send: pipelined requests in one
 * write, malformed requests). The server runs in this JVM, so a test can count the connections it accepted.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpServerTest {
    /** IMF-fixdate, the one Date format HTTP senders may use (RFC 9110, section 5.6.7). */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final String JSON = "{\"message\":\"Hello, World!\"}";

    private static HttpServer.Running start(int loops) throws IOException {
        return HttpServer.start(new InetSocketAddress("127.0.0.1", 0), loops);
    }

    private static String url(HttpServer.Running server, String path) throws IOException {
        return "http://127.0.0.1:" + server.address().getPort() + path;
    }

    private static long accepted(HttpServer.Running server) {
        return Arrays.stream(server.acceptedPerLoop()).sum();
    }

    private static String crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    @Test
    void plaintext_and_json_answer_as_techempower_asks() throws Exception {
        try (HttpServer.Running server = start(2)) {
            for (String[] c : new String[][] {{"/plaintext", "text/plain", "Hello, World!"}, {"/json", "application/json", JSON}}) {
                Instant before = Instant.now().minusSeconds(1);
                Curl r = curl("-i", url(server, c[0]));
                Instant after = Instant.now().plusSeconds(1);
                assertThat(r.exit()).as("curl exit code; stderr: %s", r.err()).isZero();
                String[] parts = r.out().split("\r\n\r\n", 2);
                assertThat(parts[0]).as("head of %s", c[0]).startsWith("HTTP/1.1 200 OK\r\n")
                        .contains("\r\nServer: mio\r\n", "\r\nContent-Type: " + c[1] + "\r\n",
                                "\r\nContent-Length: " + c[2].length() + "\r\n")
                        .doesNotContain("Connection:");
                assertThat(parts[1]).as("body of %s", c[0]).isEqualTo(c[2]);
                Matcher date = Pattern.compile("\r\nDate: ([^\r]+)").matcher(parts[0]);
                assertThat(date.find()).as("a Date header in %s", parts[0]).isTrue();
                Instant sent = ZonedDateTime.parse(date.group(1), IMF_FIXDATE).toInstant();
                assertThat(sent).as("Date of %s", c[0]).isBetween(before, after);
            }
        }
    }

    @Test
    void the_date_header_follows_the_clock() throws Exception {
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            client.send(get("/plaintext"));
            String first = client.read().header("Date");
            // The loop reformats the date when a poll returns in a new second, not per request: wait for that.
            Thread.sleep(1_100);
            client.send(get("/plaintext"));
            String second = client.read().header("Date");
            Instant a = ZonedDateTime.parse(first, IMF_FIXDATE).toInstant();
            Instant b = ZonedDateTime.parse(second, IMF_FIXDATE).toInstant();
            assertThat(Duration.between(a, b)).as("from %s to %s", first, second)
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void the_date_formatter_agrees_with_java_time() {
        Random random = new Random(14);
        long[] edges = {0, -1, 951_782_400L /* 2000-02-29 */, 946_684_799L, 4_107_542_400L /* 2100-03-01 */,
                1_709_164_800L /* 2024-02-29 */, 253_402_300_799L /* 9999-12-31T23:59:59 */, -62_135_596_800L /* year 1 */};
        byte[] out = new byte[29];
        for (int i = 0; i < edges.length + 100_000; i++) {
            long second = i < edges.length ? edges[i] : random.nextLong(-62_135_596_800L, 253_402_300_800L);
            HttpLoop.formatDate(second, out, 0);
            String expected = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
            assertThat(new String(out, StandardCharsets.US_ASCII)).as("epoch second %d", second).isEqualTo(expected);
        }
    }

    @Test
    void several_urls_in_one_curl_run_share_one_connection() throws Exception {
        try (HttpServer.Running server = start(2)) {
            Curl r = curl("-v", url(server, "/plaintext"), url(server, "/json"), url(server, "/nope"),
                    url(server, "/plaintext"));
            assertThat(r.exit()).as("curl exit code; stderr: %s", r.err()).isZero();
            assertThat(r.out()).isEqualTo("Hello, World!" + JSON + "Not found: try /plaintext, /json or POST /upload\n"
                    + "Hello, World!");
            assertThat(count(r.err(), "Re-using existing connection")).as("curl -v: %s", r.err()).isEqualTo(3);
            assertThat(accepted(server)).as("connections the server accepted").isEqualTo(1);
        }
    }

    @Test
    void pipelined_requests_in_one_write_are_answered_in_order() throws Exception {
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            int n = 60; // their answers fill more than one output buffer (8 KiB), so the loop flushes mid-batch
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < n; i++) {
                all.append(switch (i % 5) {
                    case 0 -> get("/plaintext");
                    case 1 -> get("/json?i=" + i);
                    case 2 -> get("/missing/" + i);
                    case 3 -> "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + ("body " + i).length()
                            + "\r\n\r\nbody " + i;
                    default -> "GET /plaintext HTTP/1.1\r\nhost: test\r\nX-Long: " + "x".repeat(2_000) + "\r\n\r\n";
                });
            }
            client.send(all.toString());
            for (int i = 0; i < n; i++) {
                Response r = client.read();
                switch (i % 5) {
                    case 0, 4 -> assertThat(r.text()).as("answer %d", i).isEqualTo("Hello, World!");
                    case 1 -> assertThat(r.text()).as("answer %d", i).isEqualTo(JSON);
                    case 2 -> assertThat(r.status()).as("answer %d", i).isEqualTo(404);
                    default -> assertThat(r.text()).as("answer %d", i).isEqualTo(("body " + i).length() + " bytes, CRC-32 "
                            + crc32(("body " + i).getBytes(StandardCharsets.US_ASCII)) + "\n");
                }
            }
            assertThat(accepted(server)).isEqualTo(1);
        }
    }

    @Test
    void a_one_megabyte_post_is_read_whole_and_the_connection_goes_on(@TempDir Path dir) throws Exception {
        byte[] body = new byte[1 << 20];
        new Random(1).nextBytes(body);
        Path file = Files.write(dir.resolve("body.bin"), body);
        try (HttpServer.Running server = start(2)) {
            // curl sends "Expect: 100-continue" with a body this large and waits for the 100 before sending it.
            Curl r = curl("-v", "--data-binary", "@" + file, url(server, "/upload"), "--next", url(server, "/plaintext"));
            assertThat(r.exit()).as("curl exit code; stderr: %s", r.err()).isZero();
            assertThat(r.out()).isEqualTo((1 << 20) + " bytes, CRC-32 " + crc32(body) + "\nHello, World!");
            assertThat(r.err()).as("curl -v").contains("Re-using existing connection");
            assertThat(accepted(server)).isEqualTo(1);
        }
    }

    @Test
    void a_body_sent_in_small_pieces_is_counted_to_its_last_byte() throws Exception {
        byte[] body = new byte[300_001];
        new Random(2).nextBytes(body);
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            client.send("POST /upload?x HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n");
            for (int off = 0; off < body.length; off += 997) {
                client.send(Arrays.copyOfRange(body, off, Math.min(body.length, off + 997)));
            }
            client.send(get("/json")); // right behind the body: found only if the body ended where it should
            assertThat(client.read().text()).isEqualTo(body.length + " bytes, CRC-32 " + crc32(body) + "\n");
            assertThat(client.read().text()).isEqualTo(JSON);
        }
    }

    @Test
    void expect_100_continue_is_answered_before_the_body_is_sent() throws Exception {
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            client.send("POST /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            Response interim = client.read(); // times out unless the server answers before it has the body
            assertThat(interim.status()).isEqualTo(100);
            client.send("hello");
            Response r = client.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("5 bytes, CRC-32 " + crc32("hello".getBytes(StandardCharsets.US_ASCII)) + "\n");
        }
    }

    static Stream<Arguments> bad_requests() {
        String h = "Host: test\r\n";
        return Stream.of(
                Arguments.of("not a request line", "GARBAGE\r\n\r\n", 400),
                Arguments.of("no version", "GET /plaintext\r\n" + h + "\r\n", 400),
                Arguments.of("two spaces", "GET  /plaintext HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("target without slash", "GET plaintext HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("words after the version", "GET /plaintext HTTP/1.1 x\r\n" + h + "\r\n", 400),
                Arguments.of("lower-case version", "GET /plaintext http/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("control byte in the target", "GET /plain\u0001text HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("non-token method", "G(T /plaintext HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("header without colon", "GET /plaintext HTTP/1.1\r\nHost test\r\n\r\n", 400),
                Arguments.of("space before colon", "GET /plaintext HTTP/1.1\r\nHost : test\r\n\r\n", 400),
                Arguments.of("folded header", "GET /plaintext HTTP/1.1\r\n" + h + "X: a\r\n b\r\n\r\n", 400),
                Arguments.of("bare CR in a value", "GET /plaintext HTTP/1.1\r\n" + h + "X: a\rb\r\n\r\n", 400),
                Arguments.of("Content-Length not a number", "POST /upload HTTP/1.1\r\n" + h + "Content-Length: 1x\r\n\r\n", 400),
                Arguments.of("negative Content-Length", "POST /upload HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n", 400),
                Arguments.of("Content-Length over 18 digits", "POST /upload HTTP/1.1\r\n" + h
                        + "Content-Length: 9999999999999999999\r\n\r\n", 400),
                Arguments.of("two Content-Lengths", "POST /upload HTTP/1.1\r\n" + h
                        + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
                Arguments.of("Content-Length and Transfer-Encoding", "POST /upload HTTP/1.1\r\n" + h
                        + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("HTTP/1.1 without Host", "GET /plaintext HTTP/1.1\r\n\r\n", 400),
                Arguments.of("chunked body", "POST /upload HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("HTTP/2.0", "GET /plaintext HTTP/2.0\r\n" + h + "\r\n", 505),
                Arguments.of("head over 8 KiB", "GET /plaintext HTTP/1.1\r\n" + h + "X: " + "a".repeat(9_000) + "\r\n\r\n", 431));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad_requests")
    void a_request_the_server_cannot_read_gets_an_error_and_the_connection_closes(String what, String request,
                                                                                   int status) throws Exception {
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            client.send(request + get("/plaintext")); // a good request behind it is not answered
            Response r = client.read();
            assertThat(r.status()).as("status for %s", what).isEqualTo(status);
            assertThat(r.header("Connection")).isEqualTo("close");
            client.assertClosedByServer();
            // The loop survived it: a new connection is served.
            try (HttpTestClient next = new HttpTestClient(server.address())) {
                next.send(get("/plaintext"));
                assertThat(next.read().text()).isEqualTo("Hello, World!");
            }
        }
    }

    @Test
    void a_malformed_request_line_is_answered_in_turn_after_the_good_ones() throws Exception {
        try (HttpServer.Running server = start(1); HttpTestClient client = new HttpTestClient(server.address())) {
            client.send(get("/plaintext") + get("/json") + "BROKEN REQUEST LINE\r\n\r\n" + get("/plaintext"));
            assertThat(client.read().text()).isEqualTo("Hello, World!");
            assertThat(client.read().text()).isEqualTo(JSON);
            assertThat(client.read().status()).isEqualTo(400);
            client.assertClosedByServer();
        }
    }

    @Test
    void an_unknown_path_gets_404_and_a_wrong_method_405_and_the_connection_stays() throws Exception {
        try (HttpServer.Running server = start(1)) {
            Curl r = curl("-i", url(server, "/nope"));
            assertThat(r.out()).startsWith("HTTP/1.1 404 Not Found\r\n");
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                client.send("POST /plaintext HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc" + get("/upload")
                        + get("/plaintext"));
                Response post = client.read();
                assertThat(post.status()).isEqualTo(405);
                assertThat(post.header("Allow")).isEqualTo("GET");
                Response upload = client.read();
                assertThat(upload.status()).isEqualTo(405);
                assertThat(upload.header("Allow")).isEqualTo("POST");
                assertThat(client.read().text()).as("after the 405s, on the same connection").isEqualTo("Hello, World!");
            }
        }
    }

    @Test
    void connection_close_is_honoured() throws Exception {
        try (HttpServer.Running server = start(1)) {
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                client.send("GET /json HTTP/1.1\r\nHost: test\r\nConnection: Keep-Alive, CLOSE\r\n\r\n" + get("/plaintext"));
                Response r = client.read();
                assertThat(r.text()).isEqualTo(JSON);
                assertThat(r.header("Connection")).isEqualTo("close");
                client.assertClosedByServer(); // the request behind it is not answered
            }
            Curl c = curl("-v", "-H", "Connection: close", url(server, "/plaintext"), url(server, "/plaintext"));
            assertThat(c.out()).isEqualTo("Hello, World!Hello, World!");
            assertThat(c.err()).doesNotContain("Re-using existing connection");
            assertThat(accepted(server)).as("1 raw connection and 2 of curl").isEqualTo(3);
        }
    }

    @Test
    void http_1_0_closes_unless_asked_to_keep_alive() throws Exception {
        try (HttpServer.Running server = start(1)) {
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                client.send("GET /plaintext HTTP/1.0\r\n\r\n");
                Response r = client.read();
                assertThat(r.text()).isEqualTo("Hello, World!");
                assertThat(r.header("Connection")).isEqualTo("close");
                client.assertClosedByServer();
            }
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                for (int i = 0; i < 3; i++) {
                    client.send("GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                    Response r = client.read();
                    assertThat(r.text()).isEqualTo(JSON);
                    assertThat(r.header("Connection")).isEqualTo("keep-alive");
                }
            }
            Curl c = curl("--http1.0", url(server, "/plaintext"), url(server, "/plaintext"));
            assertThat(c.out()).isEqualTo("Hello, World!Hello, World!");
            assertThat(accepted(server)).as("2 raw connections and 2 of curl").isEqualTo(4);
        }
    }

    @Test
    void start_rejects_zero_loops() {
        assertThatThrownBy(() -> HttpServer.start(new InetSocketAddress("127.0.0.1", 0), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one loop");
    }

    @Test
    void main_prints_where_to_connect_and_serves() throws Exception {
        try (ExampleProcess server = ExampleProcess.start(HttpServer.class, "0", "2")) {
            String line = server.awaitLine(" $ curl http://127.0.0.1:", Duration.ofSeconds(60));
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/plaintext").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            assertThat(server.output()).contains("2 event loops serve http://127.0.0.1:" + m.group(1));
            Curl r = curl("http://127.0.0.1:" + m.group(1) + "/json");
            assertThat(r.out()).isEqualTo(JSON);
        }
    }
}
