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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mio-wasm run --instances N}: N isolated copies of one module in one JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstancesCliTest {
    @TempDir
    Path tmp;

    private Path guest(String name) throws Exception {
        Path p = tmp.resolve(name + ".wasm");
        try (InputStream in = InstancesCliTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    @Test
    void each_copy_gets_its_number_in_args_and_a_prefix_on_its_lines() throws Exception {
        Path app = guest("echo_client");
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket c = server.accept()) {
                        c.getOutputStream().write(c.getInputStream().readAllBytes());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            }, EchoGuestTest.EXEC);
            MainTest.Result r = MainTest.run("run", "--instances", "2", "--allow-connect",
                    "127.0.0.1:" + server.getLocalPort(), app.toString(), "localhost",
                    String.valueOf(server.getLocalPort()), "from copy {i}");
            assertThat(r.out().lines()).containsExactlyInAnyOrder("[0] reply from copy 0", "[1] reply from copy 1");
            assertThat(r.code()).isZero();
            echo.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_copy_that_traps_ends_alone_and_the_run_ends_with_the_lowest_copys_code() throws Exception {
        Path app = guest("trap_echo");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new java.io.OutputStream() {
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
        }, true);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.execute(
                new ByteArrayInputStream(new byte[0]), out, new PrintStream(err, true), "run", "--instances", "3",
                "--allow-bind", "127.0.0.1:*", app.toString(), "0"), EchoGuestTest.EXEC);
        Map<Integer, Integer> ports = new HashMap<>();
        Pattern listening = Pattern.compile("\\[(\\d)] listening (\\d+)");
        while (ports.size() < 3) {
            String l = lines.poll(30, TimeUnit.SECONDS);
            assertThat(l).as("a listening line; stderr: " + err).isNotNull();
            Matcher m = listening.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            ports.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        trap(ports.get(1));
        waitFor(err, "mio-wasm: [1] the guest trapped: ");
        for (int i : new int[] {0, 2}) {
            assertThat(echo(ports.get(i), "copy " + i)).isEqualTo("copy " + i);
        }
        assertThat(run).isNotDone();
        trap(ports.get(0));
        trap(ports.get(2));
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(Main.TRAPPED);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("the guest trapped")))
                .hasSize(3).allMatch(l -> l.endsWith("(exit code 125)"));
    }

    @Test
    void a_sandbox_refusal_names_the_copy_it_refused() throws Exception {
        MainTest.Result r = MainTest.run("run", "--instances", "2", guest("trap_echo").toString(), "0");
        assertThat(r.code()).as("each copy exits with sock_bind's ACCES").isEqualTo(WasiErrno.ACCES);
        for (String copy : new String[] {"[0]", "[1]"}) {
            assertThat(r.err().lines()).anyMatch(l -> l.startsWith("mio-wasm: " + copy + " sock_bind 127.0.0.1:0 refused"
                    + " by the sandbox (ACCES): add --allow-bind 127.0.0.1:0"));
        }
        assertThat(r.out().lines()).contains("[0] error 2 in we_sock_bind(fd, &addr, port)",
                "[1] error 2 in we_sock_bind(fd, &addr, port)");
    }

    @Test
    void verbose_tells_each_copys_end_once_prefixed_with_its_number() throws Exception {
        MainTest.Result r = MainTest.run("run", "-v", "--instances", "2", guest("grow").toString());
        assertThat(r.code()).isZero();
        assertThat(r.err().lines()).contains("mio-wasm: [0] the guest exited with code 0",
                "mio-wasm: [1] the guest exited with code 0");
        assertThat(r.err()).doesNotContain("[0] [0]").doesNotContain("[1] [1]");
    }

    @Test
    void a_bad_count_is_a_usage_error() throws Exception {
        MainTest.Result r = MainTest.run("run", "--instances", "0", guest("trap_echo").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--instances needs a number from 1 to");
    }

    private static void trap(int port) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("trap".getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(20_000);
            s.getInputStream().read(); // the trap closes the connection
        }
    }

    private static void waitFor(ByteArrayOutputStream err, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!err.toString(StandardCharsets.UTF_8).contains(text)) {
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
