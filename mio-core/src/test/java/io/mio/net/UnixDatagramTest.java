package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class UnixDatagramTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.UNIX_DGRAM);
    }
    static final Duration WAIT = Duration.ofSeconds(5);
    static final byte[] DATA1 = "ping".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DATA2 = "pong!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    static void expectReadable(Poll poll, Events events, Token t) throws IOException {
        TestSupport.expectEvent(poll, events, t, Event::isReadable, WAIT);
    }

    @Test
    void bound_sockets_exchange_datagrams_with_addresses() throws Exception {
        Path pa = dir.resolve("a.sock"), pb = dir.resolve("b.sock");
        try (Poll poll = Poll.open(); UnixDatagram a = UnixDatagram.bind(pa); UnixDatagram b = UnixDatagram.bind(pb)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(a, new Token(1), Interest.READABLE.add(Interest.WRITABLE));
            poll.registry().register(b, new Token(2), Interest.READABLE);
            TestSupport.expectEvent(poll, events, new Token(1), Event::isWritable, WAIT);
            assertThat(a.localAddr().path()).contains(pa);
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertThat(b.recvFrom(buf)).isNull();
            assertThat(a.sendTo(DATA1, pb)).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(2));
            assertThat(b.recvFrom(buf)).isEqualTo(UnixAddress.of(pa));
            assertThat(buf.position()).isEqualTo(DATA1.length);
            assertThat(b.sendTo(ByteBuffer.wrap(DATA2), UnixAddress.of(pa))).isEqualTo(DATA2.length);
            expectReadable(poll, events, new Token(1));
            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            assertThat(a.peek(direct)).isEqualTo(DATA2.length);
            assertThat(a.recv(direct)).isEqualTo(DATA2.length);
            assertThat(a.recv(direct)).isEqualTo(UnixDatagram.WOULD_BLOCK);
        }
    }

    @Test
    void unbound_socket_can_send_and_has_no_local_path() throws Exception {
        // mio regression: sendTo from an unbound Unix datagram socket works; its local address has no path
        Path pb = dir.resolve("rx.sock");
        try (Poll poll = Poll.open(); UnixDatagram rx = UnixDatagram.bind(pb); UnixDatagram tx = UnixDatagram.unbound()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(rx, new Token(1), Interest.READABLE);
            assertThat(tx.sendTo(DATA1, pb)).isEqualTo(DATA1.length);
            assertThat(tx.localAddr().isUnnamed()).isTrue();
            assertThat(tx.localAddr().path()).isEmpty();
            expectReadable(poll, events, new Token(1));
            UnixAddress from = rx.recvFrom(ByteBuffer.allocate(16));
            assertThat(from).isNotNull();
            assertThat(from.isUnnamed()).isTrue();
        }
    }

    @Test
    void pair_and_empty_datagrams() throws Exception {
        try (Poll poll = Poll.open(); UnixDatagram.Pair pair = UnixDatagram.pair()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(pair.second(), new Token(2), Interest.READABLE);
            assertThat(pair.first().send(new byte[0])).isZero();
            expectReadable(poll, events, new Token(2));
            assertThat(pair.second().recv(new byte[8])).as("empty datagram, not would-block").isZero();
            assertThat(pair.second().recv(new byte[8])).isEqualTo(UnixDatagram.WOULD_BLOCK);
            assertThat(pair.first().send(DATA2, 0, 5)).isEqualTo(5);
            expectReadable(poll, events, new Token(2));
            byte[] small = new byte[3];
            assertThat(pair.second().recv(small)).as("truncated").isEqualTo(3);
            assertThat(pair.second().recv(small)).isEqualTo(UnixDatagram.WOULD_BLOCK);
            assertThat(pair.first().peerAddr().isUnnamed()).isTrue();
        }
    }

    @Test
    void connect_then_send_and_recv() throws Exception {
        Path pa = dir.resolve("ca.sock"), pb = dir.resolve("cb.sock");
        try (Poll poll = Poll.open(); UnixDatagram a = UnixDatagram.bind(pa); UnixDatagram b = UnixDatagram.bind(pb)) {
            Events events = Events.withCapacity(8);
            a.connect(pb);
            assertThat(a.peerAddr().path()).contains(pb);
            poll.registry().register(b, new Token(2), Interest.READABLE);
            assertThat(a.send(ByteBuffer.wrap(DATA1))).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(2));
            assertThat(b.recv(ByteBuffer.allocate(8))).isEqualTo(DATA1.length);
        }
    }

    @Test
    void abstract_names_work_for_datagrams() throws Exception {
        UnixAddress name = UnixAddress.ofAbstract("mio-java-dg-" + System.nanoTime());
        try (Poll poll = Poll.open(); UnixDatagram rx = UnixDatagram.bind(name); UnixDatagram tx = UnixDatagram.unbound()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(rx, new Token(1), Interest.READABLE);
            assertThat(rx.localAddr()).isEqualTo(name);
            tx.connect(name);
            assertThat(tx.send(DATA1)).isEqualTo(DATA1.length);
            expectReadable(poll, events, new Token(1));
            assertThat(rx.recv(new byte[8])).isEqualTo(DATA1.length);
        }
    }

    @Test
    void shutdown_gives_read_closed_events() throws Exception {
        try (Poll poll = Poll.open(); UnixDatagram.Pair pair = UnixDatagram.pair()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(pair.first(), new Token(1), Interest.READABLE.add(Interest.WRITABLE));
            TestSupport.expectEvent(poll, events, new Token(1), Event::isWritable, WAIT);
            pair.first().shutdown(Shutdown.READ);
            TestSupport.expectEvent(poll, events, new Token(1), Event::isReadClosed, WAIT);
            pair.first().shutdown(Shutdown.WRITE);
            TestSupport.expectEvent(poll, events, new Token(1), Event::isWriteClosed, WAIT);
            assertThatThrownBy(() -> pair.first().send(DATA1)).isInstanceOf(SocketException.class).hasMessageContaining("EPIPE");
        }
    }

    @Test
    void register_reregister_deregister() throws Exception {
        try (Poll poll = Poll.open(); UnixDatagram.Pair pair = UnixDatagram.pair()) {
            Events events = Events.withCapacity(8);
            UnixDatagram s = pair.second();
            poll.registry().register(s, new Token(1), Interest.WRITABLE);
            TestSupport.expectEvent(poll, events, new Token(1), Event::isWritable, WAIT);
            poll.registry().reregister(s, new Token(2), Interest.READABLE);
            pair.first().send(DATA1);
            expectReadable(poll, events, new Token(2));
            assertThat(s.recv(new byte[8])).isEqualTo(DATA1.length);
            poll.registry().deregister(s);
            pair.first().send(DATA1);
            TestSupport.expectNoEvent(poll, events, new Token(2), Duration.ofMillis(150));
        }
    }

    @Test
    void bad_input_gives_clear_exceptions() throws Exception {
        try (UnixDatagram s = UnixDatagram.unbound()) {
            assertThatThrownBy(() -> s.send(DATA1)).isInstanceOf(SocketException.class)
                    .hasMessageContaining("unconnected");
            assertThatThrownBy(() -> s.sendTo(DATA1, dir.resolve("nobody.sock")))
                    .isInstanceOf(IOException.class).hasMessageContaining("ENOENT").hasMessageContaining("nobody.sock");
            assertThatThrownBy(() -> s.sendTo(DATA1, dir.resolve("z".repeat(200))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("108");
            assertThatThrownBy(() -> s.sendTo(DATA1, UnixAddress.unnamed())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(s::peerAddr).isInstanceOf(SocketException.class).hasMessageContaining("ENOTCONN");
        }
        try (UnixDatagram.Pair pair = UnixDatagram.pair()) {
            byte[] huge = new byte[4 << 20];
            assertThatThrownBy(() -> pair.first().send(huge)).isInstanceOf(SocketException.class).hasMessageContaining("EMSGSIZE");
        }
    }

    @Test
    void adopts_a_raw_descriptor() throws Exception {
        try (UnixDatagram.Pair pair = UnixDatagram.pair()) {
            int dup = io.mio.internal.linux.Sys.dup(pair.first().rawFd());
            try (UnixDatagram adopted = UnixDatagram.fromRawFd(dup)) {
                assertThat(adopted.send(DATA1)).isEqualTo(DATA1.length);
                assertThat(pair.second().recv(new byte[8])).isEqualTo(DATA1.length);
            }
        }
    }
}
