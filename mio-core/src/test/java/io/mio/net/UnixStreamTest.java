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
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class UnixStreamTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final byte[] DATA = "hello unix".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    static void expect(Poll poll, Events events, Token token, java.util.function.Predicate<Event> check) throws IOException {
        TestSupport.expectEvent(poll, events, token, check, WAIT);
    }

    /** Reads until {@code n} bytes arrived (or the deadline), waiting for readable events between reads. */
    static byte[] readExactly(Poll poll, Events events, Token token, UnixStream s, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (buf.hasRemaining() && System.nanoTime() < deadline) {
            int r = s.read(buf);
            if (r < 0) {
                break;
            }
            if (r == 0) {
                poll.poll(events, Duration.ofMillis(50));
            }
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    private void smoke(UnixAddress address) throws Exception {
        try (Poll poll = Poll.open(); UnixListener listener = UnixListener.bind(address)) {
            Events events = Events.withCapacity(8);
            Token tl = new Token(0), tc = new Token(1), ts = new Token(2);
            poll.registry().register(listener, tl, Interest.READABLE);
            assertThat(listener.accept()).isNull();
            try (UnixStream client = UnixStream.connect(address)) {
                poll.registry().register(client, tc, Interest.READABLE.add(Interest.WRITABLE));
                expect(poll, events, tl, Event::isReadable);
                try (UnixStream server = listener.accept()) {
                    assertThat(server).isNotNull();
                    assertThat(listener.accept()).isNull();
                    poll.registry().register(server, ts, Interest.READABLE);
                    assertThat(client.localAddr().isUnnamed()).isTrue();
                    assertThat(client.peerAddr()).isEqualTo(address);
                    assertThat(server.localAddr()).isEqualTo(address);
                    assertThat(server.peerAddr().isUnnamed()).isTrue();

                    assertThat(client.read(new byte[4])).as("fresh stream would block").isZero();
                    assertThat(client.write(DATA)).isEqualTo(DATA.length);
                    expect(poll, events, ts, Event::isReadable);
                    assertThat(readExactly(poll, events, ts, server, DATA.length)).isEqualTo(DATA);
                    assertThat(server.write(ByteBuffer.wrap(DATA))).isEqualTo(DATA.length);
                    assertThat(readExactly(poll, events, tc, client, DATA.length)).isEqualTo(DATA);

                    client.close();
                    expect(poll, events, ts, Event::isReadClosed);
                    assertThat(server.read(new byte[4])).isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void smoke_with_a_path() throws Exception {
        Path p = dir.resolve("s.sock");
        smoke(UnixAddress.of(p));
        assertThat(Files.exists(p)).as("closing leaves the socket file, like mio").isTrue();
    }

    @Test
    void smoke_with_an_abstract_name() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.ABSTRACT);
        smoke(UnixAddress.ofAbstract("mio-java-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
    }

    @Test
    void connect_by_path_and_by_jdk_address() throws Exception {
        Path p = dir.resolve("c.sock");
        try (Poll poll = Poll.open(); UnixListener listener = UnixListener.bind(p);
             UnixStream a = UnixStream.connect(p); UnixStream b = UnixStream.connect(UnixDomainSocketAddress.of(p))) {
            Events events = Events.withCapacity(8);
            poll.registry().register(listener, new Token(0), Interest.READABLE);
            expect(poll, events, new Token(0), Event::isReadable);
            try (UnixStream s1 = listener.accept(); UnixStream s2 = listener.accept()) {
                assertThat(s1).isNotNull();
                assertThat(s2).isNotNull();
            }
            assertThat(a.peerAddr().path()).contains(p);
            assertThat(b.peerAddr().toUnixDomainSocketAddress()).isEqualTo(UnixDomainSocketAddress.of(p));
        }
    }

    @Test
    void pair_moves_bytes_both_ways() throws Exception {
        try (Poll poll = Poll.open(); UnixStream.Pair pair = UnixStream.pair()) {
            Events events = Events.withCapacity(8);
            Token t0 = new Token(0), t1 = new Token(1);
            poll.registry().register(pair.first(), t0, Interest.READABLE.add(Interest.WRITABLE));
            poll.registry().register(pair.second(), t1, Interest.READABLE.add(Interest.WRITABLE));
            expect(poll, events, t0, Event::isWritable);
            assertThat(pair.first().localAddr().isUnnamed()).isTrue();
            assertThat(pair.first().peerAddr().isUnnamed()).isTrue();
            ByteBuffer direct = ByteBuffer.allocateDirect(DATA.length).put(DATA).flip();
            assertThat(pair.first().write(new ByteBuffer[] {direct})).isEqualTo(DATA.length);
            assertThat(readExactly(poll, events, t1, pair.second(), DATA.length)).isEqualTo(DATA);
            assertThat(pair.second().write(DATA)).isEqualTo(DATA.length);
            assertThat(readExactly(poll, events, t0, pair.first(), DATA.length)).isEqualTo(DATA);
        }
    }

    @Test
    void shutdown_read_gives_read_closed_and_eof() throws Exception {
        try (Poll poll = Poll.open(); UnixStream.Pair pair = UnixStream.pair()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(pair.first(), new Token(0), Interest.READABLE);
            pair.first().shutdown(Shutdown.READ);
            expect(poll, events, new Token(0), e -> e.isReadable() && e.isReadClosed());
            assertThat(pair.first().read(new byte[4])).isEqualTo(-1);
        }
    }

    @Test
    void shutdown_write_gives_the_peer_read_closed_and_fails_later_writes() throws Exception {
        try (Poll poll = Poll.open(); UnixStream.Pair pair = UnixStream.pair()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(pair.second(), new Token(1), Interest.READABLE);
            pair.first().shutdown(Shutdown.WRITE);
            expect(poll, events, new Token(1), Event::isReadClosed);
            assertThat(pair.second().read(new byte[4])).isEqualTo(-1);
            assertThatThrownBy(() -> pair.first().write(DATA)).isInstanceOf(SocketException.class).hasMessageContaining("EPIPE");
        }
    }

    @Test
    void shutdown_both_gives_read_and_write_closed() throws Exception {
        try (Poll poll = Poll.open(); UnixStream.Pair pair = UnixStream.pair()) {
            Events events = Events.withCapacity(8);
            poll.registry().register(pair.first(), new Token(0), Interest.READABLE.add(Interest.WRITABLE));
            pair.first().shutdown(Shutdown.BOTH);
            expect(poll, events, new Token(0), e -> e.isReadClosed() && e.isWriteClosed());
        }
    }

    @Test
    void register_reregister_and_no_events_after_deregister() throws Exception {
        try (Poll poll = Poll.open(); UnixStream.Pair pair = UnixStream.pair()) {
            Events events = Events.withCapacity(8);
            UnixStream s = pair.first();
            poll.registry().register(s, new Token(1), Interest.WRITABLE);
            expect(poll, events, new Token(1), Event::isWritable);
            poll.registry().reregister(s, new Token(2), Interest.READABLE);
            pair.second().write(DATA);
            expect(poll, events, new Token(2), Event::isReadable);
            assertThat(s.read(new byte[64])).isEqualTo(DATA.length);
            poll.registry().deregister(s);
            pair.second().write(DATA);
            TestSupport.expectNoEvent(poll, events, new Token(2), Duration.ofMillis(150));
            TestSupport.expectNoEvent(poll, events, new Token(1), Duration.ofMillis(50));
        }
    }

    @Test
    void adopts_a_raw_descriptor() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        try (UnixStream.Pair pair = UnixStream.pair()) {
            int dup = io.mio.internal.linux.Sys.dup(pair.first().rawFd());
            try (UnixStream adopted = UnixStream.fromRawFd(dup)) {
                assertThat(adopted.rawFd()).isEqualTo(dup);
                assertThat(adopted.write(DATA)).isEqualTo(DATA.length);
                assertThat(pair.second().read(new byte[64])).isEqualTo(DATA.length);
            }
        }
        try (UdpSocket udp = UdpSocket.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             UnixDatagram.Pair dg = UnixDatagram.pair();
             TcpListener tcp = TcpListener.bind(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            assertThatThrownBy(() -> UnixStream.fromRawFd(dg.first().rawFd())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> UnixStream.fromRawFd(tcp.rawFd()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Unix domain socket");
            assertThat(udp.isOpen()).isTrue();
        }
    }

    @Test
    void bad_addresses_give_clear_exceptions() throws Exception {
        Path tooLong = dir.resolve("x".repeat(120));
        assertThatThrownBy(() -> UnixStream.connect(tooLong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("108").hasMessageContaining("sun_path");
        assertThatThrownBy(() -> UnixListener.bind(tooLong)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnixAddress.ofAbstract(new byte[108])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("107");
        assertThatThrownBy(() -> UnixStream.connect(dir.resolve("missing.sock")))
                .isInstanceOf(IOException.class).hasMessageContaining("ENOENT").hasMessageContaining("missing.sock");
        assertThatThrownBy(() -> UnixStream.connect(UnixAddress.unnamed())).isInstanceOf(IllegalArgumentException.class);
        if (io.mio.TestBackend.selector()) {
            return; // the JDK's own path limit is one byte shorter than sun_path allows (107 bytes fail there)
        }
        // exactly at the limit: 107 bytes fit
        String name = "y".repeat(107 - dir.toString().length() - 1);
        Path atLimit = dir.resolve(name);
        assertThat(atLimit.toString()).hasSize(107);
        try (UnixListener l = UnixListener.bind(atLimit)) {
            assertThat(l.localAddr().path()).contains(atLimit);
        }
    }

    @Test
    void closed_stream_throws_closed_channel_exception() throws Exception {
        UnixStream.Pair pair = UnixStream.pair();
        pair.close();
        assertThatThrownBy(() -> pair.first().read(new byte[4])).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> pair.first().localAddr()).isInstanceOf(ClosedChannelException.class);
        assertThat(pair.second().isOpen()).isFalse();
    }

    @Test
    void interoperates_with_jdk_unix_channels_and_vectored_io() throws Exception {
        Path p = dir.resolve("jdk.sock");
        try (Poll poll = Poll.open();
             java.nio.channels.ServerSocketChannel jdkServer =
                     java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            jdkServer.bind(UnixDomainSocketAddress.of(p));
            try (UnixStream client = UnixStream.connect(UnixDomainSocketAddress.of(p));
                 java.nio.channels.SocketChannel peer = jdkServer.accept()) {
                Events events = Events.withCapacity(8);
                Token t = new Token(1);
                poll.registry().register(client, t, Interest.READABLE);
                TestSupport.expectNoEvent(poll, events, t, Duration.ofMillis(100));
                byte[] d2 = "Why hello mio!".getBytes(StandardCharsets.US_ASCII);
                ByteBuffer[] out = {ByteBuffer.allocateDirect(DATA.length).put(DATA).flip(),
                        ByteBuffer.allocateDirect(d2.length).put(d2).flip()};
                assertThat(client.write(out)).isEqualTo(DATA.length + d2.length);
                ByteBuffer got = ByteBuffer.allocate(64);
                while (got.position() < DATA.length + d2.length) {
                    peer.read(got); // blocking JDK channel
                }
                assertThat(java.util.Arrays.copyOf(got.array(), got.position()))
                        .isEqualTo((new String(DATA, StandardCharsets.US_ASCII) + "Why hello mio!").getBytes(StandardCharsets.US_ASCII));
                peer.write(ByteBuffer.wrap(DATA));
                peer.write(ByteBuffer.wrap(d2));
                expect(poll, events, t, Event::isReadable);
                ByteBuffer a = ByteBuffer.allocateDirect(DATA.length), b = ByteBuffer.allocateDirect(d2.length + 1);
                long n = 0;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (n < DATA.length + d2.length && System.nanoTime() < deadline) {
                    long r = client.read(new ByteBuffer[] {a, b});
                    if (r == 0) {
                        poll.poll(events, Duration.ofMillis(50));
                    }
                    n += Math.max(r, 0);
                }
                assertThat(n).isEqualTo(DATA.length + d2.length);
                assertThat(a.hasRemaining()).as("first buffer filled first").isFalse();
                assertThat(b.position()).isEqualTo(d2.length);
                peer.close();
                expect(poll, events, t, Event::isReadClosed);
                assertThat(client.read(new byte[4])).isEqualTo(-1);
                assertThat(client.takeError()).isNull();
            }
        }
    }
}
