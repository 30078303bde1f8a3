package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class TcpSocketOptionsTest {
    static final Duration WAIT = Duration.ofSeconds(5);

    /** A connected (client, server) pair. */
    static TcpStream[] connectedPair(Poll poll, TcpListener listener) throws Exception {
        Events events = Events.withCapacity(8);
        TcpStream client = TcpStream.connect(listener.localAddr());
        poll.registry().register(listener, new Token(100), Interest.READABLE);
        TestSupport.expectEvent(poll, events, new Token(100), Event::isReadable, WAIT);
        TcpStream server = listener.accept();
        assertThat(server).isNotNull();
        poll.registry().deregister(listener);
        return new TcpStream[] {client, server};
    }

    @Test
    void reuse_port_lets_two_listeners_share_an_address() throws Exception {
        try (TcpSocket a = TcpSocket.newV4()) {
            a.setReusePort(true);
            assertThat(a.reusePort()).isTrue();
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress addr = a.localAddr();
            try (TcpListener first = a.listen(16); TcpSocket b = TcpSocket.newV4()) {
                b.setReusePort(true).bind(addr);
                try (TcpListener second = b.listen(16)) {
                    assertThat(second.localAddr()).isEqualTo(first.localAddr());
                }
                try (TcpSocket c = TcpSocket.newV4()) {
                    assertThat(c.reusePort()).isFalse();
                    assertThatThrownBy(() -> c.bind(addr)).isInstanceOf(BindException.class).hasMessageContaining("EADDRINUSE");
                }
            }
        }
    }

    @Test
    void socket_is_spent_after_listen_or_connect() throws Exception {
        TcpSocket s = TcpSocket.newV4();
        s.setReuseAddr(true);
        assertThat(s.reuseAddr()).isTrue();
        try (TcpListener l = s.bind(new InetSocketAddress("127.0.0.1", 0)).listen(8)) {
            assertThatThrownBy(() -> s.setNodelay(true)).isInstanceOf(IllegalStateException.class).hasMessageContaining("TcpListener");
            s.close(); // does not close the listener
            assertThat(l.isOpen()).isTrue();
            assertThat(l.localAddr().getPort()).isPositive();
            try (Poll poll = Poll.open(); TcpSocket cs = TcpSocket.newV4()) {
                cs.setNodelay(true).setKeepalive(true);
                TcpStream client = cs.connect(l.localAddr());
                try (client) {
                    assertThat(client.nodelay()).isTrue();
                    assertThat(client.keepalive()).isTrue();
                    poll.registry().register(client, new Token(1), Interest.WRITABLE);
                    Events events = Events.withCapacity(8);
                    TestSupport.expectEvent(poll, events, new Token(1), Event::isWritable, WAIT);
                    assertThat(client.takeError()).isNull();
                    assertThat(client.peerAddr()).isEqualTo(l.localAddr());
                }
                assertThatThrownBy(() -> cs.connect(l.localAddr())).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("TcpStream");
            }
        }
        TcpSocket unused = TcpSocket.newV4();
        unused.close();
        assertThatThrownBy(() -> unused.setReuseAddr(true)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void only_v6_and_family_checks() throws Exception {
        try (TcpSocket v6 = TcpSocket.newV6(); TcpSocket v4 = TcpSocket.newV4()) {
            if (!io.mio.TestBackend.selector()) {
                v6.setOnlyV6(true);
                assertThat(v6.onlyV6()).isTrue();
            } else { // io.mio.TestBackend.V6ONLY: only the JDK's dual-stack default can be set
                assertThatThrownBy(() -> v6.setOnlyV6(true)).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY");
            }
            v6.setOnlyV6(false);
            assertThat(v6.onlyV6()).isFalse();
            assertThatThrownBy(() -> v4.setOnlyV6(true))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IPV6_V6ONLY").hasMessageContaining("IPv4");
            assertThatThrownBy(() -> v4.bind(new InetSocketAddress("::1", 0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv6 address");
            assertThatThrownBy(() -> v6.connect(new InetSocketAddress("127.0.0.1", 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4 address");
        }
        // a dual-stack IPv6 listener (V6ONLY off) accepts IPv4 clients
        try (TcpSocket s = TcpSocket.newV6()) {
            s.setOnlyV6(false).bind(new InetSocketAddress("::", 0));
            try (TcpListener l = s.listen(8); Poll poll = Poll.open()) {
                try (TcpStream c = TcpStream.connect(new InetSocketAddress("127.0.0.1", l.localAddr().getPort()))) {
                    poll.registry().register(l, new Token(5), Interest.READABLE);
                    TestSupport.expectEvent(poll, Events.withCapacity(8), new Token(5), Event::isReadable, WAIT);
                    try (TcpStream accepted = l.accept()) {
                        assertThat(accepted).isNotNull();
                    }
                }
            }
        }
    }

    @Test
    void keepalive_linger_buffers_tos_fastopen_on_the_builder() throws Exception {
        try (TcpSocket s = TcpSocket.newV4()) {
            assertThat(s.keepalive()).isFalse();
            s.setKeepalive(true).setKeepaliveIdle(Duration.ofSeconds(30)).setKeepaliveInterval(Duration.ofSeconds(5))
                    .setKeepaliveRetries(4);
            assertThat(s.keepalive()).isTrue();
            assertThat(s.linger()).isNull();
            s.setLinger(Duration.ofSeconds(3));
            assertThat(s.linger()).isEqualTo(Duration.ofSeconds(3));
            s.setLinger(null);
            assertThat(s.linger()).isNull();
            s.setRecvBufferSize(64 * 1024).setSendBufferSize(64 * 1024);
            assertThat(s.recvBufferSize()).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(s.sendBufferSize()).isGreaterThanOrEqualTo(64 * 1024);
            s.setTos(0x10);
            assertThat(s.tos()).isEqualTo(0x10);
            if (!io.mio.TestBackend.selector()) {
                s.setFastOpen(5);
                assertThat(s.fastOpen()).isEqualTo(5);
            } else { // the JDK has no TCP_FASTOPEN option
                assertThatThrownBy(() -> s.setFastOpen(5)).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("TCP_FASTOPEN");
            }
            assertThatThrownBy(() -> s.setKeepaliveIdle(Duration.ofMillis(1500)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_KEEPIDLE");
            assertThatThrownBy(() -> s.setKeepaliveRetries(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_KEEPCNT");
            assertThatThrownBy(() -> s.setLinger(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_LINGER");
            assertThatThrownBy(() -> s.setTos(256)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.setRecvBufferSize(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_RCVBUF");
        }
        try (TcpSocket s6 = TcpSocket.newV6()) {
            s6.setTos(0x20);
            assertThat(s6.tos()).as("IPV6_TCLASS").isEqualTo(0x20);
        }
    }

    @Test
    void stream_options_round_trip() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            TcpStream[] pair = connectedPair(poll, listener);
            try (TcpStream c = pair[0]; TcpStream s = pair[1]) {
                c.setKeepalive(true);
                assertThat(c.keepalive()).isTrue();
                c.setKeepaliveIdle(Duration.ofSeconds(60));
                assertThat(c.keepaliveIdle()).isEqualTo(Duration.ofSeconds(60));
                c.setKeepaliveInterval(Duration.ofSeconds(7));
                assertThat(c.keepaliveInterval()).isEqualTo(Duration.ofSeconds(7));
                c.setKeepaliveRetries(3);
                assertThat(c.keepaliveRetries()).isEqualTo(3);
                c.setQuickack(true);
                assertThat(c.quickack()).isTrue();
                c.setQuickack(false);
                assertThat(c.quickack()).isFalse();
                c.setRecvBufferSize(32 * 1024);
                assertThat(c.recvBufferSize()).isGreaterThanOrEqualTo(32 * 1024);
                c.setSendBufferSize(32 * 1024);
                assertThat(c.sendBufferSize()).isGreaterThanOrEqualTo(32 * 1024);
                c.setTos(0x08);
                assertThat(c.tos()).isEqualTo(0x08);
                c.setLinger(Duration.ZERO);
                assertThat(c.linger()).isEqualTo(Duration.ZERO);
            }
        }
    }

    @Test
    void linger_zero_resets_the_peer_on_close() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            TcpStream[] pair = connectedPair(poll, listener);
            try (TcpStream s = pair[1]) {
                Events events = Events.withCapacity(8);
                poll.registry().register(s, new Token(2), Interest.READABLE);
                pair[0].setLinger(Duration.ZERO);
                pair[0].close();
                TestSupport.expectEvent(poll, events, new Token(2), Event::isReadClosed, WAIT);
                assertThatThrownBy(() -> s.read(new byte[8])).isInstanceOf(SocketException.class).hasMessageContaining("ECONNRESET");
            }
        }
    }

    @Test
    void udp_buffer_and_tos_options() throws Exception {
        try (UdpSocket u = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
            u.setRecvBufferSize(50_000);
            assertThat(u.recvBufferSize()).isGreaterThanOrEqualTo(50_000);
            u.setSendBufferSize(50_000);
            assertThat(u.sendBufferSize()).isGreaterThanOrEqualTo(50_000);
            u.setTos(0x10);
            assertThat(u.tos()).isEqualTo(0x10);
        }
    }
}
