package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads served from the provided-buffer ring (issue 13, step 3): a readable TCP registration's multishot receive
 * queues buffers on the stream, and reads copy from them. Runs in the {@code uring-backend} execution.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringRecvTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Token ID = new Token(3);
    private final TestResources resources = new TestResources();

    @BeforeEach
    void uringBackendOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.current() == Backend.URING,
                "checks the URING backend: runs in the uring-backend execution (-Dio.mio.backend=uring)");
    }

    @AfterEach
    void closeAll() throws Exception {
        resources.closeAll();
        UringSelector.bufferEntriesOfNewPolls = 512;
        UringSelector.bufferSizeOfNewPolls = 4096;
    }

    private <T extends AutoCloseable> T keep(T r) {
        return resources.keep(r);
    }

    private TcpStream[] pair(TcpListener listener) throws Exception {
        return resources.pair(listener, WAIT);
    }

    private TcpListener listener() throws Exception {
        return keep(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    private static UringTcpStream impl(TcpStream s) throws Exception {
        Field f = TcpStream.class.getDeclaredField("impl");
        f.setAccessible(true);
        return (UringTcpStream) f.get(s);
    }

    /** Polls until {@code token} is readable; returns that event's readiness bits as seen. */
    private static Event awaitReadable(Poll poll, Events events, Token token) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(100));
            for (Event e : events) {
                if (e.token().equals(token) && e.isReadable()) {
                    return e;
                }
            }
        }
        throw new AssertionError("no readable event for " + token + " within " + WAIT);
    }

    /** Polls until {@code s}'s queue holds at least {@code n} buffers (the poller reaps them into it). */
    private static void awaitQueued(Poll poll, Events events, UringTcpStream s, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (s.rxStats()[0] < n) {
            assertThat(System.nanoTime()).as("%d buffers queued", n).isLessThan(deadline);
            poll.poll(events, Duration.ofMillis(20));
        }
    }

    @Test
    void bytes_arriving_while_buffers_are_queued_are_read_in_order_from_the_queue() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringTcpStream client = impl(p[0]);
        for (int i = 0; i < 3; i++) {
            assertThat(p[1].write(new byte[] {(byte) ('a' + i), (byte) ('A' + i)})).isEqualTo(2);
            awaitQueued(poll, events, client, i + 1); // each write its own buffer, none read yet
        }
        // A peek sees the queued bytes and leaves them queued.
        byte[] peeked = new byte[16];
        assertThat(p[0].peek(peeked, 0, 16)).isEqualTo(6);
        assertThat(new String(peeked, 0, 6, "US-ASCII")).isEqualTo("aAbBcC");
        assertThat(client.rxStats()[0]).as("peek consumed nothing").isEqualTo(3);

        ByteBuffer small = ByteBuffer.allocate(3); // spans buffers, leaves a partial one queued
        assertThat(p[0].read(small)).isEqualTo(3);
        assertThat(new String(small.array(), "US-ASCII")).isEqualTo("aAb");
        byte[] rest = new byte[16];
        assertThat(p[0].read(rest)).isEqualTo(3);
        assertThat(new String(rest, 0, 3, "US-ASCII")).isEqualTo("BcC");
        assertThat(client.rxStats()[0]).as("every emptied buffer recycled").isZero();
        assertThat(p[0].read(rest)).as("drained: would block").isZero();

        // The next arrival into the empty queue is a new edge.
        assertThat(p[1].write(new byte[] {'z'})).isEqualTo(1);
        awaitReadable(poll, events, ID);
        assertThat(p[0].read(rest)).isEqualTo(1);
        assertThat(rest[0]).isEqualTo((byte) 'z');
    }

    /** Waits (without polling) until the ring holds at least one unreaped completion. */
    private static void awaitCompletion(UringSelector sel) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sel.ring().completionsReady() == 0) {
            assertThat(System.nanoTime()).as("a completion posted in time").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static UringSelector selector(Poll poll) {
        return (UringSelector) io.mio.internal.Bridge.selector(poll.registry());
    }

    @Test
    void the_pollers_first_would_block_since_its_poll_leaves_the_completions_and_the_next_poll_reports_them()
            throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringSelector sel = selector(poll);
        assertThat(p[1].write(new byte[] {'a'})).isEqualTo(1);
        awaitReadable(poll, events, ID);
        byte[] buf = new byte[16];
        assertThat(p[0].read(buf)).isEqualTo(1);

        // Bytes posted to the completion ring after the poll: the event loop's would-block does not reap them...
        assertThat(p[1].write(new byte[] {'b'})).isEqualTo(1);
        awaitCompletion(sel);
        assertThat(p[0].read(buf)).as("the poller's first would-block since its poll").isZero();
        assertThat(sel.ring().completionsReady()).as("left in the ring for the next poll").isPositive();
        // ...and the next poll reaps them and reports the edge.
        awaitReadable(poll, events, ID);
        assertThat(p[0].read(buf)).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 'b');
    }

    @Test
    void the_pollers_second_would_block_without_a_poll_reaps_so_a_spinning_reader_gets_its_bytes() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringSelector sel = selector(poll);
        poll.poll(events, Duration.ofMillis(10));
        byte[] buf = new byte[16];
        assertThat(p[0].read(buf)).isZero(); // deferred: nothing to reap anyway
        assertThat(p[1].write(new byte[] {'c'})).isEqualTo(1);
        awaitCompletion(sel);
        assertThat(p[0].read(buf)).as("a second read since the poll reaps, as on EPOLL recv(2) sees the bytes")
                .isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 'c');
        // The reaped READABLE waits in the stash; the read drained it, so the next poll does not report it.
        poll.poll(events, Duration.ofMillis(10));
        for (Event e : events) {
            assertThat(e.token()).isNotEqualTo(ID);
        }
    }

    @Test
    void a_reader_thread_that_is_not_the_poller_reaps_at_its_first_would_block() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringSelector sel = selector(poll);
        poll.poll(events, Duration.ofMillis(10));
        assertThat(p[1].write(new byte[] {'d'})).isEqualTo(1);
        awaitCompletion(sel);
        int[] got = new int[1];
        byte[] buf = new byte[16];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                got[0] = p[0].read(buf);
            } catch (Exception e) {
                got[0] = -2;
            }
        });
        t.join();
        assertThat(got[0]).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 'd');
    }

    @Test
    void end_of_stream_comes_after_the_queued_bytes() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        assertThat(p[1].write(new byte[] {1, 2, 3})).isEqualTo(3);
        awaitQueued(poll, events, impl(p[0]), 1);
        p[1].close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean readClosed = false;
        while (!readClosed) {
            assertThat(System.nanoTime()).as("READ_CLOSED reported").isLessThan(deadline);
            poll.poll(events, Duration.ofMillis(100));
            for (Event e : events) {
                readClosed |= e.token().equals(ID) && e.isReadClosed() && e.isReadable();
            }
        }
        byte[] buf = new byte[2];
        assertThat(p[0].read(buf)).isEqualTo(2);
        assertThat(buf).containsExactly(1, 2);
        assertThat(p[0].read(buf)).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 3);
        assertThat(p[0].read(buf)).as("end of stream after the queued bytes").isEqualTo(-1);
        assertThat(p[0].read(buf)).as("and again").isEqualTo(-1);
    }

    @Test
    void an_exhausted_buffer_ring_falls_back_to_recv_and_loses_no_byte() throws Exception {
        UringSelector.bufferEntriesOfNewPolls = 4; // 4 x 32 B for all connections
        UringSelector.bufferSizeOfNewPolls = 32;
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(64);
        TcpListener listener = listener();
        int n = 6;
        int perConnection = 4000;
        TcpStream[] clients = new TcpStream[n];
        TcpStream[] servers = new TcpStream[n];
        ByteArrayOutputStream[] got = new ByteArrayOutputStream[n];
        for (int i = 0; i < n; i++) {
            TcpStream[] p = pair(listener);
            clients[i] = p[0];
            servers[i] = p[1];
            got[i] = new ByteArrayOutputStream();
            poll.registry().register(clients[i], new Token(i), Interest.READABLE);
        }
        byte[] msg = new byte[100];
        int[] sent = new int[n];
        byte[] buf = new byte[64];
        long deadline = System.nanoTime() + WAIT.toNanos() * 4;
        int done = 0;
        while (done < n) {
            assertThat(System.nanoTime()).as("every byte arrives").isLessThan(deadline);
            for (int i = 0; i < n; i++) {
                if (sent[i] < perConnection) {
                    for (int j = 0; j < msg.length; j++) {
                        msg[j] = (byte) (i * 31 + sent[i] + j);
                    }
                    int w = servers[i].write(msg, 0, Math.min(msg.length, perConnection - sent[i]));
                    sent[i] += w;
                }
            }
            poll.poll(events, Duration.ofMillis(10));
            for (Event e : events) {
                int i = (int) e.token().value();
                int r;
                while ((r = clients[i].read(buf)) > 0) { // edge-triggered: until would-block
                    got[i].write(buf, 0, r);
                }
            }
            done = 0;
            for (int i = 0; i < n; i++) {
                if (got[i].size() == perConnection) {
                    done++;
                }
            }
        }
        int fallbacks = 0;
        for (int i = 0; i < n; i++) {
            byte[] b = got[i].toByteArray();
            for (int k = 0; k < perConnection; k++) {
                assertThat(b[k]).as("connection %d byte %d", i, k).isEqualTo((byte) (i * 31 + k));
            }
            fallbacks += impl(clients[i]).rxStats()[1];
        }
        assertThat(fallbacks).as("receives ended by ENOBUFS and re-armed").isPositive();
    }

    @Test
    void deregister_keeps_the_queued_bytes_readable_and_reports_nothing_after() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        assertThat(p[1].write(new byte[] {7, 8})).isEqualTo(2);
        awaitQueued(poll, events, impl(p[0]), 1);
        poll.registry().deregister(p[0]);
        assertThat(p[1].write(new byte[] {9})).isEqualTo(1);
        poll.poll(events, Duration.ofMillis(100));
        assertThat(events.isEmpty()).as("nothing reported after deregister").isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8];
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < 3) {
            assertThat(System.nanoTime()).as("3 bytes").isLessThan(deadline);
            int r = p[0].read(buf);
            if (r > 0) {
                out.write(buf, 0, r);
            } else {
                Thread.sleep(1);
            }
        }
        assertThat(out.toByteArray()).containsExactly(7, 8, 9);
    }

    /** Reads until {@code n} bytes arrived, polling between would-blocks. */
    private static byte[] readAll(Poll poll, Events events, TcpStream s, int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < n) {
            assertThat(System.nanoTime()).as("%d bytes read (have %d)", n, out.size()).isLessThan(deadline);
            int r = s.read(buf, 0, Math.min(buf.length, n - out.size()));
            if (r > 0) {
                out.write(buf, 0, r);
            } else {
                assertThat(r).as("no end of stream").isZero();
                poll.poll(events, Duration.ofMillis(10));
            }
        }
        return out.toByteArray();
    }

    @Test
    void register_again_before_the_old_receive_posted_its_last_bytes_loses_none() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        assertThat(p[1].write(new byte[] {'a', 'b'})).isEqualTo(2);
        awaitQueued(poll, events, impl(p[0]), 1);
        // The receive takes these and posts them to the completion ring, where nobody reaps them before the deregister.
        assertThat(p[1].write(new byte[] {'c', 'd'})).isEqualTo(2);
        Thread.sleep(100);
        poll.registry().deregister(p[0]);
        poll.registry().register(p[0], ID, Interest.READABLE);
        assertThat(p[1].write(new byte[] {'e', 'f'})).isEqualTo(2);
        assertThat(new String(readAll(poll, events, p[0], 6), "US-ASCII")).isEqualTo("abcdef");
    }

    @Test
    void bytes_keep_their_order_across_deregister_and_register_while_the_peer_writes() throws Exception {
        Poll poll = keep(Poll.open());
        Poll other = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        int total = 200_000;
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[97];
            int sent = 0;
            try {
                while (sent < total) {
                    int n = Math.min(chunk.length, total - sent);
                    for (int i = 0; i < n; i++) {
                        chunk[i] = (byte) ((sent + i) % 251);
                    }
                    int w = p[1].write(chunk, 0, n);
                    if (w > 0) {
                        sent += w;
                    } else {
                        Thread.sleep(1);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        byte[] buf = new byte[300];
        int got = 0;
        long deadline = System.nanoTime() + WAIT.toNanos() * 4;
        Poll current = poll;
        poll.registry().register(p[0], ID, Interest.READABLE);
        for (int round = 0; got < total; round++) {
            assertThat(System.nanoTime()).as("all bytes (have %d)", got).isLessThan(deadline);
            int r = p[0].read(buf);
            for (int i = 0; i < r; i++) {
                assertThat(buf[i]).as("byte %d", got + i).isEqualTo((byte) ((got + i) % 251));
            }
            got += Math.max(r, 0);
            if (r == 0) {
                current.poll(events, Duration.ofMillis(5));
            }
            if (round % 7 == 0) { // move between the two Polls, and back, without waiting for the cancels
                current.registry().deregister(p[0]);
                current = current == poll ? other : poll;
                current.registry().register(p[0], ID, Interest.READABLE);
            }
        }
        writer.join(WAIT.toMillis());
        assertThat(got).isEqualTo(total);
    }

    @Test
    void closing_the_poll_while_another_thread_reads_gives_no_unchecked_exception() throws Exception {
        TcpListener listener = listener();
        for (int iteration = 0; iteration < 100; iteration++) {
            Poll poll = Poll.open();
            Events events = Events.withCapacity(16);
            TcpStream[] p = pair(listener);
            poll.registry().register(p[0], ID, Interest.READABLE);
            assertThat(p[1].write(new byte[] {1, 2, 3})).isEqualTo(3);
            awaitQueued(poll, events, impl(p[0]), 1);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = new Thread(() -> {
                ByteBuffer heap = ByteBuffer.allocate(8);
                byte[] arr = new byte[8];
                started.countDown();
                while (!stop.get()) {
                    try {
                        heap.clear();
                        p[0].peek(heap); // keeps the bytes queued: every call copies from the buffers
                        p[0].peek(arr, 0, 8);
                    } catch (java.io.IOException expected) {
                        // a clean error is within the contract
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        return;
                    }
                }
            });
            reader.start();
            started.await();
            Thread.sleep(iteration % 3);
            poll.close();
            Thread.sleep(1);
            stop.set(true);
            reader.join(WAIT.toMillis());
            if (failure.get() != null) {
                throw new AssertionError("iteration " + iteration + ": a read during Poll.close threw", failure.get());
            }
            // The queue went with the Poll's buffers; the stream still reads from the socket.
            assertThat(p[1].write(new byte[] {4})).isEqualTo(1);
            byte[] buf = new byte[8];
            long deadline = System.nanoTime() + WAIT.toNanos();
            int r;
            while ((r = p[0].read(buf)) == 0) {
                assertThat(System.nanoTime()).as("read after the Poll closed").isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(r).isPositive();
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void reregister_without_readable_cancels_the_receive_and_keeps_the_queued_bytes() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringTcpStream s = impl(p[0]);
        assertThat(p[1].write(new byte[] {'a', 'b'})).isEqualTo(2);
        awaitQueued(poll, events, s, 1);
        poll.registry().reregister(p[0], ID, Interest.WRITABLE);
        poll.poll(events, Duration.ofMillis(50)); // reaps the cancel
        assertThat(p[1].write(new byte[] {'c', 'd'})).isEqualTo(2);
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(20));
            for (Event e : events) {
                assertThat(e.isReadable()).as("no READABLE without READABLE interest: %s", e).isFalse();
            }
        }
        assertThat(s.rxStats()[0]).as("the receive took nothing after the reregister").isEqualTo(1);
        assertThat(s.rxStats()[2]).as("no receive left").isEqualTo(UringTcpStream.RX_NONE);
        byte[] buf = new byte[8];
        assertThat(p[0].read(buf)).as("the queued bytes first").isEqualTo(2);
        assertThat(new String(buf, 0, 2, "US-ASCII")).isEqualTo("ab");
        assertThat(p[0].read(buf)).as("then the socket's").isEqualTo(2);
        assertThat(new String(buf, 0, 2, "US-ASCII")).isEqualTo("cd");

        // READABLE again: a receive again, and new bytes are reported.
        poll.registry().reregister(p[0], ID, Interest.READABLE);
        assertThat(p[1].write(new byte[] {'e'})).isEqualTo(1);
        awaitReadable(poll, events, ID);
        assertThat(p[0].read(buf)).isEqualTo(1);
        assertThat(s.rxStats()[2]).isEqualTo(UringTcpStream.RX_ARMED);
    }

    @Test
    void priority_alone_neither_reports_nor_takes_normal_data() throws Exception {
        Poll poll = keep(Poll.open());
        Events events = Events.withCapacity(16);
        TcpStream[] p = pair(listener());
        poll.registry().register(p[0], ID, Interest.READABLE);
        UringTcpStream s = impl(p[0]);
        poll.registry().reregister(p[0], ID, Interest.PRIORITY);
        poll.poll(events, Duration.ofMillis(50));
        assertThat(p[1].write(new byte[] {'x'})).isEqualTo(1);
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) {
            poll.poll(events, Duration.ofMillis(20));
            assertThat(events.isEmpty()).as("normal data under PRIORITY interest: no event").isTrue();
        }
        assertThat(s.rxStats()[0]).as("normal data stays in the socket").isZero();
        assertThat(s.rxStats()[2]).as("no receive left").isEqualTo(UringTcpStream.RX_NONE);
        // With READABLE too: a POLLIN poll (it reports the waiting byte at once) and the urgent byte's PRIORITY.
        poll.registry().reregister(p[0], ID, Interest.READABLE.add(Interest.PRIORITY));
        awaitReadable(poll, events, ID);
        assertThat(p[1].sendUrgent((byte) '!')).isEqualTo(1);
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean priority = false;
        while (!priority) {
            assertThat(System.nanoTime()).as("a PRIORITY event").isLessThan(deadline);
            poll.poll(events, Duration.ofMillis(50));
            for (Event e : events) {
                priority |= e.token().equals(ID) && e.isPriority();
            }
        }
        assertThat(s.rxStats()[2]).as("still no receive").isEqualTo(UringTcpStream.RX_NONE);
        byte[] buf = new byte[8];
        assertThat(p[0].read(buf)).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 'x');

        // Registered with PRIORITY and READABLE: a POLLIN poll, no receive.
        TcpStream[] q = pair(listener());
        poll.registry().register(q[0], new Token(4), Interest.PRIORITY.add(Interest.READABLE));
        assertThat(q[1].write(new byte[] {'y'})).isEqualTo(1);
        awaitReadable(poll, events, new Token(4));
        assertThat(impl(q[0]).rxStats()[2]).isEqualTo(UringTcpStream.RX_NONE);
        assertThat(q[0].read(buf)).isEqualTo(1);
    }

    @Test
    void a_stream_moved_to_another_poll_reads_there_when_the_first_poll_closes_before_its_cancel_is_reaped()
            throws Exception {
        for (boolean closeFirst : new boolean[] {true, false}) {
            Poll a = Poll.open();
            Poll b = keep(Poll.open());
            Events events = Events.withCapacity(16);
            TcpStream[] p = pair(listener());
            a.registry().register(p[0], ID, Interest.READABLE);
            a.registry().deregister(p[0]); // its cancel's completion is never reaped: nobody polls a
            if (closeFirst) {
                a.close();
                b.registry().register(p[0], ID, Interest.READABLE);
            } else {
                b.registry().register(p[0], ID, Interest.READABLE);
                a.close();
            }
            assertThat(p[1].write(new byte[] {'m'})).isEqualTo(1);
            awaitReadable(b, events, ID);
            byte[] buf = new byte[4];
            assertThat(p[0].read(buf)).as("closeFirst=%s", closeFirst).isEqualTo(1);
            assertThat(buf[0]).isEqualTo((byte) 'm');
            assertThat(impl(p[0]).rxStats()[2]).as("read through b's receive").isEqualTo(UringTcpStream.RX_ARMED);
        }
    }
}
