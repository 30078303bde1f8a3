package io.mio.reliability;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The full reliability run (scripts/reliability.sh), or the short one with {@code --short}: soak, faults,
 * descriptor exhaustion and registry races, printing the figures. Exit status 0 only if every check passed.
 *
 * <p>Options: {@code --connections N}, {@code --round-trips N}, {@code --soak-seconds S} (time bound of the
 * soak), {@code --fault-rounds N} (each fault is injected N times), {@code --race-seconds S}, {@code --only
 * STEP} (soak, faults, descriptor, registry: run that step alone).
 */
@SuppressWarnings("try") // close() may throw InterruptedException: it waits for a thread
public final class ReliabilityMain {
    private ReliabilityMain() {}

    private static String only;

    private interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        boolean full = true;
        int connections = 10_000;
        long roundTrips = 1_000_000;
        int soakSeconds = 150;
        int faultRounds = 30;
        int raceSeconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--short" -> {
                    full = false;
                    connections = 500;
                    roundTrips = 50_000;
                    soakSeconds = 60;
                    faultRounds = 1;
                    raceSeconds = 5;
                }
                case "--full" -> full = true;
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--round-trips" -> roundTrips = Long.parseLong(args[++i]);
                case "--soak-seconds" -> soakSeconds = Integer.parseInt(args[++i]);
                case "--fault-rounds" -> faultRounds = Integer.parseInt(args[++i]);
                case "--race-seconds" -> raceSeconds = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long t0 = System.nanoTime();
        System.out.println("== Mio for Java reliability run (" + (full ? "full" : "short") + ")");
        System.out.println("machine: " + machine());
        System.out.println("open-file limit: " + Footprint.openFileLimit() + ", fds at start: " + Footprint.openFds());
        List<String> failures = new ArrayList<>();

        final boolean isFull = full;
        final int conns = connections;
        final long rts = roundTrips;
        final int soakSec = soakSeconds;
        step("soak", failures, () -> {
            Soak.Result r = Soak.run(new Soak.Config(conns, rts, Duration.ofSeconds(soakSec), Duration.ofSeconds(isFull ? 5 : 1), 1, true));
            System.out.printf("soak: %d connections (requested %d%s), echo server %s, connected in %.1f s%n",
                    r.connections(), r.connectionsRequested(), r.scaleNote().isEmpty() ? "" : "; " + r.scaleNote(),
                    r.serverInChild() ? "in a child JVM" : "on a thread of this JVM", r.connectTime().toMillis() / 1000.0);
            System.out.printf("soak: %,d round trips in %.1f s (%,.0f/s)%s, %,d bytes sent, echoed and checked end to end,"
                            + " payloads %d..%d B%n", r.roundTrips(), r.runTime().toMillis() / 1000.0,
                    r.roundTrips() / Math.max(0.001, r.runTime().toMillis() / 1000.0),
                    r.timeBoundHit() ? " (time bound of " + soakSec + " s reached)" : "", r.bytesChecked(),
                    r.minPayload(), r.maxPayload());
            System.out.printf("soak: %,d frames arrived in several reads; client: %,d writes would block, %,d WRITABLE"
                            + " reregistrations; server: %,d WRITABLE reregistrations%n", r.fragmentedFrames(),
                    r.clientPartialWrites(), r.clientWritableReregistrations(), r.serverWritableReregistrations());
            System.out.println("soak samples (ms, round trips, client fds, client heap after GC, server fds, server heap"
                    + " after GC; server -1 = same process):");
            for (int i = 0; i < r.samples().size(); i++) {
                Soak.Sample s = r.samples().get(i);
                System.out.printf("  %s%7d ms %,10d rt %6d fds %8.2f MiB | %6d fds %8.2f MiB%n",
                        i == r.baselineIndex() ? "baseline " : "         ", s.elapsedMillis(), s.roundTrips(),
                        s.openFds(), s.heapAfterGc() / 1048576.0, s.serverFds(),
                        s.serverHeapAfterGc() < 0 ? -1.0 : s.serverHeapAfterGc() / 1048576.0);
            }
            System.out.println("soak flatness: " + r.flatness() + " -> " + (r.flat() ? "flat" : "NOT FLAT"));
            if (!r.flat()) throw new AssertionError("footprint not flat: " + r.flatness());
            if (!r.timeBoundHit() && r.roundTrips() != rts) throw new AssertionError("round trips " + r.roundTrips());
        });

        final int rounds = faultRounds;
        step("faults", failures, () -> {
            try (Faults f = new Faults(200, 3)) {
                for (int round = 0; round < rounds; round++) {
                    boolean print = round == 0;
                    for (Step s : List.<Step>of(
                            () -> say(print, f.peerResetIdle()),
                            () -> say(print, f.peerResetMidStream()),
                            () -> say(print, f.peerHalfClosesWrite()),
                            () -> say(print, f.mioStreamHalfClosesWrite()),
                            () -> say(print, f.resetSeenByMioStream()),
                            () -> say(print, f.connectionRefused()),
                            () -> say(print, f.writeAfterPeerClosed()),
                            () -> say(print, f.peerProcessKilled()),
                            () -> say(print, f.peerServerProcessKilled()),
                            () -> say(print, f.udpToClosedPort()),
                            () -> say(print, f.unixPeerClosesMidStream(48 * 1024)),
                            () -> say(print, f.unixWriteAfterPeerClosed()))) {
                        s.run();
                    }
                }
                System.out.printf("faults: %d injected (%d rounds of 12 kinds); 200 healthy connections did %,d checked"
                        + " round trips between them; server loop alive: %s%n", f.injected(), rounds,
                        f.healthyRoundTrips(), f.server().fatal() == null && f.server().isRunning());
            }
        });

        step("descriptor exhaustion", failures, () -> {
            FdExhaustion.Result r = FdExhaustion.run(64, 100, 10);
            System.out.printf("exhaustion: child under ulimit -n %d (%s); %d clients; %d accepted, then: %s;"
                            + " freed %d -> %d more accepted; %d echo checks passed; child: %s%n", r.limit(), r.childFds(),
                    r.clients(), r.acceptedBeforeError(), r.acceptError(), r.freed(), r.acceptedAfterFreeing(),
                    r.echoChecks(), r.bye());
        });

        final int raceSec = raceSeconds;
        step("registry races", failures, () -> {
            RegistryRaces.Result r = RegistryRaces.run(Duration.ofSeconds(raceSec), 3, 4, 42);
            System.out.printf("races: %d s, %d mutator threads + 1 poller: %,d register, %,d reregister, %,d deregister,"
                            + " %,d close, %,d opens; %,d polls, %,d events; violations %d, unexpected errors %d;"
                            + " fds before/after %d/%d%n", raceSec, r.mutators(), r.registers(), r.reregisters(),
                    r.deregisters(), r.closes(), r.opens(), r.polls(), r.events(), r.violations().size(),
                    r.unexpected().size(), r.fdsBefore(), r.fdsAfter());
            if (!r.violations().isEmpty()) throw new AssertionError("violations: " + r.violations());
            if (!r.unexpected().isEmpty()) throw new AssertionError("unexpected: " + r.unexpected());
        });

        System.out.printf("== done in %.1f s; fds at end: %d; %s%n", (System.nanoTime() - t0) / 1e9, Footprint.openFds(),
                failures.isEmpty() ? "ALL PASSED" : "FAILED: " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static void say(boolean print, String line) {
        if (print) System.out.println("fault: " + line);
    }

    private static void step(String name, List<String> failures, Step step) {
        if (only != null && !name.startsWith(only)) return;
        long t = System.nanoTime();
        try {
            step.run();
            System.out.printf("-- %s passed (%.1f s)%n", name, (System.nanoTime() - t) / 1e9);
        } catch (Throwable e) {
            failures.add(name);
            System.out.printf("-- %s FAILED (%.1f s): %s%n", name, (System.nanoTime() - t) / 1e9, e);
            e.printStackTrace(System.out);
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        String kernel = "?";
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (Exception ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), kernel " + kernel + ", "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MiB, GC "
                + ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList();
    }
}
