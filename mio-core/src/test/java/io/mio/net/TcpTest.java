package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.mio.net.NetTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The behaviours mio's tests/tcp.rs checks, ported. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpTest {
    private static final Token LISTEN = new Token(0);
    private static final Token CLIENT = new Token(1);
    private static final Token SERVER = new Token(2);

    /** Size of the bulk transfers (mio moves 16 MiB; 4 MiB keeps the shared machine quiet). */
    private static final int N = 4 * 1024 * 1024;

    private static byte pattern(long i) {
        return (byte) (i % 251);
    }

    @Test
    void accept() throws Exception {
        try (Poll poll = Poll.open(); TcpListener l = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(128);
            poll.registry().register(l, CLIENT, Interest.READABLE);
            try (Socket peer = new Socket()) {
                peer.connect(l.localAddr(), PEER_TIMEOUT_MS);
                pollUntilAny(poll, events);
                assertThat(events.size()).isEqualTo(1);
                Event e = events.get(0);
                assertThat(e.token()).isEqualTo(CLIENT);
                assertThat(e.isReadable()).isTrue();
                try (TcpStream accepted = l.accept()) {
                    assertThat(accepted).isNotNull();
                    assertThat(accepted.peerAddr()).isEqualTo(peer.getLocalSocketAddress());
                }
                assertThat(l.accept()).as("second accept would block").isNull();
            }
        }
    }

    @Test
    void connect_is_writable_first_then_readable_when_the_peer_closes() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(128);
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, CLIENT, Interest.READABLE.add(Interest.WRITABLE));
                Socket accepted = l.accept();
                pollUntilAny(poll, events);
                assertThat(events.size()).isEqualTo(1);
                assertThat(events.get(0).token()).isEqualTo(CLIENT);
                assertThat(events.get(0).isWritable()).isTrue();
                assertThat(events.get(0).isReadable()).as("nothing to read yet").isFalse();
                expectNoEvents(poll, events);

                accepted.close();
                pollUntilAny(poll, events);
                assertThat(events.size()).isEqualTo(1);
                assertThat(events.get(0).token()).isEqualTo(CLIENT);
                assertThat(events.get(0).isReadable()).isTrue();
                assertThat(s.read(new byte[16])).as("end of stream").isEqualTo(-1);
            }
        }
    }

    @Test
    void read_drains_a_bulk_transfer_on_readable_events() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(128);
            Peer writer = Peer.start(() -> {
                try (Socket s = l.accept(); OutputStream out = s.getOutputStream()) {
                    byte[] chunk = new byte[1024];
                    for (long sent = 0; sent < N; sent += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = pattern(sent + i);
                        }
                        out.write(chunk);
                    }
                }
            });
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, CLIENT, Interest.READABLE);
                long amount = 0;
                boolean eof = false;
                byte[] b = new byte[1024];
                while (!eof) {
                    pollUntilAny(poll, events);
                    for (Event e : events) {
                        assertThat(e.token()).isEqualTo(CLIENT);
                        int n;
                        while ((n = s.read(b)) != 0) {
                            if (n < 0) {
                                eof = true;
                                break;
                            }
                            for (int i = 0; i < n; i++) {
                                if (b[i] != pattern(amount + i)) {
                                    fail("byte " + (amount + i) + " differs");
                                }
                            }
                            amount += n;
                        }
                    }
                }
                assertThat(amount).isEqualTo(N);
            }
            writer.join();
        }
    }

    @Test
    void peek_shows_the_bytes_the_next_read_returns() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(128);
            Peer writer = Peer.start(() -> {
                try (Socket s = l.accept(); OutputStream out = s.getOutputStream()) {
                    byte[] chunk = new byte[1024];
                    for (long sent = 0; sent < N; sent += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = pattern(sent + i);
                        }
                        out.write(chunk);
                    }
                }
            });
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, CLIENT, Interest.READABLE);
                long amount = 0;
                boolean eof = false;
                byte[] peeked = new byte[1024];
                byte[] b = new byte[1024];
                while (!eof) {
                    pollUntilAny(poll, events);
                    for (Event e : events) {
                        assertThat(e.token()).isEqualTo(CLIENT);
                        int p = s.peek(peeked, 0, peeked.length);
                        if (p == 0) {
                            continue; // a spurious event: would block
                        }
                        int n;
                        boolean first = true;
                        while ((n = s.read(b)) != 0) {
                            if (n < 0) {
                                eof = true;
                                break;
                            }
                            if (first && p > 0) {
                                int same = Math.min(p, n);
                                assertThat(java.util.Arrays.copyOf(b, same))
                                        .isEqualTo(java.util.Arrays.copyOf(peeked, same));
                            }
                            first = false;
                            for (int i = 0; i < n; i++) {
                                if (b[i] != pattern(amount + i)) {
                                    fail("byte " + (amount + i) + " differs");
                                }
                            }
                            amount += n;
                        }
                    }
                }
                assertThat(amount).isEqualTo(N);
            }
            writer.join();
        }
    }

    @Test
    void write_fills_the_socket_on_writable_events() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(128);
            AtomicLong received = new AtomicLong();
            Peer reader = Peer.start(() -> {
                try (Socket s = l.accept(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout(PEER_TIMEOUT_MS);
                    byte[] b = new byte[8192];
                    long amount = 0;
                    int n;
                    while ((n = in.read(b)) > 0) {
                        for (int i = 0; i < n; i++) {
                            if (b[i] != pattern(amount + i)) {
                                throw new AssertionError("byte " + (amount + i) + " differs");
                            }
                        }
                        amount += n;
                    }
                    received.set(amount);
                }
            });
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, CLIENT, Interest.WRITABLE);
                long amount = 0;
                byte[] chunk = new byte[1024];
                while (amount < N) {
                    pollUntilAny(poll, events);
                    for (Event e : events) {
                        assertThat(e.token()).isEqualTo(CLIENT);
                        while (amount < N) {
                            int len = (int) Math.min(chunk.length, N - amount);
                            for (int i = 0; i < len; i++) {
                                chunk[i] = pattern(amount + i);
                            }
                            int n = s.write(chunk, 0, len);
                            if (n == 0) {
                                break; // would block: wait for the next writable event
                            }
                            amount += n;
                        }
                    }
                }
            }
            reader.join();
            assertThat(received.get()).isEqualTo(N);
        }
    }

    @Test
    void connect_then_close() throws Exception {
        try (Poll poll = Poll.open(); TcpListener l = TcpListener.bind(localV4());
             TcpStream s = TcpStream.connect(l.localAddr())) {
            Events events = Events.withCapacity(128);
            Token acceptedToken = new Token(3);
            poll.registry().register(l, CLIENT, Interest.READABLE);
            poll.registry().register(s, SERVER, Interest.READABLE);
            boolean clientSawClose = false;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!clientSawClose && System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(100));
                for (Event e : events) {
                    assertThat(e.token()).as("closed stream reported").isNotEqualTo(acceptedToken);
                    if (e.token().equals(CLIENT)) {
                        TcpStream accepted = l.accept();
                        assertThat(accepted).isNotNull();
                        poll.registry().register(accepted, acceptedToken, Interest.READABLE.add(Interest.WRITABLE));
                        accepted.close();
                    } else if (e.token().equals(SERVER)) {
                        assertThat(e.isReadable()).isTrue();
                        clientSawClose = true;
                    }
                }
            }
            assertThat(clientSawClose).as("client readable after the peer closed").isTrue();
            assertThat(s.read(new byte[4])).isEqualTo(-1);
        }
    }

    @Test
    void listen_then_close_gives_no_event() throws Exception {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(128);
            TcpListener l = TcpListener.bind(localV4());
            poll.registry().register(l, CLIENT, Interest.READABLE);
            try (Socket peer = new Socket()) {
                // Make the listener ready, so that only the close can keep its event away.
                peer.connect(l.localAddr(), PEER_TIMEOUT_MS);
                l.close();
                poll.poll(events, Duration.ofMillis(100));
                for (Event e : events) {
                    assertThat(e.token()).as("event of a closed listener").isNotEqualTo(CLIENT);
                }
            }
        }
    }

    @Test
    void binding_the_same_address_twice_fails() throws Exception {
        try (TcpListener l1 = TcpListener.bind(localV4())) {
            InetSocketAddress addr = l1.localAddr();
            assertThatThrownBy(() -> TcpListener.bind(addr).close())
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("EADDRINUSE");
        }
    }

    @Test
    void multiple_writes_succeed_immediately() throws Exception {
        final int count = 16;
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(16);
            Peer reader = Peer.start(() -> {
                try (Socket s = l.accept(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout(PEER_TIMEOUT_MS);
                    byte[] all = in.readNBytes(1024 * count);
                    assertThat(all).hasSize(1024 * count);
                    for (byte b : all) {
                        if (b != 1) {
                            throw new AssertionError("unexpected byte " + b);
                        }
                    }
                }
            });
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, CLIENT, Interest.WRITABLE);
                awaitEvent(poll, events, CLIENT, Event::isWritable);
                byte[] ones = new byte[1024];
                java.util.Arrays.fill(ones, (byte) 1);
                for (int i = 0; i < count; i++) {
                    assertThat(s.write(ones)).as("write %d", i).isEqualTo(1024);
                }
            }
            reader.join();
        }
    }

    @Test
    void connection_reset_by_peer() throws Exception {
        Token serverToken = new Token(3);
        try (Poll poll = Poll.open(); TcpListener l = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            TcpStream client = TcpStream.connect(l.localAddr());
            poll.registry().register(l, LISTEN, Interest.READABLE);
            poll.registry().register(client, CLIENT, Interest.READABLE.add(Interest.WRITABLE));
            awaitEvent(poll, events, LISTEN, Event::isReadable);
            try (TcpStream server = l.accept()) {
                assertThat(server).isNotNull();
                client.setLinger(java.time.Duration.ZERO);
                client.close(); // sends RST
                Thread.sleep(100);
                poll.registry().register(server, serverToken, Interest.READABLE);
                awaitEvent(poll, events, serverToken, Event::isReadable);
                try {
                    int n = server.read(new byte[16]);
                    assertThat(n).as("read after reset").isEqualTo(-1);
                } catch (SocketException e) {
                    assertThat(e).hasMessageContaining("ECONNRESET");
                }
            }
        }
    }

    @Test
    void connect_to_a_closed_port_reports_the_error() throws Exception {
        InetSocketAddress closed;
        try (TcpListener l = TcpListener.bind(localV4())) {
            closed = l.localAddr();
        }
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(16);
            TcpStream s;
            try {
                s = TcpStream.connect(closed);
            } catch (ConnectException e) {
                return; // refused synchronously: allowed, though not the path this test is after
            }
            try (s) {
                poll.registry().register(s, LISTEN, Interest.WRITABLE);
                List<String> seen = new ArrayList<>();
                boolean found = false;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!found && System.nanoTime() < deadline) {
                    poll.poll(events, Duration.ofMillis(100));
                    for (Event e : events) {
                        seen.add(e.toString());
                        if (e.token().equals(LISTEN)) {
                            assertThat(e.isWritable() || e.isError()).as(e.toString()).isTrue();
                            assertThat(e.isWriteClosed()).as(e.toString()).isTrue();
                            found = true;
                        }
                    }
                }
                assertThat(found).as("event for the failed connect; saw %s", seen).isTrue();
                assertThat(s.takeError()).isInstanceOf(ConnectException.class);
                assertThat(s.takeError()).as("SO_ERROR is cleared by reading it").isNull();
                assertThatThrownBy(s::peerAddr).isInstanceOf(SocketException.class);
                expectNoEvents(poll, events);
            }
        }
    }

    @Test
    void write_to_a_vanished_peer_fails_with_an_exception_not_sigpipe() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(16);
            try (TcpStream s = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(s, LISTEN, Interest.READABLE.add(Interest.WRITABLE));
                Socket conn = l.accept();
                awaitEvent(poll, events, LISTEN, Event::isWritable);
                conn.close();
                byte[] buf = new byte[1024];
                long deadline = System.nanoTime() + WAIT.toNanos();
                SocketException failure = null;
                while (failure == null) {
                    assertThat(System.nanoTime()).as("write fails in time").isLessThan(deadline);
                    try {
                        if (s.write(buf) == 0) {
                            awaitEvent(poll, events, LISTEN, Event::isWritable);
                        }
                    } catch (SocketException e) {
                        failure = e;
                    }
                }
                assertThat(failure.getMessage()).containsAnyOf("EPIPE", "ECONNRESET");
            }
        }
    }

    @Test
    void peer_shutdown_write_gives_readable_and_read_closed() throws Exception {
        try (Poll poll = Poll.open(); ServerSocket l = blockingListener(localV4())) {
            Events events = Events.withCapacity(16);
            try (TcpStream client = TcpStream.connect((InetSocketAddress) l.getLocalSocketAddress())) {
                poll.registry().register(client, LISTEN, Interest.READABLE.add(Interest.WRITABLE));
                try (Socket socket = l.accept()) {
                    waitFor(poll, LISTEN, Event::isWritable, false);
                    poll.poll(events, Duration.ofMillis(100));
                    assertThat(events.isEmpty()).as("no event while nothing happens").isTrue();

                    socket.shutdownOutput();
                    waitFor(poll, LISTEN, Event::isReadable, true);
                    assertThat(client.read(new byte[4])).isEqualTo(-1);
                }
            }
        }
    }

    /** Waits for {@code ready} on {@code token}; every event seen must (or must not) carry read-closed. */
    private static void waitFor(Poll poll, Token token, java.util.function.Predicate<Event> ready,
                                boolean expectReadClosed) throws Exception {
        Events events = Events.withCapacity(16);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(100));
            for (Event e : events) {
                if (expectReadClosed) {
                    assertThat(e.isReadClosed()).as(e.toString()).isTrue();
                } else {
                    assertThat(e.isReadClosed() || e.isWriteClosed()).as(e.toString()).isFalse();
                }
                if (e.token().equals(token) && ready.test(e)) {
                    return;
                }
            }
        }
        fail("not ready within " + WAIT);
    }

    @Test
    void local_and_peer_addresses_are_ready_on_events() throws Exception {
        try (Poll poll = Poll.open(); TcpListener server = TcpListener.bind(localV4())) {
            InetSocketAddress addr = server.localAddr();
            poll.registry().register(server, LISTEN, Interest.READABLE);
            try (TcpStream connected = TcpStream.connect(addr)) {
                poll.registry().register(connected, CLIENT, Interest.READABLE);
                Events events = Events.withCapacity(1024);
                TcpStream accepted = null;
                boolean acceptedDone = false;
                boolean done = false;
                long deadline = System.nanoTime() + WAIT.toNanos();
                try {
                    while (!done) {
                        assertThat(System.nanoTime()).as("finished in time").isLessThan(deadline);
                        poll.poll(events, Duration.ofMillis(100));
                        for (Event e : events) {
                            if (e.token().equals(LISTEN)) {
                                accepted = server.accept();
                                assertThat(accepted).isNotNull();
                                poll.registry().register(accepted, SERVER, Interest.WRITABLE);
                            } else if (e.token().equals(SERVER)) {
                                assertThat(acceptedDone).as("event after close").isFalse();
                                assertThat(accepted.peerAddr()).isEqualTo(connected.localAddr());
                                assertThat(accepted.localAddr()).isEqualTo(addr);
                                assertThat(accepted.write(new byte[] {1, 2, 3})).isEqualTo(3);
                                accepted.close();
                                acceptedDone = true;
                            } else if (e.token().equals(CLIENT)) {
                                assertThat(connected.peerAddr()).isEqualTo(addr);
                                assertThat(connected.localAddr().getAddress().isLoopbackAddress()).isTrue();
                                done = true;
                            } else {
                                fail("unexpected " + e);
                            }
                        }
                    }
                } finally {
                    if (accepted != null) {
                        accepted.close();
                    }
                }
                assertThat(readExactly(connected, 3)).containsExactly(1, 2, 3);
            }
        }
    }

    @Test
    void write_then_drop_lets_the_peer_read_everything_then_eof() throws Exception {
        try (Poll poll = Poll.open(); TcpListener a = TcpListener.bind(localV4());
             TcpStream s = TcpStream.connect(a.localAddr())) {
            poll.registry().register(a, new Token(1), Interest.READABLE);
            poll.registry().register(s, new Token(3), Interest.READABLE);
            Events events = Events.withCapacity(1024);
            pollUntilAny(poll, events);
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(new Token(1));

            TcpStream s2 = a.accept();
            assertThat(s2).isNotNull();
            poll.registry().register(s2, new Token(2), Interest.WRITABLE);
            pollUntilAny(poll, events);
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(new Token(2));

            assertThat(s2.write(new byte[] {1, 2, 3, 4})).isEqualTo(4);
            s2.close();

            poll.registry().reregister(s, new Token(3), Interest.READABLE);
            pollUntilAny(poll, events);
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(new Token(3));

            byte[] buf = new byte[10];
            assertThat(s.read(buf)).isEqualTo(4);
            assertThat(java.util.Arrays.copyOf(buf, 4)).containsExactly(1, 2, 3, 4);
            assertThat(s.read(buf)).as("end of stream after the data").isEqualTo(-1);
        }
    }

    @Test
    void write_then_deregister_still_delivers_the_bytes() throws Exception {
        try (Poll poll = Poll.open(); TcpListener a = TcpListener.bind(localV4());
             TcpStream s = TcpStream.connect(a.localAddr())) {
            poll.registry().register(a, new Token(1), Interest.READABLE);
            poll.registry().register(s, new Token(3), Interest.READABLE);
            Events events = Events.withCapacity(1024);
            pollUntilAny(poll, events);
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(new Token(1));

            try (TcpStream s2 = a.accept()) {
                assertThat(s2).isNotNull();
                poll.registry().register(s2, new Token(2), Interest.WRITABLE);
                pollUntilAny(poll, events);
                assertThat(events.size()).isEqualTo(1);
                assertThat(events.get(0).token()).isEqualTo(new Token(2));

                assertThat(s2.write(new byte[] {1, 2, 3, 4})).isEqualTo(4);
                poll.registry().deregister(s2);

                poll.registry().reregister(s, new Token(3), Interest.READABLE);
                pollUntilAny(poll, events);
                assertThat(events.size()).isEqualTo(1);
                assertThat(events.get(0).token()).isEqualTo(new Token(3));

                byte[] buf = new byte[10];
                assertThat(s.read(buf)).isEqualTo(4);
                assertThat(java.util.Arrays.copyOf(buf, 4)).containsExactly(1, 2, 3, 4);
                assertThat(s.read(buf)).as("would block: the writer is still open").isEqualTo(0);
            }
        }
    }

    @Test
    void no_events_after_deregister() throws Exception {
        Token id1 = new Token(1), id2 = new Token(2), id3 = new Token(3);
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            InetSocketAddress addr = listener.localAddr();
            try (TcpStream stream = TcpStream.connect(addr)) {
                poll.registry().register(listener, id1, Interest.READABLE);
                poll.registry().register(stream, id3, Interest.READABLE);
                awaitEvent(poll, events, id1, Event::isReadable);

                try (TcpStream stream2 = listener.accept()) {
                    assertThat(stream2).isNotNull();
                    InetSocketAddress peer = stream2.peerAddr();
                    assertThat(peer.getAddress().isLoopbackAddress()).isTrue();
                    assertThat(peer).isEqualTo(stream.localAddr());
                    assertThat(stream2.localAddr()).isEqualTo(addr);

                    poll.registry().register(stream2, id2, Interest.WRITABLE);
                    awaitEvent(poll, events, id2, Event::isWritable);
                    assertThat(stream2.write(new byte[] {1, 2, 3, 4})).isEqualTo(4);
                    awaitEvent(poll, events, id3, Event::isReadable);

                    poll.registry().deregister(listener);
                    poll.registry().deregister(stream);
                    poll.registry().deregister(stream2);
                    expectNoEvents(poll, events);

                    byte[] buf = new byte[10];
                    assertThat(readOnce(stream, buf)).containsExactly(1, 2, 3, 4);

                    assertThat(stream2.write(new byte[] {1, 2, 3, 4})).isEqualTo(4);
                    expectNoEvents(poll, events);
                    assertThat(readExactly(stream, 4)).containsExactly(1, 2, 3, 4);
                    try (Socket another = new Socket()) {
                        another.connect(addr, PEER_TIMEOUT_MS); // the deregistered listener gets ready again
                        expectNoEvents(poll, events);
                    }
                }
            }
        }
    }

    private static byte[] readOnce(TcpStream stream, byte[] buf) throws Exception {
        int n = stream.read(buf);
        assertThat(n).isPositive();
        return java.util.Arrays.copyOf(buf, n);
    }

    @Test
    void several_registrations_see_their_own_tokens() throws Exception {
        // The edge-triggered gotcha: one poll may carry events of several sources; all must keep their tokens.
        try (Poll poll = Poll.open(); Pair p = connectedPair()) {
            Events events = Events.withCapacity(16);
            poll.registry().register(p.client(), CLIENT, Interest.WRITABLE);
            poll.registry().register(p.server(), SERVER, Interest.WRITABLE);
            boolean client = false, server = false;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!(client && server) && System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(100));
                for (Event e : events) {
                    client |= e.token().equals(CLIENT) && e.isWritable();
                    server |= e.token().equals(SERVER) && e.isWritable();
                }
            }
            assertThat(client).isTrue();
            assertThat(server).isTrue();
        }
    }

    @Test
    void accept_on_a_backlog_of_connections_then_would_block() throws Exception {
        try (Poll poll = Poll.open(); TcpListener l = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(l, LISTEN, Interest.READABLE);
            List<Socket> peers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket peer = new Socket();
                    peers.add(peer);
                    peer.connect(l.localAddr(), PEER_TIMEOUT_MS);
                }
                awaitEvent(poll, events, LISTEN, Event::isReadable);
                int accepted = 0;
                TcpStream s;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (accepted < 3 && System.nanoTime() < deadline) {
                    if ((s = l.accept()) != null) {
                        s.close();
                        accepted++;
                    }
                }
                assertThat(accepted).isEqualTo(3);
                assertThat(l.accept()).isNull();
            } finally {
                for (Socket peer : peers) {
                    peer.close();
                }
            }
        }
    }
}
