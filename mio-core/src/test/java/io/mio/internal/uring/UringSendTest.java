package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.net.Shutdown;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.net.UnixStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Writes queued as SEND entries of the Poll's ring ({@link UringSends}), through the public API: when bytes leave,
 * their order, the share's would-block and WRITABLE, failures, and shutdown, close, deregister and Poll close with
 * bytes still queued. Runs in the {@code uring-backend} execution.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringSendTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Token TOKEN = new Token(7);
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);
    private final TestResources resources = new TestResources();
    private final Events events = Events.withCapacity(64);

    @BeforeEach
    void uringBackendOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.current() == Backend.URING,
                "checks the URING backend: runs in the uring-backend execution (-Dio.mio.backend=uring)");
        UringSends.enabledForNewPolls = Boolean.TRUE;
    }

    @AfterEach
    void closeAll() throws Exception {
        UringFlusher.enabled = true;
        UringSends.enabledForNewPolls = null;
        System.clearProperty(UringSends.SWITCH);
        UringSends.chunkSizeOfNewPolls = 16 * 1024;
        UringSends.chunksOfNewPolls = 1024;
        UringSends.lingerNanosOfNewPolls = 30_000_000_000L;
        resources.closeAll();
    }

    private <T extends AutoCloseable> T keep(T r) {
        return resources.keep(r);
    }

    private TcpStream[] pair() throws Exception {
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        return resources.pair(listener, WAIT);
    }

    private static UringSends sends(Poll poll) {
        return ((UringSelector) Bridge.selector(poll.registry())).sends();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 8));
        }
        return b;
    }

    /** Polls once so that the test thread is the Poll's poller: its writes then wait for its next poll. */
    private void becomePoller(Poll poll) throws IOException {
        poll.poll(events, Duration.ZERO);
    }

    /** Reads what {@code s} has within {@code window} (non-blocking reads, short sleeps). */
    private static byte[] readFor(TcpStream s, Duration window) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            int n = s.read(buf);
            if (n > 0) {
                got.write(buf, 0, n);
            } else {
                Thread.sleep(5);
            }
        }
        return got.toByteArray();
    }

    @Test
    void a_write_by_the_poller_returns_its_count_and_leaves_with_the_next_poll() throws Exception {
        UringFlusher.enabled = false; // what waits for the next poll, without the safety net
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(poll);

        assertThat(p[0].write(pattern(100, 1))).isEqualTo(100);
        assertThat(sends(poll).chunksInUse()).as("queued in the Poll's send memory").isEqualTo(1);
        assertThat(readFor(p[1], Duration.ofMillis(150))).as("nothing sent before the next poll").isEmpty();

        poll.poll(events, Duration.ZERO); // submits the send with the one io_uring_enter it makes anyway
        assertThat(readFor(p[1], Duration.ofMillis(300))).isEqualTo(pattern(100, 1));
        poll.poll(events, Duration.ofMillis(50)); // reaps the completion
        assertThat(sends(poll).chunksInUse()).as("chunk given back once sent").isZero();
    }

    @Test
    void many_writes_across_short_sends_arrive_whole_and_in_order() throws Exception {
        UringSends.chunkSizeOfNewPolls = 4096;
        TcpStream[] p = pair();
        p[0].setSendBufferSize(4096);
        p[1].setRecvBufferSize(4096);
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        int total = 1 << 20;
        byte[] data = pattern(total, 3);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> { // a slow reader: sends wait for space and complete in pieces
            byte[] buf = new byte[3000];
            try {
                while (got.size() < total) {
                    int n = p[1].read(buf);
                    if (n > 0) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    } else {
                        Thread.sleep(1);
                    }
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        int sent = 0;
        int wouldBlock = 0;
        int step = 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (sent < total && System.nanoTime() < deadline) {
            int len = Math.min(total - sent, 1 + (step++ * 977) % 5000);
            int n = (step & 1) == 0
                    ? p[0].write(data, sent, len)
                    : p[0].write(ByteBuffer.wrap(data, sent, len));
            assertThat(n).isBetween(0, len);
            sent += n;
            if (n < len) {
                wouldBlock++;
                poll.poll(events, Duration.ofMillis(100));
            }
        }
        assertThat(sent).isEqualTo(total);
        while (reader.isAlive() && System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(20));
        }
        reader.join(1000);
        assertThat(failed.get()).isNull();
        assertThat(wouldBlock).as("the share filled up at times").isPositive();
        synchronized (got) {
            assertThat(got.toByteArray()).as("every byte, in order").isEqualTo(data);
        }
    }

    @Test
    void a_full_share_is_would_block_and_writable_is_reported_when_a_completion_frees_space() throws Exception {
        UringSends.chunkSizeOfNewPolls = 4096;
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        TestSupport.expectEvent(poll, events, TOKEN, Event::isWritable, WAIT); // the first WRITABLE
        byte[] block = pattern(1000, 5);
        for (int i = 0; i < 4; i++) { // the poller's writes wait for its next poll: the share fills, the socket stays empty
            assertThat(p[0].write(block)).isEqualTo(1000);
        }
        assertThat(p[0].write(block)).as("the share is full").isEqualTo(96);
        assertThat(p[0].write(block)).as("would-block").isZero();
        // The socket never was full, so its own poll has no edge to report: WRITABLE comes from the send's completion.
        TestSupport.expectEvent(poll, events, TOKEN, Event::isWritable, WAIT);
        assertThat(p[0].write(block)).as("room again").isEqualTo(1000);
        int got = 0;
        long until = System.nanoTime() + WAIT.toNanos();
        while (got < 5096 && System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(10)); // each completion's poll sends what waited behind it
            got += readFor(p[1], Duration.ofMillis(10)).length;
        }
        assertThat(got).isEqualTo(5096);
    }

    @Test
    void a_peer_reset_with_sends_queued_is_an_error_event_and_the_next_write_throws() throws Exception {
        UringSends.chunkSizeOfNewPolls = 4096;
        TcpStream[] p = pair();
        p[0].setSendBufferSize(4096);
        p[1].setRecvBufferSize(4096);
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, Interest.READABLE); // not WRITABLE: the error is reported anyway
        byte[] block = pattern(1024, 7);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p[0].write(block) > 0) {
            poll.poll(events, Duration.ofMillis(5));
            assertThat(System.nanoTime()).isLessThan(deadline);
        }
        assertThat(sends(poll).chunksInUse()).as("a send waits in the kernel").isEqualTo(1);
        p[1].setLinger(Duration.ZERO);
        p[1].close(); // RST

        TestSupport.expectEvent(poll, events, TOKEN, e -> e.isError() && e.isWriteClosed(), WAIT);
        long until = System.nanoTime() + WAIT.toNanos();
        while (sends(poll).chunksInUse() > 0 && System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(20));
        }
        assertThat(sends(poll).chunksInUse()).as("the queued bytes are dropped").isZero();
        assertThatThrownBy(() -> p[0].write(block)).isInstanceOf(IOException.class)
                .hasMessageMatching("(?s).*(reset|Broken pipe|ECONNRESET|EPIPE).*");
    }

    @Test
    void close_with_sends_in_flight_delivers_every_byte_then_end_of_stream() throws Exception {
        UringSends.chunkSizeOfNewPolls = 8192;
        TcpStream[] p = pair();
        p[0].setSendBufferSize(4096);
        p[1].setRecvBufferSize(4096);
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(poll);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        byte[] block = pattern(1000, 9);
        long deadline = System.nanoTime() + WAIT.toNanos();
        int n;
        while ((n = p[0].write(block)) > 0) {
            want.write(block, 0, n);
            poll.poll(events, Duration.ZERO);
            assertThat(System.nanoTime()).isLessThan(deadline);
        }
        assertThat(p[0].write(block)).isZero();
        assertThat(sends(poll).chunksInUse()).isEqualTo(1);
        p[0].close();
        assertThatThrownBy(() -> p[0].write(block)).as("closed for its owner").isInstanceOf(IOException.class);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        boolean eof = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!eof && System.nanoTime() < until) {
            poll.poll(events, Duration.ZERO);
            int r = p[1].read(buf);
            if (r < 0) {
                eof = true;
            } else if (r > 0) {
                got.write(buf, 0, r);
            } else {
                Thread.sleep(2);
            }
        }
        assertThat(got.toByteArray()).as("every byte written before close").isEqualTo(want.toByteArray());
        assertThat(eof).as("then end of stream").isTrue();
        assertThat(sends(poll).chunksInUse()).isZero();
    }

    @Test
    void a_closed_stream_whose_peer_never_reads_is_dropped_after_the_linger_time() throws Exception {
        UringSends.chunkSizeOfNewPolls = 4096;
        UringSends.lingerNanosOfNewPolls = 200_000_000L;
        TcpStream[] p = pair();
        p[0].setSendBufferSize(4096);
        p[1].setRecvBufferSize(4096);
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        byte[] block = pattern(1024, 11);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p[0].write(block) > 0) {
            poll.poll(events, Duration.ofMillis(5));
            assertThat(System.nanoTime()).isLessThan(deadline);
        }
        int fdsBefore = TestSupport.openFds();
        p[0].close();
        assertThat(TestSupport.openFds()).as("the queued bytes hold the socket").isEqualTo(fdsBefore);
        long until = System.nanoTime() + WAIT.toNanos();
        while (sends(poll).chunksInUse() > 0 && System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(50));
        }
        assertThat(sends(poll).chunksInUse()).as("dropped after the linger time").isZero();
        assertThat(TestSupport.openFds()).as("and the socket closed").isEqualTo(fdsBefore - 1);
    }

    @Test
    void shutdown_write_after_queued_writes_sends_the_fin_after_them() throws Exception {
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(poll);
        assertThat(p[0].write(pattern(500, 13))).isEqualTo(500); // queued, not submitted before the next poll
        p[0].shutdown(Shutdown.WRITE);
        assertThatThrownBy(() -> p[0].write(new byte[1])).isInstanceOf(IOException.class);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        boolean eof = false;
        long until = System.nanoTime() + WAIT.toNanos();
        while (!eof && System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(10));
            int r = p[1].read(buf);
            if (r < 0) {
                eof = true;
            } else if (r > 0) {
                got.write(buf, 0, r);
            }
        }
        assertThat(got.toByteArray()).isEqualTo(pattern(500, 13));
        assertThat(eof).isTrue();
    }

    @Test
    void bytes_queued_before_a_move_to_another_poll_leave_first_and_in_order() throws Exception {
        UringFlusher.enabled = false; // checks what waits for the next poll
        TcpStream[] p = pair();
        Poll first = keep(Poll.open());
        Poll second = keep(Poll.open());
        first.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(first);
        assertThat(p[0].write(pattern(300, 1))).isEqualTo(300); // waits for first's next poll
        first.registry().deregister(p[0]);
        second.registry().register(p[0], TOKEN, READ_WRITE);
        assertThat(p[0].write(pattern(200, 2))).as("behind the queued bytes").isEqualTo(200);
        assertThat(sends(second).chunksInUse()).as("still first's queue").isZero();

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        long until = System.nanoTime() + WAIT.toNanos();
        while (got.size() < 500 && System.nanoTime() < until) {
            first.poll(events, Duration.ofMillis(5)); // the Poll holding the queue sends it
            second.poll(events, Duration.ofMillis(5));
            int r = p[1].read(buf);
            if (r > 0) {
                got.write(buf, 0, r);
            }
        }
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(pattern(300, 1));
        want.write(pattern(200, 2));
        assertThat(got.toByteArray()).isEqualTo(want.toByteArray());
        first.poll(events, Duration.ofMillis(20));
        assertThat(sends(first).chunksInUse()).isZero();

        assertThat(p[0].write(pattern(50, 3))).isEqualTo(50); // drained: now queued on the Poll it is registered with
        assertThat(sends(second).chunksInUse()).isEqualTo(1);
    }

    @Test
    void closing_the_poll_with_sends_in_flight_drops_them_and_leaks_nothing() throws Exception {
        int fdsBefore = TestSupport.openFds();
        UringSends.chunkSizeOfNewPolls = 4096;
        TcpStream[] p = pair();
        p[0].setSendBufferSize(4096);
        p[1].setRecvBufferSize(4096);
        Poll poll = Poll.open();
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        byte[] block = pattern(1024, 15);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p[0].write(block) > 0) {
            poll.poll(events, Duration.ofMillis(5));
            assertThat(System.nanoTime()).isLessThan(deadline);
        }
        assertThat(sends(poll).chunksInUse()).isEqualTo(1);
        UringSends s = sends(poll);
        poll.close();
        assertThat(s.chunksInUse()).as("every chunk back, the memory unmapped").isZero();
        assertThatThrownBy(() -> p[0].write(block)).isInstanceOf(IOException.class).hasMessageContaining("Poll closed");
        assertThat(p[0].write(block)).as("then send(2), as on EPOLL: the socket is still full").isZero();
        p[0].close();
        p[1].close();
        resources.closeAll(); // the listener (the rest is closed already; close is idempotent)
        assertThat(TestSupport.openFds()).as("descriptors after closing everything").isEqualTo(fdsBefore);
    }

    @Test
    void a_poller_that_stops_polling_strands_nothing_its_writes_shutdown_and_close_leave_within_a_tick()
            throws Exception {
        // the suite's pattern that hung with queued sends: write from the poller, then wait for the peer, no poll
        TcpStream[] p = pair();
        TcpStream[] shut = pair();
        TcpStream[] closed = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], new Token(1), READ_WRITE);
        poll.registry().register(shut[0], new Token(2), READ_WRITE);
        poll.registry().register(closed[0], new Token(3), READ_WRITE);
        becomePoller(poll);
        assertThat(p[0].write(pattern(100, 31))).isEqualTo(100);
        assertThat(readFor(p[1], Duration.ofMillis(300))).as("sent without another poll").isEqualTo(pattern(100, 31));
        // more bytes than one send takes at once, a deferred FIN and a close, and still no poll
        byte[] big = pattern(12_000, 32);
        assertThat(shut[0].write(big)).isEqualTo(big.length);
        assertThat(shut[0].write(pattern(3_000, 33))).isEqualTo(3_000);
        shut[0].shutdown(io.mio.net.Shutdown.WRITE);
        assertThat(closed[0].write(pattern(500, 34))).isEqualTo(500);
        closed[0].close();
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(big);
        want.write(pattern(3_000, 33));
        assertThat(readUntilEnd(shut[1])).as("both writes, then the FIN").isEqualTo(want.toByteArray());
        assertThat(readUntilEnd(closed[1])).as("the bytes, then the close's FIN").isEqualTo(pattern(500, 34));
        UringSelector selector = (UringSelector) Bridge.selector(poll.registry());
        assertThat(sends(poll).chunksInUse()).as("every chunk back without a poll").isZero();
        assertThat(UringFlusher.watching(selector)).as("watched while it has had sends lately").isTrue();
        // the events of what happened meanwhile are not lost: the next poll reports them
        poll.poll(events, Duration.ofMillis(100));
        assertThat(events.isEmpty()).isFalse();
    }

    @Test
    void after_a_hang_up_a_write_fails_at_once_as_on_epoll() throws Exception {
        UnixStream.Pair pair = keep(UnixStream.pair());
        Poll poll = keep(Poll.open());
        poll.registry().register(pair.first(), TOKEN, READ_WRITE);
        pair.second().close();
        boolean hungUp = false;
        long until = System.nanoTime() + WAIT.toNanos();
        while (!hungUp && System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(50));
            for (io.mio.Event e : events) {
                hungUp |= e.isWriteClosed();
            }
        }
        assertThat(hungUp).as("write-closed reported").isTrue();
        assertThatThrownBy(() -> pair.first().write(pattern(100, 51))).as("the first write, not a later one")
                .isInstanceOf(java.net.SocketException.class).hasMessageContaining("EPIPE");
        assertThat(sends(poll).chunksInUse()).as("nothing queued").isZero();
    }

    @Test
    void a_poll_nobody_polls_still_finishes_its_queues() throws Exception {
        // no thread has polled: the write is submitted at once, and its completion (which the deferred FIN waits
        // for) is reaped by the flusher
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        assertThat(p[0].write(pattern(100, 41))).isEqualTo(100);
        p[0].shutdown(io.mio.net.Shutdown.WRITE);
        assertThat(readUntilEnd(p[1])).isEqualTo(pattern(100, 41));
    }

    @Test
    void closing_the_poll_sends_what_its_poller_queued_where_the_sockets_have_room() throws Exception {
        // write, then (no poll) shutdown, close or nothing, then Poll.close: on EPOLL every byte and FIN is out
        TcpStream[] open = pair();
        TcpStream[] shut = pair();
        TcpStream[] closed = pair();
        Poll poll = Poll.open();
        poll.registry().register(open[0], new Token(1), READ_WRITE);
        poll.registry().register(shut[0], new Token(2), READ_WRITE);
        poll.registry().register(closed[0], new Token(3), READ_WRITE);
        becomePoller(poll);
        assertThat(open[0].write(pattern(100, 21))).isEqualTo(100);
        assertThat(shut[0].write(pattern(200, 22))).isEqualTo(200);
        shut[0].shutdown(io.mio.net.Shutdown.WRITE); // deferred behind the queued bytes
        assertThat(closed[0].write(pattern(300, 23))).isEqualTo(300);
        closed[0].close(); // the queue holds the socket until its bytes are out
        UringSends s = sends(poll);
        assertThat(s.chunksInUse()).as("three queues, nothing submitted yet").isEqualTo(3);

        poll.close();
        assertThat(s.chunksInUse()).isZero();
        assertThat(readFor(open[1], Duration.ofMillis(300))).isEqualTo(pattern(100, 21));
        assertThat(readUntilEnd(shut[1])).as("bytes, then the deferred FIN").isEqualTo(pattern(200, 22));
        assertThat(readUntilEnd(closed[1])).as("bytes, then the close's FIN").isEqualTo(pattern(300, 23));
        // nothing was dropped, so nothing is reported: the next write is send(2), as on EPOLL
        assertThat(open[0].write(pattern(10, 24))).isEqualTo(10);
        assertThat(readFor(open[1], Duration.ofMillis(300))).isEqualTo(pattern(10, 24));
    }

    /** Reads {@code s} until end of stream (or fails after {@link #WAIT}). */
    private static byte[] readUntilEnd(TcpStream s) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int n; (n = s.read(buf)) != -1; ) {
            if (n > 0) {
                got.write(buf, 0, n);
            } else {
                assertThat(System.nanoTime()).as("end of stream within " + WAIT).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
        return got.toByteArray();
    }

    @Test
    void a_write_from_another_thread_while_the_poller_waits_leaves_without_another_poll() throws Exception {
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, Interest.READABLE);
        CountDownLatch polling = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        Events own = Events.withCapacity(8);
        Thread poller = Thread.ofPlatform().start(() -> {
            try {
                polling.countDown();
                poll.poll(own, Duration.ofSeconds(10)); // wakes when the peer writes back
            } catch (IOException ignored) {
                // closed at the end
            } finally {
                returned.countDown();
            }
        });
        polling.await();
        Thread.sleep(100); // the poller is blocked in io_uring_enter
        assertThat(p[0].write(pattern(64, 17))).isEqualTo(64);
        assertThat(readFor(p[1], Duration.ofMillis(300))).as("sent at once").isEqualTo(pattern(64, 17));
        assertThat(returned.getCount()).as("the poller did not have to return").isEqualTo(1);
        p[1].write(new byte[] {1});
        assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
        poller.join();
    }

    @Test
    void with_the_pool_empty_a_stream_with_nothing_queued_writes_at_once() throws Exception {
        UringFlusher.enabled = false; // checks what waits for the next poll
        UringSends.chunksOfNewPolls = 1;
        TcpStream[] a = pair();
        TcpStream[] b = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(a[0], new Token(1), READ_WRITE);
        poll.registry().register(b[0], new Token(2), READ_WRITE);
        becomePoller(poll);
        assertThat(a[0].write(pattern(10, 1))).isEqualTo(10); // takes the only chunk, waits for the next poll
        assertThat(b[0].write(pattern(10, 2))).isEqualTo(10); // no chunk: send(2)
        assertThat(readFor(b[1], Duration.ofMillis(200))).isEqualTo(pattern(10, 2));
        assertThat(readFor(a[1], Duration.ofMillis(100))).isEmpty();
        poll.poll(events, Duration.ZERO);
        assertThat(readFor(a[1], Duration.ofMillis(300))).isEqualTo(pattern(10, 1));
    }

    @Test
    void switched_off_writes_are_send_calls_as_on_epoll_and_on_is_the_default() throws Exception {
        UringSends.enabledForNewPolls = null; // the property decides
        UringFlusher.enabled = false;
        System.setProperty(UringSends.SWITCH, "false");
        TcpStream[] p = pair();
        Poll off = keep(Poll.open());
        off.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(off);
        assertThat(p[0].write(pattern(100, 21))).isEqualTo(100);
        assertThat(sends(off).chunksInUse()).isZero();
        assertThat(readFor(p[1], Duration.ofMillis(300))).as("sent by the write itself").isEqualTo(pattern(100, 21));

        System.clearProperty(UringSends.SWITCH);
        TcpStream[] q = pair();
        Poll on = keep(Poll.open());
        on.registry().register(q[0], TOKEN, READ_WRITE);
        becomePoller(on);
        assertThat(q[0].write(pattern(100, 22))).isEqualTo(100);
        assertThat(sends(on).chunksInUse()).as("queued: the default").isEqualTo(1);
    }

    @Test
    void a_write_of_a_chunk_or_more_with_nothing_queued_is_one_send_call() throws Exception {
        UringFlusher.enabled = false;
        TcpStream[] p = pair();
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(poll);
        byte[] big = pattern(64 * 1024, 25);
        assertThat(p[0].write(big)).as("all of it: the socket takes 64 KiB").isEqualTo(big.length);
        assertThat(sends(poll).chunksInUse()).as("not queued").isZero();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long until = System.nanoTime() + WAIT.toNanos();
        byte[] buf = new byte[65536];
        while (got.size() < big.length && System.nanoTime() < until) {
            int n = p[1].read(buf);
            if (n > 0) {
                got.write(buf, 0, n);
            }
        }
        assertThat(got.toByteArray()).as("sent without a poll").isEqualTo(big);
        // a small write then queues, and a big one behind it joins the queue (order), taking what fits
        assertThat(p[0].write(pattern(100, 26))).isEqualTo(100);
        assertThat(sends(poll).chunksInUse()).isEqualTo(1);
        assertThat(p[0].write(big)).as("the rest of the chunk").isEqualTo(UringSends.chunkSizeOfNewPolls - 100);
    }

    @Test
    void unix_streams_queue_their_writes_too() throws Exception {
        UnixStream.Pair pair = keep(UnixStream.pair());
        UnixStream[] p = {pair.first(), pair.second()};
        Poll poll = keep(Poll.open());
        poll.registry().register(p[0], TOKEN, READ_WRITE);
        becomePoller(poll);
        assertThat(p[0].write(pattern(40, 19))).isEqualTo(40);
        assertThat(sends(poll).chunksInUse()).isEqualTo(1);
        poll.poll(events, Duration.ZERO);
        byte[] buf = new byte[100];
        int n = 0;
        long until = System.nanoTime() + WAIT.toNanos();
        while (n == 0 && System.nanoTime() < until) {
            n = p[1].read(buf);
        }
        assertThat(java.util.Arrays.copyOf(buf, n)).isEqualTo(pattern(40, 19));
    }
}
