package io.mio.wasm;

import com.dylibso.chicory.runtime.TrapException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WasmHost: many isolated guests of one compiled module in one JVM (trap_echo.c: a serial echo that traps on "trap"). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WasmHostTest {
    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*").build();

    private WasmHost host;

    @BeforeEach
    void load() throws IOException {
        try (InputStream in = WasmHostTest.class.getResourceAsStream("/guests/trap_echo.wasm")) {
            host = WasmHost.of("trap_echo", in.readAllBytes(), true);
        }
    }

    @AfterEach
    void close() {
        host.close();
    }

    /** A started guest and its stdout, line by line. */
    private record Started(WasmHost.Guest guest, BlockingQueue<String> lines) {
        int port() throws InterruptedException {
            String l = lines.poll(20, TimeUnit.SECONDS);
            assertThat(l).as("first line of " + guest).isNotNull().startsWith("listening ");
            return Integer.parseInt(l.substring("listening ".length()).trim());
        }
    }

    private Started start(String name, NetPolicy policy) throws IOException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        WasmHost.Guest g = host.start(name, host.guest().args(List.of("trap_echo", "0")).policy(policy)
                .stdout(new Lines(lines)).stderr(OutputStream.nullOutputStream()));
        return new Started(g, lines);
    }

    private static byte[] echo(int port, String text) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return s.getInputStream().readAllBytes();
        }
    }

    @Test
    void one_compilation_serves_every_guest_each_with_its_own_port_output_and_table() throws Exception {
        int before = WasmRunner.COMPILATIONS.get();
        List<Started> guests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            guests.add(start("g" + i, LOOPBACK));
        }
        List<Integer> ports = new ArrayList<>();
        for (Started s : guests) {
            ports.add(s.port());
        }
        assertThat(ports).doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++) {
            assertThat(echo(ports.get(i), "hello " + i)).asString().isEqualTo("hello " + i);
        }
        assertThat(WasmRunner.COMPILATIONS.get()).as("compiled in load(), not per guest").isEqualTo(before);
        assertThat(guests.get(0).guest().sockets()).isNotSameAs(guests.get(1).guest().sockets());
        for (Started s : guests) {
            // the echo's connection is closed by the guest just after its shutdown, which ended the client's read
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.guest().sockets().openSockets() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(s.guest().sockets().openSockets()).as("each guest's table holds its own listener").isEqualTo(1);
            assertThat(s.lines()).as("no guest printed another's line").isEmpty();
        }
        assertThat(host.guests()).hasSize(3);
        assertThat(host.compiled()).isTrue();
    }

    @Test
    void a_guest_that_traps_ends_alone_and_the_others_keep_serving() throws Exception {
        Started a = start("a", LOOPBACK);
        Started b = start("b", LOOPBACK);
        Started c = start("c", LOOPBACK);
        int pa = a.port();
        int pb = b.port();
        int pc = c.port();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), pb)) {
            s.getOutputStream().write("trap!".getBytes(StandardCharsets.UTF_8));
            assertThat(b.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(Main.TRAPPED);
        }
        assertThat(b.guest().failure()).isInstanceOf(TrapException.class);
        assertThat(b.guest().sockets().openSockets()).as("the trapped guest's sockets are closed").isZero();
        assertThatThrownBy(() -> echo(pb, "x")).isInstanceOf(ConnectException.class);
        assertThat(echo(pa, "still a")).asString().isEqualTo("still a");
        assertThat(echo(pc, "still c")).asString().isEqualTo("still c");
        assertThat(a.guest().isAlive()).isTrue();
        assertThat(host.guests()).extracting(WasmHost.Guest::name).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void a_guest_past_its_socket_limit_fails_alone() throws Exception {
        Started capped = start("capped", NetPolicy.builder().allowBind("127.0.0.1:*").maxSockets(1).build());
        Started other = start("other", NetPolicy.builder().allowBind("127.0.0.1:*").maxSockets(2).build());
        int pc = capped.port();
        int po = other.port();
        // its listener is its one socket: the accept is refused with MFILE (the host may refuse before a connection
        // comes, so the connect may find the guest gone) and the guest exits with it
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), pc)) {
            assertThat(capped.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(WasiErrno.MFILE);
        } catch (ConnectException refused) {
            assertThat(capped.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(WasiErrno.MFILE);
        }
        assertThat(capped.lines().poll(5, TimeUnit.SECONDS)).isEqualTo("error 33 in we_sock_accept(fd, &c)");
        for (int i = 0; i < 3; i++) { // the other's limit of 2 is its own: listener + one connection at a time
            assertThat(echo(po, "other " + i)).asString().isEqualTo("other " + i);
        }
    }

    @Test
    void each_guest_has_its_own_sandbox() throws Exception {
        Started allowed = start("allowed", LOOPBACK);
        Started denied = start("denied", NetPolicy.denyAll());
        int port = allowed.port();
        assertThat(denied.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(WasiErrno.ACCES);
        assertThat(denied.lines().poll(5, TimeUnit.SECONDS)).startsWith("error 2 in we_sock_bind");
        assertThat(echo(port, "allowed")).asString().isEqualTo("allowed");
    }

    @Test
    void stop_ends_one_guest_and_close_ends_them_all() throws Exception {
        Started a = start("a", LOOPBACK);
        Started b = start("b", LOOPBACK);
        int pb = b.port();
        a.port();
        a.guest().stop();
        assertThat(a.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(Main.TRAPPED);
        assertThat(echo(pb, "b")).asString().isEqualTo("b");
        host.close();
        assertThat(b.guest().awaitExit(Duration.ofSeconds(20))).isEqualTo(Main.TRAPPED);
        assertThat(host.guests()).isEmpty();
        assertThatThrownBy(() -> host.start(host.guest())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void stop_ends_a_guest_spinning_in_its_own_code_compiled_or_interpreted() throws Exception {
        byte[] spin;
        try (InputStream in = WasmHostTest.class.getResourceAsStream("/guests/spin.wasm")) {
            spin = in.readAllBytes();
        }
        for (boolean compile : new boolean[] {true, false}) {
            try (WasmHost h = WasmHost.of("spin", spin, compile)) {
                WasmHost.Guest g = h.start(h.guest().args(List.of("spin")));
                assertThat(g.awaitExit(Duration.ofMillis(300))).as("spinning").isNull();
                g.stop();
                assertThat(g.awaitExit(Duration.ofSeconds(20))).as("compiled " + compile).isEqualTo(Main.TRAPPED);
            }
        }
    }

    @Test
    void a_configuration_of_another_module_is_refused() throws Exception {
        byte[] same;
        try (InputStream in = WasmHostTest.class.getResourceAsStream("/guests/trap_echo.wasm")) {
            same = in.readAllBytes();
        }
        try (WasmHost other = WasmHost.of("other", same, false)) { // the same bytes, another parse: another module
            assertThatThrownBy(() -> host.start(other.guest())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another module");
            assertThat(other.compiled()).isFalse();
        }
    }

    @Test
    void an_interpreting_host_runs_guests_too() throws Exception {
        try (InputStream in = WasmHostTest.class.getResourceAsStream("/guests/trap_echo.wasm");
             WasmHost interp = WasmHost.of("interp", in.readAllBytes(), false)) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            WasmHost.Guest g = interp.start(interp.guest().args(List.of("trap_echo", "0")).policy(LOOPBACK)
                    .stdout(new Lines(lines)));
            assertThat(g.name()).isEqualTo("0");
            int port = new Started(g, lines).port();
            assertThat(echo(port, "interpreted")).asString().isEqualTo("interpreted");
        }
    }

    @Test
    void a_missing_file_is_an_exception_naming_it() {
        assertThatThrownBy(() -> WasmHost.load(java.nio.file.Path.of("no/such.wasm")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("no/such.wasm");
    }

    private static final class Lines extends OutputStream {
        private final BlockingQueue<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(BlockingQueue<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
