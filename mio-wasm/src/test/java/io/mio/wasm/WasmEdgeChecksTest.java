package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The argument checks of WasmEdge 0.17.1's host functions (lib/host/wasi/wasifunc.cpp, inode-linux.cpp,
 * vinode.h), one test per function, each case with the errno WasmEdge answers: a guest that runs on mio-wasm must
 * not meet a rejection on WasmEdge. WasmEdge checks every pointer's alignment first (ADDRNOTAVAIL), then the enum
 * and flag arguments it reads at their own width (a u8 or u16 cut from the i32), then memory (FAULT), and the
 * descriptor last (BADF). The README's "WasmEdge's checks" lists them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WasmEdgeChecksTest {
    private static final int BAD_FD = 12345;
    // fdflags: APPEND 1, DSYNC 2, NONBLOCK 4, RSYNC 8, SYNC 16
    private static final int APPEND = 1;
    private static final int DSYNC = 2;
    private static final int RSYNC = 8;
    private static final int SYNC = 16;
    private static final int OUTSIDE = 70_000; // past the fixture's 64 KiB

    private static NetPolicy loopback() {
        return NetPolicy.builder().allowBind("127.0.0.1:*").allowConnect("127.0.0.1:*").build();
    }

    /** poll_oneoff or epoll_oneoff with one FD_READ subscription on {@code fd} at {@code in}. */
    private static int poll(HostFixture f, boolean edge, int in, int out, int n, int nevents) {
        return edge ? f.host.epollOneoff(f.m, in, out, n, nevents) : f.host.pollOneoff(f.m, in, out, n, nevents);
    }

    @Test
    void poll_oneoff_and_epoll_oneoff_answer_misaligned_arrays_with_addrnotavail_not_a_trap() throws Exception {
        try (HostFixture f = new HostFixture()) {
            f.m.write(SUBS, new byte[96]);
            f.m.writeLong(SUBS, 7);
            f.m.writeByte(SUBS + 8, (byte) EVENTTYPE_CLOCK); // a relative clock of 0 ns: ready at once
            f.m.writeI32(SUBS + 16, CLOCK_MONOTONIC);
            for (boolean edge : new boolean[] {false, true}) {
                assertThat(poll(f, edge, SUBS + 4, EVENTS, 1, NEVENTS)).as("in + 4").isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, SUBS, EVENTS + 4, 1, NEVENTS)).as("out + 4").isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, SUBS, EVENTS, 1, NEVENTS + 2)).as("nevents + 2").isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, SUBS + 4, EVENTS, 0, NEVENTS)).as("no subscription, in + 4")
                        .isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, 65_532, EVENTS, 1, NEVENTS)).as("misaligned and outside: alignment first")
                        .isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, 65_528, EVENTS, 1, NEVENTS)).as("aligned, outside").isEqualTo(FAULT);
                assertThat(poll(f, edge, SUBS, EVENTS, 1, NEVENTS)).as("aligned").isEqualTo(SUCCESS);
                assertThat(poll(f, edge, SUBS + 4, EVENTS + 4, 0, NEVENTS + 4)).as("no subscription, aligned")
                        .isEqualTo(ADDRNOTAVAIL);
                assertThat(poll(f, edge, SUBS, EVENTS, 0, NEVENTS)).isEqualTo(SUCCESS);
                assertThat(f.m.readInt(NEVENTS)).isZero();
            }
        }
    }

    @Test
    void poll_oneoff_reports_a_bad_type_clock_or_clock_flags_as_an_inval_event_of_that_subscription() throws Exception {
        try (HostFixture f = new HostFixture()) {
            for (int[] c : new int[][] {
                    {3, 0, 0}, // type 3: no such event type (the event carries the raw type)
                    {EVENTTYPE_CLOCK, 2, 0}, // PROCESS_CPUTIME_ID: WasmEdge has no timer for it (EINVAL)
                    {EVENTTYPE_CLOCK, 3, 0}, // THREAD_CPUTIME_ID
                    {EVENTTYPE_CLOCK, 9, 0}, // no such clock
                    {EVENTTYPE_CLOCK, CLOCK_MONOTONIC, 2}}) { // flags other than ABSTIME
                f.m.write(SUBS, new byte[48]);
                f.m.writeLong(SUBS, 42);
                f.m.writeByte(SUBS + 8, (byte) c[0]);
                f.m.writeI32(SUBS + 16, c[1]);
                f.m.writeLong(SUBS + 24, 1_000_000_000L); // 1 s: an error must not wait for it
                f.m.writeShort(SUBS + 40, (short) c[2]);
                long start = System.nanoTime();
                assertThat(f.host.pollOneoff(f.m, SUBS, EVENTS, 1, NEVENTS)).as("type %d clock %d flags %d", c[0],
                        c[1], c[2]).isEqualTo(SUCCESS);
                assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
                assertThat(f.m.readInt(NEVENTS)).isEqualTo(1);
                assertThat(f.m.readLong(EVENTS)).isEqualTo(42);
                assertThat(f.m.readShort(EVENTS + 8) & 0xFFFF).as("error").isEqualTo(INVAL);
                assertThat(f.m.read(EVENTS + 10) & 0xFF).as("type").isEqualTo(c[0]);
            }
        }
    }

    @Test
    void sock_open_checks_its_pointer_first_and_reads_family_and_type_as_u8() throws Exception {
        try (HostFixture f = new HostFixture()) {
            assertThat(f.host.sockOpen(f.m, 9, 2, FD_PTR + 2)).as("misaligned beats a bad family")
                    .isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockOpen(f.m, 9, 2, OUTSIDE)).as("outside beats a bad family").isEqualTo(FAULT);
            assertThat(f.host.sockOpen(f.m, 3, 9, FD_PTR)).as("AF_UNIX").isEqualTo(NOSYS);
            assertThat(f.host.sockOpen(f.m, 0x101, 0x102, FD_PTR)).as("family 0x101 is INET4, type 0x102 STREAM")
                    .isEqualTo(SUCCESS);
            m0(f);
        }
    }

    private static void m0(HostFixture f) {
        assertThat(f.host.fdClose(f.m.readInt(FD_PTR))).isZero();
    }

    @Test
    void addresses_are_checked_whole_before_their_length_is_judged() throws Exception {
        try (HostFixture f = new HostFixture(loopback())) {
            int fd = f.open();
            f.m.writeI32(ADDR, 65_530);
            f.m.writeI32(ADDR + 4, 7); // a bad length on a buffer past the end of memory
            assertThat(f.host.sockBind(f.m, fd, ADDR, 0, false)).isEqualTo(FAULT);
            assertThat(f.host.sockConnect(f.m, fd, ADDR, 80, true)).isEqualTo(FAULT);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(FAULT);
            f.m.writeI32(ADDR, ADDR_BUF);
            assertThat(f.host.sockBind(f.m, fd, ADDR, 0, false)).as("in memory, length 7").isEqualTo(INVAL);
            // V2 get*addr: the port pointer is checked before the length
            f.m.writeI32(ADDR + 4, 16);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, 0, OUTSIDE, true, true)).isEqualTo(FAULT);
            assertThat(f.host.sockGetAddr(f.m, fd, ADDR, 0, PORT_PTR, true, true)).isEqualTo(INVAL);
            // V1: every pointer's alignment first
            assertThat(f.host.sockGetAddr(f.m, fd, OUTSIDE, TYPE_PTR + 1, PORT_PTR, true, false))
                    .isEqualTo(ADDRNOTAVAIL);
        }
    }

    @Test
    void sock_accept_v2_takes_every_fdflag_wasmedge_knows_and_checks_them_before_the_fd() throws Exception {
        try (HostFixture f = new HostFixture(loopback())) {
            int lfd = f.listener();
            int port = f.localPort(lfd);
            assertThat(f.host.sockAccept(f.m, BAD_FD, 0x20, FD_PTR, true)).as("bad flags, bad fd").isEqualTo(INVAL);
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                // APPEND | DSYNC | NONBLOCK | RSYNC | SYNC, in a u16 with garbage above
                assertThat(f.host.sockAccept(f.m, lfd, 0x1_001F, FD_PTR, true)).isEqualTo(SUCCESS);
                int nfd = f.m.readInt(FD_PTR);
                assertThat(f.host.fdFdstatGet(f.m, nfd, 4096)).isZero();
                assertThat(f.m.readShort(4096 + 2) & FDFLAGS_NONBLOCK).isEqualTo(FDFLAGS_NONBLOCK);
            }
        }
    }

    @Test
    void recv_and_send_check_alignments_then_flags_then_memory_then_the_fd() throws Exception {
        try (HostFixture f = new HostFixture()) {
            f.m.writeI32(IOV, DATA);
            f.m.writeI32(IOV + 4, 16);
            assertThat(f.host.sockRecv(f.m, BAD_FD, IOV, 1, 4, LEN_PTR, FLAGS_PTR)).as("bad riflags, bad fd")
                    .isEqualTo(INVAL);
            assertThat(f.host.sockRecv(f.m, BAD_FD, OUTSIDE, 1, 0, LEN_PTR, FLAGS_PTR + 1))
                    .as("roflags misaligned, iovecs outside").isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockRecv(f.m, BAD_FD, IOV, 1, 0x1_0000, LEN_PTR, FLAGS_PTR)).as("riflags is a u16")
                    .isEqualTo(BADF);
            assertThat(f.host.sockSend(f.m, BAD_FD, IOV, 1, 1, LEN_PTR)).as("bad siflags, bad fd").isEqualTo(INVAL);
            assertThat(f.host.sockSend(f.m, BAD_FD, IOV, 1, 0x1_0000, LEN_PTR)).as("siflags is a u16")
                    .isEqualTo(BADF);
            assertThat(f.host.sockSend(f.m, BAD_FD, OUTSIDE, 1, 0, LEN_PTR + 2)).isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.fdRead(f.m, BAD_FD, OUTSIDE, 1, LEN_PTR + 2)).isEqualTo(ADDRNOTAVAIL);
            f.m.writeI32(ADDR, ADDR_BUF);
            f.m.writeI32(ADDR + 4, 4);
            assertThat(f.host.sockSendTo(f.m, BAD_FD, OUTSIDE, 1, ADDR, 80, 0, LEN_PTR + 2, false))
                    .isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockRecvFrom(f.m, BAD_FD, IOV, 1, ADDR, 0, PORT_PTR + 1, LEN_PTR, FLAGS_PTR, true))
                    .as("V2's port pointer is a u16's").isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockRecvFrom(f.m, BAD_FD, IOV, 1, ADDR, 0, PORT_PTR + 2, LEN_PTR, FLAGS_PTR, true))
                    .isEqualTo(BADF);
        }
    }

    @Test
    void recv_from_v1_takes_an_address_buffer_of_any_size() throws Exception {
        try (HostFixture f = new HostFixture(loopback());
             DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            assertThat(f.host.sockOpen(f.m, GuestSocket.AF_INET4, GuestSocket.SOCK_DGRAM, FD_PTR)).isZero();
            int fd = f.m.readInt(FD_PTR);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback4()), 0, false)).isZero();
            int port = f.localPort(fd);
            for (int len : new int[] {128, 0, 3, 64}) {
                byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
                peer.send(new DatagramPacket(hi, hi.length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port)));
                f.m.write(ADDR_BUF, new byte[128]);
                f.m.writeI32(ADDR, ADDR_BUF);
                f.m.writeI32(ADDR + 4, len);
                f.m.writeI32(IOV, DATA);
                f.m.writeI32(IOV + 4, 16);
                assertThat(f.host.sockRecvFrom(f.m, fd, IOV, 1, ADDR, 0, 0, LEN_PTR, FLAGS_PTR, false))
                        .as("V1, a %d-byte buffer", len).isEqualTo(SUCCESS);
                assertThat(f.m.readInt(LEN_PTR)).isEqualTo(2);
                assertThat(f.m.readBytes(ADDR_BUF, 4)).as("the IP when it fits, raw at +0")
                        .containsExactly(len >= 4 ? new byte[] {127, 0, 0, 1} : new byte[4]);
            }
        }
    }

    private static byte[] loopback4() {
        return new byte[] {127, 0, 0, 1};
    }

    @Test
    void shutdown_reads_sdflags_as_a_u8_before_the_fd() throws Exception {
        try (HostFixture f = new HostFixture()) {
            assertThat(f.host.sockShutdown(BAD_FD, 4)).isEqualTo(INVAL);
            assertThat(f.host.sockShutdown(BAD_FD, 0x103)).as("0x103 is RD|WR").isEqualTo(BADF);
        }
    }

    @Test
    void socket_options_check_level_and_name_then_memory_then_the_fd_with_u32_lengths() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.host.sockSetOpt(f.m, BAD_FD, 1, SO_KEEPALIVE, VAL, 4)).as("bad level, bad fd")
                    .isEqualTo(INVAL);
            assertThat(f.host.sockSetOpt(f.m, BAD_FD, 0, 15, VAL, 4)).as("bad name, bad fd").isEqualTo(INVAL);
            assertThat(f.host.sockSetOpt(f.m, fd, 0, SO_KEEPALIVE, VAL, -1)).as("length 2^32 - 1").isEqualTo(FAULT);
            f.m.writeI32(LEN_PTR, -1);
            assertThat(f.host.sockGetOpt(f.m, fd, 0, SO_KEEPALIVE, VAL, LEN_PTR)).isEqualTo(FAULT);
            assertThat(f.host.sockGetOpt(f.m, BAD_FD, 7, SO_KEEPALIVE, VAL, LEN_PTR + 1)).as("alignment first")
                    .isEqualTo(ADDRNOTAVAIL);
            assertThat(f.host.sockGetOpt(f.m, BAD_FD, 7, SO_KEEPALIVE, VAL, OUTSIDE)).as("level before memory")
                    .isEqualTo(INVAL);
        }
    }

    /** A chain of {@code n} addrinfo records from 8192, 64 bytes apart, each with a sockaddr and room for data. */
    private static void chain(HostFixture f, int n, int stride) {
        for (int k = 0; k < n; k++) {
            int ai = 8192 + k * stride;
            int sa = 12_000 + k * 64;
            f.m.write(ai, new byte[28]);
            f.m.writeI32(ai + 12, sa);
            f.m.writeI32(ai + 24, k + 1 < n ? ai + stride : 0);
            f.m.write(sa, new byte[12]);
            f.m.writeI32(sa + 4, 26);
            f.m.writeI32(sa + 8, sa + 16);
        }
        f.m.writeI32(8100, 8192);
    }

    private static int gai(HostFixture f, String node, String service, int max) {
        byte[] n = node.getBytes(StandardCharsets.US_ASCII);
        byte[] s = service.getBytes(StandardCharsets.US_ASCII);
        f.m.write(7000, n);
        f.m.write(7500, s);
        f.m.write(7900, new byte[28]);
        f.m.write(7900 + 2, new byte[] {1, 2, 1}); // INET4, STREAM, TCP
        return f.host.sockGetAddrinfo(f.m, 7000, n.length, 7500, s.length, 7900, 8100, max, 8104);
    }

    @Test
    void getaddrinfo_checks_the_whole_result_chain_but_not_its_alignment_and_an_empty_node_is_a_name() throws Exception {
        try (HostFixture f = new HostFixture()) {
            chain(f, 3, 64);
            assertThat(gai(f, "127.0.0.1\0", "80\0", 3)).isEqualTo(SUCCESS);
            assertThat(f.m.readInt(8104)).isEqualTo(1);

            f.m.writeI32(8192 + 2 * 64 + 12, OUTSIDE); // the third record's sockaddr: never written to, still checked
            assertThat(gai(f, "127.0.0.1\0", "80\0", 3)).isEqualTo(FAULT);
            assertThat(gai(f, "127.0.0.1\0", "80\0", 2)).as("max 2 stops before it").isEqualTo(SUCCESS);

            chain(f, 2, 64);
            f.m.writeI32(12_000 + 4, 100_000); // the first sockaddr's sa_data_len runs past memory
            assertThat(gai(f, "127.0.0.1\0", "80\0", 1)).isEqualTo(FAULT);

            chain(f, 2, 62); // records 2 bytes off 4-byte alignment: WasmEdge does not ask for any
            assertThat(gai(f, "127.0.0.1\0", "80\0", 2)).isEqualTo(SUCCESS);
            assertThat(f.m.readInt(8104)).isEqualTo(1);

            chain(f, 1, 64);
            f.m.writeI32(8192 + 24, 8192); // a record that points at itself, max 2^32 - 1: walked once
            assertThat(gai(f, "127.0.0.1\0", "80\0", -1)).isEqualTo(SUCCESS);

            chain(f, 2, 64);
            assertThat(gai(f, "\0", "80\0", 2)).as("a node \"\" (length 1) is getaddrinfo(\"\", ...)")
                    .isEqualTo(AINONAME);
            assertThat(gai(f, "", "80\0", 2)).as("no node (length 0): the loopback address").isEqualTo(SUCCESS);
            assertThat(f.m.readBytes(12_000 + 16, 6)).containsExactly(0, 80, 127, 0, 0, 1);
            assertThat(gai(f, "", "", 2)).isEqualTo(AINONAME);
        }
    }

    @Test
    void fd_fdstat_set_flags_on_a_socket_checks_flags_and_rights_as_wasmedge() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int fd = f.open();
            assertThat(f.host.fdFdstatSetFlags(fd, 0x20)).as("no such flag").isEqualTo(INVAL);
            assertThat(f.host.fdFdstatSetFlags(fd, DSYNC)).as("needs FD_DATASYNC").isEqualTo(NOTCAPABLE);
            assertThat(f.host.fdFdstatSetFlags(fd, SYNC)).isEqualTo(NOTCAPABLE);
            assertThat(f.host.fdFdstatSetFlags(fd, RSYNC)).isEqualTo(NOTCAPABLE);
            assertThat(f.host.fdFdstatSetFlags(fd, 0x1_0000 | APPEND | FDFLAGS_NONBLOCK)).as("a u16")
                    .isEqualTo(SUCCESS);
            assertThat(f.host.fdFdstatGet(f.m, fd, 4096)).isZero();
            assertThat(f.m.readShort(4096 + 2)).isEqualTo((short) (APPEND | FDFLAGS_NONBLOCK));
        }
    }
}
