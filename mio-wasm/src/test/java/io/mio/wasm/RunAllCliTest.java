package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code mio-wasm run-all FILE}: several different modules in one JVM, each guest in its own sandbox. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RunAllCliTest {
    @TempDir
    Path tmp;

    private void guest(String name) throws Exception {
        try (InputStream in = RunAllCliTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            Files.write(tmp.resolve(name + ".wasm"), in.readAllBytes());
        }
    }

    private Path conf(String text) throws Exception {
        return Files.writeString(tmp.resolve("guests.conf"), text);
    }

    /** Every line of stdout, as it comes. */
    private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** stdout as lines, as they come (also into {@link #all}). */
    private PrintStream lines(BlockingQueue<String> lines) {
        return new PrintStream(new java.io.OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    lines.add(line.toString(StandardCharsets.UTF_8));
                    all.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }, true);
    }

    @Test
    void different_modules_run_side_by_side_and_one_trapping_or_out_of_sockets_leaves_the_others_serving()
            throws Exception {
        guest("trap_echo");
        guest("panic");
        guest("grow");
        // the same trap_echo.wasm on two lines: compiled once; three modules in all
        Path conf = conf("""
                # an echo service in two copies, a copy of it with one socket, a guest that panics, one over its cap
                echo: --allow-bind '127.0.0.1:*' --instances 2 trap_echo.wasm 0
                capped: --allow-bind 127.0.0.1:* --max-sockets 1 trap_echo.wasm 0

                panics: panic.wasm
                grows: --max-memory 64K grow.wasm
                """);
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int compilations = WasmRunner.COMPILATIONS.get();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.execute(
                new ByteArrayInputStream(new byte[0]), lines(out), new PrintStream(err, true), "run-all", "-v",
                conf.toString()), EchoGuestTest.EXEC);
        Map<String, Integer> ports = new HashMap<>();
        Pattern listening = Pattern.compile("\\[([a-z.0-9]+)] listening (\\d+)");
        while (ports.size() < 3) {
            String l = out.poll(30, TimeUnit.SECONDS);
            assertThat(l).as("a listening line; stderr: " + err).isNotNull();
            Matcher m = listening.matcher(l);
            if (m.matches()) {
                ports.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        assertThat(ports).containsOnlyKeys("echo.0", "echo.1", "capped");
        assertThat(WasmRunner.COMPILATIONS.get() - compilations).as("three distinct modules").isEqualTo(3);
        waitFor(err, "mio-wasm: [panics] the guest trapped: ", false);
        // capped: its listener is its one socket, so its accept is MFILE and it exits (the guest's own choice)
        waitFor(err, "mio-wasm: [capped] the guest exited with code " + WasiErrno.MFILE, true);
        for (String echo : List.of("echo.0", "echo.1")) {
            assertThat(echo(ports.get(echo), "to " + echo)).isEqualTo("to " + echo);
        }
        assertThat(run).isNotDone();
        trap(ports.get("echo.1"));
        waitFor(err, "mio-wasm: [echo.1] the guest trapped: ", false);
        assertThat(echo(ports.get("echo.0"), "still")).isEqualTo("still");
        trap(ports.get("echo.0"));
        assertThat(run.get(30, TimeUnit.SECONDS)).as("echo.0 comes first in the file: its code").isEqualTo(Main.TRAPPED);
        assertThat(all).contains("[capped] error " + WasiErrno.MFILE + " in we_sock_accept(fd, &c)");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[panics] thread 'main' panicked at 'boom'");
    }

    @Test
    void the_exit_code_is_the_first_failing_guests_in_the_files_order() throws Exception {
        guest("grow");
        guest("panic");
        Path conf = conf("""
                ok: grow.wasm
                capped: --max-memory 64K grow.wasm
                panics: panic.wasm
                """);
        MainTest.Result r = MainTest.run("run-all", "-v", conf.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("mio-wasm: [ok] the guest exited with code 0",
                "mio-wasm: [capped] the guest exited with code 1", "mio-wasm: [panics] the guest trapped: ",
                "the same module as an earlier line, not compiled again");
    }

    @Test
    void a_bad_line_is_a_usage_error_naming_its_line() throws Exception {
        guest("grow");
        assertUsage("grow.wasm\n", "guests.conf:1: a guest line is NAME: [options] APP [ARGS...]");
        assertUsage("a: grow.wasm\n\na: grow.wasm\n", "guests.conf:3: the name a is taken by an earlier line");
        assertUsage("a: --frobnicate grow.wasm\n", "guests.conf:1: a: Unknown option: '--frobnicate'");
        assertUsage("a: -v grow.wasm\n", "guests.conf:1: a: --verbose applies to the whole run: put it before FILE");
        assertUsage("a: --cache-max 1M grow.wasm\n", "guests.conf:1: a: --cache-max applies to the whole run: put it "
                + "before FILE (mio-wasm run-all --cache-max SIZE FILE)");
        assertUsage("a: --allow-bind 127.0.0.1 grow.wasm\n", "guests.conf:1: a: Invalid value for option '--allow-bind'");
        assertUsage("a: --instances 0 grow.wasm\n", "guests.conf:1: a: --instances needs a number from 1 to");
        assertUsage("a: --env X grow.wasm\n", "guests.conf:1: a: --env needs NAME=VALUE: X");
        assertUsage("a: 'grow.wasm\n", "guests.conf:1: the quote ' at column 2 is not closed");
        assertUsage("# nothing\n", "lists no guests");
        MainTest.Result missing = MainTest.run("run-all", tmp.resolve("none.conf").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read " + tmp.resolve("none.conf"));
    }

    @Test
    void a_module_that_cannot_be_loaded_starts_nothing() throws Exception {
        guest("grow");
        Files.write(tmp.resolve("bad.wasm"), new byte[] {0, 'a', 's', 'm', 9, 9});
        MainTest.Result r = MainTest.run("run-all", conf("a: grow.wasm\nb: bad.wasm\n").toString());
        assertThat(r.code()).isEqualTo(Main.CANNOT_RUN);
        assertThat(r.err()).contains("mio-wasm: " + tmp.resolve("guests.conf") + ":2: cannot load "
                + tmp.resolve("bad.wasm"));
        assertThat(r.err()).doesNotContain("[a]");
    }

    @Test
    void words_split_as_a_shell_splits_them() {
        assertThat(GuestsFile.words(" a 'b c' \"d \\\" e\" f\\ g h'i'j ", 1))
                .containsExactly("a", "b c", "d \" e", "f g", "hij");
        assertThatThrownBy(() -> GuestsFile.words("a \"b", 7)).isInstanceOf(GuestsFile.BadLine.class)
                .hasMessage("the quote \" at column 3 is not closed");
    }

    private void assertUsage(String text, String message) throws Exception {
        MainTest.Result r = MainTest.run("run-all", conf(text).toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }

    private static void trap(int port) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("trap".getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(20_000);
            s.getInputStream().read(); // the trap closes the connection
        }
    }

    private static void waitFor(ByteArrayOutputStream err, String text, boolean wholeLine) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(wholeLine ? err.toString(StandardCharsets.UTF_8).lines().anyMatch(text::equals)
                : err.toString(StandardCharsets.UTF_8).contains(text))) {
            assertThat(System.nanoTime()).as("'" + text + "' on stderr; got: " + err).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String echo(int port, String text) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
