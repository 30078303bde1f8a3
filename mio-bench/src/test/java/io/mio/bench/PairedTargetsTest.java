package io.mio.bench;

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
 * The paired part's section from made-up figures: each io_uring kind judged over the paired rounds, the servers
 * that are neither judged nor a base compared on their own, and the section kept in place when the report is
 * written again.
 */
class PairedTargetsTest {

    private static Row row(int round, ServerKind k, int conns, int size, double cpu, double syscalls) {
        return new Row(round, k, conns, size, 10_000, 50, 80, 100, cpu / 2, cpu / 2, syscalls, 1, 100, 0.4);
    }

    private static Report.Meta meta(List<ServerKind> servers, List<Integer> conns, List<Integer> sizes) {
        return new Report.Meta(new Report.Machine("test CPU", 2, "1 GiB", "6.1", "JDK", "gcc", "perf", "none"),
                "scripts/bench.sh --part uring-targets", Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(9),
                "0.10 0.10 0.10", "1.00 1.00 1.00", 2, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 0, null, null, List.of(), conns, sizes, servers, List.of(), List.of(),
                Duration.ofMinutes(9), List.of());
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r <= 2; r++) {
            for (int[] cell : PairedTargets.CELLS) {
                int c = cell[0];
                int s = cell[1];
                rows.add(row(r, ServerKind.MIO, c, s, 10, 2.0));
                rows.add(row(r, ServerKind.C_SHORT, c, s, 10, 2.1));
                rows.add(row(r, ServerKind.C_URING, c, s, 10, 0.1));
                rows.add(row(r, ServerKind.NETTY_URING, c, s, 12, 0.1));
                rows.add(row(r, ServerKind.C_URING_DEFER, c, s, r == 1 ? 8 : 9, 0.1)); // 0.80, 0.90 of C io_uring
                // URING: 64 x 64 B at 9.5 and 10.5 (0.95 and 1.05 of C epoll: median 1.00, met, round 2 over)
                rows.add(row(r, ServerKind.MIO_URING, c, s, c == 64 ? (r == 1 ? 9.5 : 10.5) : 12, 0.3));
            }
        }
        return rows;
    }

    @Test
    void each_uring_kind_is_judged_over_the_paired_rounds_and_others_are_compared_apart() {
        List<ServerKind> servers = List.of(ServerKind.MIO_URING, ServerKind.MIO, ServerKind.C_SHORT, ServerKind.C_URING,
                ServerKind.NETTY_URING, ServerKind.C_URING_DEFER);
        String md = PairedTargets.section(rows(), meta(servers, List.of(1, 64), List.of(64, 4096)));

        assertThat(md).startsWith(PairedTargets.HEADING + "\n\n").contains("seconds apart")
                .contains("### " + ServerKind.MIO_URING.label + ", paired\n")
                .doesNotContain("### " + ServerKind.MIO_URING_SEND_CALLS.label)
                .doesNotContain("Many connections"); // the paired part runs no 1000-connection cell
        assertThat(line(md, "| 64 | 64 B | syscalls per round trip ≤ 0.5 |")).contains("| 0.30 |").contains("met");
        assertThat(line(md, "| 64 | 64 B | CPU/rt ÷ C epoll, short read ≤ 1.00× |"))
                .contains("| 1.00× | (0.95, 1.05) | met (round 2 over) |");
        assertThat(line(md, "| 1 | 64 B | CPU/rt ÷ io.mio (EPOLL) ≤ 1.00× |")).contains("1.20×").contains("**not met**");
        assertThat(line(md, "| 1 | 4 KiB | CPU/rt ÷ io.mio (EPOLL) ≤ 1.00× |")).contains("1.20×");
        assertThat(line(md, "| 64 | 64 B | CPU/rt ÷ Netty io_uring ≤ 0.90× |")).contains("| 0.83× | (0.79, 0.88) | met |");
        assertThat(md).contains("**4 of 6 targets met**");
        // C io_uring with DEFER_TASKRUN is neither judged nor a base: its own table
        assertThat(line(md, "| " + ServerKind.C_URING_DEFER.label + " | 64 | 64 B |"))
                .contains("| 0.85× <sub>(0.80, 0.90)</sub> | 0.85× <sub>(0.80, 0.90)</sub> |");
        // without C io_uring in the run, its column says so instead of printing NaN
        List<Row> noCUring = rows().stream().filter(r -> r.server() != ServerKind.C_URING).toList();
        String without = PairedTargets.section(noCUring, meta(servers, List.of(1, 64), List.of(64, 4096)));
        assertThat(line(without, "| " + ServerKind.C_URING_DEFER.label + " | 64 | 64 B |"))
                .startsWith("| " + ServerKind.C_URING_DEFER.label + " | 64 | 64 B | n/a <sub></sub> | 0.85× ");
        assertThat(line(md, "| " + ServerKind.MIO_URING.label + " |"))
                .isEqualTo("| " + ServerKind.MIO_URING.label + " | 10.00 (0.30) | 12.00 (0.30) | 12.00 (0.30) |");
    }

    @Test
    void the_section_goes_after_the_echo_parts_uring_section_and_survives_a_rewrite(@TempDir Path dir)
            throws Exception {
        String report = "# B\n\n" + UringReport.HEADING + "\n\nechoed\n\n### sub\n\nx\n\n" + Report.WASM_HEADING + "\n\nw\n";
        String first = PairedTargets.splice(report, PairedTargets.HEADING + "\n\none\n\n");
        assertThat(first).isEqualTo("# B\n\n" + UringReport.HEADING + "\n\nechoed\n\n### sub\n\nx\n\n"
                + PairedTargets.HEADING + "\n\none\n\n" + Report.WASM_HEADING + "\n\nw\n");
        assertThat(PairedTargets.splice(first, PairedTargets.HEADING + "\n\ntwo\n\n"))
                .isEqualTo(first.replace("one", "two"));

        // the echo part rewrites the report and keeps the paired section after its own io_uring section
        Files.writeString(dir.resolve("benchmarks.md"), first);
        List<Row> rows = rows();
        List<ServerKind> servers = List.of(ServerKind.MIO, ServerKind.MIO_URING, ServerKind.C_SHORT);
        Report.write(rows, meta(servers, List.of(1, 64), List.of(64)), null, dir);
        String md = Files.readString(dir.resolve("benchmarks.md"));
        assertThat(md).contains(PairedTargets.HEADING + "\n\none\n\n");
        assertThat(md.indexOf(PairedTargets.HEADING)).isGreaterThan(md.indexOf(UringReport.HEADING + "\n"));
    }

    @Test
    void cells_are_parsed_and_must_hold_the_target_cells() {
        assertThat(PairedTargets.parseCells("64x64,1x64,1x4096,1000x64")).hasSize(4)
                .anySatisfy(c -> assertThat(c).containsExactly(1000, 64));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PairedTargets.parseCells("64x64,1x64"))
                .hasMessageContaining("must hold the target cell 1x4096");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PairedTargets.parseCells("64-64"))
                .hasMessageContaining("\"64-64\" is not CONNSxSIZE");
    }

    private static String line(String md, String start) {
        return md.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in:\n" + md));
    }
}
