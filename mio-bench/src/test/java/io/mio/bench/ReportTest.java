package io.mio.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated report from made-up figures: the WebAssembly section judges each guest against its targets
 * (CPU per round trip at most 2x io.mio's within each round, at most 3 syscalls per round trip) and the scale
 * section judges memory per idle connection against Netty's and poll()'s cost against flatness, with the
 * skipped idle counts said.
 */
class ReportTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void everyServerKindHasAChartColourOfItsOwn() {
        // charts colour a server by its ordinal: two kinds sharing a colour cannot be told apart in a legend
        assertThat(Report.PALETTE).hasSizeGreaterThanOrEqualTo(ServerKind.values().length);
        assertThat(java.util.Arrays.stream(Report.PALETTE).distinct().count()).isEqualTo(Report.PALETTE.length);
    }

    private static Row echo(int round, ServerKind k, double cpu, double syscalls) {
        return new Row(round, k, 1, 64, 10_000, 50, 80, 100, cpu / 2, cpu / 2, syscalls, 1, 100, 0.4);
    }

    private static ScaleRow scale(ServerKind k, int idle, double heapUsedKiB, double cpu, double syscalls) {
        // RSS stays put as the heap grows inside its pre-touched committed size: nothing grows outside the heap
        return new ScaleRow(1, k, idle, 1, 100_000, heapUsedKiB, 65_536, 10_000, 80, cpu / 2, cpu / 2, syscalls, 1, Double.NaN, Double.NaN);
    }

    private static ScaleRow scaleKernel(ServerKind k, int idle, double kernelKiB, double registrationKiB) {
        return new ScaleRow(1, k, idle, 1, 100_000, 2_000, 65_536, 10_000, 80, 10, 10, 3, 1, kernelKiB, registrationKiB);
    }

    private static String write(Path dir, List<Row> rows, List<ServerKind> servers, Scale.Result scale) throws Exception {
        Report.Meta meta = new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf",
                        "wasmedge version 0.17.1"),
                "scripts/bench.sh --test", Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(3), "0.00 0.00 0.00",
                "1.00 1.00 1.00", 3, Duration.ofMillis(700), Duration.ofMillis(1000), Duration.ofMillis(500), 0, null,
                null, List.of(), List.of(1), List.of(64), servers, List.of(1), List.of(64), Duration.ofMinutes(2), List.of());
        Report.write(rows, meta, scale, dir);
        return Files.readString(dir.resolve("benchmarks.md"));
    }

    @Test
    void wasm_guests_are_judged_against_their_targets_within_each_round(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        double[] mio = {20, 20, 20};
        double[] guest = {30, 50, 36};      // ratios 1.5, 2.5, 1.8: median 1.8, met, round 2 over
        double[] pollGuest = {50, 60, 42};  // ratios 2.5, 3.0, 2.1: not met
        for (int r = 1; r <= 3; r++) {
            rows.add(echo(r, ServerKind.MIO, mio[r - 1], 3));
            rows.add(echo(r, ServerKind.WASM_ECHO, guest[r - 1], 3));
            rows.add(echo(r, ServerKind.WASM_ECHO_POLL, pollGuest[r - 1], 5));
        }
        String md = write(dir, rows, List.of(ServerKind.MIO, ServerKind.WASM_ECHO, ServerKind.WASM_ECHO_POLL), null);

        assertThat(md).contains("## WebAssembly guest").contains("at most **2× io.mio's native echo server**")
                .contains("at most **3 syscalls per round trip**");
        String wasm = section(md, "## WebAssembly guest");
        assertThat(line(wasm, "| 1 | 64 B | wasm echo_guest, epoll_oneoff |"))
                .contains("1.80× <sub>(1.50, 2.50, 1.80)</sub>").contains("| met (round 2 over) |").contains("| 3.00 <sub>(3.00)</sub> | met |");
        assertThat(line(wasm, "| 1 | 64 B | wasm echo_guest, poll_oneoff |"))
                .contains("2.50×").contains("| **not met** |").contains("| 5.00 <sub>(3.00)</sub> | **not met** |");
        assertThat(md).contains("- **wasm echo_guest, epoll_oneoff**: CPU target met in 1 of 1 cells, syscall target met in 1 of 1 cells.");
        assertThat(md).doesNotContain("## Scale: idle connections");
        assertThat(dir.resolve("benchmarks-cpu.png")).exists();
    }

    @Test
    void scale_section_compares_memory_with_netty_and_says_whether_poll_stays_flat(@TempDir Path dir) throws Exception {
        List<ScaleRow> rows = List.of(
                // io.mio: 250 B of heap per connection at 1024 idle (250 KiB), CPU 20 -> 21 us/rt, syscalls 3 -> 3
                scale(ServerKind.MIO, 0, 2_000, 20, 3), scale(ServerKind.MIO, 1024, 2_250, 21, 3),
                // Netty: 1000 B per connection; CPU 20 -> 30: not flat (but only io.mio's flatness is judged)
                scale(ServerKind.NETTY, 0, 6_000, 20, 3.13), scale(ServerKind.NETTY, 1024, 7_000, 30, 3.13),
                // io.mio on the Selector backend: CPU 20 -> 30, not flat
                scale(ServerKind.MIO_SELECTOR, 0, 3_000, 20, 4), scale(ServerKind.MIO_SELECTOR, 1024, 3_500, 30, 4));
        Scale.Ladder ladder = Scale.plan(List.of(0, 1024, 50000), 20000);
        Scale.Result result = new Scale.Result(new Scale.Settings(List.of(0, 1024, 50000), 1, 1, Duration.ofMillis(300),
                Duration.ofMillis(700), Duration.ofMillis(400), 0, dir), ladder, rows, List.of(), List.of(), 20000, 20000, 1,
                Duration.ofSeconds(80));
        String md = write(dir, List.of(), List.of(), result);

        assertThat(md).contains("## Scale: idle connections")
                .contains("**Targets**: memory per idle connection below Netty's; poll() cost flat as idle connections grow.");
        assertThat(md).contains("Not run: 50000 idle connections: the server would need about 50512 open files")
                .contains("- 19000 idle connections, the largest count that fits (rounded down to a thousand), run instead.");
        // the ladder planned 19000 instead of 50000, but no server ran it: the largest common count is 1024
        assertThat(line(md, "- **Memory per idle connection**")).contains("1024 idle").contains("io.mio 250 B")
                .contains("Netty epoll 1000 B").contains("**met** (0.25× Netty's)").contains("io.mio, Selector backend 500 B");
        assertThat(line(md, "- **poll() cost, io.mio**:")).contains("1.05×").contains("3.00 → 3.00").contains("**flat**");
        assertThat(line(md, "- **poll() cost, io.mio, Selector backend**:")).contains("1.50×").contains("**not flat**");
        assertThat(line(md, "| io.mio | 1024 |")).contains("| **250 B** | 250 B | 0 B |").contains("| 1.05× |");
        assertThat(md).doesNotContain("## Headline").doesNotContain("## WebAssembly guest");
        assertThat(dir.resolve("benchmarks-scale-cpu.png")).exists();
        assertThat(dir.resolve("benchmarks-scale-memory.png")).exists();
    }

    @Test
    void scale_section_gives_kernel_memory_per_idle_connection_and_uring_against_epoll(@TempDir Path dir) throws Exception {
        List<ScaleRow> rows = List.of(
                // io.mio EPOLL: +7000 KiB of slab over 1024 idle (7000 B each), 128 of them an epitem;
                // io.mio URING: +7128 KiB (7128 B each), 256 of them an io_kiocb
                scaleKernel(ServerKind.MIO, 0, 30_000, 20), scaleKernel(ServerKind.MIO, 1024, 37_000, 148),
                scaleKernel(ServerKind.MIO_URING, 0, 31_000, 20), scaleKernel(ServerKind.MIO_URING, 1024, 38_128, 276),
                scaleKernel(ServerKind.NETTY, 0, 30_000, 20), scaleKernel(ServerKind.NETTY, 1024, 37_050, 148));
        Scale.Ladder ladder = Scale.plan(List.of(0, 1024), 20000);
        Scale.Result result = new Scale.Result(new Scale.Settings(List.of(0, 1024), 1, 1, Duration.ofMillis(300),
                Duration.ofMillis(700), Duration.ofMillis(400), 0, dir), ladder, rows, List.of(), List.of(), 20000, 20000, 1,
                Duration.ofSeconds(80));
        String md = write(dir, List.of(), List.of(), result);

        assertThat(md).contains("`SUnreclaim` in `/proc/meminfo`").contains("SO_LINGER 0").contains("one poll request per registration");
        assertThat(line(md, "| server | idle |")).contains("| kernel per idle conn (SUnreclaim) | of which registration slab |");
        assertThat(line(md, "| io.mio | 1024 |")).contains("| 7000 B | 128 B |");
        assertThat(line(md, "| io.mio, io_uring backend | 1024 |")).contains("| 7128 B | 256 B |");
        assertThat(md).contains("`eventpoll_epi` and `io_kiocb`");
        assertThat(line(md, "- **Kernel memory per idle connection**")).contains("1024 idle")
                .contains("io.mio 7000 B").contains("io.mio, io_uring backend 7128 B").contains("Netty epoll 7050 B")
                .contains("io.mio, io_uring backend − io.mio (EPOLL) at 1024 idle: +128 B per connection; in the registration caches alone 256 B against 128 B");
        assertThat(line(md, "- **poll() cost, io.mio, io_uring backend**:")).contains("1.00×").contains("**flat**");
    }

    @Test
    void wasm_part_replaces_only_the_webassembly_section_and_keeps_the_wasi_subsection(@TempDir Path dir) throws Exception {
        String before = "# Benchmarks\n\n## Results\n\nold results\n\n## WebAssembly guest\n\nold wasm table\n\n"
                + "### Java compiled to wasm32-wasi\n\nsizes and start-up\n\n## Scale: idle connections\n\nold scale\n";
        Files.writeString(dir.resolve("benchmarks.md"), before);
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            rows.add(echo(r, ServerKind.MIO, 20, 3));
            rows.add(echo(r, ServerKind.WASI_TCP, 30, 3));
            rows.add(echo(r, ServerKind.WASI_TCP_WASMEDGE, 25, 10));
        }
        Report.Meta meta = new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf", "0.17.1"),
                "scripts/bench.sh --part wasm", Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(3), "2.00 2.00 2.00",
                "1.00 1.00 1.00", 3, Duration.ofMillis(500), Duration.ofMillis(800), Duration.ofMillis(400), 0, null, null,
                List.of(), List.of(1), List.of(64), List.of(ServerKind.MIO, ServerKind.WASI_TCP, ServerKind.WASI_TCP_WASMEDGE),
                List.of(1), List.of(64), Duration.ofMinutes(3), List.of());

        Report.writeWasmSection(rows, meta, dir);
        String md = Files.readString(dir.resolve("benchmarks.md"));

        assertThat(md).startsWith("# Benchmarks\n\n## Results\n\nold results\n\n## WebAssembly guest\n\n")
                .endsWith("### Java compiled to wasm32-wasi\n\nsizes and start-up\n\n## Scale: idle connections\n\nold scale\n")
                .doesNotContain("old wasm table").contains("`scripts/bench.sh --part wasm`").contains("WasmEdge 0.17.1")
                .contains("**The machine was shared**");
        String wasm = section(md, "## WebAssembly guest");
        assertThat(line(wasm, "| 1 | 64 B | Java TcpServer compiled to wasm (TeaVM, WASI backend) on mio-wasm |"))
                .contains("1.50× <sub>(1.50, 1.50, 1.50)</sub>").contains("| 3.00 <sub>(3.00)</sub> | met |");
        assertThat(line(wasm, "| 1 | 64 B | Java TcpServer compiled to wasm (TeaVM, WASI backend) on WasmEdge AOT |"))
                .contains("1.25×").contains("| 10.00 <sub>(3.00)</sub> | **not met** |");
    }

    @Test
    void echo_guest_is_judged_against_item_7_targets_native_and_wasmedge_within_each_round(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        double[] mio = {20, 20, 20};
        double[] guest = {21, 24, 22};        // ÷ io.mio 1.05, 1.20, 1.10: median 1.10, met, round 2 over
        double[] edge = {40, 36, 30};         // ÷ WasmEdge 0.525, 0.667, 0.733: median 0.667, not met, rounds 2, 3 over
        double[] pollGuest = {30, 30, 30};    // ÷ io.mio 1.5: not met in every round; no WasmEdge twin ran
        for (int r = 1; r <= 3; r++) {
            rows.add(echo(r, ServerKind.MIO, mio[r - 1], 3));
            rows.add(echo(r, ServerKind.WASM_ECHO, guest[r - 1], 2));
            rows.add(echo(r, ServerKind.WASM_ECHO_WASMEDGE, edge[r - 1], 4));
            rows.add(echo(r, ServerKind.WASM_ECHO_POLL, pollGuest[r - 1], 2));
        }
        String md = write(dir, rows, List.of(ServerKind.MIO, ServerKind.WASM_ECHO, ServerKind.WASM_ECHO_POLL,
                ServerKind.WASM_ECHO_WASMEDGE), null);

        String wasm = section(md, "## WebAssembly guest");
        assertThat(wasm).contains("- **wasm echo_guest, epoll_oneoff, on WasmEdge AOT** (`--servers wasm-echo-wasmedge`)");
        String item7 = wasm.substring(wasm.indexOf("**Issue 12, item 7**"));
        assertThat(item7).contains("at most **1.1× io.mio native** and at most **0.6× the same guest on WasmEdge AOT**");
        assertThat(line(item7, "| 1 | 64 B | wasm echo_guest, epoll_oneoff |")).isEqualTo("| 1 | 64 B | wasm echo_guest, epoll_oneoff"
                + " | 1.10× <sub>(1.05, 1.20, 1.10)</sub> | met (round 2 over) | 36.00"
                + " | 0.67× <sub>(0.53, 0.67, 0.73)</sub> | **not met** (rounds 2, 3 over) |");
        assertThat(line(item7, "| 1 | 64 B | wasm echo_guest, poll_oneoff |"))
                .contains("| **not met** (rounds 1, 2, 3 over) | n/a | n/a | n/a |");
        assertThat(item7).doesNotContain("| 1 | 64 B | wasm echo_guest, epoll_oneoff, on WasmEdge AOT |");

        assertThat(Report.roundsVerdict(new double[] {0.5, 0.55}, 0.6)).isEqualTo("met");
        assertThat(Report.roundsVerdict(new double[0], 0.6)).isEqualTo("n/a");
        assertThat(Report.roundsVerdict(new double[] {0.7, Double.NaN, 0.62}, 0.6)).isEqualTo("**not met** (rounds 1, 3 over)");
    }

    @Test
    void wasi_subsection_is_replaced_or_added_at_the_end_of_the_webassembly_section() {
        String md = "# B\n\n## WebAssembly guest\n\ntable\n\n## Scale: idle connections\n\nscale\n";
        String added = Report.replaceWasiSubsection(md, "### Java compiled to wasm32-wasi\n\nfirst\n\n");
        assertThat(added).isEqualTo("# B\n\n## WebAssembly guest\n\ntable\n\n### Java compiled to wasm32-wasi\n\nfirst\n\n"
                + "## Scale: idle connections\n\nscale\n");
        assertThat(Report.replaceWasiSubsection(added, "### Java compiled to wasm32-wasi\n\nsecond\n\n"))
                .isEqualTo(added.replace("first", "second"));
        assertThat(Report.replaceWasiSubsection("# B\n\n## Reproduce\n\nx\n", "### Java compiled to wasm32-wasi\n\nw\n\n"))
                .isEqualTo("# B\n\n## WebAssembly guest\n\nNo wasm guest ran in the echo part of this page's run.\n\n"
                        + "### Java compiled to wasm32-wasi\n\nw\n\n## Reproduce\n\nx\n");
        assertThat(WasiExamples.ncPort(" $ nc 127.0.0.1 9000")).isEqualTo(9000);
        assertThat(WasiExamples.ncPort("You can connect to the server using `nc`:")).isEqualTo(-1);
    }

    private static Row cell(int round, ServerKind k, int conns, double cpu, double syscalls, double rtps) {
        return new Row(round, k, conns, 64, rtps, 50, 80, 100, cpu / 2, cpu / 2, syscalls, 1, 100, 0.4);
    }

    @Test
    void a_target_is_judged_on_the_median_of_the_rounds_with_the_rounds_over_it_named() {
        UringReport.Verdict v = UringReport.Verdict.of(List.of(new UringReport.PerRound(1, 0.40),
                new UringReport.PerRound(2, 0.52), new UringReport.PerRound(3, 0.45)), 0.5);
        assertThat(v.median()).isEqualTo(0.45);
        assertThat(v.met()).isTrue();
        assertThat(v.over()).containsExactly(2);
        assertThat(v.text()).isEqualTo("met (round 2 over)");
        assertThat(v.roundsText()).isEqualTo("(0.40, 0.52, 0.45)");

        UringReport.Verdict missed = UringReport.Verdict.of(List.of(new UringReport.PerRound(1, 1.2),
                new UringReport.PerRound(2, 0.9), new UringReport.PerRound(3, 1.1)), 1.05);
        assertThat(missed.met()).isFalse();
        assertThat(missed.text()).isEqualTo("**not met** (rounds 1, 3 over)");
        // judged at the two decimals shown: 1.052 reads 1.05, within 1.05
        assertThat(UringReport.Verdict.of(List.of(new UringReport.PerRound(1, 1.052)), 1.05).text()).isEqualTo("met");
        assertThat(UringReport.Verdict.of(List.of(), 0.5).text()).isEqualTo("n/a");
        assertThat(UringReport.Verdict.of(List.of(), 0.5).met()).isFalse();
    }

    @Test
    void uring_ratios_pair_rows_of_the_same_round_only() {
        List<Row> rows = List.of(cell(1, ServerKind.MIO_URING, 64, 10, 0.4, 1), cell(2, ServerKind.MIO_URING, 64, 12, 0.4, 1),
                cell(3, ServerKind.MIO_URING, 64, 9, 0.4, 1),
                // C io_uring failed in round 2: that round has no ratio, the others pair with their own round
                cell(3, ServerKind.C_URING, 64, 10, 0.3, 1), cell(1, ServerKind.C_URING, 64, 5, 0.3, 1));
        assertThat(UringReport.ratioByRound(rows, ServerKind.MIO_URING, ServerKind.C_URING, 64, 64, Row::cpuMicrosPerRt))
                .containsExactly(new UringReport.PerRound(1, 2.0), new UringReport.PerRound(3, 0.9));
        assertThat(UringReport.byRound(rows, ServerKind.MIO_URING, 64, 64, Row::cpuMicrosPerRt))
                .extracting(UringReport.PerRound::round).containsExactly(1, 2, 3);
    }

    @Test
    void uring_section_marks_each_target_and_says_whether_batching_pays_more_with_many_connections(@TempDir Path dir)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        double[] uring64 = {9, 11, 10};       // ÷ C epoll (10): 0.90, 1.10, 1.00 -> 1.00 met, round 2 over
        double[] syscalls = {0.4, 0.6, 0.45}; // median 0.45: met, round 2 over
        for (int r = 1; r <= 3; r++) {
            rows.add(cell(r, ServerKind.MIO_URING, 64, uring64[r - 1], syscalls[r - 1], 30_000));
            rows.add(cell(r, ServerKind.MIO, 64, 12, 2.1, 28_000));          // ÷ EPOLL 0.75, 0.92, 0.83
            rows.add(cell(r, ServerKind.C_SHORT, 64, 10, 2.1, 30_000));
            rows.add(cell(r, ServerKind.C_URING, 64, 8, 0.35, 32_000));      // 1.13, 1.38, 1.25: not met
            rows.add(cell(r, ServerKind.NETTY_URING, 64, 12, 0.5, 27_000));  // 0.75, 0.92, 0.83: met, round 2 over
            rows.add(cell(r, ServerKind.MIO_URING, 1, 22, 3, 15_000));
            rows.add(cell(r, ServerKind.MIO, 1, 20, 3, 16_000));              // 1.10: not worse? not met
            rows.add(cell(r, ServerKind.MIO_URING, 1000, 6, 0.1, 40_000));
            rows.add(cell(r, ServerKind.MIO, 1000, 12, 1.5, 35_000));         // 0.50 against 0.83 at 64: pays more
        }
        List<ServerKind> servers = List.of(ServerKind.MIO, ServerKind.MIO_URING, ServerKind.NETTY_URING, ServerKind.C_SHORT,
                ServerKind.C_URING);
        Report.Meta meta = new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf", "none"),
                "scripts/bench.sh --test", Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(3), "0.00 0.00 0.00",
                "1.00 1.00 1.00", 3, Duration.ofMillis(500), Duration.ofMillis(800), Duration.ofMillis(400), 0, null,
                null, List.of(), List.of(1, 64, 1000), List.of(64), servers, List.of(1), List.of(64), Duration.ofMinutes(2),
                List.of());
        Report.write(rows, meta, null, dir);
        String md = Files.readString(dir.resolve("benchmarks.md"));

        assertThat(line(md, "- Servers:")).contains("**io.mio, io_uring backend**");
        String uring = section(md, UringReport.HEADING);
        assertThat(uring).contains("in the section \"io_uring backend: targets, paired runs\"");
        assertThat(uring).contains("at most **0.5 syscalls per round trip**").contains("at most **1.05× the C io_uring server's**")
                .contains("at most **0.90× Netty io_uring's**");
        assertThat(line(uring, "| 64 | 64 B | syscalls per round trip ≤ 0.5 |"))
                .contains("| 0.45 | (0.40, 0.60, 0.45) | met (round 2 over) |");
        assertThat(line(uring, "| 64 | 64 B | CPU/rt ÷ C epoll, short read ≤ 1.00× |"))
                .contains("| 1.00× | (0.90, 1.10, 1.00) | met (round 2 over) |");
        assertThat(line(uring, "| 64 | 64 B | CPU/rt ÷ C io_uring ≤ 1.05× |")).contains("1.25×").contains("**not met** (rounds 1, 2, 3 over)");
        assertThat(line(uring, "| 64 | 64 B | CPU/rt ÷ Netty io_uring ≤ 0.90× |")).contains("0.83×").contains("met (round 2 over)");
        assertThat(line(uring, "| 1 | 64 B | CPU/rt ÷ io.mio (EPOLL) ≤ 1.00× |")).contains("1.10×").contains("**not met**")
                .contains("round trips/s ÷ EPOLL 0.94×");
        assertThat(uring).contains("**3 of 5 targets met**");
        assertThat(line(uring, "| 1000 | 64 B |")).contains("| 6.00 | 12.00 | 0.50× <sub>(0.50, 0.50, 0.50)</sub> | 0.10 (1.50) | 1.14× |");
        assertThat(line(uring, "- 1000 connections × 64 B:")).contains("0.50× EPOLL's, against 0.83× at 64").contains("**pays more**");
        assertThat(uring).contains("- 10000 connections: not run in this run (`scripts/bench.sh --full` adds them).");
        assertThat(UringReport.batchingPaysMore(rows, 10000, 64)).isNull();

        // with send(2) writes in the run too, each kind gets its own part, judged against the same peers
        Path both = Files.createDirectories(dir.resolve("both"));
        List<Row> withSends = new ArrayList<>(rows);
        for (int r = 1; r <= 3; r++) {
            withSends.add(cell(r, ServerKind.MIO_URING_SEND_CALLS, 64, 8, 0.3, 33_000)); // ÷ C epoll 0.80; 0.30 syscalls
        }
        List<ServerKind> bothServers = new ArrayList<>(servers);
        bothServers.add(ServerKind.MIO_URING_SEND_CALLS);
        Report.write(withSends, new Report.Meta(meta.machine(), meta.command(), meta.started(), meta.took(),
                meta.loadBefore(), meta.loadAfter(), 3, meta.warmup(), meta.measure(), meta.perf(), 0, null, null, List.of(),
                meta.conns(), meta.sizes(), bothServers, List.of(1), List.of(64), meta.echoTook(), List.of()), null, both);
        String bothMd = Files.readString(both.resolve("benchmarks.md"));
        String bothSection = section(bothMd, UringReport.HEADING);
        String sendsPart = bothSection.substring(bothSection.indexOf("### " + ServerKind.MIO_URING_SEND_CALLS.label + "\n"));
        assertThat(bothSection).contains("### " + ServerKind.MIO_URING.label + "\n");
        assertThat(line(sendsPart, "| 64 | 64 B | syscalls per round trip ≤ 0.5 |")).contains("| 0.30 |").contains("met");
        assertThat(line(sendsPart, "| 64 | 64 B | CPU/rt ÷ C epoll, short read ≤ 1.00× |")).contains("0.80×");
        assertThat(sendsPart).contains("-Dio.mio.uring.queuedSends=false");

        // without io.mio URING in the run, no section; with it skipped, the reason
        Path plain = Files.createDirectories(dir.resolve("plain"));
        String without = write(plain, rows.stream().filter(r -> r.server() == ServerKind.MIO).toList(), List.of(ServerKind.MIO), null);
        assertThat(without).doesNotContain(UringReport.HEADING);
        StringBuilder skipped = new StringBuilder();
        UringReport.section(skipped, List.of(), new Report.Meta(meta.machine(), meta.command(), meta.started(), meta.took(),
                meta.loadBefore(), meta.loadAfter(), 3, meta.warmup(), meta.measure(), meta.perf(), 0, null, null, List.of(),
                meta.conns(), meta.sizes(), List.of(ServerKind.MIO), List.of(1), List.of(64), meta.echoTook(),
                List.of(ServerKind.MIO_URING.label + " skipped: io_uring refused")));
        assertThat(skipped.toString()).contains("Not run: io.mio, io_uring backend skipped: io_uring refused.");
    }

    /** From {@code heading} to the next section. */
    @Test
    void io_uring_peers_are_described_when_they_ran_and_compared_like_the_others(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            rows.add(echo(r, ServerKind.MIO, 20, 2));
            rows.add(echo(r, ServerKind.NETTY_URING, 30, 0.5));
            rows.add(echo(r, ServerKind.C_URING, 10, 0.4));
        }
        Path withUring = Files.createDirectories(dir.resolve("uring"));
        String md = write(withUring, rows, List.of(ServerKind.MIO, ServerKind.NETTY_URING, ServerKind.C_URING), null);

        assertThat(line(md, "- Servers:")).contains("**Netty io_uring** (`NettyUringEchoServer`")
                .contains("**C io_uring** (`uring_echo.c`").contains("provided buffer ring");
        assertThat(line(md, "| 1 | 64 B | C io_uring |")).contains("0.50× <sub>(0.50, 0.50, 0.50)</sub>");
        assertThat(line(md, "| 1 | 64 B | Netty io_uring |")).contains("1.50× <sub>(1.50, 1.50, 1.50)</sub>");

        Path without = Files.createDirectories(dir.resolve("epoll"));
        String plain = write(without, rows.stream().filter(r -> r.server() == ServerKind.MIO).toList(),
                List.of(ServerKind.MIO), null);
        assertThat(line(plain, "- Servers:")).doesNotContain("io_uring");
    }

    private static String section(String md, String heading) {
        int from = md.indexOf(heading + "\n");
        assertThat(from).as("section " + heading).isNotNegative();
        int to = md.indexOf("\n## ", from + heading.length());
        return md.substring(from, to < 0 ? md.length() : to);
    }

    private static String line(String md, String start) {
        return md.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in:\n" + md));
    }
}
