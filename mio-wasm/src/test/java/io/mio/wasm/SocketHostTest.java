package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host functions called directly on a 1-page memory: ports of WasmEdge's socket host tests
 * (test/host/socket/wasi_socket.cpp and the socket cases of test/host/wasi/wasi.cpp, as described in
 * shared/docs/wasmedge-socket-abi.md section 5), TCP only, plus the blocking, errno and sandbox rules.
 */
@SuppressWarnings("try") // sockets opened only to be connected, closed by try
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SocketHostTest {

    static Socket connect(int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    // ---- wasi_socket.cpp: negative cases of SocketUDP_4V1, applied to TCP

    @Test
    void sock_open_rejects_bad_type_and_family() throws Exception {
        try (HostFixture f = new HostFixture()) {
            assertThat(f.host.sockOpen(f.m, 1, 3, FD_PTR)).isEqualTo(INVAL);
            assertThat(f.host.sockOpen(f.m, 1, 0, FD_PTR)).isEqualTo(INVAL);
            assertThat(f.host.sockOpen(f.m, -1, 2, FD_PTR)).isEqualTo(INVAL);
            assertThat(f.host.sockOpen(f.m, 0, 2, FD_PTR)).isEqualTo(INVAL);
            assertThat(f.host.sockOpen(f.m, 3, 2, FD_PTR)).as("AF_UNIX without --allow-af-unix").isEqualTo(NOSYS);
            assertThat(f.host.openSockets()).isZero();
        }
    }

    @Test
    void sock_open_gives_socket_numbers_outside_chicorys_range() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int a = f.open();
            int b = f.open();
            assertThat(a).isGreaterThanOrEqualTo(FD_BASE);
            assertThat(b).isNotEqualTo(a).isGreaterThanOrEqualTo(FD_BASE);
            assertThat(f.host.isSocket(a)).isTrue();
            assertThat(f.host.isSocket(1)).isFalse();
        }
    }

    @Test
    void sockets_whose_numbers_fall_on_one_slot_of_the_hosts_lookup_cache_stay_apart() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int tcp = f.open();
            int udp;
            int tries = 0;
            do { // socket numbers are not reused: open and close until one lands 1024 apart (a multiple of the cache)
                assertThat(f.host.sockOpen(f.m, GuestSocket.AF_INET4, GuestSocket.SOCK_DGRAM, FD_PTR)).isEqualTo(0);
                udp = f.m.readInt(FD_PTR);
                if ((udp - tcp) % 1024 != 0) {
                    assertThat(f.host.fdClose(udp)).isEqualTo(0);
                }
            } while ((udp - tcp) % 1024 != 0 && ++tries < 5000);
            assertThat(udp - tcp).isEqualTo(1024);
            for (int round = 0; round < 2; round++) {
                assertThat(f.getOpt(tcp, SO_TYPE, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(GuestSocket.SOCK_STREAM);
                assertThat(f.getOpt(udp, SO_TYPE, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(GuestSocket.SOCK_DGRAM);
            }
            assertThat(f.host.fdClose(udp)).isEqualTo(0);
            assertThat(f.getOpt(udp, SO_TYPE, 4)).isEqualTo(BADF);
            assertThat(f.getOpt(tcp, SO_TYPE, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(GuestSocket.SOCK_STREAM);
            assertThat(f.host.fdClose(tcp)).isEqualTo(0);
            assertThat(f.getOpt(tcp, SO_TYPE, 4)).isEqualTo(BADF);
        }
    }

    @Test
    void sock_bind_rejects_address_length_7_and_non_sockets() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            f.addr(new byte[7]);
            assertThat(f.host.sockBind(f.m, fd, ADDR, 0, false)).isEqualTo(INVAL);
            assertThat(f.host.sockBind(f.m, fd, ADDR, 0, true)).isEqualTo(INVAL);
            assertThat(f.host.sockBind(f.m, 0, f.addr(new byte[4]), 0, false)).as("fd 0 is stdin").isEqualTo(BADF);
            assertThat(f.host.sockBind(f.m, 12345, f.addr(new byte[4]), 0, false)).isEqualTo(BADF);
            assertThat(f.host.sockBind(f.m, fd, f.addr(new byte[16]), 0, false))
                    .as("IPv6 address on an IPv4 socket").isEqualTo(AFNOSUPPORT);
        }
    }

    // ---- SockOpt

    @Test
    void sockopt_type_is_the_wasi_sock_type_and_broadcast_round_trips() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.getOpt(fd, SO_TYPE, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(GuestSocket.SOCK_STREAM);
            assertThat(f.m.readInt(LEN_PTR)).isEqualTo(4);
            int soBroadcast = 4;
            assertThat(f.getOpt(fd, soBroadcast, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            assertThat(f.setOptInt(fd, soBroadcast, 1)).isEqualTo(0);
            f.m.writeI32(VAL, 0);
            assertThat(f.getOpt(fd, soBroadcast, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(1);
        }
    }

    @Test
    void sockopt_rejects_other_levels_names_and_short_values() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            f.m.writeI32(LEN_PTR, 4);
            assertThat(f.host.sockGetOpt(f.m, fd, 1, SO_TYPE, VAL, LEN_PTR)).isEqualTo(INVAL);
            assertThat(f.getOpt(fd, 15, 4)).isEqualTo(INVAL);
            assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_REUSEADDR, VAL, 2)).isEqualTo(INVAL);
            assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_RCVTIMEO, VAL, 8)).as("timeval is 16 bytes").isEqualTo(INVAL);
            assertThat(f.getOpt(12345, SO_TYPE, 4)).isEqualTo(BADF);
        }
    }

    @Test
    void so_acceptconn_tells_a_listener_and_so_reuseaddr_reads_back() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.getOpt(fd, SO_ACCEPTCONN, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            assertThat(f.setOptInt(fd, SO_REUSEADDR, 1)).isEqualTo(0);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isEqualTo(0);
            assertThat(f.host.sockListen(fd, 8)).isEqualTo(0);
            assertThat(f.getOpt(fd, SO_ACCEPTCONN, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(1);
            assertThat(f.getOpt(fd, SO_REUSEADDR, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isEqualTo(1);
        }
    }

    // ---- SockGetLocalAddr_4 (V1 and V2)

    @Test
    void getlocaladdr_v2_gives_family_ip_and_host_order_port() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.host.sockBind(f.m, fd, f.storage(1, loopback()), 0, true)).isEqualTo(0);
            assertThat(f.host.sockListen(fd, 8)).isEqualTo(0);
            f.m.write(ADDR_BUF, new byte[128]);
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 128);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, 0, PORT_PTR, true, true)).isEqualTo(0);
            assertThat(f.m.readShort(ADDR_BUF)).isEqualTo((short) 1);
            assertThat(f.m.readBytes(ADDR_BUF + 2, 4)).containsExactly(127, 0, 0, 1);
            int port = f.m.readInt(PORT_PTR);
            assertThat(port).isEqualTo(f.localPort(fd)).isPositive();
            assertThat(f.m.readInt(TYPE_PTR)).as("V1 addr_type is 4 for IPv4").isEqualTo(4);
            try (Socket c = connect(port)) {
                assertThat(f.accept(fd)).as("a Java client reaches the reported port").isEqualTo(0);
                int conn = f.m.readInt(FD_PTR);
                f.m.writeI32(ADDR, ADDR_BUF);
                f.m.writeI32(ADDR + 4, 4);
                assertThat(f.host.sockGetAddr(f.m, conn, ADDR, TYPE_PTR, PORT_PTR, false, false)).isEqualTo(0);
                assertThat(f.m.readInt(PORT_PTR)).isEqualTo(c.getLocalPort());
                assertThat(f.m.readBytes(ADDR_BUF, 4)).containsExactly(127, 0, 0, 1);
            }
        }
    }

    @Test
    void getlocaladdr_checks_buffer_sizes() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.listener();
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 8);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(INVAL);
            f.m.writeI32(ADDR + 4, 16);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, 0, PORT_PTR, true, true)).as("V2 needs 128").isEqualTo(INVAL);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, false, false))
                    .as("a listener has no peer").isEqualTo(NOTCONN);
        }
    }

    @Test
    void getlocaladdr_v1_of_ipv6_into_4_bytes_is_nomem() throws Exception {
        try (HostFixture f = new HostFixture()) {
            assertThat(f.host.sockOpen(f.m, GuestSocket.AF_INET6, GuestSocket.SOCK_STREAM, FD_PTR)).isEqualTo(0);
            int fd = f.m.readInt(FD_PTR);
            byte[] v6loop = new byte[16];
            v6loop[15] = 1;
            int r = f.host.sockBind(f.m, fd, f.addr(v6loop), 0, false);
            org.junit.jupiter.api.Assumptions.assumeTrue(r == 0, "IPv6 loopback unavailable");
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 4);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(NOMEM);
            f.m.writeI32(ADDR + 4, 16);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(0);
            assertThat(f.m.readInt(TYPE_PTR)).as("V1 addr_type is 6 for IPv6").isEqualTo(6);
            assertThat(f.m.readBytes(ADDR_BUF, 16)).isEqualTo(v6loop);
        }
    }

    // ---- SockConnect_6 and the V2 fallback forms

    @Test
    void v1_ipv6_connect_with_a_16_byte_address() throws Exception {
        ServerSocket server;
        try {
            server = new ServerSocket(0, 1, InetAddress.getByName("::1"));
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("IPv6 loopback unavailable: " + e);
            return;
        }
        try (server; HostFixture f = new HostFixture()) {
            assertThat(f.host.sockOpen(f.m, GuestSocket.AF_INET6, GuestSocket.SOCK_STREAM, FD_PTR)).isEqualTo(0);
            int fd = f.m.readInt(FD_PTR);
            byte[] v6loop = new byte[16];
            v6loop[15] = 1;
            assertThat(f.host.sockConnect(f.m, fd, f.addr(v6loop), server.getLocalPort(), false)).isEqualTo(0);
            try (Socket accepted = server.accept()) {
                assertThat(f.send(fd, "six".getBytes())).isEqualTo(0);
                assertThat(accepted.getInputStream().readNBytes(3)).asString().isEqualTo("six");
            }
        }
    }

    @Test
    void v2_bind_and_connect_take_storage_and_the_4_byte_fallback() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.open();
            assertThat(f.host.sockBind(f.m, lfd, f.addr(loopback()), 0, true)).as("fallback: 4 bytes").isEqualTo(0);
            assertThat(f.host.sockListen(lfd, 4)).isEqualTo(0);
            int port = f.localPort(lfd);
            int c = f.open();
            assertThat(f.host.sockConnect(f.m, c, f.storage(1, loopback()), port, true)).isEqualTo(0);
            assertThat(f.accept(lfd)).isEqualTo(0);
            int c2 = f.open();
            assertThat(f.host.sockConnect(f.m, c2, f.storage(1, loopback()), port, false))
                    .as("V1 does not take 128-byte storage").isEqualTo(INVAL);
            assertThat(f.host.sockConnect(f.m, c2, f.storage(3, loopback()), port, true)).as("AF_UNIX")
                    .isEqualTo(NOSYS);
        }
    }

    // ---- GetAddrinfo

    /** A chain of {@code n} addrinfo records at 8192, sockaddrs at 9000, sa_data at 9500; *res at 8100. */
    static void chain(HostFixture f, int n) {
        for (int i = 0; i < n; i++) {
            int ai = 8192 + i * 28;
            f.m.write(ai, new byte[28]);
            int sa = 9000 + i * 12;
            f.m.write(sa, new byte[12]);
            f.m.writeI32(sa + 4, 26);
            f.m.writeI32(sa + 8, 9500 + i * 32);
            f.m.writeI32(ai + 12, sa);
            f.m.writeI32(ai + 16, 10000 + i * 64);
            f.m.writeI32(ai + 20, 64);
            f.m.writeI32(ai + 24, i + 1 < n ? ai + 28 : 0);
        }
        f.m.writeI32(8100, 8192);
    }

    static int hints(HostFixture f, int flags, int family, int socktype, int protocol) {
        int h = 8000;
        f.m.write(h, new byte[28]);
        f.m.writeShort(h, (short) flags);
        f.m.writeByte(h + 2, (byte) family);
        f.m.writeByte(h + 3, (byte) socktype);
        f.m.writeByte(h + 4, (byte) protocol);
        return h;
    }

    /** As wasmedge_wasi_socket passes them: with their NUL; an empty one as WasmEdge's test does, of length 0. */
    static int gai(HostFixture f, String node, String service, int hints, int max) {
        byte[] n = node.isEmpty() ? new byte[0] : (node + "\0").getBytes();
        byte[] s = service.isEmpty() ? new byte[0] : (service + "\0").getBytes();
        f.m.write(7000, n);
        f.m.write(7500, s);
        return f.host.sockGetAddrinfo(f.m, 7000, n.length, 7500, s.length, hints, 8100, max, 8104);
    }

    @Test
    void getaddrinfo_errors_follow_wasmedge() throws Exception {
        try (HostFixture f = new HostFixture()) {
            chain(f, 4);
            int h = hints(f, 0, 1, 2, 1);
            assertThat(gai(f, "localhost", "80", h, 0)).isEqualTo(AIMEMORY);
            assertThat(gai(f, "", "", h, 4)).isEqualTo(AINONAME);
            assertThat(f.host.sockGetAddrinfo(f.m, 70_000, 4, 7500, 1, h, 8100, 4, 8104)).isEqualTo(FAULT);
            assertThat(gai(f, "", "80", hints(f, AI_CANONNAME, 1, 2, 1), 4)).isEqualTo(AIBADFLAG);
            assertThat(gai(f, "localhost", "80", hints(f, 0x100, 1, 2, 1), 4)).isEqualTo(AIBADFLAG);
            assertThat(gai(f, "localhost", "80", hints(f, 0, 9, 2, 1), 4)).isEqualTo(AIFAMILY);
            assertThat(gai(f, "localhost", "80", hints(f, 0, 1, 7, 1), 4)).isEqualTo(NOSYS);
            assertThat(gai(f, "localhost", "no-such-service", hints(f, 0, 1, 2, 1), 4)).isEqualTo(AISERVICE);
            assertThat(gai(f, "localhost", "http", hints(f, AI_NUMERICSERV, 1, 2, 1), 4)).isEqualTo(AINONAME);
            assertThat(gai(f, "localhost", "80", hints(f, AI_NUMERICHOST, 1, 2, 1), 4)).isEqualTo(AINONAME);
        }
    }

    @Test
    void getaddrinfo_passive_empty_node_puts_the_port_big_endian_in_sa_data() throws Exception {
        try (HostFixture f = new HostFixture()) {
            chain(f, 4);
            assertThat(gai(f, "", "27015", hints(f, AI_PASSIVE, 1, 1, PROTO_UDP), 4)).isEqualTo(0);
            int n = f.m.readInt(8104);
            assertThat(n).isEqualTo(1);
            int ai = 8192;
            assertThat(f.m.readInt(ai + 8)).as("ai_addrlen").isNotZero();
            assertThat(f.m.read(ai + 2)).isEqualTo((byte) 1);
            assertThat(f.m.read(ai + 3)).isEqualTo((byte) 1);
            assertThat(f.m.read(ai + 4)).isEqualTo((byte) PROTO_UDP);
            int sa = f.m.readInt(ai + 12);
            assertThat(f.m.readInt(sa + 4)).as("sa_data_len").isEqualTo(14);
            int data = f.m.readInt(sa + 8);
            assertThat(f.m.read(data)).as("27015 = 0x6987, big-endian").isEqualTo((byte) 'i');
            assertThat(f.m.read(data + 1) & 0xFF).isEqualTo(0x87);
            assertThat(f.m.readBytes(data + 2, 4)).containsExactly(0, 0, 0, 0);
        }
    }

    @Test
    void getaddrinfo_resolves_localhost_and_numeric_hosts_without_dns() throws Exception {
        try (HostFixture f = new HostFixture(NetPolicy.denyAll())) {
            chain(f, 4);
            assertThat(gai(f, "localhost", "http", hints(f, 0, 1, 2, 1), 4)).isEqualTo(0);
            assertThat(f.m.readInt(8104)).isEqualTo(1);
            int data = f.m.readInt(9000 + 8);
            assertThat(f.m.read(data + 1) & 0xFF).isEqualTo(80);
            assertThat(f.m.readBytes(data + 2, 4)).containsExactly(127, 0, 0, 1);

            chain(f, 4);
            assertThat(gai(f, "10.1.2.3", "8080", hints(f, 0, 0, 0, 0), 4)).isEqualTo(0);
            assertThat(f.m.readInt(8104)).as("stream/TCP and dgram/UDP").isEqualTo(2);
            assertThat(f.m.read(8192 + 3)).isEqualTo((byte) 2);
            assertThat(f.m.read(8192 + 28 + 3)).isEqualTo((byte) 1);
            assertThat(f.m.readBytes(f.m.readInt(9000 + 8) + 2, 4)).containsExactly(10, 1, 2, 3);

            chain(f, 1);
            assertThat(gai(f, "localhost", "80", hints(f, 0, 0, 2, 0), 1)).as("max caps the results").isEqualTo(0);
            assertThat(f.m.readInt(8104)).isEqualTo(1);

            assertThat(gai(f, "example.com", "80", hints(f, 0, 1, 2, 1), 4))
                    .as("DNS is refused by the default policy").isEqualTo(PERM);
        }
    }

    @Test
    void getaddrinfo_canonname_copies_the_node() throws Exception {
        try (HostFixture f = new HostFixture()) {
            chain(f, 2);
            assertThat(gai(f, "localhost", "1", hints(f, AI_CANONNAME, 1, 2, 1), 2)).isEqualTo(0);
            assertThat(f.m.readInt(8192 + 20)).isEqualTo("localhost".length());
            assertThat(f.m.readCString(10000)).isEqualTo("localhost");
        }
    }

    // ---- PollOneoffSocketV1 / V1RWPoll (wasi.cpp)

    /** PollOneoffSocketV1, PollOneoffSocketV2 and EpollOneoffSocketV1 of WasmEdge's wasi.cpp. */
    @org.junit.jupiter.params.ParameterizedTest(name = "v2={0} epoll={1}")
    @org.junit.jupiter.params.provider.CsvSource({"false,false", "true,false", "false,true"})
    void poll_oneoff_socket(boolean v2, boolean edge) throws Exception {
        try (HostFixture f = new HostFixture()) {
            f.edge = edge;
            int lfd = f.open();
            assertThat(f.setOptInt(lfd, SO_REUSEADDR, 1)).isEqualTo(0);
            int addr = v2 ? f.storage(1, loopback()) : f.addr(loopback());
            assertThat(f.host.sockBind(f.m, lfd, addr, 0, v2)).isEqualTo(0);
            assertThat(f.host.sockListen(lfd, 8)).isEqualTo(0);
            try (Socket client = connect(f.localPort(lfd))) {
                assertThat(f.host.sockAccept(f.m, lfd, 0, FD_PTR, v2)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);

                // nothing to read: only the 100 ms clock fires
                var ev = f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 100_000_000L, false).poll();
                assertThat(ev).extracting(HostFixture.Ev::userdata, HostFixture.Ev::type)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, EVENTTYPE_CLOCK));

                // the peer sends: one FD_READ event, no error, no hangup
                client.getOutputStream().write(new byte[] {42});
                ev = f.subFd(1, EVENTTYPE_FD_READ, fd).poll();
                assertThat(ev).hasSize(1);
                assertThat(ev.get(0)).isEqualTo(new HostFixture.Ev(1, 0, EVENTTYPE_FD_READ, 1, 0));
                assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(42);

                if (!edge) {
                    // level-triggered: still readable as long as data is there
                    client.getOutputStream().write(new byte[] {1, 2});
                    assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).poll()).hasSize(1);
                    assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).poll()).as("re-subscribed, still ready").hasSize(1);
                    assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                }

                // write until full
                assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
                byte[] chunk = new byte[DATA_MAX];
                int r;
                long total = 0;
                while ((r = f.send(fd, chunk)) == 0) {
                    total += f.sent();
                }
                assertThat(r).isEqualTo(AGAIN);
                ev = f.subFd(3, EVENTTYPE_FD_WRITE, fd).subClock(4, CLOCK_MONOTONIC, 100_000_000L, false).poll();
                assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(4L);

                // the peer drains: FD_WRITE
                InputStream in = client.getInputStream();
                long want = total;
                CompletableFuture<Long> drained = HostFixture.drainAsync(in, want);
                ev = f.subFd(3, EVENTTYPE_FD_WRITE, fd).poll();
                assertThat(ev).hasSize(1);
                assertThat(ev.get(0).userdata()).isEqualTo(3);
                assertThat(ev.get(0).type()).isEqualTo(EVENTTYPE_FD_WRITE);
                assertThat(ev.get(0).error()).isZero();
                assertThat(drained.get(10, TimeUnit.SECONDS)).isEqualTo(total);
            }
        }
    }

    @Test
    void poll_oneoff_socket_v1_rw_poll() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket client = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                // writable, not readable
                var ev = f.subFd(1, EVENTTYPE_FD_READ, fd).subFd(2, EVENTTYPE_FD_WRITE, fd).poll();
                assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(2L);
                // readable and writable
                client.getOutputStream().write(7);
                ev = f.subFd(1, EVENTTYPE_FD_READ, fd).subFd(2, EVENTTYPE_FD_WRITE, fd).poll();
                assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(1L, 2L);
                // the peer closes: readable with hangup once both directions are gone
                client.close();
                ev = f.subFd(1, EVENTTYPE_FD_READ, fd).poll();
                assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(1L);
                assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                assertThat(f.received()).containsExactly(7);
                assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                assertThat(f.m.readInt(LEN_PTR)).as("EOF").isZero();
            }
        }
    }

    @Test
    void poll_oneoff_reports_listener_readiness_level_triggered() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            assertThat(f.host.fdFdstatSetFlags(lfd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            assertThat(f.subFd(9, EVENTTYPE_FD_READ, lfd).subClock(1, CLOCK_MONOTONIC, 1, false).poll())
                    .extracting(HostFixture.Ev::userdata).containsExactly(1L);
            try (Socket a = connect(f.localPort(lfd)); Socket b = connect(f.localPort(lfd))) {
                assertThat(f.subFd(9, EVENTTYPE_FD_READ, lfd).poll()).hasSize(1);
                assertThat(f.accept(lfd)).isEqualTo(0);
                assertThat(f.subFd(9, EVENTTYPE_FD_READ, lfd).poll()).as("one more pending").hasSize(1);
                assertThat(f.accept(lfd)).isEqualTo(0);
                assertThat(f.accept(lfd)).isEqualTo(AGAIN);
                assertThat(f.subFd(9, EVENTTYPE_FD_READ, lfd).subClock(1, CLOCK_MONOTONIC, 1, false).poll())
                        .extracting(HostFixture.Ev::userdata).containsExactly(1L);
            }
        }
    }

    @Test
    void poll_oneoff_special_cases() throws Exception {
        try (HostFixture f = new HostFixture()) {
            // unknown fd: BADF event; the same fd and type twice: EXIST on the second
            int fd = f.listener();
            var ev = f.subFd(1, EVENTTYPE_FD_READ, 777_777).subFd(2, EVENTTYPE_FD_READ, fd)
                    .subFd(3, EVENTTYPE_FD_READ, fd).subClock(4, CLOCK_MONOTONIC, 1, false).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata, HostFixture.Ev::error).contains(
                    org.assertj.core.groups.Tuple.tuple(1L, BADF), org.assertj.core.groups.Tuple.tuple(3L, EXIST));
            assertThat(ev).extracting(HostFixture.Ev::userdata).doesNotContain(2L);
            // an unconnected socket: ready with HANGUP, as Linux reports EPOLLOUT | EPOLLHUP
            int fresh = f.open();
            ev = f.subFd(5, EVENTTYPE_FD_WRITE, fresh).poll();
            assertThat(ev).containsExactly(new HostFixture.Ev(5, 0, EVENTTYPE_FD_WRITE, 1, EVENT_HANGUP));
            // stdout is always writable
            ev = f.subFd(6, EVENTTYPE_FD_WRITE, 1).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata, HostFixture.Ev::error)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(6L, 0));
            // an absolute realtime clock in the past fires at once
            ev = f.subClock(7, CLOCK_REALTIME, 1_000_000_000L, true).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(7L);
            // u64 timeouts above 2^63 are far away, not in the past; the nearest clock wins
            ev = f.subClock(8, CLOCK_MONOTONIC, -1L, false).subClock(9, CLOCK_REALTIME, -1L, true)
                    .subClock(10, CLOCK_MONOTONIC, 30_000_000L, false).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(10L);
            // an absolute monotonic clock a little ahead
            ev = f.subClock(11, CLOCK_MONOTONIC, System.nanoTime() + 20_000_000L, true).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(11L);
            // no subscriptions: success, no events (WasmEdge)
            f.m.writeI32(NEVENTS, 99);
            assertThat(f.host.pollOneoff(f.m, SUBS, EVENTS, 0, NEVENTS)).isEqualTo(0);
            assertThat(f.m.readInt(NEVENTS)).isZero();
            // an unknown clock: an event with error INVAL (WasmEdge)
            f.m.write(SUBS, new byte[48]);
            f.m.writeByte(SUBS + 8, (byte) EVENTTYPE_CLOCK);
            f.m.writeI32(SUBS + 16, 9);
            assertThat(f.host.pollOneoff(f.m, SUBS, EVENTS, 1, NEVENTS)).isEqualTo(0);
            assertThat(f.m.readShort(EVENTS + 8)).isEqualTo((short) INVAL);
            // out-of-bounds arrays: FAULT; misaligned ones ADDRNOTAVAIL, as in WasmEdge 0.17.1 (WasmEdgeChecksTest)
            assertThat(f.host.pollOneoff(f.m, 65536 - 40, EVENTS, 1, NEVENTS)).isEqualTo(FAULT);
            assertThat(f.host.pollOneoff(f.m, SUBS + 4, EVENTS, 1, NEVENTS)).isEqualTo(ADDRNOTAVAIL);
        }
    }

    @Test
    void epoll_oneoff_reports_each_readiness_once() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket client = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                client.getOutputStream().write(1);
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).epoll()).extracting(HostFixture.Ev::userdata)
                        .containsExactly(1L);
                // not read, still there: edge-triggered, so only the clock this time (poll_oneoff would report it)
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false).epoll())
                        .extracting(HostFixture.Ev::userdata).containsExactly(2L);
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).poll()).as("level-triggered poll_oneoff").hasSize(1);
                // new data is a new edge
                assertThat(f.recv(fd, 16, 0)).isEqualTo(0);
                client.getOutputStream().write(2);
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).epoll()).extracting(HostFixture.Ev::userdata)
                        .containsExactly(1L);
            }
        }
    }

    @Test
    void epoll_oneoff_still_reports_an_edge_a_blocking_call_saw() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            try (Socket a = connect(port)) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 1, false).epoll())
                        .extracting(HostFixture.Ev::userdata).containsExactly(2L);
                CompletableFuture<Socket> b = CompletableFuture.supplyAsync(() -> {
                    try {
                        Thread.sleep(50);
                        a.getOutputStream().write(5); // the edge for fd arrives while the guest blocks in accept
                        Thread.sleep(50);
                        return connect(port);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, EchoGuestTest.EXEC);
                assertThat(f.accept(lfd)).isEqualTo(0);
                try (Socket bs = b.get(10, TimeUnit.SECONDS)) {
                    assertThat(f.subFd(1, EVENTTYPE_FD_READ, fd).subClock(2, CLOCK_MONOTONIC, 20_000_000L, false)
                            .epoll()).extracting(HostFixture.Ev::userdata).contains(1L);
                }
            }
        }
    }

    @Test
    void poll_oneoff_asks_chicory_about_stdin() throws Exception {
        try (HostFixture f = new HostFixture(NetPolicy.denyAll(), "abc".getBytes())) {
            var ev = f.subFd(1, EVENTTYPE_FD_READ, 0).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata, HostFixture.Ev::nbytes)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 3L));
        }
        try (HostFixture f = new HostFixture(NetPolicy.allowAll(), new byte[0])) {
            int lfd = f.listener(); // stdin and a socket in one poll: the Poll's wait is cut into slices
            var ev = f.subFd(1, EVENTTYPE_FD_READ, 0).subFd(2, EVENTTYPE_FD_READ, lfd)
                    .subClock(3, CLOCK_MONOTONIC, 120_000_000L, false).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(3L);
        }
    }

    // ---- SockAcceptNonblockFlag

    @Test
    void accept_v2_applies_nonblock_and_v1_accepts_blocking() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket a = connect(f.localPort(lfd)); Socket b = connect(f.localPort(lfd))) {
                assertThat(f.host.sockAccept(f.m, lfd, FDFLAGS_NONBLOCK, FD_PTR, true)).isEqualTo(0);
                int nb = f.m.readInt(FD_PTR);
                assertThat(f.host.fdFdstatGet(f.m, nb, 256)).isEqualTo(0);
                assertThat(f.m.read(256)).isEqualTo((byte) FILETYPE_SOCKET_STREAM);
                assertThat(f.m.readShort(258) & FDFLAGS_NONBLOCK).isEqualTo(FDFLAGS_NONBLOCK);
                assertThat(f.m.readLong(264)).isEqualTo(SOCKET_RIGHTS);

                assertThat(f.accept(lfd)).isEqualTo(0);
                int bl = f.m.readInt(FD_PTR);
                assertThat(f.host.fdFdstatGet(f.m, bl, 256)).isEqualTo(0);
                assertThat(f.m.readShort(258) & FDFLAGS_NONBLOCK).isZero();

                assertThat(f.host.sockAccept(f.m, lfd, 0x20, FD_PTR, true)).as("fdflags WasmEdge does not know")
                        .isEqualTo(INVAL);
                assertThat(f.recv(nb, 8, 0)).as("non-blocking, no data").isEqualTo(AGAIN);
            }
        }
    }

    // ---- PointerAlignment and bounds

    @Test
    void misaligned_pointers_give_addrnotavail_and_out_of_bounds_fault() throws Exception {
        try (HostFixture f = new HostFixture()) {
            assertThat(f.host.sockOpen(f.m, 1, 2, 1)).isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockOpen(f.m, 1, 2, 65536)).isEqualTo(FAULT);
            assertThat(f.host.sockOpen(f.m, 1, 2, 65534)).as("misaligned and outside: alignment first (WasmEdge)")
                    .isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockOpen(f.m, 1, 2, -4)).isEqualTo(FAULT);
            int fd = f.listener();
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR + 2, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(ADDRNOTAVAIL);
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 16);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR + 1, true, false)).isEqualTo(ADDRNOTAVAIL);
            f.m.writeI32(ADDR, 65530);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(FAULT);
            // an iovec reaching past memory
            f.m.writeI32(IOV, 65000);
            f.m.writeI32(IOV + 4, 1000);
            assertThat(f.host.sockRecv(f.m, fd, IOV, 1, 0, LEN_PTR, FLAGS_PTR)).isEqualTo(FAULT);
            assertThat(f.host.sockRecv(f.m, fd, IOV + 1, 1, 0, LEN_PTR, FLAGS_PTR)).isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockRecv(f.m, fd, IOV, 1025, 0, LEN_PTR, FLAGS_PTR)).as("more than 1024 iovecs")
                    .isEqualTo(INVAL);
            assertThat(f.host.sockAccept(f.m, fd, 0, 65536, false)).isEqualTo(FAULT);
        }
    }

    // ---- blocking and non-blocking semantics

    @Test
    void blocking_accept_and_recv_wait_in_the_host() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            CompletableFuture<Socket> client = new CompletableFuture<>();
            EchoGuestTest.EXEC.execute(() -> {
                try {
                    Thread.sleep(100);
                    Socket s = connect(port);
                    client.complete(s);
                    Thread.sleep(100);
                    s.getOutputStream().write("late".getBytes());
                } catch (Exception e) {
                    client.completeExceptionally(e);
                }
            });
            assertThat(f.accept(lfd)).as("blocks until the client connects").isEqualTo(0);
            int fd = f.m.readInt(FD_PTR);
            try (Socket c = client.get(10, TimeUnit.SECONDS)) {
                assertThat(f.recv(fd, 4, RIFLAGS_WAITALL)).as("blocks until data arrives").isEqualTo(0);
                assertThat(f.received()).asString().isEqualTo("late");
            }
        }
    }

    @Test
    void nonblocking_accept_with_nothing_pending_is_again() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            assertThat(f.host.fdFdstatSetFlags(lfd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            assertThat(f.accept(lfd)).isEqualTo(AGAIN);
            assertThat(f.host.fdFdstatGet(f.m, lfd, 256)).isEqualTo(0);
            assertThat(f.m.readShort(258)).isEqualTo((short) FDFLAGS_NONBLOCK);
        }
    }

    @Test
    void so_rcvtimeo_ends_a_blocking_recv_with_again() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket c = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(50_000);
                f.m.write(VAL, tv.array());
                assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_RCVTIMEO, VAL, 16)).isEqualTo(0);
                assertThat(f.recv(fd, 8, 0)).isEqualTo(AGAIN);
                assertThat(f.getOpt(fd, SO_RCVTIMEO, 16)).isEqualTo(0);
                assertThat(f.m.readLong(VAL + 8)).isEqualTo(50_000);
                tv.putLong(0, 0).putLong(8, 1_000_000);
                f.m.write(VAL, tv.array());
                assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_RCVTIMEO, VAL, 16)).as("tv_usec too big").isEqualTo(DOM);
                tv.putLong(0, -1).putLong(8, 0);
                f.m.write(VAL, tv.array());
                assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_RCVTIMEO, VAL, 16)).isEqualTo(0);
                assertThat(f.recv(fd, 8, 0)).as("negative time: no wait").isEqualTo(AGAIN);
                c.getOutputStream().write(9);
                tv.putLong(0, 0).putLong(8, 0);
                f.m.write(VAL, tv.array());
                assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_RCVTIMEO, VAL, 16)).isEqualTo(0);
                assertThat(f.recv(fd, 8, 0)).as("0/0: wait without limit").isEqualTo(0);
                assertThat(f.received()).containsExactly(9);
            }
        }
    }

    @Test
    void recv_peek_send_shutdown_and_flags() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket c = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                c.getOutputStream().write("abc".getBytes());
                assertThat(f.recv(fd, 8, RIFLAGS_PEEK | RIFLAGS_WAITALL)).isEqualTo(0);
                assertThat(f.received()).asString().isEqualTo("abc");
                assertThat(f.recv(fd, 8, 4)).as("unknown riflags").isEqualTo(INVAL);
                assertThat(f.recv(fd, 8, 0)).isEqualTo(0);
                assertThat(f.received()).asString().isEqualTo("abc");
                assertThat(f.m.readShort(FLAGS_PTR)).isZero();

                f.m.writeI32(IOV, DATA);
                f.m.writeI32(IOV + 4, 1);
                assertThat(f.host.sockSend(f.m, fd, IOV, 1, 1, LEN_PTR)).as("siflags must be 0").isEqualTo(INVAL);
                assertThat(f.send(fd, "xyz".getBytes())).isEqualTo(0);
                assertThat(f.sent()).isEqualTo(3);
                assertThat(f.host.sockShutdown(fd, 4)).isEqualTo(INVAL);
                assertThat(f.host.sockShutdown(lfd, 3)).as("listener").isEqualTo(NOTCONN);
                assertThat(f.host.sockShutdown(fd, 2)).isEqualTo(0);
                assertThat(c.getInputStream().readAllBytes()).asString().isEqualTo("xyz");
                assertThat(f.send(fd, "q".getBytes())).as("after SHUT_WR").isEqualTo(PIPE);
                assertThat(f.host.sockShutdown(f.open(), 3)).as("unconnected").isEqualTo(NOTCONN);
            }
        }
    }

    @Test
    void fd_read_and_fd_write_work_on_sockets_through_the_wasi_functions() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket c = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                c.getOutputStream().write("in".getBytes());
                assertThat(f.host.fdRead(f.m, fd, writeIov(f, 8), 1, LEN_PTR)).isEqualTo(0);
                assertThat(f.received()).asString().isEqualTo("in");
                assertThat(f.host.fdClose(fd)).isEqualTo(0);
                assertThat(f.host.fdClose(fd)).isEqualTo(BADF);
                assertThat(c.getInputStream().read()).as("closed by the guest").isEqualTo(-1);
            }
        }
    }

    @Test
    void recv_scatters_and_send_gathers_over_several_iovecs() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            try (Socket c = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(0);
                int fd = f.m.readInt(FD_PTR);
                c.getOutputStream().write("abcdefghijklmno".getBytes());
                // iovecs: 2 bytes at DATA, 0 bytes, 3 bytes at DATA+100, 10 bytes at DATA+200; WAITALL fills them
                int[][] iovs = {{DATA, 2}, {DATA + 50, 0}, {DATA + 100, 3}, {DATA + 200, 10}};
                for (int k = 0; k < iovs.length; k++) {
                    f.m.writeI32(IOV + 8 * k, iovs[k][0]);
                    f.m.writeI32(IOV + 8 * k + 4, iovs[k][1]);
                }
                assertThat(f.host.sockRecv(f.m, fd, IOV, 4, RIFLAGS_WAITALL, LEN_PTR, FLAGS_PTR)).isEqualTo(0);
                assertThat(f.m.readInt(LEN_PTR)).isEqualTo(15);
                assertThat(f.m.readBytes(DATA, 2)).asString().isEqualTo("ab");
                assertThat(f.m.readBytes(DATA + 100, 3)).asString().isEqualTo("cde");
                assertThat(f.m.readBytes(DATA + 200, 10)).asString().isEqualTo("fghijklmno");

                f.m.write(DATA, "12".getBytes());
                f.m.write(DATA + 100, "345".getBytes());
                int[][] out = {{DATA, 2}, {DATA + 100, 3}};
                for (int k = 0; k < out.length; k++) {
                    f.m.writeI32(IOV + 8 * k, out[k][0]);
                    f.m.writeI32(IOV + 8 * k + 4, out[k][1]);
                }
                assertThat(f.host.sockSend(f.m, fd, IOV, 2, 0, LEN_PTR)).isEqualTo(0);
                assertThat(f.m.readInt(LEN_PTR)).isEqualTo(5);
                assertThat(c.getInputStream().readNBytes(5)).asString().isEqualTo("12345");
            }
        }
    }

    @Test
    void fd_renumber_moves_a_socket_onto_another() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            int other = f.open();
            assertThat(f.host.fdRenumber(lfd, other)).isEqualTo(0);
            assertThat(f.host.isSocket(lfd)).isFalse();
            assertThat(f.host.openSockets()).isEqualTo(1);
            assertThat(f.localPort(other)).isEqualTo(port);
            try (Socket c = connect(port)) {
                assertThat(f.subFd(1, EVENTTYPE_FD_READ, other).poll()).as("registered under the new number")
                        .extracting(HostFixture.Ev::userdata).containsExactly(1L);
                assertThat(f.accept(other)).isEqualTo(0);
            }
            assertThat(f.host.fdRenumber(1, other)).as("Chicory's stdout onto a socket").isEqualTo(NOTSUP);
        }
    }

    private static int writeIov(HostFixture f, int len) {
        f.m.writeI32(IOV, DATA);
        f.m.writeI32(IOV + 4, len);
        return IOV;
    }

    @Test
    void nonblocking_connect_is_inprogress_then_writable() throws Exception {
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = f.open();
            assertThat(f.host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isEqualTo(0);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false))
                    .isEqualTo(INPROGRESS);
            var ev = f.subFd(1, EVENTTYPE_FD_WRITE, fd).poll();
            assertThat(ev).extracting(HostFixture.Ev::userdata).containsExactly(1L);
            assertThat(f.getOpt(fd, SO_ERROR, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false))
                    .isEqualTo(ISCONN);
            try (Socket accepted = server.accept()) {
                assertThat(f.send(fd, "hi".getBytes())).isEqualTo(0);
                assertThat(accepted.getInputStream().readNBytes(2)).asString().isEqualTo("hi");
            }
        }
    }

    @Test
    void refused_connect_shows_connrefused_blocking_or_in_so_error() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), port, false)).isEqualTo(CONNREFUSED);
            int nb = f.open();
            assertThat(f.host.fdFdstatSetFlags(nb, FDFLAGS_NONBLOCK)).isEqualTo(0);
            int r = f.host.sockConnect(f.m, nb, f.addr(loopback()), port, false);
            if (r == INPROGRESS) {
                assertThat(f.subFd(1, EVENTTYPE_FD_WRITE, nb).poll()).hasSize(1);
                assertThat(f.getOpt(nb, SO_ERROR, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(CONNREFUSED);
            } else {
                assertThat(r).isEqualTo(CONNREFUSED);
            }
        }
    }


    // ---- socket lifecycle: bind, then listen or connect

    @Test
    void bind_does_not_listen_until_sock_listen() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isEqualTo(0);
            int port = f.localPort(fd);
            assertThat(port).isPositive();
            assertThat(f.getOpt(fd, SO_ACCEPTCONN, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> connect(port).close())
                    .as("bound, not listening: refused").isInstanceOf(java.net.ConnectException.class);
            assertThat(f.accept(fd)).as("accept before listen").isEqualTo(INVAL);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).as("bound twice").isEqualTo(INVAL);
            assertThat(f.host.sockListen(fd, 1)).isEqualTo(0);
            try (Socket c = connect(port)) {
                assertThat(f.accept(fd)).isEqualTo(0);
            }
        }
    }

    @Test
    void a_bound_socket_can_connect_from_its_address() throws Exception {
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = f.open();
            assertThat(f.setOptInt(fd, SO_REUSEADDR, 1)).isEqualTo(0);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isEqualTo(0);
            int port = f.localPort(fd);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false)).isEqualTo(0);
            try (Socket accepted = server.accept()) {
                assertThat(accepted.getPort()).as("the connection comes from the bound port").isEqualTo(port);
                assertThat(f.host.sockListen(fd, 1)).as("connected").isEqualTo(INVAL);
            }
        }
    }

    @Test
    void a_failed_blocking_connect_leaves_a_socket_that_can_connect_again() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = f.open();
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), closed, false)).isEqualTo(CONNREFUSED);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false)).isEqualTo(0);
            try (Socket accepted = server.accept()) {
                assertThat(f.send(fd, "again".getBytes())).isEqualTo(0);
                assertThat(accepted.getInputStream().readNBytes(5)).asString().isEqualTo("again");
            }
        }
    }

    // ---- socket options reach the OS socket

    @Test
    void options_set_before_connect_and_on_the_stream_are_real() throws Exception {
        try (HostFixture f = new HostFixture(); ServerSocket server = new ServerSocket(0, 4,
                InetAddress.getLoopbackAddress())) {
            int fd = f.open();
            assertThat(f.setOptInt(fd, SO_RCVBUF, 10_000)).isEqualTo(0);
            assertThat(f.getOpt(fd, SO_RCVBUF, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).as("Linux doubles it: read from the OS").isEqualTo(20_000);
            assertThat(f.setOptInt(fd, SO_KEEPALIVE, 1)).isEqualTo(0);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), server.getLocalPort(), false)).isEqualTo(0);
            try (Socket accepted = server.accept()) {
                assertThat(f.getOpt(fd, SO_KEEPALIVE, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(1);
                assertThat(f.getOpt(fd, SO_RCVBUF, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(20_000);
                assertThat(f.setOptInt(fd, SO_SNDBUF, 6000)).isEqualTo(0);
                assertThat(f.getOpt(fd, SO_SNDBUF, 4)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(12_000);
                // SO_LINGER {on, 0 s}: close resets the connection
                f.m.writeI32(VAL, 1);
                f.m.writeI32(VAL + 4, 0);
                assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_LINGER, VAL, 8)).isEqualTo(0);
                f.m.writeI32(VAL, 0);
                f.m.writeI32(VAL + 4, 9);
                assertThat(f.getOpt(fd, SO_LINGER, 8)).isEqualTo(0);
                assertThat(f.m.readInt(VAL)).isEqualTo(1);
                assertThat(f.m.readInt(VAL + 4)).isZero();
                assertThat(f.host.fdClose(fd)).isEqualTo(0);
                accepted.setSoTimeout(5000);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> accepted.getInputStream().read())
                        .as("RST from SO_LINGER 0").isInstanceOf(java.net.SocketException.class);
            }
        }
    }

    @Test
    void options_io_mio_has_no_setter_for_read_linux_defaults_and_set_only_with_raw_access() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.getOpt(fd, 10, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).as("SO_RCVLOWAT reads Linux's default").isEqualTo(1);
            assertThat(f.getOpt(fd, 8, 4)).isEqualTo(0);
            assertThat(f.m.readInt(VAL)).as("SO_OOBINLINE reads Linux's default").isEqualTo(0);
            // set on the OS socket where io.mio shows its descriptor (SocketOptionTest), never faked elsewhere
            int expected = RawSocketOptions.available() ? SUCCESS : NOPROTOOPT;
            for (int name : new int[] {3 /* DONTROUTE */, 8 /* OOBINLINE */, 10 /* RCVLOWAT */}) {
                assertThat(f.setOptInt(fd, name, 1)).as("option %d", name).isEqualTo(expected);
            }
        }
    }

    // ---- sandbox

    @Test
    void sandbox_refuses_bind_connect_and_listen_autobind() throws Exception {
        NetPolicy p = NetPolicy.builder().allowBind("127.0.0.1:40000-40010").allowConnect("10.0.0.0/8:80").build();
        try (HostFixture f = new HostFixture(p)) {
            int fd = f.open();
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).as("port 0 not allowed")
                    .isEqualTo(ACCES);
            assertThat(f.host.sockListen(fd, 1)).as("listen binds 0.0.0.0:0").isEqualTo(ACCES);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), 80, false)).isEqualTo(PERM);
            assertThat(f.host.openSockets()).isEqualTo(1);
        }
    }

    @Test
    void socket_limit_gives_mfile() throws Exception {
        try (HostFixture f = new HostFixture(NetPolicy.builder().allowBind("127.0.0.1:*").maxSockets(2).build())) {
            int lfd = f.listener();
            f.open();
            assertThat(f.host.sockOpen(f.m, 1, 2, FD_PTR)).isEqualTo(MFILE);
            try (Socket c = connect(f.localPort(lfd))) {
                assertThat(f.accept(lfd)).isEqualTo(MFILE);
            }
        }
    }

    @Test
    void the_default_socket_cap_lets_a_server_accept_far_more_than_64_connections() throws Exception {
        // the old default (64) gave MFILE at the 64th socket: servers exit on such an accept error
        try (HostFixture f = new HostFixture(NetPolicy.builder().allowBind("127.0.0.1:*").build())) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            List<Socket> clients = new ArrayList<>();
            try {
                for (int k = 0; k < 200; k++) {
                    clients.add(connect(port));
                    assertThat(f.accept(lfd)).as("accept #%d", k + 1).isEqualTo(SUCCESS);
                }
                assertThat(f.host.openSockets()).isEqualTo(201);
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }
}
