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
        assertThat(r.code()).isEqualTo(Main.TRAPPED);
        assertThat(r.err()).contains("cannot load");
        assertThat(run("--help").out()).contains("run");
    }
}
