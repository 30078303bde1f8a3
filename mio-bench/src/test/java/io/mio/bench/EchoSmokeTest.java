package io.mio.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's {@code --smoke} mode as a test: every server of the echo benchmark starts as its own
 * process and echoes correctly through the benchmark's own load generator (1 byte to 256 KiB messages, up
 * to 50 connections, every echo compared byte for byte; the wasm C guest only up to its 16 connections; the TLS
 * servers over TLS 1.3). No timing is measured or asserted. The C servers
 * are skipped, with the reason, where gcc is missing; the io_uring servers (C, Netty) where liburing-dev is
 * missing or io_uring is unavailable or refused (old kernel, kernel.io_uring_disabled, seccomp);
 * mio-examples' TcpServer compiled to wasm where its .wasm was not built (a reactor build makes mio-wasi-examples
 * before mio-bench; {@code -pl mio-bench} alone does not), and its WasmEdge run where wasmedge is not installed.
 */
class EchoSmokeTest {
    private static final Path WORK = Path.of("target", "bench-smoke");

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServerKind.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void server_starts_and_echoes_every_message_intact(ServerKind kind) throws Exception {
        Path cServer = null;
        if (kind.isNative()) {
            cServer = CServer.build(WORK);
            Assumptions.assumeTrue(cServer != null, () -> "C server skipped: " + CServer.problem);
        }
        String uring = kind.uringProblem();
        Assumptions.assumeTrue(uring == null, () -> kind.label + " skipped: " + uring);
        String wasiMissing = kind.wasiProblem();
        Assumptions.assumeTrue(wasiMissing == null, () -> kind.label + " skipped: " + wasiMissing);
        if (kind.isWasmEdge()) {
            wasmedgeCompiled();
            Assumptions.assumeTrue(WasiExamples.aotProblem == null, () -> kind.label + " skipped: " + WasiExamples.aotProblem);
        }
        List<Bench.SmokeResult> results = Bench.smoke(kind, cServer, WORK.resolve("logs"));

        assertThat(results).hasSize(Bench.smokePlans(kind).size());
        for (Bench.SmokeResult r : results) {
            assertThat(r.roundTrips()).as("round trips completed against %s", kind.label).isEqualTo(r.expected());
        }
    }

    /**
     * WasmEdge's ahead-of-time compile of tcp_server.wasm (about half a minute, once per .wasm content), done
     * before the timed tests: at most once, and only where wasmedge and the .wasm are there.
     */
    @BeforeAll
    static void wasmedgeCompiled() {
        ServerKind k = ServerKind.WASI_TCP_WASMEDGE;
        if (k.wasiProblem() == null) {
            Bench.wasiSkip(k);
        }
    }

    @Test
    void server_kinds_parse_from_their_command_line_names() {
        assertThat(ServerKind.parse("mio")).isEqualTo(ServerKind.MIO);
        assertThat(ServerKind.parse("mio-selector")).isEqualTo(ServerKind.MIO_SELECTOR);
        assertThat(ServerKind.parse("c-short")).isEqualTo(ServerKind.C_SHORT);
        assertThat(ServerKind.parse("c-uring")).isEqualTo(ServerKind.C_URING);
        assertThat(ServerKind.parse("c-uring-defer")).isEqualTo(ServerKind.C_URING_DEFER);
        assertThat(ServerKind.parse("netty-uring")).isEqualTo(ServerKind.NETTY_URING);
        assertThat(ServerKind.parse("netty-uring-bufring")).isEqualTo(ServerKind.NETTY_URING_BUFRING);
        assertThat(ServerKind.parse("Netty")).isEqualTo(ServerKind.NETTY);
        assertThat(ServerKind.parse("wasm-epoll")).isEqualTo(ServerKind.WASM_EPOLL);
        assertThat(ServerKind.parse("wasi-tcp")).isEqualTo(ServerKind.WASI_TCP);
        assertThat(ServerKind.parse("wasi-tcp-wasmedge")).isEqualTo(ServerKind.WASI_TCP_WASMEDGE);
        assertThat(ServerKind.parse("mio-tls")).isEqualTo(ServerKind.MIO_TLS);
        assertThat(ServerKind.parse("netty-tls")).isEqualTo(ServerKind.NETTY_TLS);
        assertThat(ServerKind.parse("mio-uring")).isEqualTo(ServerKind.MIO_URING);
        assertThat(ServerKind.defaults()).as("TLS servers run only when named").doesNotContain(ServerKind.MIO_TLS,
                ServerKind.NETTY_TLS);
        assertThat(ServerKind.defaults()).contains(ServerKind.C_URING, ServerKind.NETTY_URING)
                .doesNotContain(ServerKind.C_URING_DEFER, ServerKind.NETTY_URING_BUFRING);
        assertThat(ServerKind.scaleDefaults()).contains(ServerKind.C_URING, ServerKind.NETTY_URING);
        assertThat(ServerKind.defaults()).as("io.mio URING is published with its targets").contains(ServerKind.MIO_URING);
        assertThat(ServerKind.scaleDefaults()).contains(ServerKind.MIO_URING);
    }

    @Test
    void io_mio_uring_is_skipped_with_a_reason_exactly_where_its_backend_is_unavailable() {
        boolean available = io.mio.Backend.URING.isAvailable();
        if (available) {
            assertThat(ServerKind.MIO_URING.uringProblem()).isNull();
        } else {
            assertThat(ServerKind.MIO_URING.uringProblem()).contains("URING backend is unavailable");
        }
        assertThat(io.mio.Backend.current()).as("probing chose no backend for the harness").isNotEqualTo(io.mio.Backend.URING);
    }

    @Test
    void medians_and_per_round_ratios_are_computed_within_rounds() {
        List<Row> rows = List.of(
                row(1, ServerKind.MIO, 100), row(1, ServerKind.NIO, 50),
                row(2, ServerKind.MIO, 200), row(2, ServerKind.NIO, 300),
                row(3, ServerKind.MIO, 400), row(3, ServerKind.NIO, 200));

        assertThat(Report.medianOf(rows, ServerKind.NIO, 1, 64, Row::roundTripsPerSecond)).isEqualTo(200);
        // ratios per round: 0.5, 1.5, 0.5 -> median 0.5 (a ratio of the medians would give 200/200 = 1)
        assertThat(Report.medianRatio(rows, ServerKind.NIO, ServerKind.MIO, 1, 64, Row::roundTripsPerSecond))
                .isEqualTo(0.5);
        assertThat(Report.median(new double[] {3, Double.NaN, 1, 2, 4})).isEqualTo(2.5);
    }

    private static Row row(int round, ServerKind kind, double rate) {
        return new Row(round, kind, 1, 64, rate, 1, 2, 3, 1, 1, 2, 0.1, 10, 0.5);
    }
}
