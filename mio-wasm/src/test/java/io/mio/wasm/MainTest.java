package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MainTest {
    @TempDir
    Path tmp;

    Path guest(String name) throws Exception {
        Path p = tmp.resolve(name + ".wasm");
        try (InputStream in = MainTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
                new PrintStream(err, true), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void run_passes_args_and_the_connect_allow_list() throws Exception {
        Path app = guest("echo_client");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept()) {
                    c.getOutputStream().write(c.getInputStream().readAllBytes());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, EchoGuestTest.EXEC);
            Result r = run("run", "--allow-connect", "127.0.0.1:" + server.getLocalPort(), app.toString(),
                    "localhost", String.valueOf(server.getLocalPort()), "via the CLI");
            assertThat(r.out()).isEqualTo("reply via the CLI\n");
            assertThat(r.code()).isZero();
            echo.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void run_denies_network_access_by_default() throws Exception {
        Result r = run("run", "--interpret", guest("echo_client").toString(), "127.0.0.1", "9", "x");
        assertThat(r.out()).isEqualTo("error 63 in we_sock_connect(fd, &addr, port)\n");
        assertThat(r.code()).isEqualTo(WasiErrno.PERM);
    }

    @Test
    void bad_usage_and_a_broken_module() throws Exception {
        assertThat(run("run").code()).isEqualTo(2);
        assertThat(run("run", "--allow-bind", "nonsense", guest("echo_client").toString()).code()).isNotZero();
        Path junk = tmp.resolve("junk.wasm");
        Files.write(junk, new byte[] {0, 'a', 's', 'm', 9, 9, 9, 9});
        Result r = run("run", junk.toString());
        assertThat(r.code()).isEqualTo(Main.CANNOT_RUN);
        assertThat(r.err()).startsWith("mio-wasm: cannot load ").doesNotContain("Exception");
        assertThat(run("--help").out()).contains("run");
    }

    /** A CLI run on its own thread, its stdout line by line. */
    static final class Running {
        final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Running(String... args) {
            java.io.OutputStream out = new java.io.OutputStream() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            };
            Thread.ofPlatform().daemon().start(() -> exit.complete(Main.execute(new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true), new PrintStream(err, true), args)));
        }

        String nextLine() throws InterruptedException {
            String l = lines.poll(10, TimeUnit.SECONDS);
            assertThat(l).as("a line from the guest (stderr: %s)", err).isNotNull();
            return l;
        }
    }

    @Test
    void with_the_cli_defaults_a_server_guest_holds_more_than_64_connections() throws Exception {
        int n = 100;
        Running r = new Running("run", "--allow-bind", "127.0.0.1:*", guest("mio_style_server").toString(), "0",
                String.valueOf(n));
        String listening = r.nextLine();
        assertThat(listening).startsWith("listening ");
        int port = Integer.parseInt(listening.substring("listening ".length()));
        java.util.List<Socket> clients = new java.util.ArrayList<>();
        try {
            for (int k = 0; k < n; k++) { // all open at once
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(10_000);
                clients.add(s);
                s.getOutputStream().write(k);
                assertThat(s.getInputStream().read()).as("echo on connection %d", k + 1).isEqualTo(k);
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        assertThat(r.exit.get(20, TimeUnit.SECONDS)).as("exit (stdout %s)", r.lines).isZero();
    }

    @Test
    void an_explicit_max_sockets_still_caps_the_guest() throws Exception {
        Running r = new Running("run", "--allow-bind", "127.0.0.1:*", "--max-sockets", "2",
                guest("mio_style_server").toString(), "0", "5");
        String listening = r.nextLine();
        int port = Integer.parseInt(listening.substring("listening ".length()));
        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
             Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertThat(r.exit.get(20, TimeUnit.SECONDS)).as("the guest exits on its accept error")
                    .isEqualTo(WasiErrno.MFILE);
        }
        assertThat(r.lines).contains("error " + WasiErrno.MFILE + " in sock_accept");
    }

    @Test
    void a_sandbox_refusal_is_one_readable_line_naming_the_flag_that_allows_it() throws Exception {
        Result r = run("run", guest("echo_server").toString(), "9000", "1");
        assertThat(r.code()).isEqualTo(WasiErrno.ACCES);
        assertThat(r.err()).isEqualTo("mio-wasm: sock_bind 127.0.0.1:9000 refused by the sandbox (ACCES): "
                + "add --allow-bind 127.0.0.1:9000\n");
        Result connect = run("run", "--interpret", guest("echo_client").toString(), "127.0.0.1", "9", "x");
        assertThat(connect.err()).isEqualTo("mio-wasm: sock_connect 127.0.0.1:9 refused by the sandbox (PERM): "
                + "add --allow-connect 127.0.0.1:9\n");
    }

    @Test
    void quiet_hides_refusals_and_verbose_tells_what_runs_and_how_it_ended() throws Exception {
        Result quiet = run("run", "--quiet", guest("echo_server").toString(), "9000", "1");
        assertThat(quiet.code()).isEqualTo(WasiErrno.ACCES);
        assertThat(quiet.err()).isEmpty();
        assertThat(quiet.out()).as("the guest's own output stays").isEqualTo("error 2 in we_sock_bind(fd, &addr, port)\n");

        Result verbose = run("run", "-v", guest("echo_server").toString(), "9000", "1");
        assertThat(verbose.err().lines().toList()).allMatch(l -> l.startsWith("mio-wasm: "))
                .anyMatch(l -> l.startsWith("mio-wasm: running ") && l.contains("echo_server.wasm"))
                .anyMatch(l -> l.contains("refused by the sandbox"))
                .anyMatch(l -> l.equals("mio-wasm: the guest exited with code " + WasiErrno.ACCES));

        Result both = run("run", "--quiet", "--verbose", guest("echo_server").toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void run_help_prints_the_help() {
        for (String flag : new String[] {"--help", "-h"}) {
            Result r = run("run", flag);
            assertThat(r.code()).as(flag).isZero();
            assertThat(r.out()).startsWith("Usage: mio-wasm run").contains("--allow-bind").contains("Exit codes");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void a_bad_pattern_is_a_usage_error_not_a_stack_trace() throws Exception {
        Result r = run("run", "--allow-bind", "127.0.0.1", guest("echo_server").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("Invalid value for option '--allow-bind'")
                .contains("bad address pattern '127.0.0.1'").contains("Usage: mio-wasm run").doesNotContain("Exception").doesNotContain("\tat ");
        for (String[] bad : new String[][] {{"--allow-connect", "10.0.0.1"}, {"--allow-resolve", ""},
                {"--allow-device", "no such device name"}}) {
            Result b = run("run", bad[0], bad[1], guest("echo_server").toString());
            assertThat(b.code()).as(bad[0]).isEqualTo(2);
            assertThat(b.err()).as(bad[0]).startsWith("Invalid value for option '" + bad[0] + "'")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void a_guest_trap_ends_as_one_line_with_its_exit_code() throws Exception {
        for (String mode : new String[] {"--interpret", "--tcp-nodelay"}) { // interpreted and compiled
            Result r = run("run", mode, guest("panic").toString());
            assertThat(r.code()).as(mode).isEqualTo(Main.TRAPPED);
            assertThat(r.err()).as(mode).isEqualTo("thread 'main' panicked at 'boom'\n"
                    + "mio-wasm: the guest trapped: Trapped on unreachable instruction (exit code 125)\n");
        }
    }
}
