package io.mio.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scale part's {@code --smoke} check as a test: every server of the scale part holds idle connections
 * opened by a separate holder process while active connections echo correctly, and reports its memory. Plus
 * the arithmetic the scale report rests on: which idle counts fit the open-file limit, and the memory per
 * connection and CPU ratios computed within rounds. No timing is measured or asserted.
 */
class ScaleTest {
    private static final Path WORK = Path.of("target", "bench-smoke");
    private static Holders holders;

    @BeforeAll
    static void startHolders() {
        holders = new Holders(WORK.resolve("logs"));
    }

    @AfterAll
    static void stopHolders() {
        holders.close();
    }

    static Stream<ServerKind> scaleServers() {
        return ServerKind.scaleDefaults().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaleServers")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void server_holds_idle_connections_while_active_ones_echo(ServerKind kind) throws Exception {
        Path cServer = null;
        if (kind.isNative()) {
            cServer = CServer.build(WORK);
            Assumptions.assumeTrue(cServer != null, () -> "C server skipped: " + CServer.problem);
        }
        String uring = kind.uringProblem();
        Assumptions.assumeTrue(uring == null, () -> kind.label + " skipped: " + uring);
        Scale.SmokeResult r = Scale.smoke(kind, cServer, WORK.resolve("logs"), holders, Bench.SMOKE_IDLE, Bench.SMOKE_ACTIVE);

        assertThat(r.serverFdsGained()).as("descriptors the server gained").isGreaterThanOrEqualTo(Bench.SMOKE_IDLE);
        assertThat(r.roundTrips()).as("round trips while idle connections were held").isEqualTo(r.expected());
        assertThat(r.heldAfter()).as("idle connections still held after the exchange").isEqualTo(Bench.SMOKE_IDLE);
        assertThat(r.rssKiB()).isPositive();
        if (!kind.isJava()) {
            assertThat(r.heap()).isNull();
        } else {
            assertThat(r.heap()).as("heap after GC reported by the server").isNotNull();
            assertThat(r.heap().used()).isPositive().isLessThanOrEqualTo(r.heap().committed());
        }
        assertThat(Bench.scaleSmokeProblem(r)).isNull();
        assertThat(holders.held()).as("holders closed their connections after the check").isZero();
    }

    @Test
    void idle_counts_over_the_open_file_limit_are_skipped_and_the_largest_that_fits_runs_instead() {
        Scale.Ladder ladder = Scale.plan(List.of(0, 1000, 10000, 50000), 20000);

        assertThat(ladder.idle()).containsExactly(0, 1000, 10000, 19000);
        assertThat(ladder.skipped()).singleElement().asString().contains("50000").contains("20000").contains("RLIMIT_NOFILE");
        assertThat(ladder.instead()).startsWith("19000 idle connections").contains("run instead");
    }

    @Test
    void idle_counts_that_fit_run_as_asked_with_the_zero_baseline_added() {
        assertThat(Scale.plan(List.of(10000, 1000), Long.MAX_VALUE).idle()).containsExactly(0, 1000, 10000);
        assertThat(Scale.plan(List.of(10000, 1000), Long.MAX_VALUE).skipped()).isEmpty();
        assertThat(Scale.plan(List.of(10000, 1000), Long.MAX_VALUE).instead()).isNull();
        // nothing to add when a requested count is already the largest that fits
        assertThat(Scale.plan(List.of(19000, 30000), 20000).idle()).containsExactly(0, 19000);
        assertThat(Scale.plan(List.of(19000, 30000), 20000).instead()).isNull();
    }

    @Test
    void memory_per_connection_and_cpu_ratios_are_computed_within_rounds() {
        List<ScaleRow> rows = List.of(
                // round 1: with 1024 idle the heap holds 1000 KiB more, outside the heap 24 KiB more
                row(1, 0, 10_000, 2_000, 8_000, 20), row(1, 1024, 10_024, 3_000, 8_000, 30),
                // round 2: the process sits 5000 KiB higher (a larger committed heap); 2048 KiB more heap, 0 outside
                row(2, 0, 15_000, 2_000, 13_000, 20), row(2, 1024, 15_000, 4_048, 13_000, 20));

        // outside the heap = RSS - committed heap; footprint = that + live heap
        assertThat(rows.get(1).outsideHeapKiB()).isEqualTo(2_024);
        assertThat(rows.get(1).footprintKiB()).isEqualTo(2_024 + 3_000);
        // KiB over 1024 connections = bytes per connection: heap 1000 and 2048 -> median 1524
        assertThat(Report.bytesPerConnection(rows, ServerKind.MIO, 1024, ScaleRow::heapUsedKiB)).isEqualTo(1524);
        assertThat(Report.bytesPerConnection(rows, ServerKind.MIO, 1024, ScaleRow::outsideHeapKiB)).isEqualTo(12);
        assertThat(Report.bytesPerConnection(rows, ServerKind.MIO, 1024, ScaleRow::footprintKiB)).isEqualTo((1024 + 2048) / 2.0);
        assertThat(Report.bytesPerConnection(rows, ServerKind.MIO, 0, ScaleRow::footprintKiB)).isNaN();
        // CPU per round trip with 1024 idle against 0 idle: 1.5 and 1.0 -> median 1.25
        assertThat(Report.ratioToZero(rows, ServerKind.MIO, 1024, ScaleRow::cpuMicrosPerRt)).isEqualTo(1.25);
        assertThat(Report.largestCommonIdle(rows, List.of(0, 1024, 10000), ServerKind.MIO)).isEqualTo(1024);
        assertThat(Report.largestCommonIdle(rows, List.of(0, 1024), ServerKind.MIO, ServerKind.NETTY)).isZero();
    }

