package io.mio.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The C io_uring server's buffer ring is shared by all connections (4096 buffers of 4 KiB): a connection whose
 * peer does not read must not take all of it. The server pauses that connection's receive once 64 KiB of its
 * echoes wait unsent; without the pause, the hog below fills the ring and the other connection is never served
 * (checked by hand against a build without it). Skipped, with the reason, where gcc, liburing-dev or io_uring is
 * missing; the reason for a missing liburing is checked too. No timing is asserted: the waits only bound a hang.
 */
class CUringServerTest {
    private static final Path WORK = Path.of("target", "bench-smoke");
    /** More than the ring's 16 MiB plus what the sockets' buffers hold while the hog does not read. */
    private static final int HOG_BYTES = 48 << 20;

    /**
     * 320 connections whose peers hold back their reads while each sends 256 KiB: paused at 64 KiB each they
     * still need 20 MiB, more than the ring's 16 MiB, so receives run out of buffers (-ENOBUFS) and must be armed
     * again as buffers come back (by hand, with a counter in the server: some ninety times per run).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void receives_that_run_out_of_buffers_resume_when_buffers_come_back_and_nothing_is_lost() throws Exception {
        Path cServer = CServer.build(WORK);
        Assumptions.assumeTrue(cServer != null, () -> "C server skipped: " + CServer.problem);
        String uring = ServerKind.C_URING.uringProblem();
        Assumptions.assumeTrue(uring == null, () -> "C io_uring server skipped: " + uring);

        int conns = 320;
        int size = 256 * 1024;
        byte[] source = new byte[size + conns * 1024];
        new Random(31).nextBytes(source); // connection i sends source[i * 1024, i * 1024 + size)
        try (ServerProcess server = ServerProcess.start(ServerKind.C_URING, cServer, null, WORK.resolve("logs"), 60);
             var writers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            Socket[] sockets = new Socket[conns];
            java.util.List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < conns; i++) {
                    Socket s = new Socket("127.0.0.1", server.port);
                    s.setSoTimeout(30_000);
                    sockets[i] = s;
                    int from = i * 1024;
                    sent.add(writers.submit(() -> {
                        s.getOutputStream().write(source, from, size);
                        return null;
                    }));
                }
                Thread.sleep(2000); // no one reads yet: the server's buffers fill up
                byte[] back = new byte[size];
                for (int i = 0; i < conns; i++) {
                    new DataInputStream(sockets[i].getInputStream()).readFully(back);
                    assertThat(Arrays.mismatch(back, 0, size, source, i * 1024, i * 1024 + size))
                            .as("first differing byte of connection %d's echo", i).isEqualTo(-1);
                }
                for (var f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                for (Socket s : sockets) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            assertThat(server.process.isAlive()).as("server still running").isTrue();
        }
    }

    @Test
    void a_missing_liburing_is_named_as_the_reason_to_skip() {
        assertThat(CServer.compileProblem("uring_echo.c:19:10: fatal error: liburing.h: No such file or directory"))
                .startsWith("liburing is not installed").contains("liburing-dev");
        assertThat(CServer.compileProblem("/usr/bin/ld: cannot find -luring: No such file or directory"))
                .startsWith("liburing is not installed");
        assertThat(CServer.compileProblem("x.c:1:1: error: expected ';'\n")).isEqualTo("gcc failed: x.c:1:1: error: expected ';'");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void a_peer_that_does_not_read_leaves_buffers_for_the_others_and_gets_its_echo_intact() throws Exception {
        Path cServer = CServer.build(WORK);
        Assumptions.assumeTrue(cServer != null, () -> "C server skipped: " + CServer.problem);
        String uring = ServerKind.C_URING.uringProblem();
        Assumptions.assumeTrue(uring == null, () -> "C io_uring server skipped: " + uring);

        Random random = new Random(13);
        byte[] big = new byte[HOG_BYTES];
        random.nextBytes(big);
        try (ServerProcess server = ServerProcess.start(ServerKind.C_URING, cServer, null, WORK.resolve("logs"), 60);
             Socket hog = new Socket("127.0.0.1", server.port);
             Socket other = new Socket("127.0.0.1", server.port)) {
            OutputStream hogOut = hog.getOutputStream();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    hogOut.write(big); // blocks until the hog reads: the server stops receiving from it
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(2000); // lets the hog's echoes pile up in the server before the other connection talks

            other.setSoTimeout(20_000); // starved, it would wait for ever
            OutputStream out = other.getOutputStream();
            DataInputStream in = new DataInputStream(other.getInputStream());
            byte[] message = new byte[64];
            byte[] echo = new byte[64];
            for (int i = 0; i < 200; i++) {
                random.nextBytes(message);
                out.write(message);
                in.readFully(echo);
                assertThat(echo).as("echo %d on the other connection", i).isEqualTo(message);
            }

            hog.setSoTimeout(20_000);
            InputStream hogIn = hog.getInputStream();
            byte[] back = new byte[HOG_BYTES];
            new DataInputStream(hogIn).readFully(back);
            sent.get(20, TimeUnit.SECONDS);
            assertThat(Arrays.mismatch(back, big)).as("first differing byte of the hog's echo").isEqualTo(-1);
        }
    }
}
