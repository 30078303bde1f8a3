package io.mio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The io_uring targets of issue 13 measured in paired runs ({@code --part uring-targets}): every server of the
 * comparison is started once and kept running, and each round measures the target cells one after another, every
 * server of a cell seconds after the last in an order that rotates from round to round. The echo part measures a
 * server's cells together and the next server minutes later; on this VM the speed of the machine drifted by up to
 * 2x between such measurements, which no ratio of the two survives. Here a ratio compares figures taken under the
 * same conditions, and many short rounds give a median the drift barely moves.
 *
 * <p>Writes its own section of docs/benchmarks.md ({@link #HEADING}, after the echo part's io_uring section; the
 * rest of the report stays) and docs/benchmarks-uring-paired.csv. Not thread-safe (one run at a time).
 */
final class PairedTargets {
    private PairedTargets() {
    }

    static final String HEADING = "## io_uring backend: targets, paired runs";
    static final String CSV = "benchmarks-uring-paired.csv";
    /** The servers every io.mio io_uring kind is judged against (UringReport's bases). */
    static final List<ServerKind> BASES = List.of(ServerKind.MIO, ServerKind.C_SHORT, ServerKind.C_URING,
            ServerKind.NETTY_URING);
    /** The cells of the targets: 64 x 64 B, then 1 connection at both sizes. */
    static final List<int[]> CELLS = List.of(new int[]{UringReport.TARGET_CONNS, UringReport.TARGET_SIZE},
            new int[]{1, 64}, new int[]{1, 4096});
    /** The default cells: the targets', and 1,000 x 64 B, where the buffer ring's size shows. */
    static final List<int[]> DEFAULT_CELLS = List.of(CELLS.get(0), CELLS.get(1), CELLS.get(2), new int[]{1000, 64});

    /** "64x64,1x4096" as cells; every cell of {@link #CELLS} must be among them (the targets are judged there). */
    static List<int[]> parseCells(String csv) {
        List<int[]> cells = new ArrayList<>();
        for (String c : csv.split(",")) {
            String[] cs = c.trim().split("x");
            if (cs.length != 2) {
                throw new IllegalArgumentException("--paired-cells: \"" + c + "\" is not CONNSxSIZE (e.g. 64x64)");
            }
            cells.add(new int[]{Integer.parseInt(cs[0]), Integer.parseInt(cs[1])});
        }
        for (int[] t : CELLS) {
            if (cells.stream().noneMatch(x -> x[0] == t[0] && x[1] == t[1])) {
                throw new IllegalArgumentException("--paired-cells must hold the target cell " + t[0] + "x" + t[1]);
            }
        }
        return cells;
    }

    /** What to run: the servers (io_uring kinds, bases and any others named), rounds, and each cell's windows. */
    record Settings(List<ServerKind> servers, List<int[]> cells, int rounds, Duration warmup, Duration measure,
                    Duration perf, Integer serverCpu, Path work, Path docs, String command) {
    }

    /** Every server of {@code s} that can run here, then the paired rounds; writes the section and the CSV. */
    static void run(Settings s) throws IOException {
        Files.createDirectories(s.work());
        Report.Machine machine = Report.Machine.describe();
        List<String> notes = new ArrayList<>();
        List<ServerKind> kinds = new ArrayList<>();
        Path cServer = Bench.needsC(s.servers()) ? CServer.build(s.work()) : null;
        for (ServerKind kind : s.servers()) {
            String skip = kind.isNative() && cServer == null ? CServer.problem : Bench.skip(kind);
            if (skip != null) {
                notes.add(kind.label + " skipped: " + skip);
                System.out.println(notes.getLast());
            } else {
                kinds.add(kind);
            }
        }
        String loadBefore = Report.Machine.loadAverage();
        Instant started = Instant.now();
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Path csv = s.work().resolve(CSV);
        Files.writeString(csv, Row.CSV_HEADER + "\n");
        Bench.Options o = new Bench.Options();
        o.measure = s.measure();
        o.perf = s.perf();
        Map<ServerKind, ServerProcess> servers = new LinkedHashMap<>();
        try {
            for (ServerKind kind : kinds) {
                ServerProcess server = ServerProcess.start(kind, cServer, s.serverCpu(), s.work().resolve("logs"), 60);
                servers.put(kind, server);
                Bench.warmUp(kind, server, new InetSocketAddress("127.0.0.1", server.port));
            }
            List<int[]> cellList = s.cells();
            int cells = s.rounds() * cellList.size() * kinds.size();
            int done = 0;
            for (int round = 1; round <= s.rounds(); round++) {
                for (int c = 0; c < cellList.size(); c++) {
                    int conns = cellList.get(c)[0];
                    int size = cellList.get(c)[1];
                    for (int k = 0; k < kinds.size(); k++) {
                        ServerKind kind = kinds.get((k + round - 1 + c) % kinds.size()); // a new order each round
                        ServerProcess server = servers.get(kind);
                        done++;
                        if (server == null) {
                            continue; // failed in an earlier round
                        }
                        try {
                            Row row = Bench.cell(round, kind, server, new InetSocketAddress("127.0.0.1", server.port),
                                    conns, size, s.warmup(), o);
                            rows.add(row);
                            Files.writeString(csv, row.csv() + "\n", java.nio.file.StandardOpenOption.APPEND);
                            System.out.printf(Locale.ROOT, "[%3d/%d] round %d %-40s C=%-3d S=%-5d %9.0f rt/s  cpu %6.2f"
                                            + " us/rt (user %.2f sys %.2f)  syscalls/rt %.2f%n", done, cells, round,
                                    kind.label, conns, size, row.roundTripsPerSecond(), row.cpuMicrosPerRt(),
                                    row.userMicrosPerRt(), row.sysMicrosPerRt(), row.syscallsPerRt());
                        } catch (IOException | RuntimeException e) {
                            failures.add("round " + round + ", " + kind.label + ": " + e.getMessage());
                            System.out.println("FAILED " + failures.getLast());
                            servers.remove(kind).close();
                        }
                    }
                }
            }
        } finally {
            for (ServerProcess server : servers.values()) {
                server.close();
            }
        }
        Duration took = Duration.between(started, Instant.now());
        Report.Meta meta = new Report.Meta(machine, s.command(), started, took, loadBefore,
                Report.Machine.loadAverage(), s.rounds(), s.warmup(), s.measure(), s.perf(), s.serverCpu(), null,
                Perf.probe() ? null : "perf unavailable: " + Perf.unavailable(), failures,
                s.cells().stream().map(c -> c[0]).distinct().toList(), List.of(64, 4096), kinds, List.of(), List.of(),
                took, notes);
        Files.createDirectories(s.docs());
        Files.copy(csv, s.docs().resolve(CSV), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path md = s.docs().resolve("benchmarks.md");
        Files.writeString(md, splice(Report.existing(s.docs()), section(rows, meta)));
        System.out.println("wrote the section \"" + HEADING.substring(3) + "\" of " + md + " and " + s.docs().resolve(CSV)
                + " (" + took.toSeconds() + " s)" + (failures.isEmpty() ? "" : "; " + failures.size() + " failure(s)"));
    }

    /** The section: how it was measured, then each io.mio io_uring kind's targets judged over the paired rounds. */
    static String section(List<Row> rows, Report.Meta m) {
        List<int[]> cells = new ArrayList<>();
        for (Row r : rows) {
            if (cells.stream().noneMatch(c -> c[0] == r.conns() && c[1] == r.size())) {
                cells.add(new int[]{r.conns(), r.size()});
            }
        }
        StringBuilder md = new StringBuilder(HEADING).append("\n\n");
        md.append("Generated by `").append(m.command()).append("` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(m.started().atOffset(ZoneOffset.UTC).withNano(0)))
                .append(" UTC in ").append(m.took().toMinutes()).append(" min; raw figures: [").append(CSV).append("](")
                .append(CSV).append("). Machine: ").append(m.machine().cpu()).append(", ").append(m.machine().cpus())
                .append(" cores, Linux ").append(m.machine().kernel()).append("; load average before ")
                .append(m.loadBefore()).append(", after ").append(m.loadAfter()).append(".\n\n");
        md.append("Method: the servers (").append(String.join(", ", m.servers().stream().map(k -> k.label).toList()))
                .append(") are started once, warmed up as in the echo part, and kept running, pinned to CPU ")
                .append(m.serverCpu() == null ? "(not pinned)" : m.serverCpu()).append(". Each of ").append(m.rounds())
                .append(" rounds measures the cells ").append(String.join(", ", cells.stream()
                        .map(c -> c[0] + " × " + Report.size(c[1])).toList())).append(", every server in turn (")
                .append(m.warmup().toMillis()).append(" ms on new connections, ").append(m.measure().toMillis())
                .append(" ms measured, ").append(m.perf().toMillis())
                .append(" ms counted by perf), in an order that rotates every round, so that the two figures of a")
                .append(" ratio are taken seconds apart; the echo part's rounds measure a server's cells together and")
                .append(" the next server minutes later, when this VM's speed may have changed by up to 2x. The")
                .append(" median of the per-round ratios is judged; these verdicts are the issue's.\n\n");
        for (String note : m.notes()) {
            md.append("- ").append(note).append("\n");
        }
        for (String failure : m.failures()) {
            md.append("- **Failed**: ").append(failure).append("\n");
        }
        if (!m.notes().isEmpty() || !m.failures().isEmpty()) {
            md.append("\n");
        }
        List<ServerKind> kinds = UringReport.KINDS.stream().filter(m.servers()::contains).toList();
        for (ServerKind u : kinds) {
            md.append("### ").append(u.label).append(", paired\n\n");
            UringReport.targets(md, rows, m, u,
                    "A ratio is computed within each round (the two servers measured seconds apart);");
        }
        List<ServerKind> others = m.servers().stream()
                .filter(k -> !UringReport.KINDS.contains(k) && !BASES.contains(k)).toList();
        if (!others.isEmpty()) {
            md.append("### Other servers of the run\n\n| server | C | S | CPU/rt ÷ C io_uring | CPU/rt ÷ io.mio (EPOLL) |\n")
                    .append("|---|---|---|---|---|\n");
            for (ServerKind k : others) {
                for (int[] cell : cells) {
                    md.append("| ").append(k.label).append(" | ").append(cell[0]).append(" | ").append(Report.size(cell[1]));
                    for (ServerKind base : List.of(ServerKind.C_URING, ServerKind.MIO)) {
                        List<UringReport.PerRound> r = UringReport.ratioByRound(rows, k, base, cell[0], cell[1],
                                Row::cpuMicrosPerRt);
                        UringReport.Verdict v = UringReport.Verdict.of(r, Double.MAX_VALUE);
                        md.append(" | ").append(UringReport.x(v.median())).append(" <sub>")
                                .append(v.roundsText()).append("</sub>");
                    }
                    md.append(" |\n");
                }
            }
            md.append("\n");
        }
        md.append("CPU per round trip (µs, median over rounds) and syscalls per round trip, per server and cell:\n\n")
                .append("| server |");
        for (int[] cell : cells) {
            md.append(" ").append(cell[0]).append(" × ").append(Report.size(cell[1])).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(cells.size())).append("\n");
        for (ServerKind k : m.servers()) {
            md.append("| ").append(k.label).append(" |");
            for (int[] cell : cells) {
                md.append(String.format(Locale.ROOT, " %.2f (%.2f) |",
                        Report.medianOf(rows, k, cell[0], cell[1], Row::cpuMicrosPerRt),
                        Report.medianOf(rows, k, cell[0], cell[1], Row::syscallsPerRt)));
            }
            md.append("\n");
        }
        return md.append("\n").toString();
    }

    /** {@code md} with this section replaced, or put right after the echo part's io_uring section. */
    static String splice(String md, String section) {
        if (Report.subsection(md, HEADING) != null) {
            return Report.replaceSection(md, HEADING, section);
        }
        String uring = Report.subsection(md, UringReport.HEADING);
        if (uring != null) {
            int end = md.indexOf(uring) + uring.length();
            return md.substring(0, end) + section + md.substring(end);
        }
        return Report.replaceSection(md, HEADING, section);
    }
}
