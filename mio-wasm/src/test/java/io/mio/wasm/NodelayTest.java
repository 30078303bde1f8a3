package io.mio.wasm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TCP_NODELAY on every guest TCP stream ({@code --tcp-nodelay}, on by default), read from the kernel on the guest
 * socket's own descriptor. Its effect on request rates is measured by {@code scripts/bench-nodelay.sh}, not here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodelayTest {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*")
            .allowConnect("127.0.0.1:*").build();

    @BeforeAll
    static void rawDescriptors() {
        assumeTrue(RawSocketOptions.available(), "reading the option needs io.mio's descriptors (epoll backend)");
    }

    static int nodelay(HostFixture f, int fd) throws Exception {
        byte[] v = RawSocketOptions.get(f.host.osFd(fd), IPPROTO_TCP, TCP_NODELAY, 4);
        return v[0];
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void every_accepted_and_connected_stream_gets_tcp_nodelay_as_configured(boolean on) throws Exception {
        try (HostFixture f = new HostFixture(LOOPBACK);
             ServerSocket peer = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            f.host.setTcpNodelay(on);
            int lfd = f.listener();
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isZero();
                int accepted = f.m.readInt(FD_PTR);
                assertThat(nodelay(f, accepted)).as("accepted stream").isEqualTo(on ? 1 : 0);
            }
            int client = f.open();
            assertThat(f.host.sockConnect(f.m, client, f.addr(loopback()), peer.getLocalPort(), false)).isZero();
            assertThat(nodelay(f, client)).as("connected stream").isEqualTo(on ? 1 : 0);
        }
    }

    @Test
    void on_by_default_for_a_host_and_a_runner() throws Exception {
        try (HostFixture f = new HostFixture(LOOPBACK);
             ServerSocket peer = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            int client = f.open();
            assertThat(f.host.sockConnect(f.m, client, f.addr(loopback()), peer.getLocalPort(), false)).isZero();
            assertThat(nodelay(f, client)).isEqualTo(1);
        }
        // the hyper-shaped guest through WasmRunner's defaults: the listener is FD_BASE, the connection the next fd
        try (Guest g = Guest.start("http_server", LOOPBACK, "0", "1")) {
            int port = g.listeningPort();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                String response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
                for (int i = 0; i < 3; i++) { // keep-alive: three requests on one connection
                    out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(in.readNBytes(response.length()), StandardCharsets.US_ASCII))
                            .isEqualTo(response);
                }
                byte[] v = RawSocketOptions.get(g.sockets().osFd(SocketHost.FD_BASE + 1), IPPROTO_TCP, TCP_NODELAY,
                        4);
                assertThat(v[0]).as("TCP_NODELAY on the guest's accepted stream").isEqualTo((byte) 1);
            }
            assertThat(g.nextLine()).isEqualTo("served 3");
            assertThat(g.exitCode()).isZero();
        }
    }

    @Test
    void the_cli_takes_tcp_nodelay_and_its_negation() throws Exception {
        java.nio.file.Path app = java.nio.file.Files.createTempFile("echo_client", ".wasm");
        try (InputStream in = NodelayTest.class.getResourceAsStream("/guests/echo_client.wasm")) {
            java.nio.file.Files.write(app, in.readAllBytes());
            for (String flag : new String[] {"--tcp-nodelay", "--no-tcp-nodelay"}) {
                // the guest runs (and meets the default-deny sandbox): the flag parsed
                MainTest.Result r = MainTest.run("run", flag, "--interpret", app.toString(), "127.0.0.1", "9", "x");
                assertThat(r.code()).as(flag + ": " + r.err()).isEqualTo(WasiErrno.PERM);
            }
        } finally {
            java.nio.file.Files.delete(app);
        }
    }
}
