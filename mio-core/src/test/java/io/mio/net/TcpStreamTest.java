package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static io.mio.internal.linux.LinuxConstants.SOL_SOCKET;
import static io.mio.internal.linux.LinuxConstants.SO_RCVBUF;
import static io.mio.internal.linux.LinuxConstants.SO_SNDBUF;
import static io.mio.net.NetTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviours mio's tests/tcp_stream.rs checks, ported, plus the Java-side byte-moving contract. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpStreamTest {
    private static final byte[] DATA1 = "Hello world!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA2 = "Hello mars!".getBytes(StandardCharsets.US_ASCII);

    private static final Token ID1 = new Token(0);
    private static final Token ID2 = new Token(1);

    // ---- peers ---------------------------------------------------------------------------------------

    /** A blocking listener on another thread that echoes what it reads, for {@code n} connections in turn. */
    private record Server(Peer peer, InetSocketAddress address) {}

    private static Server echoListener(InetSocketAddress bindTo, int n) throws Exception {
        ServerSocket listener = blockingListener(bindTo);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
        Peer peer = Peer.start(() -> {
            try (listener) {
                byte[] buf = new byte[128];
                for (int i = 0; i < n; i++) {
                    try (Socket s = listener.accept(); InputStream in = s.getInputStream();
                         OutputStream out = s.getOutputStream()) {
                        s.setSoTimeout(PEER_TIMEOUT_MS);
                        for (;;) {
                            int r;
                            try {
                                r = in.read(buf);
                            } catch (SocketException e) {
                                r = -1; // a reset after our read side was shut down: the end too
                            }
                            if (r <= 0) {
                                break;
                            }
                            out.write(buf, 0, r);
                        }
                    }
                }
            }
        });
        return new Server(peer, address);
    }

    /**
     * A blocking listener on another thread that accepts {@code n} connections; for each it waits on
     * {@code barrier} (if any), optionally shuts down its write half and waits again, then closes.
     */
    private static Server startListener(int n, CyclicBarrier barrier, boolean shutdownWrite) throws Exception {
        ServerSocket listener = blockingListener(localV4());
        InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
        Peer peer = Peer.start(() -> {
            try (listener) {
                for (int i = 0; i < n; i++) {
                    try (Socket s = listener.accept()) {
                        if (barrier != null) {
                            barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                            if (shutdownWrite) {
                                s.shutdownOutput();
                                barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                            }
                        }
                    }
                }
            }
        });
        return new Server(peer, address);
    }

    private static void await(CyclicBarrier barrier) throws Exception {
        barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Reads (polling for readable events, bounded) until {@code dsts} has {@code total} more bytes. */
    private static void readAll(Poll poll, Events events, TcpStream s, Token token, ByteBuffer[] dsts, int total)
            throws Exception {
        long got = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got < total) {
            long n = s.read(dsts);
            assertThat(n).as("no end of stream").isNotNegative();
            got += n;
            if (n == 0) {
                assertThat(System.nanoTime()).as("%d of %d bytes in time", got, total).isLessThan(deadline);
                awaitEvent(poll, events, token, Event::isReadable);
            }
        }
        assertThat(got).isEqualTo(total);
    }

    // ---- smoke tests ---------------------------------------------------------------------------------

    interface StreamFactory {
        TcpStream connect(InetSocketAddress addr) throws Exception;
    }

    @Test
    void tcp_stream_ipv4() throws Exception {
        smokeTest(localV4(), TcpStream::connect);
    }

    @Test
    void tcp_stream_ipv6() throws Exception {
        Assumptions.assumeTrue(ipv6Available(), "no IPv6 loopback");
        smokeTest(localV6(), TcpStream::connect);
    }

    @Test
    void tcp_stream_adopted_from_a_raw_fd() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        smokeTest(localV4(), addr -> {
            try (TcpStream original = TcpStream.connect(addr)) {
                return TcpStream.fromRawFd(dupBlocking(original.rawFd()));
            }
        });
    }

    private static void smokeTest(InetSocketAddress bindTo, StreamFactory factory) throws Exception {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(16);
            Server server = echoListener(bindTo, 1);
            try (TcpStream stream = factory.connect(server.address())) {
                if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                    assertThat(isNonBlocking(stream.rawFd())).as("non-blocking").isTrue();
                }
                if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                    assertThat(isCloseOnExec(stream.rawFd())).as("close-on-exec").isTrue();
                }

                poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
                awaitEvent(poll, events, ID1, Event::isWritable);

                byte[] buf = new byte[16];
                assertThat(stream.peek(buf, 0, buf.length)).as("peek would block").isZero();
                assertThat(stream.read(buf)).as("read would block").isZero();

                assertThat(stream.peerAddr()).isEqualTo(server.address());
                assertThat(stream.localAddr().getAddress().isLoopbackAddress()).isTrue();

                assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);
                awaitEvent(poll, events, ID1, Event::isReadable);

                Arrays.fill(buf, (byte) 0);
                assertThat(stream.peek(buf, 0, buf.length)).isEqualTo(DATA1.length);
                assertThat(Arrays.copyOf(buf, DATA1.length)).isEqualTo(DATA1);
                Arrays.fill(buf, (byte) 0);
                assertThat(stream.read(buf)).isEqualTo(DATA1.length);
                assertThat(Arrays.copyOf(buf, DATA1.length)).isEqualTo(DATA1);

                assertThat(stream.takeError()).isNull();
                assertThat(stream.read(buf)).as("drained: would block").isZero();

                ByteBuffer[] out = {ByteBuffer.wrap(DATA1), ByteBuffer.wrap(DATA2)};
                assertThat(stream.write(out)).isEqualTo(DATA1.length + DATA2.length);
                assertThat(out[0].hasRemaining() || out[1].hasRemaining()).isFalse();

                byte[] buf1 = new byte[DATA1.length];
                Arrays.fill(buf1, (byte) 1);
                byte[] buf2 = new byte[DATA2.length + 1];
                Arrays.fill(buf2, (byte) 2);
                ByteBuffer[] in = {ByteBuffer.wrap(buf1), ByteBuffer.wrap(buf2)};
                readAll(poll, events, stream, ID1, in, DATA1.length + DATA2.length);
                assertThat(buf1).isEqualTo(DATA1);
                assertThat(Arrays.copyOf(buf2, DATA2.length)).isEqualTo(DATA2);
                assertThat(buf2[DATA2.length]).as("last byte unchanged").isEqualTo((byte) 2);
            }
            server.peer().join();
        }
    }

    // ---- options -------------------------------------------------------------------------------------

    @Test
    void set_get_ttl() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        CyclicBarrier barrier = new CyclicBarrier(2);
        Server server = startListener(1, barrier, false);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE);
            awaitEvent(poll, events, ID1, Event::isWritable);
            stream.setTtl(10);
            assertThat(stream.ttl()).isEqualTo(10);
            assertThat(stream.takeError()).isNull();
        } finally {
            await(barrier);
        }
        server.peer().join();
    }

    @Test
    void get_ttl_without_previous_set() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        try (Pair p = connectedPair()) {
            assertThat(p.client().ttl()).isBetween(1, 255);
            assertThat(p.client().takeError()).isNull();
        }
    }

    @Test
    void set_get_ttl_ipv6() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        Assumptions.assumeTrue(ipv6Available(), "no IPv6 loopback");
        try (Pair p = connectedPair(localV6())) {
            p.client().setTtl(33);
            assertThat(p.client().ttl()).isEqualTo(33);
        }
    }

    @Test
    void set_get_nodelay() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        Server server = startListener(1, barrier, false);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE);
            awaitEvent(poll, events, ID1, Event::isWritable);
            assertThat(stream.nodelay()).as("default").isFalse();
            stream.setNodelay(true);
            assertThat(stream.nodelay()).isTrue();
            stream.setNodelay(false);
            assertThat(stream.nodelay()).isFalse();
            assertThat(stream.takeError()).isNull();
        } finally {
            await(barrier);
        }
        server.peer().join();
    }

    // ---- shutdown ------------------------------------------------------------------------------------

    @Test
    void shutdown_read() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            assertThat(stream.write(DATA2)).isEqualTo(DATA2.length);
            awaitEvent(poll, events, ID1, Event::isReadable);

            stream.shutdown(Shutdown.READ);
            // On Linux the bytes already received stay readable; after them comes the end of stream.
            assertThat(readToEof(stream)).isEqualTo(DATA2);
            assertThat(stream.read(new byte[4])).as("end of stream again").isEqualTo(-1);
        }
        server.peer().join();
    }

    @Test
    void shutdown_write() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);

            stream.shutdown(Shutdown.WRITE);
            assertThatThrownBy(() -> stream.write(DATA2))
                    .isInstanceOf(SocketException.class).hasMessageContaining("EPIPE");

            // The echo comes back, then the server sees our end of stream and closes.
            assertThat(readToEof(stream)).isEqualTo(DATA1);
        }
        server.peer().join();
    }

    @Test
    void shutdown_both() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);
            awaitEvent(poll, events, ID1, Event::isReadable);

            stream.shutdown(Shutdown.BOTH);
            assertThatThrownBy(() -> stream.write(DATA2))
                    .isInstanceOf(SocketException.class).hasMessageContaining("EPIPE");
            assertThat(readToEof(stream)).as("received before the shutdown").isEqualTo(DATA1);
        }
        server.peer().join();
    }

    @Test
    void shutdown_of_an_unconnected_stream_fails() throws Exception {
        InetSocketAddress closed;
        try (TcpListener l = TcpListener.bind(localV4())) {
            closed = l.localAddr();
        }
        try (Poll poll = Poll.open()) {
            TcpStream s;
            try {
                s = TcpStream.connect(closed);
            } catch (java.net.ConnectException e) {
                return; // refused synchronously: nothing left to shut down
            }
            try (s) {
                Events events = Events.withCapacity(4);
                poll.registry().register(s, ID1, Interest.WRITABLE);
                awaitEvent(poll, events, ID1, e -> true);
                assertThatThrownBy(() -> s.shutdown(Shutdown.BOTH))
                        .isInstanceOf(SocketException.class).hasMessageContaining("ENOTCONN");
            }
        }
    }

    // ---- raw fd and registration ---------------------------------------------------------------------

    @Test
    void raw_fd() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        Server server = startListener(1, null, false);
        TcpStream stream = TcpStream.connect(server.address());
        InetSocketAddress address = stream.localAddr();
        int fd1 = stream.rawFd();
        assertThat(stream.rawFd()).isEqualTo(fd1);
        int copy = Sys.dup(fd1);
        assertThat(copy).isNotNegative();
        stream.close();
        assertThatThrownBy(stream::rawFd).isInstanceOf(ClosedChannelException.class);
        try (TcpStream adopted = TcpStream.fromRawFd(copy)) {
            assertThat(adopted.rawFd()).isEqualTo(copy);
            assertThat(adopted.localAddr()).isEqualTo(address);
        }
        server.peer().join();
    }

    @Test
    void from_raw_fd_rejects_a_datagram_socket() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        int fd = Sys.socket(io.mio.internal.linux.LinuxConstants.AF_INET, io.mio.internal.linux.LinuxConstants.SOCK_DGRAM, 0);
        assertThat(fd).isNotNegative();
        try {
            assertThatThrownBy(() -> TcpStream.fromRawFd(fd)).isInstanceOf(IllegalArgumentException.class);
            assertThat(Sys.fcntl(fd, io.mio.internal.linux.LinuxConstants.F_GETFD, 0))
                    .as("the caller still owns an open fd").isNotNegative();
        } finally {
            Sys.close(fd);
        }
    }

    @Test
    void registering_gives_no_events_while_the_peer_is_quiet() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE);
            expectNoEvents(poll, events);
        }
        server.peer().join();
    }

    @Test
    void reregistering_changes_token_and_interest() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE);
            poll.registry().reregister(stream, ID2, Interest.WRITABLE);
            java.util.List<String> seen = awaitEvent(poll, events, ID2, Event::isWritable);
            assertThat(seen).allMatch(s -> !s.contains("token=" + ID1 + ","));
            assertThat(stream.peerAddr()).isEqualTo(server.address());
        }
        server.peer().join();
    }

    @Test
    void no_events_after_deregister() throws Exception {
        Server server = echoListener(localV4(), 1);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
            poll.registry().deregister(stream);
            expectNoEvents(poll, events);

            assertThat(stream.peerAddr()).isEqualTo(server.address());
            byte[] buf = new byte[16];
            assertThat(stream.peek(buf, 0, buf.length)).isZero();
            assertThat(stream.read(buf)).isZero();
            assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);
            expectNoEvents(poll, events);
            assertThat(readExactly(stream, DATA1.length)).as("the echo arrived").isEqualTo(DATA1);
        }
        server.peer().join();
    }

    // ---- close events --------------------------------------------------------------------------------

    @Test
    void client_shutdown_read_gives_read_closed() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        Server server = startListener(1, barrier, false);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE.add(Interest.WRITABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            stream.shutdown(Shutdown.READ);
            awaitEvent(poll, events, ID1, Event::isReadClosed);
        } finally {
            await(barrier);
        }
        server.peer().join();
    }

    @Test
    void server_shutdown_write_gives_read_closed() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        Server server = startListener(1, barrier, true);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE.add(Interest.WRITABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            await(barrier);
            awaitEvent(poll, events, ID1, e -> e.isReadClosed() && e.isReadable());
            assertThat(stream.read(new byte[4])).isEqualTo(-1);
            assertThat(stream.write(DATA1)).as("our write half still works").isEqualTo(DATA1.length);
            await(barrier);
        }
        server.peer().join();
    }

    @Test
    void peer_reset_gives_read_closed() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket listener = blockingListener(localV4());
             TcpStream stream = TcpStream.connect((InetSocketAddress) listener.getLocalSocketAddress())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE.add(Interest.WRITABLE));
            Socket serverStream = listener.accept();
            awaitEvent(poll, events, ID1, Event::isWritable);
            assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);
            assertThat(stream.read(new byte[1])).isZero();

            // The server goes away with our bytes unread: the kernel answers with a reset.
            serverStream.close();
            awaitEvent(poll, events, ID1, Event::isReadClosed);

            // Quiesce: the events stop.
            long deadline = System.nanoTime() + WAIT.toNanos();
            do {
                assertThat(System.nanoTime()).as("events stop").isLessThan(deadline);
                poll.poll(events, java.time.Duration.ofMillis(100));
            } while (!events.isEmpty());
            // Linux reports the reset either on the read or, after an end-of-stream read, as the pending error
            // (EPIPE when the reset came while the connection was already half closed).
            try {
                assertThat(stream.read(new byte[16])).isEqualTo(-1);
                if (!io.mio.TestBackend.selector()) { // the JDK reads a reset as end of stream and has no SO_ERROR
                    assertThat(stream.takeError()).isInstanceOf(SocketException.class);
                }
            } catch (SocketException e) {
                assertThat(e.getMessage()).containsAnyOf("ECONNRESET", "EPIPE");
            }
        }
    }

    @Test
    void client_shutdown_both_gives_write_closed() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        Server server = startListener(1, barrier, false);
        try (Poll poll = Poll.open(); TcpStream stream = TcpStream.connect(server.address())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE.add(Interest.WRITABLE));
            awaitEvent(poll, events, ID1, Event::isWritable);
            stream.shutdown(Shutdown.BOTH);
            awaitEvent(poll, events, ID1, Event::isWriteClosed);
        } finally {
            await(barrier);
        }
        server.peer().join();
    }

    @Test
    void hang_up_on_disconnect_is_readable() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, new Token(0), Interest.READABLE);
            try (TcpStream stream = TcpStream.connect(listener.localAddr())) {
                poll.registry().register(stream, new Token(1), Interest.READABLE.add(Interest.WRITABLE));
                boolean listenerReady = false, streamReady = false;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!(listenerReady && streamReady) && System.nanoTime() < deadline) {
                    poll.poll(events, java.time.Duration.ofMillis(100));
                    for (Event e : events) {
                        listenerReady |= e.token().equals(new Token(0)) && e.isReadable();
                        streamReady |= e.token().equals(new Token(1)) && e.isWritable();
                    }
                }
                assertThat(listenerReady).isTrue();
                assertThat(streamReady).isTrue();

                TcpStream sock = listener.accept();
                assertThat(sock).isNotNull();
                sock.setLinger(java.time.Duration.ZERO); // no graceful shutdown: a reset
                sock.close();
                awaitEvent(poll, events, new Token(1), Event::isReadable);
            }
        }
    }

    @Test
    void urgent_data_gives_a_priority_event() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.OOB);
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), ID1, Interest.READABLE.add(Interest.PRIORITY));
            assertThat(p.server().sendUrgent((byte) '!')).isEqualTo(1);
            awaitEvent(poll, events, ID1, e -> e.isReadable() && e.isPriority());
        }
    }

    @Test
    void urgent_data_gives_a_priority_event_to_a_priority_only_registration() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.OOB);
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), ID1, Interest.PRIORITY);
            // Normal data is not what a priority-only registration asked for (io_uring wakes it all the same).
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            io.mio.TestSupport.expectNoEvent(poll, events, ID1, java.time.Duration.ofMillis(100));
            assertThat(p.server().sendUrgent((byte) '!')).isEqualTo(1);
            awaitEvent(poll, events, ID1, Event::isPriority);
        }
    }

    @Test
    void normal_data_gives_no_priority_flag_to_a_readable_and_priority_registration() throws Exception {
        expectReadableWithoutPriority(Interest.READABLE.add(Interest.PRIORITY), false);
    }

    @Test
    void reregister_to_priority_only_then_urgent_data_gives_a_priority_event() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.OOB);
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), ID1, Interest.WRITABLE);
            awaitEvent(poll, events, ID1, Event::isWritable);
            poll.registry().reregister(p.client(), ID2, Interest.PRIORITY);
            // A poll first, so that the change reaches the kernel before the urgent byte does.
            io.mio.TestSupport.expectNoEvent(poll, events, ID2, java.time.Duration.ofMillis(50));
            assertThat(p.server().sendUrgent((byte) '!')).isEqualTo(1);
            awaitEvent(poll, events, ID2, Event::isPriority);
        }
    }

    @Test
    void urgent_data_without_priority_interest_gives_no_priority_flag() throws Exception {
        expectReadableWithoutPriority(Interest.READABLE, true);
    }

    /** Plain data (then an urgent byte if {@code urgent}) to a stream registered with {@code interest}. */
    private static void expectReadableWithoutPriority(Interest interest, boolean urgent) throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.OOB);
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), ID1, interest);
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            if (urgent) {
                assertThat(p.server().sendUrgent((byte) '!')).isEqualTo(1);
            }
            java.util.List<String> seen = awaitEvent(poll, events, ID1, Event::isReadable);
            assertThat(seen).noneMatch(s -> s.contains("priority"));
        }
    }

    // ---- peek ----------------------------------------------------------------------------------------

    @Test
    void peek_returns_data_without_consuming_it() throws Exception {
        try (Pair p = connectedPair()) {
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            readExactlyByPeek(p.client(), DATA1.length);

            ByteBuffer heap = ByteBuffer.allocate(32);
            heap.position(3);
            assertThat(p.client().peek(heap)).isEqualTo(DATA1.length);
            assertThat(heap.position()).as("peek does not move the position").isEqualTo(3);
            assertThat(Arrays.copyOfRange(heap.array(), 3, 3 + DATA1.length)).isEqualTo(DATA1);

            ByteBuffer direct = ByteBuffer.allocateDirect(5);
            assertThat(p.client().peek(direct)).as("peek into a smaller buffer").isEqualTo(5);
            assertThat(direct.position()).isZero();
            byte[] five = new byte[5];
            direct.get(five);
            assertThat(five).isEqualTo(Arrays.copyOf(DATA1, 5));

            byte[] all = new byte[32];
            assertThat(p.client().read(all)).as("all still there").isEqualTo(DATA1.length);
            assertThat(Arrays.copyOf(all, DATA1.length)).isEqualTo(DATA1);
        }
    }

    @Test
    void peek_would_block_without_data() throws Exception {
        try (Pair p = connectedPair()) {
            assertThat(p.client().peek(new byte[8], 0, 8)).isZero();
            assertThat(p.client().peek(ByteBuffer.allocate(8))).isZero();
            assertThat(p.client().peek(ByteBuffer.allocateDirect(8))).isZero();
        }
    }

    @Test
    void read_after_peek_would_block_once_drained() throws Exception {
        try (Pair p = connectedPair()) {
            assertThat(p.server().write(DATA2)).isEqualTo(DATA2.length);
            readExactlyByPeek(p.client(), DATA2.length);
            byte[] buf = new byte[32];
            assertThat(p.client().read(buf)).isEqualTo(DATA2.length);
            assertThat(p.client().read(buf)).as("read after peek and read").isZero();
            assertThat(p.client().peek(buf, 0, buf.length)).isZero();
        }
    }

    @Test
    void peek_at_end_of_stream_returns_minus_one() throws Exception {
        try (Pair p = connectedPair()) {
            p.server().shutdown(Shutdown.WRITE);
            long deadline = System.nanoTime() + WAIT.toNanos();
            int n;
            while ((n = p.client().peek(new byte[4], 0, 4)) == 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(n).isEqualTo(-1);
        }
    }

    /**
     * mio's {@code peek_ok}: bytes that a peek has seen before the poll are still readiness to report. (On the
     * Selector backend the peek moves them into a pushback buffer; the Selector, not seeing them any more, used to
     * report nothing, and a loop that peeks before it polls waited forever.)
     */
    @Test
    void peek_ok() throws Exception {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(16);
            Server server = echoListener(localV4(), 1);
            try (TcpStream stream = TcpStream.connect(server.address())) {
                poll.registry().register(stream, ID1, Interest.WRITABLE.add(Interest.READABLE));
                awaitEvent(poll, events, ID1, Event::isWritable);

                byte[] buf = new byte[16];
                assertThat(stream.peek(buf, 0, buf.length)).as("peek would block").isZero();
                assertThat(stream.write(DATA1)).isEqualTo(DATA1.length);
                readExactlyByPeek(stream, DATA1.length); // peeked before any poll

                awaitEvent(poll, events, ID1, Event::isReadable);
                Arrays.fill(buf, (byte) 0);
                assertThat(stream.peek(buf, 0, buf.length)).isEqualTo(DATA1.length);
                assertThat(Arrays.copyOf(buf, DATA1.length)).isEqualTo(DATA1);
                Arrays.fill(buf, (byte) 0);
                assertThat(stream.read(buf)).isEqualTo(DATA1.length);
                assertThat(Arrays.copyOf(buf, DATA1.length)).isEqualTo(DATA1);
                assertThat(stream.takeError()).isNull();
                assertThat(stream.read(buf)).as("drained: would block").isZero();
            }
            server.peer().join();
        }
    }

    /** The loop the bug hung: peek first, poll only when the peek would block; every message must come through. */
    @Test
    void a_loop_that_peeks_before_it_polls_sees_every_message() throws Exception {
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), ID1, Interest.READABLE);
            byte[] buf = new byte[64];
            for (int i = 0; i < 3; i++) {
                assertThat(p.server().write(DATA2)).isEqualTo(DATA2.length);
                long deadline = System.nanoTime() + WAIT.toNanos();
                int got = 0;
                while (got < DATA2.length) {
                    int n = p.client().peek(buf, 0, buf.length);
                    if (n >= DATA2.length) {
                        got = p.client().read(buf, 0, DATA2.length);
                        break;
                    }
                    assertThat(System.nanoTime()).as("message %d arrives", i).isLessThan(deadline);
                    poll.poll(events, java.time.Duration.ofMillis(100));
                }
                assertThat(got).isEqualTo(DATA2.length);
                assertThat(Arrays.copyOf(buf, got)).isEqualTo(DATA2);
                // Peek again after the event: the stream is drained, so the next message needs a new event.
                assertThat(p.client().peek(buf, 0, buf.length)).isZero();
                // Not on URING: a multishot poll posts its completion when the bytes arrive, and one read before the
                // poll stays queued, a spurious readable event (which mio allows); epoll rechecks at epoll_wait.
                if (!io.mio.TestBackend.uring()) {
                    expectNoReadable(poll, events, p, i);
                }
            }
        }
    }

    /** Between messages: no event is pending for a drained stream (peek must not invent readiness). */
    private static void expectNoReadable(Poll poll, Events events, Pair p, int i) throws Exception {
        poll.poll(events, java.time.Duration.ofMillis(50));
        for (Event e : events) {
            assertThat(e.isReadable()).as("no readable event for drained stream after message %d", i).isFalse();
        }
    }

    /** A peek before the stream is registered: registering reports the peeked bytes, as epoll reports queued ones. */
    @Test
    void registering_after_a_peek_reports_the_peeked_bytes() throws Exception {
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            readExactlyByPeek(p.client(), DATA1.length);
            poll.registry().register(p.client(), ID2, Interest.READABLE);
            awaitEvent(poll, events, ID2, Event::isReadable);
            assertThat(readExactly(p.client(), DATA1.length)).isEqualTo(DATA1);
        }
    }

    /** Waits (bounded) until a peek sees {@code n} bytes. */
    private static void readExactlyByPeek(TcpStream s, int n) throws Exception {
        byte[] buf = new byte[n];
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (s.peek(buf, 0, n) < n) {
            assertThat(System.nanoTime()).as("%d bytes arrive", n).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    // ---- moving bytes: every buffer kind -------------------------------------------------------------

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    @Test
    void heap_byte_buffer_moves_the_bytes_between_position_and_limit() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(20, 1);
            ByteBuffer src = ByteBuffer.wrap(data);
            src.position(4).limit(15);
            assertThat(p.client().write(src)).isEqualTo(11);
            assertThat(src.position()).isEqualTo(15);
            assertThat(src.limit()).isEqualTo(15);

            ByteBuffer dst = ByteBuffer.allocate(30);
            dst.position(5).limit(16);
            awaitReadable(p.server(), 11);
            assertThat(p.server().read(dst)).isEqualTo(11);
            assertThat(dst.position()).isEqualTo(16);
            assertThat(dst.limit()).isEqualTo(16);
            assertThat(Arrays.copyOfRange(dst.array(), 5, 16)).isEqualTo(Arrays.copyOfRange(data, 4, 15));
            assertThat(Arrays.copyOfRange(dst.array(), 0, 5)).containsOnly(0);
            assertThat(Arrays.copyOfRange(dst.array(), 16, 30)).containsOnly(0);
        }
    }

    @Test
    void sliced_heap_byte_buffers_honour_their_array_offset() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(20, 2);
            ByteBuffer src = ByteBuffer.wrap(data, 6, 10).slice(); // arrayOffset 6
            src.position(2);
            assertThat(p.client().write(src)).isEqualTo(8);
            assertThat(src.position()).isEqualTo(10);

            byte[] backing = new byte[24];
            ByteBuffer dst = ByteBuffer.wrap(backing, 10, 14).slice(); // arrayOffset 10
            dst.position(1);
            awaitReadable(p.server(), 8);
            assertThat(p.server().read(dst)).isEqualTo(8);
            assertThat(dst.position()).isEqualTo(9);
            assertThat(Arrays.copyOfRange(backing, 11, 19)).isEqualTo(Arrays.copyOfRange(data, 8, 16));
            assertThat(Arrays.copyOfRange(backing, 0, 11)).containsOnly(0);
            assertThat(Arrays.copyOfRange(backing, 19, 24)).containsOnly(0);
        }
    }

    @Test
    void read_only_heap_buffer_can_be_written_but_not_read_into() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(9, 3);
            ByteBuffer src = ByteBuffer.wrap(data).asReadOnlyBuffer();
            src.position(1);
            assertThat(p.client().write(src)).isEqualTo(8);
            assertThat(src.position()).isEqualTo(9);
            assertThat(readExactly(p.server(), 8)).isEqualTo(Arrays.copyOfRange(data, 1, 9));
            assertThatThrownBy(() -> p.server().read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
        }
    }

    @Test
    void direct_byte_buffer_moves_the_bytes_between_position_and_limit() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(20, 4);
            ByteBuffer src = ByteBuffer.allocateDirect(20).put(data).clear();
            src.position(3).limit(17);
            assertThat(p.client().write(src)).isEqualTo(14);
            assertThat(src.position()).isEqualTo(17);

            ByteBuffer dst = ByteBuffer.allocateDirect(30);
            dst.position(7).limit(21);
            awaitReadable(p.server(), 14);
            assertThat(p.server().read(dst)).isEqualTo(14);
            assertThat(dst.position()).isEqualTo(21);
            byte[] got = new byte[14];
            dst.get(7, got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(data, 3, 17));
            assertThat(dst.limit()).isEqualTo(21);
            ByteBuffer all = dst.duplicate().clear();
            assertThat(all.get(6)).as("before the position").isZero();
            assertThat(all.get(21)).as("after the limit").isZero();
        }
    }

    @Test
    void sliced_direct_byte_buffers_use_their_own_start() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(16, 5);
            ByteBuffer whole = ByteBuffer.allocateDirect(32).put(new byte[8]).put(data).clear();
            ByteBuffer src = whole.slice(8, 16);
            src.position(4);
            assertThat(p.client().write(src)).isEqualTo(12);
            assertThat(readExactly(p.server(), 12)).isEqualTo(Arrays.copyOfRange(data, 4, 16));
        }
    }

    @Test
    void byte_array_ranges_move_only_the_range() throws Exception {
        try (Pair p = connectedPair()) {
            byte[] data = bytes(12, 6);
            assertThat(p.client().write(data, 3, 5)).isEqualTo(5);
            assertThat(p.client().write(data, 12, 0)).as("empty range").isZero();

            byte[] dst = new byte[12];
            Arrays.fill(dst, (byte) -1);
            awaitReadable(p.server(), 5);
            assertThat(p.server().read(dst, 4, 5)).isEqualTo(5);
            assertThat(Arrays.copyOfRange(dst, 4, 9)).isEqualTo(Arrays.copyOfRange(data, 3, 8));
            assertThat(Arrays.copyOfRange(dst, 0, 4)).containsOnly(-1);
            assertThat(Arrays.copyOfRange(dst, 9, 12)).containsOnly(-1);
        }
    }

    @Test
    void gather_and_scatter_with_direct_buffers() throws Exception {
        scatterGather(true);
    }

    @Test
    void gather_and_scatter_with_mixed_heap_and_direct_buffers() throws Exception {
        scatterGather(false);
    }

    private static ByteBuffer buffer(boolean direct, int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    private static void scatterGather(boolean allDirect) throws Exception {
        try (Pair p = connectedPair()) {
            byte[] a = bytes(10, 7), b = bytes(6, 8), c = bytes(9, 9);
            ByteBuffer ba = ByteBuffer.allocateDirect(10).put(a).flip();
            ba.position(2); // 8 bytes
            ByteBuffer bb = buffer(allDirect, 6).put(b).flip();
            ByteBuffer empty = ByteBuffer.allocateDirect(0);
            ByteBuffer bc = ByteBuffer.allocateDirect(9).put(c).flip();
            ByteBuffer skipped = buffer(allDirect, 4).put(bytes(4, 10)).flip();
            ByteBuffer[] srcs = {skipped, ba, bb, empty, bc, skipped};
            assertThat(p.client().write(srcs, 1, 4)).isEqualTo(8 + 6 + 9);
            assertThat(ba.hasRemaining() || bb.hasRemaining() || bc.hasRemaining()).isFalse();
            assertThat(skipped.remaining()).as("outside offset/length").isEqualTo(4);

            byte[] expected = new byte[23];
            System.arraycopy(a, 2, expected, 0, 8);
            System.arraycopy(b, 0, expected, 8, 6);
            System.arraycopy(c, 0, expected, 14, 9);

            ByteBuffer d1 = ByteBuffer.allocateDirect(5);
            ByteBuffer d2 = buffer(allDirect, 12);
            d2.position(2);
            ByteBuffer d3 = ByteBuffer.allocateDirect(20);
            ByteBuffer untouched = ByteBuffer.allocateDirect(4);
            ByteBuffer[] dsts = {untouched, d1, d2, d3};
            awaitReadable(p.server(), 23);
            assertThat(p.server().read(dsts, 1, 3)).isEqualTo(23);
            assertThat(untouched.position()).isZero();
            assertThat(d1.position()).isEqualTo(5);
            assertThat(d2.position()).isEqualTo(12);
            assertThat(d3.position()).isEqualTo(8);
            byte[] got = new byte[23];
            d1.get(0, got, 0, 5);
            d2.get(2, got, 5, 10);
            d3.get(0, got, 15, 8);
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void gather_write_of_more_than_fits_reports_partial_progress_correctly() throws Exception {
        bulkGather(true);
        bulkGather(false);
    }

    /** Gathers 3 x 1 MiB through a non-blocking pair; positions must account for exactly what was sent. */
    private static void bulkGather(boolean allDirect) throws Exception {
        final int size = 1 << 20;
        try (Pair p = connectedPair()) {
            // Small kernel buffers, so that 3 MiB cannot fit into one gather write.
            p.client().setSendBufferSize(32 * 1024);
            p.server().setRecvBufferSize(32 * 1024);
            ByteBuffer[] srcs = new ByteBuffer[3];
            for (int i = 0; i < 3; i++) {
                srcs[i] = (i == 1 ? buffer(allDirect, size) : ByteBuffer.allocateDirect(size));
                for (int j = 0; j < size; j++) {
                    srcs[i].put((byte) (i * 31 + j * 13));
                }
                srcs[i].flip();
            }
            ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
            long written = 0, read = 0, check = 0;
            boolean sawPartial = false;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read < 3L * size) {
                assertThat(System.nanoTime()).as("transfer finishes").isLessThan(deadline);
                long before = srcs[0].remaining() + srcs[1].remaining() + srcs[2].remaining();
                long n = p.client().write(srcs);
                long after = srcs[0].remaining() + srcs[1].remaining() + srcs[2].remaining();
                assertThat(before - after).as("positions advance by the count").isEqualTo(n);
                written += n;
                sawPartial |= n > 0 && after > 0;
                sink.clear();
                int r = p.server().read(sink);
                assertThat(r).isNotNegative();
                sink.flip();
                while (sink.hasRemaining()) {
                    byte got = sink.get();
                    int buf = (int) (check / size);
                    int j = (int) (check % size);
                    if (got != (byte) (buf * 31 + j * 13)) {
                        throw new AssertionError("byte " + check + " differs");
                    }
                    check++;
                }
                read += r;
            }
            assertThat(written).isEqualTo(3L * size);
            assertThat(check).isEqualTo(3L * size);
            assertThat(sawPartial).as("a gather that did not fit").isTrue();
        }
    }

    // ---- end of stream, empty buffers, bad arguments -------------------------------------------------

    @Test
    void reads_return_minus_one_at_end_of_stream() throws Exception {
        try (Pair p = connectedPair()) {
            p.server().close();
            byte[] arr = new byte[8];
            long deadline = System.nanoTime() + WAIT.toNanos();
            int n;
            while ((n = p.client().read(arr)) == 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(n).isEqualTo(-1);
            assertThat(p.client().read(arr, 2, 3)).isEqualTo(-1);
            ByteBuffer heap = ByteBuffer.allocate(8);
            assertThat(p.client().read(heap)).isEqualTo(-1);
            assertThat(heap.position()).isZero();
            assertThat(p.client().read(ByteBuffer.allocateDirect(8))).isEqualTo(-1);
            assertThat(p.client().read(new ByteBuffer[] {ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(4)}))
                    .isEqualTo(-1);
            assertThat(p.client().read(new ByteBuffer[] {ByteBuffer.allocate(4), ByteBuffer.allocateDirect(4)}))
                    .isEqualTo(-1);
        }
    }

    @Test
    void scatter_read_returns_the_bytes_before_end_of_stream() throws Exception {
        try (Pair p = connectedPair()) {
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            p.server().shutdown(Shutdown.WRITE);
            readExactlyByPeek(p.client(), DATA1.length);
            ByteBuffer[] dsts = {ByteBuffer.allocate(4), ByteBuffer.allocate(64)};
            assertThat(p.client().read(dsts)).isEqualTo(DATA1.length);
            assertThat(dsts[0].position() + dsts[1].position()).isEqualTo(DATA1.length);
            long deadline = System.nanoTime() + WAIT.toNanos();
            long n;
            while ((n = p.client().read(dsts)) == 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(n).isEqualTo(-1);
        }
    }

    @Test
    void reading_into_a_full_buffer_returns_zero_and_leaves_the_data() throws Exception {
        try (Pair p = connectedPair()) {
            assertThat(p.server().write(DATA1)).isEqualTo(DATA1.length);
            readExactlyByPeek(p.client(), DATA1.length);

            ByteBuffer full = ByteBuffer.allocate(4);
            full.position(4);
            assertThat(p.client().read(full)).isZero();
            ByteBuffer fullDirect = ByteBuffer.allocateDirect(4);
            fullDirect.position(4);
            assertThat(p.client().read(fullDirect)).isZero();
            assertThat(p.client().read(new byte[4], 4, 0)).isZero();
            assertThat(p.client().read(new ByteBuffer[] {full, fullDirect})).isZero();
            assertThat(p.client().read(new ByteBuffer[0])).isZero();

            assertThat(readExactly(p.client(), DATA1.length)).isEqualTo(DATA1);
        }
    }

    @Test
    void out_of_range_array_arguments_throw_index_out_of_bounds() throws Exception {
        try (Pair p = connectedPair()) {
            TcpStream s = p.client();
            byte[] ten = new byte[10];
            assertThatThrownBy(() -> s.read(ten, 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.read(ten, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.read(ten, 2, -1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.peek(ten, 9, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.write(ten, 0, 11)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.write(ten, 11, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            ByteBuffer[] two = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
            assertThatThrownBy(() -> s.read(two, 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.write(two, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.write(two, 3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            // Nothing moved.
            assertThat(readExactlyNothing(p.server())).isTrue();
        }
    }

    private static boolean readExactlyNothing(TcpStream s) throws Exception {
        Thread.sleep(20);
        return s.read(new byte[4]) == 0;
    }

    @Test
    void connect_to_an_unresolved_address_fails() {
        assertThatThrownBy(() -> TcpStream.connect(InetSocketAddress.createUnresolved("localhost", 80)))
                .isInstanceOf(UnresolvedAddressException.class);
    }

    @Test
    void every_call_on_a_closed_stream_throws_closed_channel() throws Exception {
        Pair p = connectedPair();
        p.server().close();
        TcpStream s = p.client();
        s.close();
        s.close(); // idempotent
        assertThat(s.isOpen()).isFalse();
        try (Poll poll = Poll.open()) {
            java.util.List<ThrowingCall> calls = java.util.List.of(
                    () -> s.read(ByteBuffer.allocate(4)),
                    () -> s.read(ByteBuffer.allocateDirect(4)),
                    () -> s.read(new byte[4]),
                    () -> s.read(new byte[4], 0, 4),
                    () -> s.read(new ByteBuffer[] {ByteBuffer.allocate(4)}),
                    () -> s.read(new ByteBuffer[] {ByteBuffer.allocateDirect(4)}),
                    () -> s.peek(ByteBuffer.allocate(4)),
                    () -> s.peek(new byte[4], 0, 4),
                    () -> s.write(ByteBuffer.wrap(DATA1)),
                    () -> s.write(ByteBuffer.allocateDirect(4)),
                    () -> s.write(DATA1),
                    () -> s.write(DATA1, 0, 2),
                    () -> s.write(new ByteBuffer[] {ByteBuffer.wrap(DATA1)}),
                    () -> s.write(new ByteBuffer[] {ByteBuffer.allocateDirect(4)}),
                    () -> s.sendUrgent((byte) 1),
                    () -> s.shutdown(Shutdown.BOTH),
                    s::peerAddr,
                    s::localAddr,
                    () -> s.setNodelay(true),
                    s::nodelay,
                    () -> s.setTtl(9),
                    s::ttl,
                    s::takeError,
                    s::rawFd,
                    () -> poll.registry().register(s, ID1, Interest.READABLE));
            for (int i = 0; i < calls.size(); i++) {
                ThrowingCall call = calls.get(i);
                assertThatThrownBy(call::call).as("call #%d", i).isInstanceOf(ClosedChannelException.class);
            }
        }
    }

    @Test
    void calls_with_nothing_to_move_on_a_closed_stream_throw_closed_channel() throws Exception {
        Pair p = connectedPair();
        p.close();
        TcpStream s = p.client();
        java.util.List<ThrowingCall> calls = java.util.List.of(
                () -> s.read(ByteBuffer.allocate(0)),
                () -> s.read(new byte[0]),
                () -> s.read(new ByteBuffer[0]),
                () -> s.write(ByteBuffer.allocate(0)),
                () -> s.write(new byte[0]),
                () -> s.write(new ByteBuffer[] {ByteBuffer.allocateDirect(0)}));
        for (int i = 0; i < calls.size(); i++) {
            ThrowingCall call = calls.get(i);
            assertThatThrownBy(call::call).as("call #%d", i).isInstanceOf(ClosedChannelException.class);
        }
    }

    interface ThrowingCall {
        void call() throws Exception;
    }

    /** Waits (bounded) until {@code n} bytes can be read from {@code s}. */
    private static void awaitReadable(TcpStream s, int n) throws Exception {
        readExactlyByPeek(s, n);
    }
}
