package io.mio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The kernel memory the scale part counts per idle connection, which no process's RSS shows: the machine's
 * unreclaimable slab ({@code SUnreclaim} in {@code /proc/meminfo}), where sockets, epoll's epitems and io_uring's
 * requests live. It is machine-wide: whatever else runs moves it too. Static functions; thread-safe.
 */
final class KernelMemory {
    private KernelMemory() {
    }

    /** The value of {@code SUnreclaim} in a {@code /proc/meminfo} text, in KiB.
     *
     * @throws IllegalArgumentException if the text has no such line */
    static long sUnreclaimKiB(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("SUnreclaim:")) {
                return Long.parseLong(line.substring("SUnreclaim:".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalArgumentException("no SUnreclaim line in /proc/meminfo");
    }

    /**
     * The machine's unreclaimable slab now, in KiB, or NaN where /proc/meminfo cannot be read. First asks the kernel to
     * fold its per-CPU counters into the global ones ({@code /proc/sys/vm/stat_refresh}, root only): without it the
     * figure may lag by up to about a MiB on a small machine, until the once-a-second fold.
     */
    static double unreclaimableSlabKiB() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/stat_refresh"), "1");
        } catch (IOException | SecurityException ignored) {
            // not root: the figure may lag a little
        }
        try {
            return sUnreclaimKiB(Files.readString(Path.of("/proc/meminfo")));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * The slab caches of a readiness registration: epoll's {@code eventpoll_epi} (one epitem per registered
     * descriptor) and io_uring's {@code io_kiocb} (one request per multishot poll). A cache the kernel merged into
     * another is not listed in /proc/slabinfo and not counted.
     */
    static final java.util.List<String> REGISTRATION_CACHES = java.util.List.of("eventpoll_epi", "io_kiocb");

    /**
     * Bytes in use in {@link #REGISTRATION_CACHES}, in KiB: active objects times object size, from a
     * {@code /proc/slabinfo} text (version 2.1: name, active_objs, num_objs, objsize, ...). 0 if none is listed.
     *
     * @throws IllegalArgumentException if a line of those caches does not parse
     */
    static double registrationSlabKiB(String slabinfo) {
        double bytes = 0;
        for (String line : slabinfo.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && REGISTRATION_CACHES.contains(f[0])) {
                try {
                    bytes += Long.parseLong(f[1]) * (double) Long.parseLong(f[3]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unreadable /proc/slabinfo line: " + line, e);
                }
            }
        }
        return bytes / 1024;
    }

    /** {@link #registrationSlabKiB(String)} of this machine now, or NaN where /proc/slabinfo cannot be read (it needs root). */
    static double registrationSlabKiB() {
        try {
            return registrationSlabKiB(Files.readString(Path.of("/proc/slabinfo")));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** TCP sockets in TIME_WAIT on the machine ({@code tw} of {@code /proc/net/sockstat}), or -1 if unknown. */
    static int timeWaitSockets() {
        try {
            return timeWait(Files.readString(Path.of("/proc/net/sockstat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code tw} of the {@code TCP:} line of a {@code /proc/net/sockstat} text, or -1 if there is none. */
    static int timeWait(String sockstat) {
        for (String line : sockstat.split("\n")) {
            if (line.startsWith("TCP:")) {
                String[] f = line.trim().split("\\s+");
                for (int i = 1; i + 1 < f.length; i++) {
                    if (f[i].equals("tw")) {
                        return Integer.parseInt(f[i + 1]);
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Waits, at most {@code max}, until at most {@code few} TCP sockets are in TIME_WAIT: each holds a slab object
     * for 60 s, and those that expire during a server's steps (left by the echo part's thousands of connections)
     * would show as that server's kernel memory shrinking. Returns how long it waited. Blocks the calling thread.
     */
    static Duration awaitTimeWait(int few, Duration max) {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        while (timeWaitSockets() > few && System.nanoTime() < deadline) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
