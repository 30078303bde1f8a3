package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host's registrations and known readiness across poll_oneoff / epoll_oneoff calls: a socket is registered
 * once, a guest that re-subscribes the same sockets on every call costs no registry call, a socket known ready
 * answers without a wait, and nothing is lost (data after AGAIN or a short read is reported, a spinning guest
 * still receives, a read that took exactly what was queued is not reported readable again).
 */
@SuppressWarnings("try") // sockets opened only to be connected, closed by try
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollReadinessTest {
    private static final long LONG_WAIT = 10_000_000_000L;

    static Socket connect(int port) throws Exception {
        return SocketHostTest.connect(port);
    }

    /**
     * A non-blocking listener and connection, accepted as a guest does: accept (blocking here), then accept until
     * AGAIN. Returns {lfd, fd}; the peer goes into {@code client[0]}.
     */
    private static int[] accepted(HostFixture f, Socket[] client) throws Exception {
        int lfd = f.listener();
        client[0] = connect(f.localPort(lfd));
        assertThat(f.accept(lfd)).isEqualTo(0);
        int fd = f.m.readInt(FD_PTR);
        assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
        assertThat(f.host.fdFdstatSetFlags(lfd, FDFLAGS_NONBLOCK)).isEqualTo(0);
        assertThat(f.accept(lfd)).isEqualTo(AGAIN);
        return new int[] {lfd, fd};
    }

    /** Spins on a non-blocking peek until {@code fd} has data (the peer's bytes crossed loopback). */
    private static void awaitArrival(HostFixture f, int fd) {
        long deadline = System.nanoTime() + LONG_WAIT;
        while (f.recv(fd, 1, RIFLAGS_PEEK) == AGAIN && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(f.m.readInt(LEN_PTR)).as("data arrived").isEqualTo(1);
    }

    private static List<Long> userdata(List<HostFixture.Ev> ev) {
        return ev.stream().map(HostFixture.Ev::userdata).toList();
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {false, true})
    void resubscribing_the_same_sockets_on_every_call_makes_no_registry_call(boolean edge) throws Exception {
        try (HostFixture f = new HostFixture()) {
            f.edge = edge;
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                long registered = f.host.registryCalls;
                assertThat(registered).as("listener and connection, each registered once").isEqualTo(2);
                long known = f.host.againsFromKnown;
                for (int round = 0; round < 50; round++) {
                    client.getOutputStream().write(new byte[] {(byte) round, 1});
                    List<HostFixture.Ev> ev = f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subFd(2, EVENTTYPE_FD_READ, fds[0])
                            .subClock(3, CLOCK_MONOTONIC, LONG_WAIT, false).poll();
                    assertThat(userdata(ev)).as("round %d", round).containsExactly(1L);
                    assertThat(f.recv(fds[1], 64, 0)).isEqualTo(0);
                    assertThat(f.received()).containsExactly(round, 1);
                    assertThat(f.send(fds[1], new byte[] {(byte) round})).isEqualTo(0);
                    assertThat(client.getInputStream().read()).isEqualTo(round & 0xFF);
                    // a draining guest reads again: known empty after the short read, AGAIN without a system call
                    assertThat(f.recv(fds[1], 64, 0)).isEqualTo(AGAIN);
                }
                assertThat(f.host.registryCalls).as("no re-arming while the subscriptions stay").isEqualTo(registered);
                assertThat(f.host.againsFromKnown - known).isEqualTo(50);
            }
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {false, true})
    void a_guest_that_reads_then_waits_for_fd_write_then_sends_waits_once_per_round_trip(boolean edge)
            throws Exception {
        // mio_wasi's shape: FD_READ, read, FD_WRITE, send, FD_READ again; the subscription flips every call
        try (HostFixture f = new HostFixture()) {
            f.edge = edge;
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                long registered = f.host.registryCalls;
                long waits = f.host.pollCalls;
                int rounds = 20;
                for (int round = 0; round < rounds; round++) {
                    client.getOutputStream().write(new byte[] {7, (byte) round});
                    awaitArrival(f, fds[1]); // so that the one wait below finds the event at once
                    List<HostFixture.Ev> ev = f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subFd(2, EVENTTYPE_FD_READ, fds[0])
                            .subClock(3, CLOCK_MONOTONIC, LONG_WAIT, false).poll();
                    assertThat(userdata(ev)).as("round %d", round).containsExactly(1L);
                    assertThat(f.recv(fds[1], 1024, 0)).isEqualTo(0);
                    assertThat(f.received()).containsExactly(7, round);
                    ev = f.subFd(1, EVENTTYPE_FD_WRITE, fds[1]).subFd(2, EVENTTYPE_FD_READ, fds[0])
                            .subClock(3, CLOCK_MONOTONIC, LONG_WAIT, false).poll();
                    assertThat(userdata(ev)).as("writable, known from the read's event").containsExactly(1L);
                    assertThat(f.send(fds[1], new byte[] {7, (byte) round})).isEqualTo(0);
                    assertThat(client.getInputStream().readNBytes(2)).containsExactly(7, round);
                }
                assertThat(f.host.registryCalls).isEqualTo(registered);
                assertThat(f.host.pollCalls - waits).as("one wait in the Poll per round trip").isEqualTo(rounds);
            }
        }
    }

    @Test
    void a_socket_known_ready_does_not_hide_another_ones_readiness_for_more_than_one_call() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket a = connect(f.localPort(lfd)); Socket b = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fa = f.m.readInt(FD_PTR);
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fb = f.m.readInt(FD_PTR);
                assertThat(f.host.fdFdstatSetFlags(fb, FDFLAGS_NONBLOCK)).isEqualTo(0);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fa).poll())).containsExactly(1L);
                // b's data arrives after the Poll was last asked; the peek (a guest call) makes sure it is there
                b.getOutputStream().write(5);
                long deadline = System.nanoTime() + LONG_WAIT;
                while (f.recv(fb, 16, RIFLAGS_PEEK) == AGAIN && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(f.received()).containsExactly(5);
                // a guest that writes to a after every poll: a is always known writable
                assertThat(f.send(fa, new byte[] {1})).isEqualTo(0);
                List<Long> seen = userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fa).subFd(2, EVENTTYPE_FD_READ, fb).poll());
                assertThat(seen).contains(1L);
                if (!seen.contains(2L)) {
                    // answered from what was known: the next call asks the Poll and reports b
                    assertThat(f.send(fa, new byte[] {2})).isEqualTo(0);
                    assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fa).subFd(2, EVENTTYPE_FD_READ, fb).poll()))
                            .containsExactly(1L, 2L);
                }
                assertThat(a.getInputStream().read()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {false, true})
    void data_arriving_after_again_or_a_short_read_is_reported_by_the_next_poll(boolean edge) throws Exception {
        try (HostFixture f = new HostFixture()) {
            f.edge = edge;
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(AGAIN);
                client.getOutputStream().write(new byte[] {1, 2});
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).as("after AGAIN").containsExactly(1L);
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(0);
                assertThat(f.received()).as("a short read").containsExactly(1, 2);
                client.getOutputStream().write(3);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).as("after a short read").containsExactly(1L);
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(3);
                // the same for the listener: a connection after accept's AGAIN
                assertThat(f.accept(fds[0])).isEqualTo(AGAIN);
                try (Socket other = connect(f.localPort(fds[0]))) {
                    assertThat(userdata(f.subFd(4, EVENTTYPE_FD_READ, fds[0])
                            .subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false).poll())).containsExactly(4L);
                    assertThat(f.accept(fds[0])).isEqualTo(0);
                }
            }
        }
    }

    @Test
    void a_nonblocking_recv_that_spins_without_polling_still_receives() throws Exception {
        try (HostFixture f = new HostFixture()) {
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                client.getOutputStream().write(1);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).poll())).containsExactly(1L);
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(0); // short: known empty now
                long known = f.host.againsFromKnown;
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(AGAIN);
                assertThat(f.host.againsFromKnown - known).as("the drain's AGAIN costs no system call").isEqualTo(1);
                client.getOutputStream().write(2);
                long deadline = System.nanoTime() + LONG_WAIT;
                int r;
                while ((r = f.recv(fds[1], 16, 0)) == AGAIN && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(r).isEqualTo(0);
                assertThat(f.received()).containsExactly(2);
                assertThat(f.host.againsFromKnown - known).as("only once until the next poll").isEqualTo(1);
                // the same for accept
                assertThat(f.accept(fds[0])).isEqualTo(AGAIN);
                assertThat(f.accept(fds[0])).isEqualTo(AGAIN);
                try (Socket other = connect(f.localPort(fds[0]))) {
                    deadline = System.nanoTime() + LONG_WAIT;
                    while ((r = f.accept(fds[0])) == AGAIN && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertThat(r).isEqualTo(0);
                }
                assertThat(f.host.againsFromKnown - known).as("one for recv, one for accept").isEqualTo(2);
            }
        }
    }

    @Test
    void a_level_poll_reports_an_undrained_socket_again_but_not_one_a_read_emptied_exactly() throws Exception {
        try (HostFixture f = new HostFixture()) {
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                client.getOutputStream().write(new byte[] {1, 2, 3});
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).poll())).containsExactly(1L);
                assertThat(f.recv(fds[1], 1, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(1);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).poll())).as("two bytes left")
                        .containsExactly(1L);
                assertThat(f.recv(fds[1], 2, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(2, 3);
                // that read took exactly what was queued: a blocking guest must not be told to read again
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, 50_000_000L, false)
                        .poll())).containsExactly(2L);
                client.getOutputStream().write(4);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).containsExactly(1L);
            }
        }
    }

    @Test
    void end_of_stream_queued_behind_the_data_is_reported_after_a_short_read() throws Exception {
        try (HostFixture f = new HostFixture()) {
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                client.getOutputStream().write(new byte[] {1, 2});
                client.shutdownOutput();
                awaitArrival(f, fds[1]);
                // data and FIN both there: one event; the short read leaves the FIN, which raises no new edge
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).poll())).containsExactly(1L);
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(1, 2);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).containsExactly(1L);
                assertThat(f.recv(fds[1], 16, 0)).isEqualTo(0);
                assertThat(f.m.readInt(LEN_PTR)).as("end of stream").isZero();
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fds[1]).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).as("and for good").containsExactly(1L);
            }
        }
    }

    @Test
    void a_blocking_guest_polls_then_reads_exact_sizes_without_hanging() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket client = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR); // blocking
                for (int round = 0; round < 20; round++) {
                    client.getOutputStream().write(new byte[] {(byte) round, 0, 0, 0});
                    assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                            .poll())).containsExactly(1L);
                    assertThat(f.recv(fd, 4, 0)).isEqualTo(0);
                    assertThat(f.received()).containsExactly(round, 0, 0, 0);
                    assertThat(f.send(fd, new byte[] {(byte) round})).isEqualTo(0);
                    assertThat(client.getInputStream().read()).isEqualTo(round);
                }
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false)
                        .poll())).as("nothing left to read").containsExactly(2L);
            }
        }
    }

    @Test
    void a_write_that_fills_the_send_buffer_makes_the_socket_not_writable_until_the_peer_reads() throws Exception {
        try (HostFixture f = new HostFixture()) {
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                int fd = fds[1];
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).poll())).containsExactly(1L);
                byte[] chunk = new byte[DATA_MAX];
                long total = 0;
                int r;
                // until a send does not take the whole chunk: a short write (what Linux gives here) or AGAIN
                while ((r = f.send(fd, chunk)) == 0) {
                    total += f.sent();
                    if (f.sent() < chunk.length) {
                        break;
                    }
                }
                long known = f.host.againsFromKnown;
                assertThat(f.send(fd, chunk)).isEqualTo(AGAIN);
                assertThat(f.host.againsFromKnown - known).as("known full").isEqualTo(1);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).subClock(2, CLOCK_MONOTONIC, 50_000_000L, false)
                        .poll())).containsExactly(2L);
                InputStream in = client.getInputStream();
                long want = total;
                CompletableFuture<Long> drained = HostFixture.drainAsync(in, want);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .poll())).containsExactly(1L);
                assertThat(drained.get(10, TimeUnit.SECONDS)).isEqualTo(total);
            }
        }
    }

    @Test
    void epoll_oneoff_reports_an_edge_once_and_a_changed_interest_at_its_level() throws Exception {
        try (HostFixture f = new HostFixture()) {
            Socket[] c = new Socket[1];
            int[] fds = accepted(f, c);
            try (Socket client = c[0]) {
                int fd = fds[1];
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).epoll())).containsExactly(1L);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false)
                        .epoll())).as("reported once").containsExactly(2L);
                client.getOutputStream().write(1);
                assertThat(userdata(f.subFd(3, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, LONG_WAIT, false)
                        .epoll())).containsExactly(3L);
                assertThat(userdata(f.subFd(3, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false)
                        .epoll())).as("not read, but reported once").containsExactly(2L);
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_WRITE, fd).epoll()))
                        .as("another interest: its level, writable").containsExactly(1L);
                assertThat(userdata(f.subFd(3, EVENTTYPE_FD_READ, fd).epoll()))
                        .as("back to FD_READ: the byte is still there").containsExactly(3L);
                long registered = f.host.registryCalls;
                assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                assertThat(userdata(f.subFd(3, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false)
                        .epoll())).containsExactly(2L);
                assertThat(f.host.registryCalls).isEqualTo(registered);
            }
        }
    }

    @Test
    void udp_readiness_is_kept_too() throws Exception {
        try (HostFixture f = new HostFixture();
                DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int fd = UdpHostTest.openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isEqualTo(0);
            assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            int port = UdpHostTest.boundPort(f, fd);
            long registered = f.host.registryCalls;
            assertThat(registered).as("registered at bind").isEqualTo(1);
            assertThat(UdpHostTest.recvFrom(f, fd, 64, 4, false)).isEqualTo(AGAIN);
            long known = f.host.againsFromKnown;
            assertThat(UdpHostTest.recvFrom(f, fd, 64, 4, false)).isEqualTo(AGAIN);
            assertThat(f.host.againsFromKnown - known).as("known empty").isEqualTo(1);
            for (int round = 0; round < 10; round++) {
                peer.send(new DatagramPacket(new byte[] {(byte) round}, 1, InetAddress.getLoopbackAddress(), port));
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fd).subFd(2, EVENTTYPE_FD_WRITE, fd)
                        .subClock(3, CLOCK_MONOTONIC, LONG_WAIT, false).poll())).as("round %d", round).contains(1L);
                assertThat(UdpHostTest.recvFrom(f, fd, 64, 4, false)).isEqualTo(0);
                assertThat(f.received()).containsExactly(round);
                // one datagram read: whether another is queued is not known; the next poll finds out
                assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(3, CLOCK_MONOTONIC, 10_000_000L, false)
                        .poll())).containsExactly(3L);
            }
            // two datagrams: the poll after reading one still reports the other
            peer.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getLoopbackAddress(), port));
            peer.send(new DatagramPacket(new byte[] {2}, 1, InetAddress.getLoopbackAddress(), port));
            long deadline = System.nanoTime() + LONG_WAIT;
            int r;
            while ((r = UdpHostTest.recvFrom(f, fd, 64, 4, false)) == AGAIN && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(r).isEqualTo(0);
            assertThat(f.received()).containsExactly(1);
            assertThat(userdata(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(3, CLOCK_MONOTONIC, LONG_WAIT, false)
                    .poll())).containsExactly(1L);
            assertThat(UdpHostTest.recvFrom(f, fd, 64, 4, false)).isEqualTo(0);
            assertThat(f.received()).containsExactly(2);
        }
    }
}
