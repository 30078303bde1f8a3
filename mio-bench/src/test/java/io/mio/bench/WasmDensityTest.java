package io.mio.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wasm-density part: its section survives the other parts' rewrites; per-guest figures; its keep-alive client. */
class WasmDensityTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static final String DENSITY = WasmDensity.HEADING + "\n\ndensity figures\n\n";

    @Test
    void the_full_report_and_the_wasm_part_keep_the_density_section(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("benchmarks.md"), "# Benchmarks\n\n## WebAssembly guest\n\nold\n\n" + DENSITY
                + "## Scale: idle connections\n\nold scale\n");
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            rows.add(new Row(r, ServerKind.MIO, 1, 64, 10_000, 50, 80, 100, 10, 10, 3, 1, 100, 0.4));
            rows.add(new Row(r, ServerKind.WASM_ECHO, 1, 64, 10_000, 50, 80, 100, 15, 15, 3, 1, 100, 0.4));
        }
        Report.Meta meta = new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf", "0.17.1"),
                "scripts/bench.sh --part wasm", Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(3), "0.00 0.00 0.00",
                "0.00 0.00 0.00", 3, Duration.ofMillis(500), Duration.ofMillis(800), Duration.ofMillis(400), 0, null, null,
                List.of(), List.of(1), List.of(64), List.of(ServerKind.MIO, ServerKind.WASM_ECHO), List.of(1), List.of(64),
                Duration.ofMinutes(3), List.of());
        Report.writeWasmSection(rows, meta, dir);
        assertThat(Files.readString(dir.resolve("benchmarks.md"))).contains(DENSITY).doesNotContain("\nold\n");
        Report.write(rows, meta, null, dir);
        String md = Files.readString(dir.resolve("benchmarks.md"));
        assertThat(md).contains(DENSITY);
        assertThat(md.indexOf(DENSITY)).as("after the WebAssembly section").isGreaterThan(md.indexOf("## WebAssembly guest"));
    }

    @Test
    void a_missing_density_section_goes_after_the_webassembly_one_and_a_present_one_is_replaced() {
        String md = "# B\n\n## WebAssembly guest\n\nw\n\n## Scale: idle connections\n\ns\n";
        String added = Report.replaceSection(md, WasmDensity.HEADING, DENSITY);
        assertThat(added).isEqualTo("# B\n\n## WebAssembly guest\n\nw\n\n" + DENSITY + "## Scale: idle connections\n\ns\n");
        assertThat(Report.replaceSection(added, WasmDensity.HEADING, WasmDensity.HEADING + "\n\nnew\n\n"))
                .doesNotContain("density figures").contains(WasmDensity.HEADING + "\n\nnew\n\n## Scale");
    }

    @Test
    void memory_per_additional_guest_is_taken_from_the_fewest_guests() {
        List<WasmDensity.Density> rows = List.of(
                new WasmDensity.Density("jvm", 1, 1, 80 * 1024, 60 * 1024, 1),
                new WasmDensity.Density("jvm", 100, 1, 179 * 1024, 159 * 1024, 1),
                new WasmDensity.Density("proc", 1, 1, 50 * 1024, 50 * 1024, 0),
                new WasmDensity.Density("proc", 10, 10, 500 * 1024, 140 * 1024, 0));
        assertThat(WasmDensity.perGuestMb(rows, "jvm", 100, false)).isEqualTo(1.0);
        assertThat(WasmDensity.perGuestMb(rows, "jvm", 100, true)).isEqualTo(1.0);
        assertThat(WasmDensity.perGuestMb(rows, "proc", 10, false)).isEqualTo(50.0);
        assertThat(WasmDensity.perGuestMb(rows, "proc", 10, true)).isEqualTo(10.0);
        assertThat(WasmDensity.perGuestMb(rows, "jvm", 1, false)).isNaN();
    }

    @Test
    void the_keep_alive_client_counts_whole_responses_and_rejects_a_bad_one() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, "HTTP/1.1 200 OK"));
            WasmDensity.Nagle n = WasmDensity.requests("test", "mode", server.getLocalPort(), 1);
            assertThat(n.requests()).isPositive();
            assertThat(n.perSecond()).isPositive();
            serving.join();
            CompletableFuture.runAsync(() -> serve(server, "HTTP/1.1 500 Oops"));
            assertThatThrownBy(() -> WasmDensity.requests("test", "mode", server.getLocalPort(), 1))
                    .isInstanceOf(IOException.class).hasMessageContaining("unexpected response: HTTP/1.1 500 Oops");
        }
    }

    /** One connection: answers each request's blank line with {@code status} and a 5-byte body, in two writes. */
    private static void serve(ServerSocket server, String status) {
        try (Socket c = server.accept()) {
            c.setTcpNoDelay(true);
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    matched = 0;
                    out.write((status + "\r\nContent-Length: 5\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException e) {
            // the client closed
        }
    }
}