    @Test
    void the_c_server_has_no_heap_and_all_of_its_rss_counts() {
        ScaleRow c = new ScaleRow(1, ServerKind.C_SHORT, 0, 1, 1400, Double.NaN, Double.NaN, 1, 1, 1, 1, 3, 1, Double.NaN, Double.NaN);
        assertThat(c.outsideHeapKiB()).isEqualTo(1400);
        assertThat(c.footprintKiB()).isEqualTo(1400);
    }

    private static ScaleRow row(int round, int idle, double rss, double heapUsed, double heapCommitted, double cpu) {
        return new ScaleRow(round, ServerKind.MIO, idle, 1, rss, heapUsed, heapCommitted, 10_000, 50, cpu / 2, cpu / 2,
                3, 1, Double.NaN, Double.NaN);
    }

    @Test
    void kernel_figures_parse_from_proc_and_the_live_ones_are_there() {
        String meminfo = "MemTotal:       24000000 kB\nSlab:             156100 kB\nSReclaimable:     125132 kB\n"
                + "SUnreclaim:        30968 kB\nKernelStack:        4000 kB\n";
        assertThat(KernelMemory.sUnreclaimKiB(meminfo)).isEqualTo(30_968);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KernelMemory.sUnreclaimKiB("MemTotal: 1 kB\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SUnreclaim");
        String sockstat = "sockets: used 12\nTCP: inuse 1 orphan 0 tw 20 alloc 1 mem 147\nUDP: inuse 0 mem 0\n";
        assertThat(KernelMemory.timeWait(sockstat)).isEqualTo(20);
        assertThat(KernelMemory.timeWait("UDP: inuse 0 mem 0\n")).isEqualTo(-1);
        String slabinfo = "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : ...\n"
                + "io_kiocb             176    240    256   16    1 : tunables    0    0    0 : slabdata     15     15      0\n"
                + "TCP                  195    195   2368   13    8 : tunables    0    0    0 : slabdata     15     15      0\n"
                + "eventpoll_epi        160    288    128   32    1 : tunables    0    0    0 : slabdata      9      9      0\n";
        // active objects x size of the two registration caches only: 176 x 256 + 160 x 128 bytes
        assertThat(KernelMemory.registrationSlabKiB(slabinfo)).isEqualTo((176 * 256 + 160 * 128) / 1024.0);
        assertThat(KernelMemory.registrationSlabKiB("slabinfo - version: 2.1\n")).isZero();
        // this machine's own figures (Linux): present and sane
        assertThat(KernelMemory.unreclaimableSlabKiB()).isPositive();
        assertThat(KernelMemory.timeWaitSockets()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void kernel_memory_per_idle_connection_is_the_slab_growth_within_each_round() {
        // round 1: +8000 KiB over 1024 idle (8000 B each); round 2 starts 500 KiB higher, +9024 KiB (9024 B each)
        List<ScaleRow> rows = List.of(kernelRow(1, 0, 30_000), kernelRow(1, 1024, 38_000),
                kernelRow(2, 0, 30_500), kernelRow(2, 1024, 39_524));
        assertThat(Report.bytesPerConnection(rows, ServerKind.MIO, 1024, ScaleRow::kernelSlabKiB)).isEqualTo((8000 + 9024) / 2.0);
        assertThat(rows.get(1).csv()).endsWith(",38000,NaN");
        assertThat(ScaleRow.CSV_HEADER).endsWith(",sunreclaim_kib,registration_slab_kib");
    }

    private static ScaleRow kernelRow(int round, int idle, double kernelKiB) {
        return new ScaleRow(round, ServerKind.MIO, idle, 1, 10_000, 2_000, 8_000, 10_000, 50, 10, 10, 3, 1, kernelKiB, Double.NaN);
    }
}
