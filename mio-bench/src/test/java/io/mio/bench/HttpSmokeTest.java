package io.mio.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP part's smoke mode as tests: every HTTP server starts as its own process and answers keep-alive and
 * pipelined requests correctly (checked without wrk, which CI does not install); with wrk installed, each serves a
 * second of wrk on every load without an error. Plus the report's arithmetic and wrk's output parsing. No timing is
 * measured or asserted.
 */
class HttpSmokeTest {
    private static final Path WORK = Path.of("target", "bench-smoke-http");

    @ParameterizedTest(name = "{0}")
    @EnumSource(HttpServerKind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void server_answers_keep_alive_and_pipelined_requests(HttpServerKind kind) throws Exception {
        HttpBench.SmokeResult r = HttpBench.smoke(kind, WORK, false);
        assertThat(r.checked()).as("answers checked from %s", kind.label).isEqualTo(6 + HttpCheck.PIPELINED);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HttpServerKind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void server_serves_wrk_without_errors(HttpServerKind kind) throws Exception {
        assumeTrue(Wrk.path() != null, "wrk is not installed (scripts/bench.sh installs it; CI does not)");
        HttpBench.SmokeResult r = HttpBench.smoke(kind, WORK, true);
        assertThat(r.wrk()).isNotNull();
        assertThat(r.wrk().requests()).as("requests wrk completed against %s", kind.label).isPositive();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void the_check_rejects_a_server_that_answers_wrongly() throws Exception {
        // Right status and headers, wrong body: the smoke check must not pass it.
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] head = new byte[4096];
                    int n = in.read(head);
                    if (n > 0) {
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nServer: x\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
                                + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException ignored) {
                    // the check gave up first
                }
            });
            assertThatThrownBy(() -> HttpCheck.run(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort())))
                    .isInstanceOf(IOException.class).hasMessageContaining("body 'hello'");
            server.join(10_000);
        }
    }

    @Test
    void wrk_output_is_read() throws Exception {
        String out = """
                Running 1s test @ http://127.0.0.1:18080/plaintext
                  1 threads and 8 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency     5.89ms    7.34ms  52.48ms   85.68%
                    Req/Sec    78.68k    86.14k  226.26k    80.00%
                  Latency Distribution
                     50%  284.00us
                     75%    8.76ms
                     90%    1.20s
                     99%    0.00us
                  78592 requests in 1.01s, 9.59MB read
                  Socket errors: connect 1, read 2, write 3, timeout 4
                  Non-2xx or 3xx responses: 26
                Requests/sec:  77605.40
                Transfer/sec:      9.47MB
                """;
        Wrk.Result r = Wrk.parse(out);
        assertThat(r.requests()).isEqualTo(78592);
        assertThat(r.seconds()).isEqualTo(1.01);
        assertThat(r.requestsPerSecond()).isEqualTo(77605.40);
        assertThat(r.p50Micros()).isEqualTo(284.0);
        assertThat(r.p75Micros()).isEqualTo(8760.0);
        assertThat(r.p90Micros()).isEqualTo(1.2e6);
        assertThat(r.p99Micros()).as("a 0.00us percentile is unknown, not 0").isNaN();
        assertThat(r.socketErrors()).isEqualTo(10);
        assertThat(r.non2xx()).isEqualTo(26);
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IOException.class).hasMessageContaining("no request count");
    }

    private static HttpBench.Row row(int round, HttpServerKind kind, double cpuMicrosPerRequest) {
        return new HttpBench.Row(round, kind, HttpBench.Load.PLAINTEXT, 64, 1000, 1, 1000, cpuMicrosPerRequest,
                cpuMicrosPerRequest, 0, 100, 200, 300, 400, 0, 0.5, 100);
    }

    @Test
    void the_target_is_judged_on_medians_of_requests_per_cpu_second_and_ratios_within_rounds() {
        List<HttpServerKind> all = List.of(HttpServerKind.values());
        // io.mio 10, 20, 10 µs/request; Netty 20, 10, 20: medians 10 against 20 -> io.mio serves 2x the requests.
        List<HttpBench.Row> rows = new ArrayList<>(List.of(row(1, HttpServerKind.MIO, 10), row(2, HttpServerKind.MIO, 20),
                row(3, HttpServerKind.MIO, 10), row(1, HttpServerKind.NETTY, 20), row(2, HttpServerKind.NETTY, 10),
                row(3, HttpServerKind.NETTY, 20), row(1, HttpServerKind.JDK, 40)));
        HttpReport.Verdict v = HttpReport.verdict(rows, all, HttpBench.Load.PLAINTEXT, 64);
        assertThat(v.met()).isTrue();
        assertThat(v.runnerUp()).isEqualTo(HttpServerKind.NETTY);
        assertThat(v.mio()).isEqualTo(100_000);
        assertThat(HttpReport.ratiosToMio(rows, HttpServerKind.NETTY, HttpBench.Load.PLAINTEXT, 64, 3))
                .containsExactly(0.5, 2.0, 0.5);
        assertThat(HttpReport.ratiosToMio(rows, HttpServerKind.JDK, HttpBench.Load.PLAINTEXT, 64, 3)[1]).isNaN();
        // Latencies are shown from one round, the one with the median requests per CPU-second (round 1 or 3 here).
        assertThat(HttpReport.medianRound(rows.subList(3, 6)).round()).isIn(1, 3);
        assertThat(HttpReport.medianRound(List.of(row(1, HttpServerKind.MIO, 30), row(2, HttpServerKind.MIO, 10),
                row(3, HttpServerKind.MIO, 20))).round()).isEqualTo(3);

        rows.add(row(4, HttpServerKind.JDK, 1)); // a peer cheaper than io.mio: missed
        v = HttpReport.verdict(rows, all, HttpBench.Load.PLAINTEXT, 64);
        assertThat(v.met()).isFalse();
        assertThat(v.runnerUp()).isEqualTo(HttpServerKind.JDK);
        assertThat(HttpReport.verdict(rows, all, HttpBench.Load.JSON, 64)).as("no figures, no verdict").isNull();
    }

    @Test
    void the_http_section_replaces_its_old_self_and_survives_a_rewrite_of_the_rest(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("benchmarks.md");
        Files.writeString(md, "# Benchmarks\n\n## Results\n\necho table\n\n## User-space CPU\n\ntext\n");
        HttpReport.Meta meta = new HttpReport.Meta(Report.Machine.describe(), "wrk test", "scripts/bench.sh --part http",
                Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(61), "0.10 0.20 0.30", "0.40 0.50 0.60",
                new HttpBench.Settings(List.of(HttpServerKind.values()), List.of(HttpBench.Load.PLAINTEXT), List.of(64), 1,
                        Duration.ofSeconds(4), Duration.ofSeconds(1), Duration.ofSeconds(4), 0, dir), List.of());
        List<HttpBench.Row> rows = List.of(row(1, HttpServerKind.MIO, 10), row(1, HttpServerKind.NETTY, 20));

        HttpReport.write(rows, meta, dir);
        String first = Files.readString(md);
        assertThat(first).contains("echo table", "## HTTP: wrk", "| plaintext | 64 | io.mio HttpServer | 1,000 | 10.00 | **100,000** |",
                "**Met in all 1 cells**", "scripts/bench.sh --part http");
        assertThat(first.indexOf("## HTTP")).as("before the user-CPU section").isLessThan(first.indexOf("## User-space CPU"));
        assertThat(Files.readString(dir.resolve("benchmarks-http.csv"))).startsWith(HttpBench.Row.CSV_HEADER)
                .contains("1,mio,plaintext,64,1000,");

        HttpReport.write(List.of(row(1, HttpServerKind.MIO, 10), row(1, HttpServerKind.NETTY, 5)), meta, dir);
        String second = Files.readString(md);
        assertThat(second).as("the section replaced, not added").containsOnlyOnce("## HTTP").contains("**missed**")
                .doesNotContain("**met**");
        assertThat(HttpReport.preserved(md)).startsWith(HttpReport.BEGIN).contains("**missed**").endsWith(HttpReport.END + "\n\n");

        // A run of the echo part rewrites the file: the HTTP section stays, once, before the user-CPU section.
        System.setProperty("java.awt.headless", "true");
        Report.Meta echoMeta = new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf", null),
                "scripts/bench.sh --part echo", Instant.parse("2026-01-02T00:00:00Z"), Duration.ofMinutes(3), "0.00 0.00 0.00",
                "1.00 1.00 1.00", 1, Duration.ofMillis(700), Duration.ofMillis(1000), Duration.ofMillis(500), 0, null,
                null, List.of(), List.of(1), List.of(64), List.of(ServerKind.MIO), List.of(1), List.of(64), Duration.ofMinutes(2), List.of());
        Report.write(List.of(new Row(1, ServerKind.MIO, 1, 64, 10_000, 50, 80, 100, 5, 5, 2, 1, 100, 0.4)), echoMeta, null, dir);
        String third = Files.readString(md);
        assertThat(third).doesNotContain("echo table").containsOnlyOnce("## HTTP").contains("**missed**")
                .contains("scripts/bench.sh --part echo");
        assertThat(third.indexOf("## HTTP")).isLessThan(third.indexOf("## User-space CPU"));
    }
}
