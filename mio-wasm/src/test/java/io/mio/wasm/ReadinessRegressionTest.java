package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regressions found by review of the kept readiness (see {@link PollReadinessTest}): a guest that sleeps or yields
 * with clock-only polls between non-blocking calls must still see its data, and a datagram socket whose error a
 * recv consumed must not stay readable.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadinessRegressionTest {

    @Test
    void a_guest_that_sleeps_between_nonblocking_recvs_gets_the_data_that_arrived() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket client = SocketHostTest.connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
                assertThat(f.recv(fd, 16, 0)).isEqualTo(AGAIN); // the OS said so: known empty
                client.getOutputStream().write(42);
                Thread.sleep(100);
                int r = AGAIN;
                for (int i = 0; i < 20 && r == AGAIN; i++) {
                    f.subClock(1, CLOCK_MONOTONIC, 10_000_000L, false).poll(); // Rust's thread::sleep
                    r = f.recv(fd, 16, 0);
                }
                assertThat(r).as("recv after clock-only polls, the byte queued long before").isEqualTo(SUCCESS);
            }
        }
    }

    @Test
    void a_guest_that_yields_between_nonblocking_accepts_gets_the_connection() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            assertThat(f.host.fdFdstatSetFlags(lfd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            assertThat(f.accept(lfd)).isEqualTo(AGAIN);
            try (Socket client = SocketHostTest.connect(f.localPort(lfd))) {
                Thread.sleep(100);
                int r = AGAIN;
                for (int i = 0; i < 20 && r == AGAIN; i++) {
                    f.subClock(1, CLOCK_MONOTONIC, 5_000_000L, false).poll();
                    r = f.accept(lfd);
                }
                assertThat(r).isEqualTo(SUCCESS);
            }
        }
    }

    @Test
    void a_connected_datagram_socket_is_not_readable_after_recv_returned_its_error() throws Exception {
        int closedPort;
        try (DatagramSocket gone = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        try (HostFixture f = new HostFixture()) {
            int fd = UdpHostTest.openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(HostFixture.loopback()), closedPort, false)).isEqualTo(0);
            assertThat(f.send(fd, new byte[] {1})).isEqualTo(0);
            assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 5_000_000_000L, false).poll())
                    .extracting(HostFixture.Ev::userdata).containsExactly(1L); // the ICMP error
            assertThat(f.recv(fd, 16, 0)).isEqualTo(CONNREFUSED);
            List<Long> again = f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 200_000_000L, false).poll()
                    .stream().map(HostFixture.Ev::userdata).toList();
            assertThat(again).as("nothing queued, the error consumed: only the clock fires").containsExactly(2L);
        }
    }
}
