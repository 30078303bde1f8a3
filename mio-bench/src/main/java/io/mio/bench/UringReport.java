package io.mio.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The report's section on io.mio's URING backend ({@link ServerKind#MIO_URING}): issue 13's targets marked met or
 * missed, and its figures at 1,000 and 10,000 connections against io.mio on EPOLL. Every ratio is computed within a
 * round (both servers measured minutes apart under the same load) and the median over rounds judged, the rounds
 * over the target named, as the WebAssembly section does. Not thread-safe (static functions of their arguments).
 */
final class UringReport {
    private UringReport() {
    }

    static final String HEADING = "## io_uring backend: targets";
    /** Said under the heading: where the steadier verdicts come from. */
    static final String PAIRED_POINTER = "`scripts/bench.sh --part uring-targets` measures the same targets in paired"
            + " runs, the two figures of a ratio taken seconds apart instead of minutes, in the section \""
            + PairedTargets.HEADING.substring(3) + "\" (when it has run): its verdicts are the steadier ones.";
    /** The cell of the main targets: 64 connections x 64 B. */
    static final int TARGET_CONNS = 64;
    static final int TARGET_SIZE = 64;
    /** At most this many syscalls per round trip. */
    static final double SYSCALLS = 0.5;
    /** CPU per round trip at most these times the C epoll short-read server's, the C io_uring server's, Netty io_uring's. */
    static final double VS_C_EPOLL = 1.0;
    static final double VS_C_URING = 1.05;
    static final double VS_NETTY_URING = 0.9;
    /** At 1 connection, CPU per round trip at most io.mio EPOLL's. */
    static final double VS_EPOLL_ONE = 1.0;
    /** The connection counts published with their ratio to EPOLL, where batching should pay more. */
    static final List<Integer> MANY = List.of(1000, 10000);
    /** The io.mio io_uring kinds judged, each in its own part of the section when both ran. */
    static final List<ServerKind> KINDS = List.of(ServerKind.MIO_URING, ServerKind.MIO_URING_SEND_CALLS);

    /** A figure of one round. */
    record PerRound(int round, double value) {
    }

    /**
     * A target judged: met when the median over rounds, rounded to the two decimals the report shows, is at most
     * {@code limit}; {@code over} names the rounds whose figure (so rounded) exceeds it. No figure: median NaN,
     * not met.
     */
    record Verdict(double median, List<PerRound> rounds, double limit, boolean met, List<Integer> over) {
        static Verdict of(List<PerRound> rounds, double limit) {
            double median = Report.median(rounds.stream().mapToDouble(PerRound::value).toArray());
            List<Integer> over = new ArrayList<>();
            for (PerRound r : rounds) {
                if (Double.isFinite(r.value()) && shown(r.value()) > limit) {
                    over.add(r.round());
                }
            }
            return new Verdict(median, List.copyOf(rounds), limit, Double.isFinite(median) && shown(median) <= limit,
                    List.copyOf(over));
        }

        /** "met", "met (round 2 over)", "**not met** (rounds 1, 3 over)", or "n/a" without a figure. */
        String text() {
            if (!Double.isFinite(median)) {
                return "n/a";
            }
            String rounds = over.isEmpty() ? "" : " (round" + (over.size() > 1 ? "s " : " ")
                    + String.join(", ", over.stream().map(String::valueOf).toList()) + " over)";
            return (met ? "met" : "**not met**") + rounds;
        }

        /** The per-round figures in round order, "(0.40, 0.52, 0.45)"; "" for a single round. */
        String roundsText() {
            if (rounds.size() < 2) {
                return "";
            }
            return "(" + String.join(", ", rounds.stream().map(r -> f(r.value(), 2)).toList()) + ")";
        }
    }

    private static double shown(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static List<Row> select(List<Row> rows, ServerKind s, int conns, int size) {
        return rows.stream().filter(r -> r.server() == s && r.conns() == conns && r.size() == size).toList();
    }

    /** {@code metric} of {@code s} in each round it ran the cell, in round order. */
    static List<PerRound> byRound(List<Row> rows, ServerKind s, int conns, int size, ToDoubleFunction<Row> metric) {
        return select(rows, s, conns, size).stream().sorted(java.util.Comparator.comparingInt(Row::round))
                .map(r -> new PerRound(r.round(), metric.applyAsDouble(r))).toList();
    }

    /**
     * (metric of {@code s}) / (metric of {@code base}) in each round both ran the cell, in round order; a ratio
     * to 0 or of NaN figures is NaN (it says nothing).
     */
    static List<PerRound> ratioByRound(List<Row> rows, ServerKind s, ServerKind base, int conns, int size,
                                       ToDoubleFunction<Row> metric) {
        List<PerRound> out = new ArrayList<>();
        for (Row a : select(rows, s, conns, size)) {
            for (Row b : select(rows, base, conns, size)) {
                if (a.round() == b.round()) {
                    double r = metric.applyAsDouble(a) / metric.applyAsDouble(b);
                    out.add(new PerRound(a.round(), Double.isFinite(r) ? r : Double.NaN));
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(PerRound::round));
        return out;
    }

    /**
     * Whether batching pays more at {@code many} connections than at {@link #TARGET_CONNS}: io.mio URING's CPU per
     * round trip relative to EPOLL's (median of the per-round ratios) is lower there. Null when either is missing.
     */
    static Boolean batchingPaysMore(List<Row> rows, int many, int size) {
        return batchingPaysMore(rows, ServerKind.MIO_URING, many, size);
    }

    /** As {@link #batchingPaysMore(List, int, int)} for the io_uring kind {@code u}. */
    static Boolean batchingPaysMore(List<Row> rows, ServerKind u, int many, int size) {
        double at64 = median(ratioByRound(rows, u, ServerKind.MIO, TARGET_CONNS, size, Row::cpuMicrosPerRt));
        double atMany = median(ratioByRound(rows, u, ServerKind.MIO, many, size, Row::cpuMicrosPerRt));
        if (!Double.isFinite(at64) || !Double.isFinite(atMany)) {
            return null;
        }
        return shown(atMany) < shown(at64);
    }

    private static double median(List<PerRound> r) {
        return Report.median(r.stream().mapToDouble(PerRound::value).toArray());
    }

    private static String f(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
    }

    /** "1.05×", or "n/a" without a figure. */
    static String x(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f×", v) : "n/a";
    }

    /**
     * Appends the section when the echo part ran io.mio URING; when it was skipped (a note names it), a section
     * saying why; nothing otherwise.
     */
    static void section(StringBuilder md, List<Row> rows, Report.Meta m) {
        List<ServerKind> ran = m.servers();
        List<ServerKind> kinds = KINDS.stream().filter(ran::contains).toList();
        if (kinds.isEmpty()) {
            for (String note : m.notes()) {
                if (note.startsWith(ServerKind.MIO_URING.label + " skipped")) {
                    md.append(HEADING).append("\n\nNot run: ").append(note).append(".\n\n");
                }
            }
            return;
        }
        md.append(HEADING).append("\n\n").append(PAIRED_POINTER).append("\n\n");
        for (ServerKind u : kinds) {
            if (kinds.size() > 1) {
                md.append("### ").append(u.label).append("\n\n");
            }
            kindSection(md, rows, m, u);
        }
    }

    /** The targets and the many-connection figures of the io_uring kind {@code u}. */
    private static void kindSection(StringBuilder md, List<Row> rows, Report.Meta m, ServerKind u) {
        targets(md, rows, m, u, "A ratio is computed within each round (the two servers measured minutes apart under"
                + " the same load);");
        manyConnections(md, rows, m, u);
    }

    /**
     * The targets of the io_uring kind {@code u} judged over the rounds of {@code rows}, and how many were met;
     * {@code method} says how far apart the two figures of a ratio were taken.
     */
    static void targets(StringBuilder md, List<Row> rows, Report.Meta m, ServerKind u, String method) {
        List<ServerKind> ran = m.servers();
        String uring = u.label;
        md.append("**Targets** (issue 13) for ").append(uring).append(" (`MioEchoServer` with `")
                .append(String.join(" ", u.jvmOptions)).append("`) at ")
                .append(TARGET_CONNS).append(" connections × ").append(Report.size(TARGET_SIZE)).append(": at most **")
                .append(f(SYSCALLS, 1)).append(" syscalls per round trip**; server CPU per round trip at most **")
                .append(x(VS_C_EPOLL)).append(" the C epoll short-read server's**, at most **").append(x(VS_C_URING))
                .append(" the C io_uring server's** and at most **").append(x(VS_NETTY_URING))
                .append(" Netty io_uring's**; at 1 connection, CPU per round trip at most **").append(x(VS_EPOLL_ONE))
                .append(" io.mio EPOLL's** (not worse). At ").append(String.join(" and ", MANY.stream().map(String::valueOf).toList()))
                .append(" connections: published with the ratio to io.mio EPOLL.\n\n");
        md.append(method)
                .append(" the median is judged, at the two decimals shown, and the rounds over the target are named.")
                .append(" Syscalls per round trip: the median over rounds of the perf window's count.\n\n");
        md.append("| C | S | target | ").append(uring).append(" | per round | verdict |\n|---|---|---|---:|---|---|\n");
        int met = 0;
        int judged = 0;
        List<String> missing = new ArrayList<>();
        int c = TARGET_CONNS;
        int s = TARGET_SIZE;
        if (!m.conns().contains(c) || !m.sizes().contains(s) || select(rows, u, c, s).isEmpty()) {
            missing.add("the cell " + c + " connections × " + Report.size(s) + " did not run for " + uring);
        } else {
            List<Object[]> targets = new ArrayList<>();
            targets.add(new Object[]{"syscalls per round trip ≤ " + f(SYSCALLS, 1), null,
                    Verdict.of(byRound(rows, u, c, s, Row::syscallsPerRt), SYSCALLS), false});
            for (Object[] t : new Object[][]{{ServerKind.C_SHORT, VS_C_EPOLL}, {ServerKind.C_URING, VS_C_URING},
                    {ServerKind.NETTY_URING, VS_NETTY_URING}}) {
                ServerKind base = (ServerKind) t[0];
                double limit = (Double) t[1];
                targets.add(new Object[]{"CPU/rt ÷ " + base.label + " ≤ " + x(limit), base,
                        Verdict.of(ratioByRound(rows, u, base, c, s, Row::cpuMicrosPerRt), limit), true});
            }
            for (Object[] t : targets) {
                ServerKind base = (ServerKind) t[1];
                Verdict v = (Verdict) t[2];
                boolean ratio = (Boolean) t[3];
                String verdict = base != null && !ran.contains(base) ? "n/a (" + base.label + " not in this run)" : v.text();
                judged++;
                met += v.met() ? 1 : 0;
                md.append("| ").append(c).append(" | ").append(Report.size(s)).append(" | ").append(t[0]).append(" | ")
                        .append(ratio ? x(v.median()) : f(v.median(), 2)).append(" | ").append(v.roundsText())
                        .append(" | ").append(verdict).append(" |\n");
            }
        }
        for (int size : m.sizes()) {
            if (!m.conns().contains(1) || select(rows, u, 1, size).isEmpty()) {
                continue;
            }
            Verdict v = Verdict.of(ratioByRound(rows, u, ServerKind.MIO, 1, size, Row::cpuMicrosPerRt),
                    VS_EPOLL_ONE);
            judged++;
            met += v.met() ? 1 : 0;
            md.append("| 1 | ").append(Report.size(size)).append(" | CPU/rt ÷ ").append(ServerKind.MIO.label).append(" (EPOLL) ≤ ")
                    .append(x(VS_EPOLL_ONE)).append(" | ").append(x(v.median())).append(" | ").append(v.roundsText())
                    .append(" | ").append(ran.contains(ServerKind.MIO) ? v.text() : "n/a (io.mio not in this run)")
                    .append(" <sub>(round trips/s ÷ EPOLL ")
                    .append(x(median(ratioByRound(rows, u, ServerKind.MIO, 1, size, Row::roundTripsPerSecond))))
                    .append(")</sub> |\n");
        }
        md.append("\n");
        md.append("**").append(met).append(" of ").append(judged).append(" targets met**");
        if (!missing.isEmpty()) {
            md.append("; ").append(String.join("; ", missing));
        }
        md.append(".\n\n");
    }

    /** The figures of {@code u} at 64 and at {@link #MANY} connections against io.mio EPOLL's. */
    private static void manyConnections(StringBuilder md, List<Row> rows, Report.Meta m, ServerKind u) {
        String uring = u.label;
        md.append("### Many connections: ").append(uring).append(" against io.mio EPOLL\n\n");
        md.append("| C | S | CPU µs/rt | EPOLL's | CPU/rt ÷ EPOLL | syscalls/rt (EPOLL's) | round trips/s ÷ EPOLL |\n")
                .append("|---|---|---:|---:|---|---:|---|\n");
        List<Integer> shownConns = new ArrayList<>();
        shownConns.add(TARGET_CONNS);
        shownConns.addAll(MANY);
        for (int conns : shownConns) {
            for (int size : m.sizes()) {
                if (!m.conns().contains(conns) || select(rows, u, conns, size).isEmpty()) {
                    continue;
                }
                List<PerRound> cpu = ratioByRound(rows, u, ServerKind.MIO, conns, size, Row::cpuMicrosPerRt);
                md.append("| ").append(conns).append(" | ").append(Report.size(size))
                        .append(" | ").append(f(Report.medianOf(rows, u, conns, size, Row::cpuMicrosPerRt), 2))
                        .append(" | ").append(f(Report.medianOf(rows, ServerKind.MIO, conns, size, Row::cpuMicrosPerRt), 2))
                        .append(" | ").append(x(median(cpu))).append(cpu.size() > 1
                                ? " <sub>" + Verdict.of(cpu, Double.MAX_VALUE).roundsText() + "</sub>" : "")
                        .append(" | ").append(f(Report.medianOf(rows, u, conns, size, Row::syscallsPerRt), 2))
                        .append(" (").append(f(Report.medianOf(rows, ServerKind.MIO, conns, size, Row::syscallsPerRt), 2)).append(")")
                        .append(" | ").append(x(median(ratioByRound(rows, u, ServerKind.MIO, conns, size,
                                Row::roundTripsPerSecond)))).append(" |\n");
            }
        }
        md.append("\n");
        for (int many : MANY) {
            if (!m.conns().contains(many)) {
                md.append("- ").append(many).append(" connections: not run in this run (")
                        .append(many == 10000 ? "`scripts/bench.sh --full` adds them" : "`--conns` did not name them").append(").\n");
                continue;
            }
            for (int size : m.sizes()) {
                Boolean more = batchingPaysMore(rows, u, many, size);
                if (more == null) {
                    continue;
                }
                double at64 = median(ratioByRound(rows, u, ServerKind.MIO, TARGET_CONNS, size, Row::cpuMicrosPerRt));
                double atMany = median(ratioByRound(rows, u, ServerKind.MIO, many, size, Row::cpuMicrosPerRt));
                md.append("- ").append(many).append(" connections × ").append(Report.size(size)).append(": CPU per round trip ")
                        .append(x(atMany)).append(" EPOLL's, against ").append(x(at64)).append(" at ").append(TARGET_CONNS)
                        .append(": batching ").append(more ? "**pays more** there" : "**does not pay more** there").append(".\n");
            }
        }
        md.append("\n");
    }
}
