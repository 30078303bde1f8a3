package io.mio.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * fd_renumber between Chicory's table and the sockets (WasmEdge's semantics), and a connect retried on the socket
 * of a failed non-blocking connect (Linux's: the error, or CONNABORTED once the guest has read it, then a new
 * attempt).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try")
class RenumberAndReconnectTest {
    private static long[] call(HostFixture f, String name, long... args) {
        HostFunction fn = f.host.hostFunctions(null).stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow();
        return fn.handle().apply(null, args);
    }

    @Test
    void a_socket_renumbered_onto_a_chicory_descriptor_takes_its_number() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            assertThat(f.host.wasiHas(1)).as("stdout").isTrue();
            assertThat(f.host.fdRenumber(lfd, 1)).isEqualTo(0);
            assertThat(f.host.isSocket(1)).isTrue();
            assertThat(f.host.isSocket(lfd)).isFalse();
            assertThat(f.host.openSockets()).isEqualTo(1);
            assertThat(f.localPort(1)).isEqualTo(port);
            try (Socket c = SocketHostTest.connect(port)) {
                assertThat(f.subFd(5, EVENTTYPE_FD_READ, 1).poll()).as("registered under the new number")
                        .extracting(HostFixture.Ev::userdata).containsExactly(5L);
                assertThat(f.accept(1)).isEqualTo(0);
            }
            assertThat(call(f, "fd_seek", 1, 0, 0, 0)).as("a file call on the socket").containsExactly(BADF);
            assertThat(call(f, "path_open", 1, 0, 0, 0, 0, 0, 0, 0, 0)).containsExactly(BADF);
            assertThat(f.host.wasiHas(1)).as("Chicory keeps the number while the socket has it").isTrue();
            assertThat(f.host.fdClose(1)).isEqualTo(0);
            assertThat(f.host.isSocket(1)).isFalse();
            assertThat(f.host.wasiHas(1)).as("closing the socket frees the number in Chicory too").isFalse();
        }
    }

    @Test
    void renumber_follows_wasmedge_for_missing_and_foreign_descriptors() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int a = f.open();
            int b = f.open();
            assertThat(f.host.fdRenumber(a, 77)).as("to: nothing there").isEqualTo(BADF);
            assertThat(f.host.fdRenumber(77, a)).as("from: nothing there").isEqualTo(BADF);
            assertThat(f.host.fdRenumber(a, a)).isEqualTo(0);
            assertThat(f.host.fdRenumber(2, a)).as("Chicory's stderr onto a socket").isEqualTo(NOTSUP);
            assertThat(f.host.isSocket(a)).isTrue();
            assertThat(f.host.fdRenumber(a, 2)).isEqualTo(0);
            assertThat(f.host.fdRenumber(b, 2)).as("socket onto socket, on a Chicory number").isEqualTo(0);
            assertThat(f.host.openSockets()).isEqualTo(1);
            assertThat(f.host.wasiHas(2)).as("still Chicory's reserved number").isTrue();
            assertThat(f.host.fdRenumber(2, a)).as("back to a free socket number: nothing there").isEqualTo(BADF);
            int c = f.open();
            assertThat(f.host.fdRenumber(2, c)).isEqualTo(0);
            assertThat(f.host.wasiHas(2)).as("the socket left: Chicory's number is released").isFalse();
            assertThat(f.host.isSocket(c)).isTrue();
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A non-blocking connect to a closed port, waited for with poll_oneoff; returns the fd. */
    private static int refusedNonblocking(HostFixture f, int port) {
        int fd = f.open();
        assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
        int r = f.host.sockConnect(f.m, fd, f.addr(loopback()), port, false);
        assertThat(r).isIn(INPROGRESS, CONNREFUSED);
        if (r == INPROGRESS) {
            assertThat(f.subFd(1, EVENTTYPE_FD_WRITE, fd).poll()).hasSize(1);
        }
        return fd;
    }

    @Test
    void connect_again_after_a_refused_nonblocking_connect_returns_its_error_then_starts_afresh() throws Exception {
        int closed = closedPort();
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = refusedNonblocking(f, closed);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), closed, false))
                    .as("the pending error, as Linux's second connect").isEqualTo(CONNREFUSED);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false))
                    .as("a new attempt").isEqualTo(INPROGRESS);
            assertThat(f.subFd(1, EVENTTYPE_FD_WRITE, fd).poll()).extracting(HostFixture.Ev::flags)
                    .as("writable, not hung up").containsExactly(0);
            assertThat(f.getOpt(fd, SO_ERROR, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            try (Socket accepted = server.accept()) {
                assertThat(f.send(fd, "again".getBytes())).isEqualTo(0);
                assertThat(accepted.getInputStream().readNBytes(5)).asString().isEqualTo("again");
            }
        }
    }

    @Test
    void connect_again_after_reading_so_error_is_connaborted_then_a_new_attempt() throws Exception {
        int closed = closedPort();
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = refusedNonblocking(f, closed);
            assertThat(f.getOpt(fd, SO_ERROR, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(CONNREFUSED);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), closed, false))
                    .as("Linux: the error was read, the connect is aborted").isEqualTo(CONNABORTED);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false))
                    .isEqualTo(INPROGRESS);
            assertThat(f.subFd(1, EVENTTYPE_FD_WRITE, fd).poll()).hasSize(1);
            try (Socket accepted = server.accept()) {
                assertThat(f.send(fd, "third".getBytes())).isEqualTo(0);
                assertThat(accepted.getInputStream().readNBytes(5)).asString().isEqualTo("third");
            }
        }
    }
}
