package io.mio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;

/**
 * What every echo server process of the benchmark shares: the port argument, the {@code READY <port>} line
 * the harness waits for, exit when the harness closes the process's standard input (so no server outlives a
 * harness that died), and an answer to the line {@code gc} on standard input: a full collection, then
 * {@code HEAP <used bytes> <committed bytes>} on standard output (the scale part's heap figure).
 */
final class ServerSupport {
    /** Listen backlog of every server: the 1000 and 10000 connection runs connect in a burst. */
    static final int BACKLOG = 4096;
    /** Size of the read buffer that the single-threaded servers share between connections. */
    static final int SHARED_BUFFER = 64 * 1024;

    private ServerSupport() {
    }

    static int port(String[] args) {
        return args.length > 0 ? Integer.parseInt(args[0]) : 0;
    }

    /** Announces the bound port and arms exit-on-stdin-EOF and the {@code gc} command. */
    static void ready(int port) {
        Thread watcher = new Thread(() -> {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("gc")) {
                        System.out.println(heapAfterGc());
                        System.out.flush();
                    }
                    // any other line is ignored
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            System.exit(0);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        System.out.println("READY " + port);
        System.out.flush();
    }

    /** {@code HEAP used committed}, in bytes, after a full collection. */
    static String heapAfterGc() {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return "HEAP " + heap.getUsed() + " " + heap.getCommitted();
    }
}
