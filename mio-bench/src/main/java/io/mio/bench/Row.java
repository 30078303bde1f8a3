package io.mio.bench;

import java.util.Locale;

/**
 * One measured cell: one server, one connection count and message size, one round. Per-round-trip figures
 * are NaN where they could not be measured (no perf, for instance).
 */
record Row(int round, ServerKind server, int conns, int size, double roundTripsPerSecond, double p50Micros,
           double p99Micros, double p999Micros, double userMicrosPerRt, double sysMicrosPerRt,
           double syscallsPerRt, double contextSwitchesPerRt, double rssMiB, double clientCpuShare) {

    static final String CSV_HEADER = "round,server,conns,size,round_trips_per_s,p50_us,p99_us,p999_us,"
            + "user_us_per_rt,sys_us_per_rt,syscalls_per_rt,context_switches_per_rt,rss_mib,client_cpu_share";

    String csv() {
        return String.format(Locale.ROOT, "%d,%s,%d,%d,%.1f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,%.4f,%.1f,%.3f",
                round, server.name().toLowerCase(Locale.ROOT), conns, size, roundTripsPerSecond, p50Micros,
                p99Micros, p999Micros, userMicrosPerRt, sysMicrosPerRt, syscallsPerRt, contextSwitchesPerRt, rssMiB,
                clientCpuShare);
    }

    /** Total server CPU per round trip, user plus system. */
    double cpuMicrosPerRt() {
        return userMicrosPerRt + sysMicrosPerRt;
    }
}
