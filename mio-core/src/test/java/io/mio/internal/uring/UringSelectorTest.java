package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The URING backend's own faults and promises, through the public API: what only completions can break (a poll the
 * kernel ends when the completion ring is full, a poll owned by a thread that sleeps or exits, a close with a poll in
 * flight) and the one {@code io_uring_enter} per poll. Runs in the {@code uring-backend} execution.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringSelectorTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final TestResources resources = new TestResources();

    @BeforeEach
    void uringBackendOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.current() == Backend.URING,
                "checks the URING backend: runs in the uring-backend execution (-Dio.mio.backend=uring)");
    }

    @AfterEach
    void closeAll() throws Exception {
        UringSelector.sqEntriesOfNewPolls = UringSelector.DEFAULT_SQ_ENTRIES;
        UringSelector.cqEntriesOfNewPolls = UringSelector.DEFAULT_CQ_ENTRIES;
        resources.closeAll();
    }

    private <T extends AutoCloseable> T keep(T r) {
        return resources.keep(r);
    }

    private TcpStream[] pair(TcpListener listener) throws Exception {
        return resources.pair(listener, WAIT);
    }

    /** Polls until every token in {@code expected} (token values 0..n-1) was seen once at least. */
    private static void expectAll(Poll poll, Events events, int n, String what) throws IOException {
        BitSet seen = new BitSet(n);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (seen.cardinality() < n && System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(100));
            for (Event e : events) {
                if (e.isReadable() && e.token().value() < n) {
                    seen.set((int) e.token().value());
                }
            }
        }
        assertThat(seen.cardinality()).as(what + ": sources reported readable").isEqualTo(n);
    }

    private static void drain(TcpStream s) throws IOException {
        byte[] buf = new byte[256];
        while (s.read(buf) > 0) {
            // edge-triggered: empty it
        }
    }

    @Test
    void more_ready_sockets_than_completion_slots_lose_nothing_and_stay_armed() throws Exception {
        UringSelector.sqEntriesOfNewPolls = 4;
        UringSelector.cqEntriesOfNewPolls = 8;
        int n = 64;
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        TcpStream[] mine = new TcpStream[n];
        TcpStream[] peers = new TcpStream[n];
        for (int i = 0; i < n; i++) {
            TcpStream[] p = pair(listener);
            mine[i] = p[0];
            peers[i] = p[1];
            poll.registry().register(mine[i], new Token(i), Interest.READABLE);
        }
        Events events = Events.withCapacity(256);
        for (int round = 1; round <= 3; round++) {
            for (TcpStream peer : peers) {
                assertThat(peer.write(new byte[] {(byte) round})).isEqualTo(1);
            }
            Thread.sleep(50); // let all 64 wake their polls while nobody reaps: the 8-slot ring overflows
            expectAll(poll, events, n, "round " + round);
            for (TcpStream s : mine) {
                drain(s);
            }
        }
        UringSelector selector = (UringSelector) Bridge.selector(poll.registry());
        assertThat(selector.ring().droppedCompletions()).as("completions dropped").isZero();
    }

    @Test
    void a_registration_made_by_a_thread_that_then_sleeps_or_exits_keeps_reporting() throws Exception {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        TcpStream[] sleeping = pair(listener);
        TcpStream[] exited = pair(listener);
        Thread sleeper = Thread.ofPlatform().daemon().start(() -> {
            try {
                poll.registry().register(sleeping[0], new Token(0), Interest.READABLE);
                Thread.sleep(60_000);
            } catch (InterruptedException | IOException ignored) {
                // ends the test's helper
            }
        });
        Thread quitter = Thread.ofPlatform().start(() -> {
            try {
                poll.registry().register(exited[0], new Token(1), Interest.READABLE);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        quitter.join();
        Thread.sleep(100); // the sleeper is parked by now
        Events events = Events.withCapacity(8);
        for (int round = 0; round < 3; round++) {
            sleeping[1].write(new byte[] {1});
            exited[1].write(new byte[] {1});
            expectAll(poll, events, 2, "round " + round);
            drain(sleeping[0]);
            drain(exited[0]);
        }
        sleeper.interrupt();
    }

    @Test
    void closing_a_registered_stream_sends_fin_at_once_without_another_poll() throws Exception {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        TcpStream[] p = pair(listener);
        poll.registry().register(p[0], new Token(0), Interest.READABLE.add(Interest.WRITABLE));
        poll.poll(Events.withCapacity(4), Duration.ZERO);
        p[0].close(); // the armed poll holds the file: only its cancel lets close(2) release the socket
        byte[] buf = new byte[8];
        long deadline = System.nanoTime() + WAIT.toNanos();
        int r;
        while ((r = p[1].read(buf)) == 0) {
            assertThat(System.nanoTime()).as("peer saw end of stream in time").isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(r).as("end of stream at the peer").isEqualTo(-1);
    }

    @Test
    void closing_after_a_deregister_by_the_polling_thread_sends_fin_at_once() throws Exception {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        TcpStream[] p = pair(listener);
        poll.registry().register(p[0], new Token(0), Interest.READABLE);
        poll.poll(Events.withCapacity(4), Duration.ZERO); // armed; this thread is the poller now
        poll.registry().deregister(p[0]); // its cancel waits in the ring for this thread's next poll
        p[0].close();
        byte[] buf = new byte[8];
        long deadline = System.nanoTime() + WAIT.toNanos();
        int r;
        while ((r = p[1].read(buf)) == 0) {
            assertThat(System.nanoTime()).as("peer saw end of stream in time").isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(r).as("end of stream at the peer").isEqualTo(-1);
    }

    @Test
    void registrations_by_the_polling_thread_go_to_the_kernel_with_its_next_wait() throws Exception {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        Events events = Events.withCapacity(64);
        poll.poll(events, Duration.ZERO); // this thread is now the poller
        Uring ring = ((UringSelector) Bridge.selector(poll.registry())).ring();
        int n = 10;
        TcpStream[][] pairs = new TcpStream[n][];
        for (int i = 0; i < n; i++) {
            pairs[i] = pair(listener);
            pairs[i][1].write(new byte[] {7});
        }
        Thread.sleep(50);
        long before = ring.enterCalls();
        for (int i = 0; i < n; i++) {
            poll.registry().register(pairs[i][0], new Token(i), Interest.READABLE);
        }
        assertThat(ring.enterCalls() - before).as("io_uring_enter calls made by the registrations").isZero();
        poll.poll(events, WAIT);
        assertThat(ring.enterCalls() - before).as("io_uring_enter calls for the registrations and the poll").isEqualTo(1);
        assertThat(events.size()).as("every source reported by that one poll").isEqualTo(n);
    }
    @Test
    void buffer_properties_size_the_polls_opened_after_them_and_bad_values_are_refused() throws Exception {
        try {
            System.setProperty(UringSelector.BUFFERS, "2048");
            System.setProperty(UringSelector.BUFFER_SIZE, "2048");
            Poll poll = keep(Poll.open());
            UringSelector selector = (UringSelector) Bridge.selector(poll.registry());
            assertThat(selector.bufferShapeInUse()).containsExactly(2048, 2048);
            // and the buffers so shaped carry a stream's bytes
            TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
            TcpStream[] p = pair(listener);
            poll.registry().register(p[0], new Token(0), Interest.READABLE);
            byte[] data = new byte[5000];
            new java.util.Random(7).nextBytes(data);
            assertThat(p[1].write(data)).isEqualTo(data.length);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            Events events = Events.withCapacity(8);
            long deadline = System.nanoTime() + WAIT.toNanos();
            byte[] buf = new byte[1500];
            while (got.size() < data.length && System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(100));
                int n;
                while ((n = p[0].read(buf)) > 0) { // 0: would block
                    got.write(buf, 0, n);
                }
            }
            assertThat(got.toByteArray()).isEqualTo(data);

            System.setProperty(UringSelector.BUFFERS, "1000");
            org.assertj.core.api.Assertions.assertThatThrownBy(Poll::open).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dio.mio.uring.buffers must be a power of two").hasMessageContaining("1000");
            System.setProperty(UringSelector.BUFFERS, "many");
            org.assertj.core.api.Assertions.assertThatThrownBy(Poll::open).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dio.mio.uring.buffers must be an integer: \"many\"");
            System.setProperty(UringSelector.BUFFERS, "64");
            System.setProperty(UringSelector.BUFFER_SIZE, "16");
            org.assertj.core.api.Assertions.assertThatThrownBy(Poll::open).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dio.mio.uring.bufferSize must be in [64, 1048576] bytes: 16");
        } finally {
            System.clearProperty(UringSelector.BUFFERS);
            System.clearProperty(UringSelector.BUFFER_SIZE);
        }
    }
}
