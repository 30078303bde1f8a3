package io.mio.bench;

import java.util.Locale;

/**
 * One measured step of the scale part: one server holding {@code idle} idle connections in one round, its
 * memory then, and the costs of {@code active} connections echoing 64 B in closed loop meanwhile. Memory is in
 * KiB as the kernel reports it; the heap figures (after a full collection) are NaN for the C server.
 * {@code kernelSlabKiB} is the machine's unreclaimable slab at the same moment, {@code registrationSlabKiB} the part of
 * it in the registration caches (epitems, io_uring requests), both from {@link KernelMemory}, NaN if unknown.
 */
record ScaleRow(int round, ServerKind server, int idle, int active, double rssKiB, double heapUsedKiB,
                double heapCommittedKiB, double roundTripsPerSecond, double p99Micros, double userMicrosPerRt,
                double sysMicrosPerRt, double syscallsPerRt, double contextSwitchesPerRt, double kernelSlabKiB,
                double registrationSlabKiB) {

    static final String CSV_HEADER = "round,server,idle,active,rss_kib,heap_used_kib,heap_committed_kib,"
            + "round_trips_per_s,p99_us,user_us_per_rt,sys_us_per_rt,syscalls_per_rt,context_switches_per_rt,sunreclaim_kib,registration_slab_kib";

    String csv() {
        return String.format(Locale.ROOT, "%d,%s,%d,%d,%.0f,%.1f,%.1f,%.1f,%.2f,%.4f,%.4f,%.4f,%.4f,%.0f,%.1f", round,
                server.name().toLowerCase(Locale.ROOT), idle, active, rssKiB, heapUsedKiB, heapCommittedKiB,
                roundTripsPerSecond, p99Micros, userMicrosPerRt, sysMicrosPerRt, syscallsPerRt, contextSwitchesPerRt, kernelSlabKiB,
                registrationSlabKiB);
    }

    /**
     * Memory outside the Java heap: RSS less the committed heap, which is all resident as the Java servers of the
     * scale part run with -XX:+AlwaysPreTouch; all of RSS for the C server.
     */
    double outsideHeapKiB() {
        return Double.isNaN(heapCommittedKiB) ? rssKiB : rssKiB - heapCommittedKiB;
    }

    /** What the server keeps: its live heap after a full collection plus its memory outside the heap. */
    double footprintKiB() {
        return outsideHeapKiB() + (Double.isNaN(heapUsedKiB) ? 0 : heapUsedKiB);
    }

    /** Total server CPU per round trip of the active connections, user plus system. */
    double cpuMicrosPerRt() {
        return userMicrosPerRt + sysMicrosPerRt;
    }
}
