package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class UdpSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(200);
    private static final byte[] DATA1 = "Hello world!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA2 = "Hello mars!".getBytes(StandardCharsets.US_ASCII);

    static InetSocketAddress anyV4() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    static InetSocketAddress anyV6() {
        return new InetSocketAddress("::1", 0);
    }

    private static void expectReadable(Poll poll, Events events, Token token) throws IOException {
        TestSupport.expectEvent(poll, events, token, Event::isReadable, WAIT);
    }

    private static void expectWritable(Poll poll, Events events, Token token) throws IOException {
        TestSupport.expectEvent(poll, events, token, Event::isWritable, WAIT);
    }

    private static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    @Test
    void empty_datagram_is_received_as_zero_bytes_not_would_block() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(b, new Token(1), Interest.READABLE);
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertThat(b.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);
            assertThat(b.recvFrom(buf)).isNull();

            assertThat(a.sendTo(ByteBuffer.allocate(0), b.localAddr())).isEqualTo(0);
            expectReadable(poll, events, new Token(1));
            assertThat(b.recvFrom(buf)).isEqualTo(a.localAddr());
            assertThat(buf.position()).isZero();
            assertThat(b.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);

            assertThat(a.sendTo(new byte[0], b.localAddr())).isEqualTo(0);
            expectReadable(poll, events, new Token(1));
            assertThat(b.recv(new byte[4])).isEqualTo(0);
            assertThat(b.recv(new byte[4])).isEqualTo(UdpSocket.WOULD_BLOCK);
        }
    }

    private void unconnectedSmoke(InetSocketAddress bindAt) throws Exception {
        try (Poll poll = Poll.open(); UdpSocket s1 = UdpSocket.bind(bindAt); UdpSocket s2 = UdpSocket.bind(bindAt)) {
            Events events = Events.withCapacity(8);
            Token t1 = new Token(1), t2 = new Token(2);
            poll.registry().register(s1, t1, Interest.READABLE.add(Interest.WRITABLE));
            poll.registry().register(s2, t2, Interest.READABLE.add(Interest.WRITABLE));
            expectWritable(poll, events, t1);
            InetSocketAddress a1 = s1.localAddr(), a2 = s2.localAddr();
            assertThat(s1.sendTo(ByteBuffer.wrap(DATA1), a2)).isEqualTo(DATA1.length);
            assertThat(s2.sendTo(DATA2, 0, DATA2.length, a1)).isEqualTo(DATA2.length);
            expectReadable(poll, events, t1);

            ByteBuffer buf = ByteBuffer.allocate(64);
            assertThat(s1.peekFrom(buf)).isEqualTo(a2);
            assertThat(buf.position()).as("peek does not advance").isZero();
            assertThat(s1.recvFrom(buf)).isEqualTo(a2);
            assertThat(text(buf)).isEqualTo("Hello mars!");

            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            SocketAddressHolder from = new SocketAddressHolder();
            assertThat(s2.recvFrom(direct, from)).isEqualTo(DATA1.length);
            assertThat(from.sameAs(a1)).isTrue();
            assertThat(from.toInetSocketAddress()).isEqualTo(a1);
            assertThat(text(direct)).isEqualTo("Hello world!");
            assertThat(s1.recvFrom(buf.clear())).isNull();
            assertThat(s2.recvFrom(direct.clear(), from)).isEqualTo(UdpSocket.WOULD_BLOCK);
            assertThat(from.sameAs(a1)).as("holder untouched on would-block").isTrue();
        }
    }

    @Test
    void unconnected_ipv4_smoke() throws Exception {
        unconnectedSmoke(anyV4());
    }

    @Test
    void unconnected_ipv6_smoke() throws Exception {
        unconnectedSmoke(anyV6());
    }

    private void connectedSmoke(InetSocketAddress bindAt) throws Exception {
        try (Poll poll = Poll.open(); UdpSocket s1 = UdpSocket.bind(bindAt); UdpSocket s2 = UdpSocket.bind(bindAt)) {
            s1.connect(s2.localAddr());
            s2.connect(s1.localAddr());
            assertThat(s1.peerAddr()).isEqualTo(s2.localAddr());
            Events events = Events.withCapacity(8);
            Token t1 = new Token(1), t2 = new Token(2);
            poll.registry().register(s1, t1, Interest.READABLE.add(Interest.WRITABLE));
            poll.registry().register(s2, t2, Interest.READABLE.add(Interest.WRITABLE));
            expectWritable(poll, events, t1);
            assertThat(s1.send(DATA1)).isEqualTo(DATA1.length);
            assertThat(s2.send(ByteBuffer.wrap(DATA2))).isEqualTo(DATA2.length);
            expectReadable(poll, events, t2);

            byte[] buf = new byte[64];
            assertThat(s2.peek(buf, 0, buf.length)).isEqualTo(DATA1.length);
            assertThat(s2.recv(buf, 0, buf.length)).isEqualTo(DATA1.length);
            assertThat(new String(buf, 0, DATA1.length, StandardCharsets.US_ASCII)).isEqualTo("Hello world!");
            ByteBuffer bb = ByteBuffer.allocateDirect(64);
            assertThat(s1.peek(bb)).isEqualTo(DATA2.length);
            assertThat(bb.position()).isZero();
            assertThat(s1.recv(bb)).isEqualTo(DATA2.length);
            assertThat(text(bb)).isEqualTo("Hello mars!");
            assertThat(s1.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);
        }
    }

    /** mio's peek_ok for UDP: a datagram peeked before the poll is still reported readable. */
    @Test
    void a_datagram_peeked_before_the_poll_is_reported_readable() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket s1 = UdpSocket.bind(anyV4()); UdpSocket s2 = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            Token t2 = new Token(2);
            poll.registry().register(s2, t2, Interest.READABLE);
            byte[] buf = new byte[64];
            assertThat(s2.peek(buf, 0, buf.length)).as("nothing yet").isEqualTo(UdpSocket.WOULD_BLOCK);
            assertThat(s1.sendTo(DATA1, s2.localAddr())).isEqualTo(DATA1.length);
            long deadline = System.nanoTime() + WAIT.toNanos();
            int n;
            while ((n = s2.peek(buf, 0, buf.length)) == UdpSocket.WOULD_BLOCK) {
                assertThat(System.nanoTime()).as("the datagram arrives").isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(n).isEqualTo(DATA1.length);
            expectReadable(poll, events, t2);
            assertThat(s2.recv(buf, 0, buf.length)).isEqualTo(DATA1.length);
            assertThat(s2.recv(buf, 0, buf.length)).isEqualTo(UdpSocket.WOULD_BLOCK);
        }
    }

    @Test
    void connected_ipv4_smoke() throws Exception {
        connectedSmoke(anyV4());
    }

    @Test
    void connected_ipv6_smoke() throws Exception {
        connectedSmoke(anyV6());
    }

    @Test
    void reconnect_sends_to_the_new_peer() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket tx = UdpSocket.bind(anyV4());
             UdpSocket rx1 = UdpSocket.bind(anyV4()); UdpSocket rx2 = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(rx1, new Token(1), Interest.READABLE);
            poll.registry().register(rx2, new Token(2), Interest.READABLE);
            tx.connect(rx1.localAddr());
            assertThat(tx.send(DATA1)).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(1));
            tx.connect(rx2.localAddr());
            assertThat(tx.peerAddr()).isEqualTo(rx2.localAddr());
            assertThat(tx.send(DATA2)).isEqualTo(DATA2.length);
            expectReadable(poll, events, new Token(2));
            byte[] buf = new byte[64];
            assertThat(rx1.recv(buf)).isEqualTo(DATA1.length);
            assertThat(rx2.recv(buf)).isEqualTo(DATA2.length);
            assertThat(new String(buf, 0, DATA2.length, StandardCharsets.US_ASCII)).isEqualTo("Hello mars!");
        }
    }

    @Test
    void connected_only_calls_fail_on_an_unconnected_socket() throws Exception {
        try (UdpSocket s = UdpSocket.bind(anyV4())) {
            assertThatThrownBy(() -> s.send(DATA1))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("EDESTADDRREQ").hasMessageContaining("unconnected");
            assertThatThrownBy(s::peerAddr).isInstanceOf(SocketException.class).hasMessageContaining("ENOTCONN");
            // recv works without a peer: nothing there yet
            assertThat(s.recv(new byte[8])).isEqualTo(UdpSocket.WOULD_BLOCK);
        }
    }

    @Test
    void unconnected_calls_work_on_a_connected_socket() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            a.connect(b.localAddr());
            b.connect(a.localAddr());
            poll.registry().register(b, new Token(1), Interest.READABLE);
            assertThat(a.sendTo(DATA1, b.localAddr())).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(1));
            ByteBuffer buf = ByteBuffer.allocate(64);
            assertThat(b.recvFrom(buf)).isEqualTo(a.localAddr());
            assertThat(text(buf)).isEqualTo("Hello world!");
        }
    }

    @Test
    void connected_socket_discards_datagrams_from_other_senders() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket rx = UdpSocket.bind(anyV4());
             UdpSocket peer = UdpSocket.bind(anyV4()); UdpSocket stranger = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            rx.connect(peer.localAddr());
            poll.registry().register(rx, new Token(1), Interest.READABLE);
            assertThat(stranger.sendTo(DATA2, rx.localAddr())).isEqualTo(DATA2.length);
            TestSupport.expectNoEvent(poll, events, new Token(1), QUIET);
            assertThat(rx.recv(new byte[64])).isEqualTo(UdpSocket.WOULD_BLOCK);
            assertThat(peer.sendTo(DATA1, rx.localAddr())).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(1));
            assertThat(rx.recv(new byte[64])).isEqualTo(DATA1.length);
        }
    }

    @Test
    void broadcast_ttl_and_multicast_options_round_trip() throws Exception {
        try (UdpSocket s = UdpSocket.bind(anyV4()); UdpSocket s6 = UdpSocket.bind(anyV6())) {
            assertThat(s.broadcast()).isFalse();
            s.setBroadcast(true);
            assertThat(s.broadcast()).isTrue();
            s.setBroadcast(false);
            assertThat(s.broadcast()).isFalse();

            if (!io.mio.TestBackend.selector()) {
                s.setTtl(42);
                assertThat(s.ttl()).isEqualTo(42);
                s6.setTtl(17);
                assertThat(s6.ttl()).isEqualTo(17);
            } else { // io.mio.TestBackend.TTL
                assertThatThrownBy(() -> s.setTtl(42)).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IP_TTL");
                assertThatThrownBy(s6::ttl).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IP_TTL");
            }
            assertThatThrownBy(() -> s.setTtl(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");

            assertThat(s.multicastLoopV4()).isTrue();
            s.setMulticastLoopV4(false);
            assertThat(s.multicastLoopV4()).isFalse();
            assertThat(s.multicastTtlV4()).isEqualTo(1);
            s.setMulticastTtlV4(9);
            assertThat(s.multicastTtlV4()).isEqualTo(9);

            assertThat(s6.multicastLoopV6()).isTrue();
            s6.setMulticastLoopV6(false);
            assertThat(s6.multicastLoopV6()).isFalse();
            if (!io.mio.TestBackend.selector()) {
                assertThat(s6.onlyV6()).as("Linux sets IPV6_V6ONLY when binding to a specific IPv6 address").isTrue();
                try (UdpSocket any6 = UdpSocket.bind(new InetSocketAddress("::", 0))) {
                    assertThat(any6.onlyV6()).isFalse();
                    assertThatThrownBy(() -> any6.setOnlyV6(true)).isInstanceOf(IOException.class).hasMessageContaining("IPV6_V6ONLY");
                }
            } else { // io.mio.TestBackend.V6ONLY
                assertThatThrownBy(s6::onlyV6).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY");
            }
            assertThatThrownBy(() -> s.onlyV6())
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY").hasMessageContaining("IPv4");
            assertThatThrownBy(() -> s.setMulticastLoopV6(true))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_MULTICAST_LOOP");
            assertThat(s.takeError()).isNull();
        }
    }

    @Test
    void multicast_join_and_leave_on_loopback() throws Exception {
        Inet4Address group = (Inet4Address) InetAddress.getByName("224.0.0.123");
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        try (Poll poll = Poll.open(); UdpSocket rx = UdpSocket.bind(new InetSocketAddress("0.0.0.0", 0));
             UdpSocket tx = UdpSocket.bind(anyV4())) {
            try {
                rx.joinMulticastV4(group, lo);
            } catch (IOException e) {
                Assumptions.abort("the kernel refuses multicast on loopback here: " + e.getMessage());
            }
            Events events = Events.withCapacity(8);
            poll.registry().register(rx, new Token(1), Interest.READABLE);
            int port = rx.localAddr().getPort();
            SocketAddressHolder to = new SocketAddressHolder(new InetSocketAddress(group, port));
            // route the group's traffic out of the loopback interface
            tx.setMulticastInterfaceV4(lo);
            assertThat(tx.sendTo(ByteBuffer.wrap(DATA1), to)).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(1));
            SocketAddressHolder from = new SocketAddressHolder();
            assertThat(rx.recvFrom(new byte[64], 0, 64, from)).isEqualTo(DATA1.length);
            assertThat(from.port()).isEqualTo(tx.localAddr().getPort());
            rx.leaveMulticastV4(group, lo);
            assertThatThrownBy(() -> rx.leaveMulticastV4(group, lo)).isInstanceOf(IOException.class)
                    .hasMessageContaining("IP_DROP_MEMBERSHIP");
            assertThatThrownBy(() -> rx.joinMulticastV4(lo, lo)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a multicast address");
        }
    }

    @Test
    void multicast_v6_join_and_leave_on_loopback() throws Exception {
        Inet6Address group = (Inet6Address) InetAddress.getByName("ff02::1:7");
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
        Assumptions.assumeTrue(lo != null, "no loopback interface");
        try (UdpSocket s = UdpSocket.bind(new InetSocketAddress("::", 0))) {
            try {
                s.joinMulticastV6(group, lo.getIndex());
            } catch (IOException e) {
                Assumptions.abort("the kernel refuses IPv6 multicast on loopback here: " + e.getMessage());
            }
            s.leaveMulticastV6(group, lo.getIndex());
            assertThatThrownBy(() -> s.leaveMulticastV6(group, lo.getIndex())).isInstanceOf(IOException.class)
                    .hasMessageContaining("IPV6_DROP_MEMBERSHIP");
        }
        try (UdpSocket v4 = UdpSocket.bind(anyV4())) {
            assertThatThrownBy(() -> v4.joinMulticastV6(group, 0)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void raw_fd_round_trips_through_fromRawFd() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        try (UdpSocket s = UdpSocket.bind(anyV4())) {
            InetSocketAddress local = s.localAddr();
            int fd = s.rawFd();
            assertThat(fd).isGreaterThanOrEqualTo(0);
            // adopt a duplicate so both wrappers own their own descriptor
            int dup = io.mio.internal.linux.Sys.dup(fd);
            try (UdpSocket adopted = UdpSocket.fromRawFd(dup)) {
                assertThat(adopted.rawFd()).isEqualTo(dup);
                assertThat(adopted.localAddr()).isEqualTo(local);
                assertThat(adopted.isIpv6()).isFalse();
            }
        }
        try (TcpListener l = TcpListener.bind(anyV4())) {
            assertThatThrownBy(() -> UdpSocket.fromRawFd(l.rawFd())).isInstanceOf(IllegalArgumentException.class);
            assertThat(l.localAddr()).isNotNull(); // the listener's descriptor was left alone
        }
    }

    @Test
    void register_reregister_and_no_events_after_deregister() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(b, new Token(1), Interest.WRITABLE);
            expectWritable(poll, events, new Token(1));
            poll.registry().reregister(b, new Token(2), Interest.READABLE);
            a.sendTo(DATA1, b.localAddr());
            expectReadable(poll, events, new Token(2));
            assertThat(b.recv(new byte[64])).isEqualTo(DATA1.length);
            poll.registry().deregister(b);
            a.sendTo(DATA2, b.localAddr());
            TestSupport.expectNoEvent(poll, events, new Token(2), QUIET);
            TestSupport.expectNoEvent(poll, events, new Token(1), QUIET);
            assertThat(b.recv(new byte[64])).isEqualTo(DATA2.length);
        }
    }

    @Test
    void after_would_block_the_next_datagram_raises_a_new_event() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            Token t = new Token(7);
            poll.registry().register(b, t, Interest.READABLE);
            SocketAddressHolder from = new SocketAddressHolder();
            ByteBuffer buf = ByteBuffer.allocate(64);
            for (int round = 0; round < 3; round++) {
                a.sendTo(DATA1, b.localAddr());
                a.sendTo(DATA2, b.localAddr());
                expectReadable(poll, events, t);
                int got = 0;
                while (b.recvFrom(buf.clear(), from) != UdpSocket.WOULD_BLOCK) {
                    got++;
                }
                assertThat(got).isEqualTo(2);
                TestSupport.expectNoEvent(poll, events, t, Duration.ofMillis(50));
            }
            // and with recv on a connected socket
            b.connect(a.localAddr());
            a.sendTo(DATA1, b.localAddr());
            expectReadable(poll, events, t);
            assertThat(b.recv(buf.clear())).isEqualTo(DATA1.length);
            assertThat(b.recv(buf.clear())).isEqualTo(UdpSocket.WOULD_BLOCK);
            a.sendTo(DATA2, b.localAddr());
            expectReadable(poll, events, t);
            assertThat(b.recv(buf.clear())).isEqualTo(DATA2.length);
        }
    }

    @Test
    void too_small_buffer_truncates_and_discards_the_rest() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(b, new Token(1), Interest.READABLE);
            a.sendTo(DATA1, b.localAddr());
            a.sendTo(DATA2, b.localAddr());
            expectReadable(poll, events, new Token(1));
            byte[] small = new byte[5];
            assertThat(b.recv(small)).isEqualTo(5);
            assertThat(new String(small, StandardCharsets.US_ASCII)).isEqualTo("Hello");
            assertThat(b.recv(new byte[64])).isEqualTo(DATA2.length);
        }
    }

    @Test
    void bad_input_gives_clear_exceptions() throws Exception {
        try (UdpSocket v4 = UdpSocket.bind(anyV4()); UdpSocket v6 = UdpSocket.bind(anyV6())) {
            assertThatThrownBy(() -> v4.sendTo(DATA1, v6.localAddr()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv6").hasMessageContaining("IPv4 UdpSocket");
            assertThatThrownBy(() -> v4.connect(v6.localAddr())).isInstanceOf(IllegalArgumentException.class);
            byte[] huge = new byte[70_000];
            assertThatThrownBy(() -> v4.sendTo(huge, v4.localAddr()))
                    .isInstanceOf(SocketException.class).hasMessageContaining("EMSGSIZE").hasMessageContaining("70000-byte");
            assertThatThrownBy(() -> v4.recv(ByteBuffer.allocate(8).asReadOnlyBuffer())).isInstanceOf(ReadOnlyBufferException.class);
            assertThatThrownBy(() -> v4.sendTo(DATA1, 0, 99, v4.localAddr())).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> v4.sendTo(DATA1, InetSocketAddress.createUnresolved("example.invalid", 1)))
                    .isInstanceOf(java.nio.channels.UnresolvedAddressException.class);
            assertThatThrownBy(() -> v4.sendTo(DATA1, 0, 1, new SocketAddressHolder()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
        }
    }

    @Test
    void read_only_heap_buffer_is_sent() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(anyV4()); UdpSocket b = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(b, new Token(1), Interest.READABLE);
            ByteBuffer ro = ByteBuffer.wrap(DATA1).asReadOnlyBuffer();
            assertThat(a.sendTo(ro, b.localAddr())).isEqualTo(DATA1.length);
            assertThat(ro.hasRemaining()).isFalse();
            expectReadable(poll, events, new Token(1));
            assertThat(b.recv(new byte[64])).isEqualTo(DATA1.length);
        }
    }

    @Test
    void closed_socket_throws_closed_channel_exception() throws Exception {
        UdpSocket s = UdpSocket.bind(anyV4());
        InetSocketAddress local = s.localAddr();
        s.close();
        s.close();
        assertThat(s.isOpen()).isFalse();
        assertThatThrownBy(() -> s.sendTo(DATA1, local)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> s.recv(new byte[4])).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(s::rawFd).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void port_unreachable_surfaces_on_a_connected_socket() throws Exception {
        InetSocketAddress gone;
        try (UdpSocket tmp = UdpSocket.bind(anyV4())) {
            gone = tmp.localAddr();
        }
        try (Poll poll = Poll.open(); UdpSocket s = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            s.connect(gone);
            poll.registry().register(s, new Token(1), Interest.READABLE);
            assertThat(s.send(DATA1)).isEqualTo(DATA1.length);
            TestSupport.expectEvent(poll, events, new Token(1), e -> e.isError() || e.isReadable(), WAIT);
            assertThatThrownBy(() -> s.recv(new byte[8])).isInstanceOf(java.net.PortUnreachableException.class);
        }
    }

    static void assertNonBlockingCloseOnExec(int fd) {
        assertThat(io.mio.internal.linux.Sys.fcntl(fd, 3 /* F_GETFL */, 0) & 0x800).as("O_NONBLOCK of fd %d", fd).isNotZero();
        assertThat(io.mio.internal.linux.Sys.fcntl(fd, 1 /* F_GETFD */, 0) & 1).as("FD_CLOEXEC of fd %d", fd).isEqualTo(1);
    }

    @Test
    void new_sockets_are_non_blocking_and_close_on_exec(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.FFM + " (fcntl flags of raw descriptors)");
        try (UdpSocket u4 = UdpSocket.bind(anyV4()); UdpSocket u6 = UdpSocket.bind(anyV6());
             UnixListener l = UnixListener.bind(dir.resolve("nb.sock")); UnixStream c = UnixStream.connect(dir.resolve("nb.sock"));
             UnixStream.Pair sp = UnixStream.pair(); UnixDatagram.Pair dp = UnixDatagram.pair();
             UnixDatagram ub = UnixDatagram.unbound()) {
            for (int fd : new int[] {u4.rawFd(), u6.rawFd(), l.rawFd(), c.rawFd(), sp.first().rawFd(), sp.second().rawFd(),
                    dp.first().rawFd(), dp.second().rawFd(), ub.rawFd()}) {
                assertNonBlockingCloseOnExec(fd);
            }
            try (UnixStream accepted = l.accept()) {
                assertThat(accepted).isNotNull();
                assertNonBlockingCloseOnExec(accepted.rawFd());
            }
        }
    }

    @Test
    void reconnect_changes_which_sender_is_received() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket s1 = UdpSocket.bind(anyV4());
             UdpSocket s2 = UdpSocket.bind(anyV4()); UdpSocket s3 = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            Token t1 = new Token(1);
            s1.connect(s2.localAddr());
            s2.connect(s1.localAddr());
            s3.connect(s1.localAddr());
            poll.registry().register(s1, t1, Interest.READABLE);
            byte[] buf = new byte[32];
            s2.send(DATA1);
            expectReadable(poll, events, t1);
            assertThat(s1.recv(buf)).isEqualTo(DATA1.length);
            assertThat(s1.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);

            s1.connect(s3.localAddr());
            s3.send(DATA2);
            expectReadable(poll, events, t1);
            assertThat(s1.recv(buf)).isEqualTo(DATA2.length);
            assertThat(new String(buf, 0, DATA2.length, StandardCharsets.US_ASCII)).isEqualTo("Hello mars!");
            assertThat(s1.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);

            s1.connect(s2.localAddr());
            s3.send(DATA1); // no longer the peer: dropped
            s2.send(DATA2);
            expectReadable(poll, events, t1);
            assertThat(s1.recv(buf)).isEqualTo(DATA2.length);
            assertThat(s1.recv(buf)).isEqualTo(UdpSocket.WOULD_BLOCK);
            assertThat(s1.takeError()).isNull();
        }
    }

    @Test
    void an_idle_registered_socket_gives_no_readable_event() throws Exception {
        try (Poll poll = Poll.open(); UdpSocket s = UdpSocket.bind(anyV4())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(s, new Token(1), Interest.READABLE);
            TestSupport.expectNoEvent(poll, events, new Token(1), QUIET);
        }
    }

    @Test
    void builder_sets_options_before_bind() throws Exception {
        try (UdpSocket a = UdpSocket.builder().reuseAddr(true).reusePort(true).recvBufferSize(40_000).bind(anyV4())) {
            InetSocketAddress addr = a.localAddr();
            assertThat(a.recvBufferSize()).isGreaterThanOrEqualTo(40_000);
            try (UdpSocket b = UdpSocket.builder().reuseAddr(true).reusePort(true).bind(addr)) {
                assertThat(b.localAddr()).isEqualTo(addr);
            }
            assertThatThrownBy(() -> UdpSocket.bind(addr)).isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining("EADDRINUSE");
        }
        if (!io.mio.TestBackend.selector()) {
            try (UdpSocket v6only = UdpSocket.builder().onlyV6(true).broadcast(false).bind(new InetSocketAddress("::", 0));
                 UdpSocket dual = UdpSocket.builder().onlyV6(false).bind(new InetSocketAddress("::", 0))) {
                assertThat(v6only.onlyV6()).isTrue();
                assertThat(dual.onlyV6()).isFalse();
            }
        } else { // io.mio.TestBackend.V6ONLY
            assertThatThrownBy(() -> UdpSocket.builder().onlyV6(true).bind(new InetSocketAddress("::", 0)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY");
        }
        assertThatThrownBy(() -> UdpSocket.builder().onlyV6(true).bind(anyV4()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY");
    }

    @Test
    void close_racing_with_receives_on_another_thread_is_safe() throws Exception {
        for (int round = 0; round < 20; round++) {
            UdpSocket s = UdpSocket.bind(anyV4());
            InetSocketAddress addr = s.localAddr();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Thread reader = new Thread(() -> {
                SocketAddressHolder from = new SocketAddressHolder();
                ByteBuffer buf = ByteBuffer.allocateDirect(64);
                started.countDown();
                try {
                    while (true) {
                        s.recvFrom(buf.clear(), from);
                        s.sendTo(DATA1, addr);
                    }
                } catch (ClosedChannelException expected) {
                    // the only way out
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            started.await();
            s.close();
            reader.join(5_000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void an_icmp_port_unreachable_read_through_takeError_is_a_PortUnreachableException() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.OS_ERROR);
        int closedPort;
        try (UdpSocket gone = UdpSocket.bind(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            closedPort = gone.localAddr().getPort();
        }
        try (UdpSocket s = UdpSocket.bind(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", closedPort));
            assertThat(s.send(new byte[] {1}, 0, 1)).isEqualTo(1);
            IOException error = null;
            long end = System.nanoTime() + 5_000_000_000L;
            while (error == null && System.nanoTime() < end) {
                error = s.takeError();
                if (error == null) {
                    Thread.sleep(5);
                }
            }
            assertThat(error).isInstanceOf(java.net.PortUnreachableException.class).isInstanceOf(io.mio.OsError.class);
            assertThat(((io.mio.OsError) error).osErrorName()).isEqualTo("ECONNREFUSED");
            assertThat(s.takeError()).as("reading it clears it").isNull();
        }
    }
}
