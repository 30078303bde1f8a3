package io.mio.wasm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP through the host functions: ports of WasmEdge's SocketUDP_4V1, SocketUDP_4V2, SocketUDP_6,
 * SocketUDP_4_Fallback / _6_Fallback and SockOpt (test/host/socket/wasi_socket.cpp), plus connected UDP, poll and
 * the sandbox.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UdpHostTest {
    static final byte[] MSG = "hello, wasmedge.".getBytes();
    static final byte[] V6_LOOP = new byte[16];

    static {
        V6_LOOP[15] = 1;
    }

    static int openUdp(HostFixture f, int family) {
        assertThat(f.host.sockOpen(f.m, family, GuestSocket.SOCK_DGRAM, FD_PTR)).isEqualTo(0);
        return f.m.readInt(FD_PTR);
    }

    /** sock_send_to of {@code data} to the address at ADDR. */
    static int sendTo(HostFixture f, int fd, byte[] data, int port, boolean v2) {
        f.m.write(DATA, data);
        f.m.writeI32(IOV, DATA);
        f.m.writeI32(IOV + 4, data.length);
        return f.host.sockSendTo(f.m, fd, IOV, 1, ADDR, port, 0, LEN_PTR, v2);
    }

    /** sock_recv_from into one iovec of {@code max} bytes; the sender into an {@code addrLen}-byte buffer. */
    static int recvFrom(HostFixture f, int fd, int max, int addrLen, boolean v2) {
        f.m.write(ADDR_BUF, new byte[128]);
        f.m.writeI32(ADDR, ADDR_BUF);
        f.m.writeI32(ADDR + 4, addrLen);
        f.m.writeI32(PORT_PTR, 0);
        f.m.writeI32(IOV, DATA);
        f.m.writeI32(IOV + 4, max);
        return f.host.sockRecvFrom(f.m, fd, IOV, 1, ADDR, 0, PORT_PTR, LEN_PTR, FLAGS_PTR, v2);
    }

    static int boundPort(HostFixture f, int fd) {
        f.m.write(ADDR_BUF, new byte[128]);
        f.m.writeI32(ADDR, ADDR_BUF);
        f.m.writeI32(ADDR + 4, 128);
        assertThat(f.host.sockGetAddr(f.m, fd, ADDR, 0, PORT_PTR, true, true)).isEqualTo(0);
        return f.m.readInt(PORT_PTR);
    }

    @Test
    void socket_udp_4_v1() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int server = openUdp(f, GuestSocket.AF_INET4);
            int client = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, server, f.addr(new byte[4]), 0, false)).as("0.0.0.0:0").isEqualTo(0);
            int port = boundPort(f, server);
            f.addr(HostFixture.loopback());
            assertThat(sendTo(f, client, MSG, port, false)).isEqualTo(0);
            assertThat(f.sent()).isEqualTo(MSG.length);
            assertThat(recvFrom(f, server, 64, 4, false)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
            assertThat(f.m.readBytes(ADDR_BUF, 4)).as("V1: the raw sender IP").containsExactly(127, 0, 0, 1);
            assertThat(f.m.readInt(PORT_PTR)).as("V1 returns no port").isZero();
            assertThat(f.m.readShort(FLAGS_PTR)).isZero();
            assertThat(f.host.fdClose(server)).isEqualTo(0);
            assertThat(f.host.fdClose(client)).isEqualTo(0);

            // negative cases
            assertThat(f.host.sockOpen(f.m, 1, 3, FD_PTR)).isEqualTo(INVAL);
            assertThat(f.host.sockOpen(f.m, -1, 1, FD_PTR)).isEqualTo(INVAL);
            int fd = openUdp(f, GuestSocket.AF_INET4);
            f.addr(new byte[7]);
            assertThat(f.host.sockBind(f.m, fd, ADDR, 0, false)).isEqualTo(INVAL);
            assertThat(f.host.sockBind(f.m, 0, f.addr(new byte[4]), 0, false)).isEqualTo(BADF);
            // V1 takes an address buffer of any size (WasmEdge): nothing queued on an unbound socket, AGAIN
            assertThat(recvFrom(f, fd, 8, 8, false)).as("V1 address buffer of 8").isEqualTo(AGAIN);
            assertThat(recvFrom(f, fd, 8, 7, true)).as("V2 wants 4, 16 or 128").isEqualTo(INVAL);
        }
    }

    @Test
    void socket_udp_4_v2_reports_family_ip_and_host_order_port() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int server = openUdp(f, GuestSocket.AF_INET4);
            int client = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, server, f.storage(1, new byte[4]), 0, true)).isEqualTo(0);
            int port = boundPort(f, server);
            assertThat(f.host.sockBind(f.m, client, f.storage(1, HostFixture.loopback()), 0, true)).isEqualTo(0);
            int clientPort = boundPort(f, client);
            f.storage(1, HostFixture.loopback());
            assertThat(sendTo(f, client, MSG, port, true)).isEqualTo(0);
            assertThat(recvFrom(f, server, 64, 128, true)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
            assertThat(f.m.readShort(ADDR_BUF)).as("family INET4").isEqualTo((short) 1);
            assertThat(f.m.readBytes(ADDR_BUF + 2, 4)).containsExactly(127, 0, 0, 1);
            assertThat(f.m.readInt(PORT_PTR)).as("host order, in the low 16 bits").isEqualTo(clientPort);
        }
    }

    @Test
    void socket_udp_4_fallback_v2_functions_take_4_byte_addresses() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int server = openUdp(f, GuestSocket.AF_INET4);
            int client = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, server, f.addr(HostFixture.loopback()), 0, true)).isEqualTo(0);
            int port = boundPort(f, server);
            f.addr(HostFixture.loopback());
            assertThat(sendTo(f, client, MSG, port, true)).isEqualTo(0);
            assertThat(recvFrom(f, server, 64, 4, true)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
            assertThat(f.m.readBytes(ADDR_BUF, 4)).containsExactly(127, 0, 0, 1);
            assertThat(f.m.readInt(PORT_PTR)).as("the implicit bind's ephemeral port").isPositive();
        }
    }

    @Test
    void socket_udp_6_and_its_fallback() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int server = openUdp(f, GuestSocket.AF_INET6);
            int r = f.host.sockBind(f.m, server, f.storage(2, V6_LOOP), 0, true);
            Assumptions.assumeTrue(r == 0, "IPv6 loopback unavailable");
            int port = boundPort(f, server);
            assertThat(f.m.readShort(ADDR_BUF)).isEqualTo((short) 2);
            int client = openUdp(f, GuestSocket.AF_INET6);
            f.storage(2, V6_LOOP);
            assertThat(sendTo(f, client, MSG, port, true)).isEqualTo(0);
            assertThat(recvFrom(f, server, 64, 128, true)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
            assertThat(f.m.readShort(ADDR_BUF)).as("family INET6").isEqualTo((short) 2);
            assertThat(f.m.readBytes(ADDR_BUF + 2, 16)).isEqualTo(V6_LOOP);
            // fallback: 16-byte addresses
            f.addr(V6_LOOP);
            assertThat(sendTo(f, client, MSG, port, true)).isEqualTo(0);
            assertThat(recvFrom(f, server, 64, 16, true)).isEqualTo(0);
            assertThat(f.m.readBytes(ADDR_BUF, 16)).isEqualTo(V6_LOOP);
            // a 4-byte V1 buffer cannot take an IPv6 sender: the data still comes, the address is left alone
            f.addr(V6_LOOP);
            assertThat(sendTo(f, client, MSG, port, false)).isEqualTo(0);
            assertThat(recvFrom(f, server, 64, 4, false)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
            assertThat(f.m.readBytes(ADDR_BUF, 4)).containsExactly(0, 0, 0, 0);
            // IPv6 destination from an IPv4 socket
            int v4 = openUdp(f, GuestSocket.AF_INET4);
            f.addr(V6_LOOP);
            assertThat(sendTo(f, v4, MSG, port, false)).isEqualTo(AFNOSUPPORT);
        }
    }

    @Test
    void sockopt_type_is_dgram_and_broadcast_reaches_the_os_socket() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.getOpt(fd, SO_TYPE, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(GuestSocket.SOCK_DGRAM);
            assertThat(f.getOpt(fd, SO_BROADCAST, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            assertThat(f.setOptInt(fd, SO_BROADCAST, 1)).as("kept until the socket is bound").isEqualTo(0);
            assertThat(f.getOpt(fd, SO_BROADCAST, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(1);
            assertThat(f.setOptInt(fd, SO_RCVBUF, 8192)).isEqualTo(0);
            assertThat(f.host.sockBind(f.m, fd, f.addr(HostFixture.loopback()), 0, false)).isEqualTo(0);
            // now read from the OS socket
            assertThat(f.getOpt(fd, SO_BROADCAST, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(1);
            assertThat(f.getOpt(fd, SO_RCVBUF, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).as("Linux doubles it").isEqualTo(16384);
            assertThat(f.setOptInt(fd, SO_BROADCAST, 0)).isEqualTo(0);
            assertThat(f.getOpt(fd, SO_BROADCAST, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            assertThat(f.getOpt(fd, SO_ERROR, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
        }
    }

    @Test
    void a_java_peer_sees_the_guest_datagrams_and_truncation_is_flagged() throws Exception {
        try (HostFixture f = new HostFixture();
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(5000);
            int fd = openUdp(f, GuestSocket.AF_INET4);
            f.addr(HostFixture.loopback());
            assertThat(sendTo(f, fd, MSG, peer.getLocalPort(), false)).as("implicit bind").isEqualTo(0);
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            peer.receive(p);
            assertThat(p.getLength()).isEqualTo(MSG.length);
            int guestPort = p.getPort();
            assertThat(boundPort(f, fd)).isEqualTo(guestPort);

            byte[] big = new byte[3000];
            big[2999] = 7;
            peer.send(new DatagramPacket(big, big.length, InetAddress.getLoopbackAddress(), guestPort));
            assertThat(recvFrom(f, fd, 100, 16, true)).isEqualTo(0);
            assertThat(f.m.readInt(LEN_PTR)).isEqualTo(100);
            assertThat(f.m.readShort(FLAGS_PTR)).as("RECV_DATA_TRUNCATED").isEqualTo((short) ROFLAGS_TRUNCATED);
            assertThat(f.m.readInt(PORT_PTR)).isEqualTo(peer.getLocalPort());

            // an empty datagram is 0 bytes, not "would block"
            peer.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), guestPort));
            assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
            assertThat(f.m.readInt(LEN_PTR)).isZero();
            assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            assertThat(f.recv(fd, 16, 0)).isEqualTo(AGAIN);
        }
    }

    @Test
    void connected_udp_uses_send_and_recv_and_rejects_send_unconnected() throws Exception {
        try (HostFixture f = new HostFixture();
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(5000);
            int fd = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.send(fd, MSG)).as("not connected").isEqualTo(DESTADDRREQ);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(HostFixture.loopback()), peer.getLocalPort(), false))
                    .isEqualTo(0);
            assertThat(f.send(fd, MSG)).isEqualTo(0);
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            peer.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength())).isEqualTo(new String(MSG));
            peer.send(new DatagramPacket("back".getBytes(), 4, p.getSocketAddress()));
            assertThat(f.recv(fd, 16, RIFLAGS_PEEK)).isEqualTo(0);
            assertThat(f.received()).asString().isEqualTo("back");
            assertThat(f.recv(fd, 16, 0)).as("blocking recv").isEqualTo(0);
            assertThat(f.received()).asString().isEqualTo("back");
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 4);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, false, false)).isEqualTo(0);
            assertThat(f.m.readInt(PORT_PTR)).as("peer address").isEqualTo(peer.getLocalPort());
            // shutdown: emulated; reads then return nothing, sends fail
            assertThat(f.host.sockShutdown(fd, 3)).isEqualTo(0);
            assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
            assertThat(f.m.readInt(LEN_PTR)).isZero();
            assertThat(f.send(fd, MSG)).isEqualTo(PIPE);
            assertThat(f.host.sockShutdown(openUdp(f, GuestSocket.AF_INET4), 3)).as("unconnected").isEqualTo(NOTCONN);
            assertThat(f.host.sockListen(fd, 1)).isEqualTo(NOTSUP);
        }
    }

    @Test
    void poll_oneoff_on_udp_sockets() throws Exception {
        try (HostFixture f = new HostFixture();
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int unbound = openUdp(f, GuestSocket.AF_INET4);
            var ev = f.subFd(1, EVENTTYPE_FD_READ, unbound).subFd(2, EVENTTYPE_FD_WRITE, unbound)
                    .subClock(3, CLOCK_MONOTONIC, 20_000_000L, false).poll();
            assertThat(ev).as("unbound: writable, not readable").extracting(HostFixture.Ev::userdata)
                    .containsExactly(2L);
            int fd = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, fd, f.addr(HostFixture.loopback()), 0, false)).isEqualTo(0);
            int port = boundPort(f, fd);
            ev = f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(3, CLOCK_MONOTONIC, 20_000_000L, false).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(3L);
            peer.send(new DatagramPacket(MSG, MSG.length, InetAddress.getLoopbackAddress(), port));
            ev = f.subFd(1, EVENTTYPE_FD_READ, fd).subFd(2, EVENTTYPE_FD_WRITE, fd).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(1L, 2L);
            assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).poll()).as("level-triggered").hasSize(1);
            // edge-triggered: reported once until a new datagram comes
            assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).epoll()).hasSize(1);
            assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(3, CLOCK_MONOTONIC, 20_000_000L, false).epoll())
                    .extracting(HostFixture.Ev::userdata).containsExactly(3L);
            assertThat(recvFrom(f, fd, 64, 4, false)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(MSG);
        }
    }

    @Test
    void the_sandbox_checks_bind_and_every_destination() throws Exception {
        NetPolicy p = NetPolicy.builder().allowBind("127.0.0.1:*").allowConnect("127.0.0.1:9").build();
        try (HostFixture f = new HostFixture(p)) {
            int fd = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, fd, f.addr(new byte[4]), 0, false)).as("0.0.0.0").isEqualTo(ACCES);
            f.addr(HostFixture.loopback());
            assertThat(sendTo(f, fd, MSG, 10, false)).isEqualTo(PERM);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(HostFixture.loopback()), 10, false)).isEqualTo(PERM);
            f.addr(HostFixture.loopback());
            assertThat(sendTo(f, fd, MSG, 9, false)).as("allowed destination").isEqualTo(0);
        }
    }

    @Test
    void a_refused_datagram_surfaces_as_connrefused_on_the_connected_socket() throws Exception {
        int closedPort;
        try (DatagramSocket gone = javaPeer()) {
            closedPort = gone.getLocalPort();
        }
        try (HostFixture f = new HostFixture()) {
            int fd = openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(HostFixture.loopback()), closedPort, false)).isEqualTo(0);
            assertThat(f.send(fd, MSG)).isEqualTo(0);
            // the ICMP port-unreachable makes the socket readable (EPOLLERR) and the next receive fail
            assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 5_000_000_000L, false).poll())
                    .extracting(HostFixture.Ev::userdata).containsExactly(1L);
            assertThat(f.recv(fd, 16, 0)).isEqualTo(CONNREFUSED);
        }
    }

    @Test
    void recv_from_on_a_tcp_socket_is_a_recv_that_leaves_the_address_alone() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (java.net.Socket c = SocketHostTest.connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                c.getOutputStream().write("tcp".getBytes());
                assertThat(recvFrom(f, fd, 16, 128, true)).isEqualTo(0);
                assertThat(f.received()).asString().isEqualTo("tcp");
                assertThat(f.m.readShort(ADDR_BUF)).isZero();
                assertThat(f.m.readInt(PORT_PTR)).isZero();
            }
        }
    }

    static DatagramSocket javaPeer() throws Exception {
        return UdpGuestTest.javaPeer();
    }
}
