package io.mio.bench;

import java.io.IOException;
import java.io.InputStream;

/**
 * What every echo server process of the benchmark shares: the port argument, the {@code READY <port>} line
 * the harness waits for, and exit when the harness closes the process's standard input (so no server
 * outlives a harness that died).
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

    /** Announces the bound port and arms exit-on-stdin-EOF. */
    static void ready(int port) {
        Thread watcher = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // the harness never writes; any byte is ignored
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
}
