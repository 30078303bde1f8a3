package io.mio;

import io.mio.event.Source;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static io.mio.Conformance.expectAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of the behaviours mio's tests/poll.rs checks, plus Java-specific Poll behaviour. */
@Timeout(30)
class PollTest {
    private static final Token ID1 = new Token(1);
    private static final Token ID2 = new Token(2);
    private static final Token ID3 = new Token(3);

    // ---- timeouts ------------------------------------------------------------------------------

    @Test
    void run_once_with_nothing_returns_no_events_after_the_timeout() throws IOException {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(16);
            poll.poll(events, Duration.ofMillis(100));
            assertThat(events.isEmpty()).isTrue();
            assertThat(events.size()).isZero();
        }
    }

    @Test
    void zero_duration_poll_still_returns_ready_events() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Events events = Events.withCapacity(16);
            List<TcpStream> streams = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    TcpStream s = TcpStream.connect(listener.localAddr());
                    streams.add(s);
                    poll.registry().register(s, new Token(i), Interest.WRITABLE);
                }
                // Only zero-timeout polls: if a zero timeout skipped the kernel, this would never see anything.
                long deadline = System.nanoTime() + WITHIN.toNanos();
                boolean seen = false;
                while (!seen && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    poll.poll(events, Duration.ZERO);
                    seen = !events.isEmpty();
                }
                assertThat(seen).as("a zero-timeout poll returned the ready streams").isTrue();
                for (Event e : events) {
                    assertThat(e.token().value()).isBetween(0L, 2L);
                    assertThat(e.isWritable()).isTrue();
                }
            } finally {
                streams.forEach(TcpStream::close);
            }
        }
    }

    @Test
    void sub_millisecond_timeouts_round_up_and_huge_ones_clamp() {
        assertThat(Poll.toMillis(null)).isEqualTo(-1);
        assertThat(Poll.toMillis(Duration.ZERO)).isZero();
        assertThat(Poll.toMillis(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Poll.toMillis(Duration.ofNanos(100_000))).isEqualTo(1); // 100 us: mio #1614
        assertThat(Poll.toMillis(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(Poll.toMillis(Duration.ofMillis(1).plusNanos(1))).isEqualTo(2);
        assertThat(Poll.toMillis(Duration.ofSeconds(3, 250_000_000))).isEqualTo(3250);
        assertThat(Poll.toMillis(Duration.ofDays(365 * 100))).isEqualTo(Integer.MAX_VALUE);
        assertThat(Poll.toMillis(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Poll.toMillis(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Poll.toMillis(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_sub_millisecond_timeout_poll_returns_normally() throws IOException {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(4);
            poll.poll(events, Duration.ofNanos(100_000));
            assertThat(events.isEmpty()).isTrue();
        }
    }

    @Test
    void negative_timeout_is_rejected_by_poll() throws IOException {
        try (Poll poll = Poll.open()) {
            assertThatThrownBy(() -> poll.poll(Events.withCapacity(4), Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> poll.poll(null, Duration.ZERO)).isInstanceOf(NullPointerException.class);
        }
    }

    // ---- closing sources and Polls ---------------------------------------------------------------

    @Test
    void closing_a_registered_listener_cancels_its_interest() throws Exception {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(16);
            TcpListener listener = TcpListener.bind(anyLocal());
            poll.registry().register(listener, ID1, Interest.READABLE.add(Interest.WRITABLE));
            // A pending connection makes the listener ready, so an event would be due if close left it registered.
            try (TcpStream client = TcpStream.connect(listener.localAddr())) {
                Thread.sleep(20);
                listener.close();
                TestSupport.expectNoEvent(poll, events, ID1, Duration.ofMillis(200));
            }
        }
    }

    @Test
    void creating_and_closing_many_polls_leaks_no_descriptor() throws IOException {
        // warm up (class loading may open jars)
        try (Poll warm = Poll.open()) {
            warm.poll(Events.withCapacity(4), Duration.ZERO);
        }
        int before = TestSupport.openFds();
        Events events = Events.withCapacity(4);
        for (int i = 0; i < 2000; i++) {
            Poll poll = Poll.open();
            poll.poll(events, Duration.ZERO);
            poll.close();
        }
        assertThat(TestSupport.openFds()).isLessThanOrEqualTo(before);
    }

    @Test
    void close_from_another_thread_wakes_a_poll_blocked_without_timeout() throws Exception {
        Poll poll = Poll.open();
        Events events = Events.withCapacity(4);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                poll.poll(events, null);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> new Thread(r, "blocked-poller").start());
        Thread.sleep(200); // let it block (if it has not yet, it still must not hang: see below)
        poll.close();
        try {
            blocked.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // Reaching poll after close (a slow start) is the closed-Poll error, also fine; a hang is not.
            assertThat(e.getCause()).hasCauseInstanceOf(ClosedChannelException.class);
        }
        assertThatThrownBy(() -> poll.poll(events, Duration.ZERO)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> poll.registry().tryClone()).isInstanceOf(ClosedChannelException.class);
        poll.close(); // idempotent
    }

    @Test
    void poll_with_the_interrupt_status_set_throws_interrupted_io() throws IOException {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(4);
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> poll.poll(events, Duration.ofSeconds(5)))
                        .isInstanceOf(InterruptedIOException.class);
            } finally {
                Thread.interrupted();
            }
            poll.poll(events, Duration.ZERO); // still usable
        }
    }

    @Test
    void a_second_concurrent_poll_is_rejected() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), ID3)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                Events mine = Events.withCapacity(4);
                long deadline = System.nanoTime() + WITHIN.toNanos();
                try {
                    while (System.nanoTime() < deadline) {
                        try {
                            poll.poll(mine, Duration.ofSeconds(5));
                        } catch (IllegalStateException busy) {
                            continue; // the main thread's probe held the Poll for a moment
                        }
                        for (Event e : mine) {
                            if (e.token().equals(ID3)) {
                                return;
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "first-poller");
            other.start();
            Events events = Events.withCapacity(4);
            IllegalStateException rejected = null;
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (rejected == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
                try {
                    poll.poll(events, Duration.ZERO);
                } catch (IllegalStateException e) {
                    rejected = e;
                }
            }
            waker.wake();
            other.join(10_000);
            assertThat(other.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(rejected).as("second concurrent poll").isNotNull();
            assertThat(rejected.getMessage()).contains("polling");
        }
    }

    // ---- edge-triggered delivery ---------------------------------------------------------------

    @Test
    void after_draining_to_would_block_no_event_until_new_data_then_one_new_event() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(client, ID1, Interest.READABLE);
            assertThat(server.write(new byte[] {1, 2, 3})).isEqualTo(3);
            TestSupport.expectEvent(poll, events, ID1, Event::isReadable, WITHIN);

            ByteBuffer buf = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + WITHIN.toNanos();
            int n;
            while ((n = client.read(buf)) > 0 && System.nanoTime() < deadline) {
                // drain
            }
            assertThat(n).as("drained to would-block").isZero();
            assertThat(buf.position()).isEqualTo(3);

            TestSupport.expectNoEvent(poll, events, ID1, Duration.ofMillis(200));

            assertThat(server.write(new byte[] {4})).isEqualTo(1);
            TestSupport.expectEvent(poll, events, ID1, Event::isReadable, WITHIN);
            // Exactly one new event: without another read or new data, nothing more is reported.
            TestSupport.expectNoEvent(poll, events, ID1, Duration.ofMillis(200));
            buf.clear();
            assertThat(client.read(buf)).isEqualTo(1);
        }
    }

    // ---- registry and threads ---------------------------------------------------------------------

    @Test
    void registry_clone_is_usable_from_other_threads() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Registry registry = poll.registry().tryClone();
            assertThat(registry.sameAs(poll.registry())).isTrue();
            Events events = Events.withCapacity(128);
            AtomicReference<TcpStream> stream = new AtomicReference<>();
            Thread t1 = new Thread(() -> {
                try {
                    registry.register(listener, new Token(0), Interest.READABLE);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread t2 = new Thread(() -> {
                try {
                    TcpStream s = TcpStream.connect(listener.localAddr());
                    stream.set(s);
                    registry.register(s, ID1, Interest.READABLE.add(Interest.WRITABLE));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            t1.start();
            t2.start();
            t1.join(5000);
            t2.join(5000);
            try {
                expectAll(poll, events, Map.of(new Token(0), Event::isReadable, ID1, Event::isWritable), WITHIN);
            } finally {
                if (stream.get() != null) {
                    stream.get().close();
                }
            }
        }
    }

    @Test
    void registry_operations_are_thread_safe() throws Exception {
        // mio uses a UDP socket for the second thread; there is no UdpSocket yet, so all three sources are TCP.
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Registry registry = poll.registry().tryClone();
            Events events = Events.withCapacity(16);
            CyclicBarrier done = new CyclicBarrier(4);
            List<AutoCloseable> toClose = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();

            List<Thread> threads = List.of(
                    new Thread(() -> run(failure, done, () -> flow(registry, listener, ID1,
                            Interest.READABLE, Interest.READABLE))),
                    new Thread(() -> run(failure, done, () -> {
                        TcpStream s = TcpStream.connect(listener.localAddr());
                        synchronized (toClose) {
                            toClose.add(s);
                        }
                        flow(registry, s, ID2, Interest.WRITABLE, Interest.WRITABLE.add(Interest.READABLE));
                    })),
                    new Thread(() -> run(failure, done, () -> {
                        TcpStream s = TcpStream.connect(listener.localAddr());
                        synchronized (toClose) {
                            toClose.add(s);
                        }
                        flow(registry, s, ID3, Interest.READABLE, Interest.READABLE.add(Interest.WRITABLE));
                    })));
            threads.forEach(Thread::start);
            try {
                done.await(10, TimeUnit.SECONDS);
                for (Thread t : threads) {
                    t.join(5000);
                }
                assertThat(failure.get()).isNull();
                expectAll(poll, events, Map.of(
                        ID1, Event::isReadable,
                        ID2, Event::isWritable,
                        ID3, Event::isWritable), WITHIN);
            } finally {
                synchronized (toClose) {
                    for (AutoCloseable c : toClose) {
                        c.close();
                    }
                }
            }
        }
    }

    private interface IoAction {
        void run() throws Exception;
    }

    private static void run(AtomicReference<Throwable> failure, CyclicBarrier done, IoAction action) {
        try {
            action.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the main thread reports the failure
            }
        }
    }

    /** register, deregister, register again, reregister: ends registered with finalInterest. */
    private static void flow(Registry registry, Source source, Token token, Interest initial, Interest finalInterest)
            throws IOException {
        registry.register(source, token, initial);
        registry.deregister(source);
        registry.register(source, token, initial);
        registry.reregister(source, token, finalInterest);
    }

    @Test
    void registering_from_another_thread_wakes_a_blocked_poll_with_that_event() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr())) {
            Thread.sleep(20); // the connection is pending on the listener before anyone registers it
            Events events = Events.withCapacity(16);
            Registry registry = poll.registry().tryClone();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread registrar = new Thread(() -> {
                try {
                    Thread.sleep(200);
                    registry.register(listener, ID1, Interest.READABLE);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "registrar");
            registrar.start();
            // One poll with a 5 s timeout: it must come back with the listener's event, not run out empty.
            poll.poll(events, Duration.ofSeconds(5));
            registrar.join(5000);
            assertThat(failure.get()).isNull();
            assertThat(events.isEmpty()).as("blocked poll saw the registration").isFalse();
            assertThat(events.get(0).token()).isEqualTo(ID1);
            assertThat(events.get(0).isReadable()).isTrue();
            try (TcpStream accepted = listener.accept()) {
                assertThat(accepted).isNotNull();
            }
        }
    }

    // ---- reregister and misuse ---------------------------------------------------------------------

    @Test
    void reregister_replaces_token_and_interest() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr());
             TcpStream server = acceptWithin(listener, WITHIN)) {
            Events events = Events.withCapacity(16);
            // Data is waiting, so the stream is readable as well as writable.
            assertThat(server.write(new byte[] {42})).isEqualTo(1);
            Thread.sleep(20);
            poll.registry().register(client, ID1, Interest.READABLE);
            poll.registry().reregister(client, ID1, Interest.READABLE);
            poll.registry().reregister(client, ID2, Interest.WRITABLE);

            List<String> seen = TestSupport.expectEvent(poll, events, ID2, Event::isWritable, WITHIN);
            assertThat(seen).noneMatch(s -> s.contains("Token(1)"));
            for (Event e : events) {
                if (e.token().equals(ID2)) {
                    assertThat(e.isReadable()).as("readable interest was replaced: " + e).isFalse();
                }
            }
            TestSupport.expectNoEvent(poll, events, ID1, Duration.ofMillis(100));
        }
    }

    @Test
    void registering_twice_is_an_error() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            poll.registry().register(listener, new Token(0), Interest.READABLE);
            assertThatThrownBy(() -> poll.registry().register(listener, new Token(1), Interest.READABLE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already registered");
            // The failed call changed nothing: reregister still works on the first registration.
            poll.registry().reregister(listener, new Token(1), Interest.READABLE);
        }
    }

    @Test
    void reregister_and_deregister_without_register_are_errors() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            assertThatThrownBy(() -> poll.registry().reregister(listener, ID1, Interest.READABLE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not registered");
            assertThatThrownBy(() -> poll.registry().deregister(listener))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not registered");
            poll.registry().register(listener, ID1, Interest.READABLE);
            poll.registry().deregister(listener);
            assertThatThrownBy(() -> poll.registry().deregister(listener))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void registry_rejects_null_arguments() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Registry r = poll.registry();
            assertThatThrownBy(() -> r.register(null, ID1, Interest.READABLE)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> r.register(listener, null, Interest.READABLE)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> r.register(listener, ID1, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> r.deregister(null)).isInstanceOf(NullPointerException.class);
        }
    }

    // ---- user-implemented sources ------------------------------------------------------------------

    /** A user type holding a TcpStream, recording what the registry asked of it. */
    static final class RecordingSource implements Source {
        final TcpStream stream;
        final List<String> calls = new ArrayList<>();

        RecordingSource(TcpStream stream) {
            this.stream = stream;
        }

        @Override
        public void register(Registry registry, Token token, Interest interests) throws IOException {
            calls.add("register " + token + " " + interests);
            stream.register(registry, token, interests);
        }

        @Override
        public void reregister(Registry registry, Token token, Interest interests) throws IOException {
            calls.add("reregister " + token + " " + interests);
            stream.reregister(registry, token, interests);
        }

        @Override
        public void deregister(Registry registry) throws IOException {
            calls.add("deregister");
            stream.deregister(registry);
        }
    }

    @Test
    void a_user_source_sees_register_reregister_and_deregister() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(listener.localAddr())) {
            Events events = Events.withCapacity(16);
            RecordingSource source = new RecordingSource(client);
            poll.registry().register(source, new Token(0), Interest.READABLE);
            assertThat(source.calls).containsExactly("register Token(0) READABLE");

            poll.registry().reregister(source, ID2, Interest.WRITABLE.add(Interest.READABLE));
            assertThat(source.calls).containsExactly("register Token(0) READABLE", "reregister Token(2) READABLE | WRITABLE");
            // The delegation is real: the wrapped stream's connection shows up under the new token.
            TestSupport.expectEvent(poll, events, ID2, Event::isWritable, WITHIN);

            poll.registry().deregister(source);
            assertThat(source.calls).hasSize(3).last().isEqualTo("deregister");
            assertThatThrownBy(() -> poll.registry().deregister(source)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void a_user_source_errors_propagate_unchanged() throws IOException {
        IOException onRegister = new IOException("register");
        IOException onReregister = new IOException("reregister");
        IOException onDeregister = new IOException("deregister");
        AtomicInteger calls = new AtomicInteger();
        Source failing = new Source() {
            @Override
            public void register(Registry registry, Token token, Interest interests) throws IOException {
                calls.incrementAndGet();
                throw onRegister;
            }

            @Override
            public void reregister(Registry registry, Token token, Interest interests) throws IOException {
                calls.incrementAndGet();
                throw onReregister;
            }

            @Override
            public void deregister(Registry registry) throws IOException {
                calls.incrementAndGet();
                throw onDeregister;
            }
        };
        try (Poll poll = Poll.open()) {
            Registry r = poll.registry();
            assertThatThrownBy(() -> r.register(failing, ID1, Interest.READABLE)).isSameAs(onRegister);
            assertThatThrownBy(() -> r.reregister(failing, ID1, Interest.READABLE)).isSameAs(onReregister);
            assertThatThrownBy(() -> r.deregister(failing)).isSameAs(onDeregister);
            assertThat(calls.get()).isEqualTo(3);
        }
    }

    @Test
    void tokens_are_opaque_including_long_max() throws Exception {
        Token max = new Token(Long.MAX_VALUE);
        Token min = new Token(Long.MIN_VALUE);
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream a = TcpStream.connect(listener.localAddr());
             TcpStream b = TcpStream.connect(listener.localAddr())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(a, max, Interest.WRITABLE);
            poll.registry().register(b, min, Interest.WRITABLE);
            Set<Token> seen = new HashSet<>();
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(50));
                for (Event e : events) {
                    assertThat(e.token()).isIn(max, min);
                    // the very Token object passed to register (reading a token allocates nothing)
                    assertThat(e.token()).isSameAs(e.token().equals(max) ? max : min);
                    seen.add(e.token());
                }
            }
            assertThat(seen).containsExactlyInAnyOrder(max, min);
        }
    }
}
