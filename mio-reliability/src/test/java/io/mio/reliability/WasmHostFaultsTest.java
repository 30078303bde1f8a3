package io.mio.reliability;

import com.dylibso.chicory.wasm.ChicoryException;
import io.mio.wasm.NetPolicy;
import io.mio.wasm.WasmRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faulty wasm guests on io.mio.wasm's {@link WasmRunner}: a guest that opens sockets until the sandbox's limit,
 * guests that trap in the middle of a connection, and a guest that exits with its sockets open. After each one
 * the host process's descriptor count is back to its baseline and a well-behaved guest still runs and serves.
 *
 * <p>The guests are hand-written WebAssembly text in {@code src/test/wat} (built with wabt's {@code wat2wasm}
 * into {@code src/test/resources/guests}; the .wasm files are committed, so the tests need no toolchain).
 * {@code fault_server} serves one client: it writes its port to stdout, echoes what it receives once, then the
 * first byte picks the ending ('U' unreachable, 'O' out-of-bounds load, 'X' proc_exit(3) with sockets open,
 * anything else a clean close). {@code socket_hog} opens sockets until refused and exits with that errno.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WasmHostFaultsTest {
    private static final int MFILE = 33; // WASI errno
    private static final int LIMIT = 16;

    private byte[] faultServer;
    private byte[] socketHog;
    private int baseline;

    @BeforeAll
    void warm_up_and_take_the_descriptor_baseline() throws Exception {
        faultServer = guest("fault_server.wasm");
        socketHog = guest("socket_hog.wasm");
        // One run of every path first, so that class loading, jar opening and the compiler's first use are
        // not counted as leaks; the baseline is taken after that.
        healthyGuestServes();
        runHog();
        serveAndFault("U");
        serveAndFault("O");
        serveAndFault("X");
        healthyGuestServes();
        baseline = settledFdCount(-1);
        report("descriptor baseline after warm-up: " + baseline);
    }

    @Test
    void guest_opening_sockets_until_its_limit_gets_MFILE_and_the_host_stays_up() throws Exception {
        Hog h = runHog();
        assertThat(h.exitCode).isEqualTo(MFILE);
        assertThat(h.opened).isEqualTo(LIMIT);
        assertThat(h.peakFds).isGreaterThanOrEqualTo(baseline + LIMIT);
        int after = settledFdCount(baseline);
        assertThat(after).isEqualTo(baseline);
        healthyGuestServes();
        report("socket hog: opened " + h.opened + " sockets, then sock_open gave errno " + h.exitCode
                + " (MFILE); descriptors " + baseline + " -> " + h.peakFds + " while it ran -> " + after);
    }

    @Test
    void guest_trapping_on_unreachable_mid_connection_is_reported_and_cleaned_up() throws Exception {
        checkFault("U");
    }

    @Test
    void guest_trapping_on_an_out_of_bounds_load_mid_connection_is_reported_and_cleaned_up() throws Exception {
        checkFault("O");
    }

    @Test
    void guest_exiting_with_its_listener_and_connection_open_is_cleaned_up() throws Exception {
        checkFault("X");
    }

    private void checkFault(String kind) throws Exception {
        Outcome o = serveAndFault(kind);
        if (kind.equals("X")) {
            assertThat(o.thrown).isNull();
            assertThat(o.exitCode).isEqualTo(3);
        } else {
            assertThat(o.thrown).as("the runner reports the trap").isInstanceOf(ChicoryException.class);
        }
        assertThat(o.echo).isEqualTo(o.sent);
        assertThat(o.clientEnd).as("the client sees the connection closed")
                .satisfiesAnyOf(s -> assertThat(s).isEqualTo("EOF"), s -> assertThat(s).contains("reset"));
        int after = settledFdCount(baseline);
        assertThat(after).isEqualTo(baseline);
        healthyGuestServes();
        report("guest '" + kind + "': run() " + (o.thrown == null ? "returned exit code " + o.exitCode
                : "threw " + o.thrown.getClass().getSimpleName() + ": " + o.thrown.getMessage())
                + "; client got its echo, then " + o.clientEnd + "; descriptors " + o.fdsWhileConnected
                + " just after the echo -> " + after + " (baseline " + baseline + "); next guest served");
    }

    // ---- running guests -----------------------------------------------------------------------------

    private record Hog(int exitCode, int opened, int peakFds) {}

    private record Outcome(Integer exitCode, Throwable thrown, byte[] sent, byte[] echo, String clientEnd,
                           int fdsWhileConnected) {}

    private Hog runHog() throws Exception {
        // The guest writes its count to stdout after opening its sockets and before exiting: count the
        // process's descriptors right there, while all of them are open.
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] peak = {-1};
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (peak[0] < 0) peak[0] = fdCount();
                got.write(b, off, len);
            }
        };
        try (WasmRunner r = WasmRunner.builder(socketHog).args(List.of("socket_hog")).stdout(out)
                .policy(NetPolicy.builder().maxSockets(LIMIT).build()).build()) {
            int code = r.run();
            byte[] b = got.toByteArray();
            assertThat(b).hasSize(4);
            int opened = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
            return new Hog(code, opened, peak[0]);
        }
    }

    /** Runs fault_server on its own thread, connects, sends {@code first + payload}, checks the echo, waits for the end. */
    private Outcome serveAndFault(String first) throws Exception {
        PortOut out = new PortOut();
        WasmRunner r = WasmRunner.builder(faultServer).args(List.of("fault_server")).stdout(out)
                .policy(NetPolicy.builder().allowBind("127.0.0.1:*").build()).build();
        try (r) {
            CompletableFuture<Integer> run = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().name("guest-" + first).start(() -> {
                try {
                    run.complete(r.run());
                } catch (Throwable e) {
                    run.completeExceptionally(e);
                }
            });
            int port = out.awaitPort();
            byte[] sent = (first + "payload-" + first).getBytes(StandardCharsets.US_ASCII);
            byte[] echo;
            String end;
            int fdsConnected;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write(sent);
                echo = s.getInputStream().readNBytes(sent.length);
                fdsConnected = fdCount();
                try {
                    int b = s.getInputStream().read();
                    end = b < 0 ? "EOF" : "unexpected byte " + b;
                } catch (SocketException e) {
                    end = e.getMessage().toLowerCase().contains("reset") ? "reset (" + e.getMessage() + ")"
                            : e.getMessage();
                }
            }
            t.join(20_000);
            assertThat(t.isAlive()).as("guest thread ended").isFalse();
            Integer code = null;
            Throwable thrown = null;
            try {
                code = run.join();
            } catch (java.util.concurrent.CompletionException e) {
                thrown = e.getCause();
            }
            return new Outcome(code, thrown, sent, echo, end, fdsConnected);
        }
    }

    private void healthyGuestServes() throws Exception {
        Outcome o = serveAndFault("E");
        assertThat(o.thrown).isNull();
        assertThat(o.exitCode).isZero();
        assertThat(o.echo).isEqualTo(o.sent);
        assertThat(o.clientEnd).isEqualTo("EOF");
    }

    /** Collects the guest's stdout; the first 2 bytes are fault_server's port (little-endian). */
    private static final class PortOut extends OutputStream {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buf.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
            notifyAll();
        }

        synchronized int awaitPort() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (buf.size() < 2) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) throw new AssertionError("guest did not write its port");
                wait(left);
            }
            byte[] b = buf.toByteArray();
            return (b[0] & 0xff) | (b[1] & 0xff) << 8;
        }
    }

    // ---- descriptors ----------------------------------------------------------------------------------

    private static int fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // minus the directory stream's own descriptor
        }
    }

    /** The descriptor count once it stops falling to {@code target} (closing may finish on another thread). */
    private static int settledFdCount(int target) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n = fdCount();
        while (n != target && System.nanoTime() < end) {
            Thread.sleep(20);
            n = fdCount();
        }
        return n;
    }

    private static byte[] guest(String name) throws IOException {
        try (InputStream in = WasmHostFaultsTest.class.getResourceAsStream("/guests/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void report(String s) {
        System.out.println("wasm: " + s);
    }
}
