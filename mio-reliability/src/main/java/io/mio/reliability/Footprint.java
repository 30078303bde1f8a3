package io.mio.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Measures the process: open descriptors, heap after a full GC, the open-file limit. Linux /proc only. */
public final class Footprint {
    private Footprint() {}

    /** Entries in /proc/self/fd (the directory stream itself is counted and subtracted). */
    public static int openFds() {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : ds) n++;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return n - 1;
    }

    /** Heap in use after {@link System#gc()} (twice, so finalization-free garbage is gone). */
    public static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The soft "Max open files" limit from /proc/self/limits; Long.MAX_VALUE for unlimited, -1 if unknown. */
    public static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
