package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge-triggered reporting the SELECTOR backend emulates over the JDK's level-triggered Selector: a readiness is
 * reported once, and again only after the user's operation would block (or moved less than asked) and new
 * readiness arrives. They run on both backends: epoll's EPOLLET behaves this way natively, so they also check that the
 * emulation's re-arming rules match it.
 */
@Timeout(30)
class SelectorEdgeTest {
    private static final Token ID = new Token(7);
    private static final Duration QUIET = Duration.ofMillis(200);

    @Test
    void a_readiness_is_reported_once_until_the_reader_hits_would_block() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(client, ID, Interest.READABLE);
            assertThat(server.write(new byte[] {1, 2, 3})).isEqualTo(3);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);

            // A partial read (the buffer fills, data is left): the level-triggered Selector would report it again at
            // once; the emulation must not.
            assertThat(client.read(new byte[1])).isEqualTo(1);
            TestSupport.expectNoEvent(poll, events, ID, QUIET);

            // Draining to would-block re-arms; with nothing new there is still no event.
            ByteBuffer rest = ByteBuffer.allocate(16);
            assertThat(client.read(rest)).isEqualTo(2);
            assertThat(client.read(rest)).isZero();
            TestSupport.expectNoEvent(poll, events, ID, QUIET);

            // New data after the would-block gives exactly one new event.
            assertThat(server.write(new byte[] {4})).isEqualTo(1);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);
            TestSupport.expectNoEvent(poll, events, ID, QUIET);
            assertThat(client.read(ByteBuffer.allocate(16))).isEqualTo(1);
        }
    }

    @Test
    void a_read_that_exactly_fills_the_buffer_and_empties_the_socket_re_arms() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(client, ID, Interest.READABLE);
            assertThat(server.write(new byte[] {1, 2, 3})).isEqualTo(3);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);
            assertThat(client.read(new byte[3])).isEqualTo(3); // no would-block seen, but the queue is empty
            server.close();
            TestSupport.expectEvent(poll, events, ID, e -> e.isReadable() && e.isReadClosed(), WITHIN);
            assertThat(client.read(new byte[3])).isEqualTo(-1);
        }
    }

    @Test
    void writable_is_reported_again_only_after_a_short_or_blocked_write() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            client.setSendBufferSize(16 * 1024);
            server.setRecvBufferSize(16 * 1024);
            poll.registry().register(client, ID, Interest.WRITABLE);
            TestSupport.expectEvent(poll, events, ID, Event::isWritable, WITHIN);
            TestSupport.expectNoEvent(poll, events, ID, QUIET); // still writable, but reported once

            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            int n;
            while ((n = client.write(chunk.clear())) > 0 && chunk.hasRemaining() == false) {
                written += n;
            }
            written += Math.max(n, 0);
            // The write would block (or was short): draining the peer makes it writable again, reported once.
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            long read = 0;
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (read < written && System.nanoTime() < deadline) {
                int r = server.read(sink.clear());
                if (r > 0) {
                    read += r;
                } else {
                    Thread.sleep(1);
                }
            }
            assertThat(read).isEqualTo(written);
            TestSupport.expectEvent(poll, events, ID, Event::isWritable, WITHIN);
        }
    }

    @Test
    void re_arming_from_another_thread_wakes_a_blocked_poll() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(client, ID, Interest.READABLE);
            assertThat(server.write(new byte[] {1})).isEqualTo(1);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);
            // Disarmed now. Another thread drains to would-block (re-arming) and then new data arrives, while this
            // thread is already blocked in poll: that poll must see the event, not sleep out its timeout.
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    Thread.sleep(200);
                    ByteBuffer b = ByteBuffer.allocate(8);
                    while (client.read(b) > 0) {
                        b.clear();
                    }
                    server.write(new byte[] {2});
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "re-armer");
            other.start();
            boolean seen = false;
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (!seen && System.nanoTime() < deadline) {
                poll.poll(events, WITHIN);
                for (Event e : events) {
                    seen |= e.token().equals(ID) && e.isReadable();
                }
            }
            other.join(10_000);
            assertThat(failure.get()).isNull();
            assertThat(seen).as("event after a re-arm on another thread during a blocked poll").isTrue();
            ByteBuffer b = ByteBuffer.allocate(8);
            assertThat(client.read(b)).isEqualTo(1);
            assertThat(b.get(0)).isEqualTo((byte) 2);
        }
    }

    @Test
    void reregister_re_arms_everything_like_epoll_ctl_mod() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(client, ID, Interest.READABLE);
            assertThat(server.write(new byte[] {1, 2})).isEqualTo(2);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);
            TestSupport.expectNoEvent(poll, events, ID, QUIET);
            Token other = new Token(8);
            poll.registry().reregister(client, other, Interest.READABLE);
            TestSupport.expectEvent(poll, events, other, Event::isReadable, WITHIN);
        }
    }

    /**
     * The documented difference (README, Selector backend): a hang-up that follows a readable event the reader has
     * not drained raises a new edge on epoll (EPOLLIN | EPOLLRDHUP) and no event on the Selector backend, whose
     * readable interest stays disarmed until a read would block. Draining then shows the end of stream on both.
     */
    @Test
    void a_hang_up_after_an_undrained_readable_event() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Backend.current() == Backend.EPOLL || Backend.current() == Backend.SELECTOR,
                "the claim is about the EPOLL and SELECTOR backends");
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(client, ID, Interest.READABLE);
            assertThat(server.write(new byte[] {1, 2, 3})).isEqualTo(3);
            TestSupport.expectEvent(poll, events, ID, Event::isReadable, WITHIN);
            server.close(); // the reader has not read a byte
            if (Backend.current() == Backend.SELECTOR) {
                TestSupport.expectNoEvent(poll, events, ID, QUIET);
            } else {
                TestSupport.expectEvent(poll, events, ID, e -> e.isReadable() && e.isReadClosed(), WITHIN);
            }
            ByteBuffer b = ByteBuffer.allocate(8);
            assertThat(client.read(b)).isEqualTo(3);
            assertThat(client.read(b)).as("then the end of stream").isEqualTo(-1);
        }
    }
}
