package io.mio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of the behaviours mio's tests/waker.rs checks. */
@Timeout(30)
class WakerTest {
    private static final Token TOKEN = new Token(10);

    /** One poll (returning as soon as anything arrives): non-empty, and every event is the waker's, readable. */
    private static void expectWakerEvent(Poll poll, Events events, Token token) throws IOException {
        poll.poll(events, Duration.ofSeconds(5));
        assertThat(events.isEmpty()).as("waker event").isFalse();
        for (Event e : events) {
            assertThat(e.token()).isEqualTo(token);
            assertThat(e.isReadable()).isTrue();
        }
    }

    private static void expectNoEvents(Poll poll, Events events) throws IOException {
        poll.poll(events, Duration.ofMillis(100));
        assertThat(events.isEmpty()).as("no further events: " + events).isTrue();
    }

    @Test
    void single_wake_gives_an_event() throws IOException {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            waker.wake();
            expectWakerEvent(poll, events, TOKEN);
            expectNoEvents(poll, events);
        }
    }

    @Test
    void three_wakes_on_one_thread_give_an_event() throws IOException {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            for (int i = 0; i < 3; i++) {
                waker.wake();
            }
            expectWakerEvent(poll, events, TOKEN);
            expectNoEvents(poll, events);
        }
    }

    @Test
    void a_wake_after_a_poll_gives_a_new_event() throws IOException {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            for (int round = 0; round < 3; round++) {
                waker.wake();
                expectWakerEvent(poll, events, TOKEN);
            }
            expectNoEvents(poll, events);
        }
    }

    @Test
    void wake_from_another_thread_then_no_further_events() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    waker.wake();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            expectWakerEvent(poll, events, TOKEN);
            expectNoEvents(poll, events);
            t.join(5000);
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void two_threads_waking_at_different_times_give_two_events() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            Thread first = new Thread(() -> {
                try {
                    waker.wake();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            Thread second = new Thread(() -> {
                try {
                    if (go.await(10, TimeUnit.SECONDS)) {
                        waker.wake();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            first.start();
            second.start();
            expectWakerEvent(poll, events, TOKEN); // from the first thread
            first.join(5000);
            go.countDown();
            expectWakerEvent(poll, events, TOKEN); // a new one from the second
            expectNoEvents(poll, events);
            second.join(5000);
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void a_wake_interrupts_a_poll_blocked_without_timeout() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), TOKEN)) {
            Events events = Events.withCapacity(10);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    waker.wake();
                } catch (Exception ignored) {
                    // the poll below would then stay blocked and the @Timeout reports it
                }
            });
            t.start();
            poll.poll(events, null);
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(TOKEN);
            t.join(5000);
        }
    }

    @Test
    void a_second_waker_on_the_same_poll_is_rejected() throws IOException {
        try (Poll poll = Poll.open(); Waker first = new Waker(poll.registry(), TOKEN)) {
            assertThatThrownBy(() -> new Waker(poll.registry(), new Token(11)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Waker");
            // The rejected attempt did not disturb the first one.
            first.wake();
            expectWakerEvent(poll, Events.withCapacity(4), TOKEN);
        }
    }

    @Test
    void a_second_waker_through_cloned_registries_is_rejected() throws IOException {
        try (Poll poll = Poll.open()) {
            Registry r1 = poll.registry().tryClone();
            Registry r2 = poll.registry().tryClone();
            try (Waker first = new Waker(r1, TOKEN)) {
                assertThatThrownBy(() -> new Waker(r2, new Token(11)))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void after_closing_the_waker_a_new_one_can_be_created() throws IOException {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(4);
            Waker first = new Waker(poll.registry(), TOKEN);
            first.close();
            first.close(); // idempotent, and must not release the slot of a later waker
            assertThatThrownBy(first::wake).isInstanceOf(java.nio.channels.ClosedChannelException.class);
            Token other = new Token(11);
            try (Waker second = new Waker(poll.registry(), other)) {
                second.wake();
                expectWakerEvent(poll, events, other);
                first.close();
                assertThatThrownBy(() -> new Waker(poll.registry(), new Token(12)))
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void wakers_of_different_polls_are_independent() throws IOException {
        try (Poll a = Poll.open(); Poll b = Poll.open();
             Waker wa = new Waker(a.registry(), TOKEN); Waker wb = new Waker(b.registry(), TOKEN)) {
            Events events = Events.withCapacity(4);
            wa.wake();
            expectNoEvents(b, events);
            expectWakerEvent(a, events, TOKEN);
        }
    }

    @Test
    void creating_a_waker_for_a_closed_poll_fails() throws IOException {
        Poll poll = Poll.open();
        poll.close();
        assertThatThrownBy(() -> new Waker(poll.registry(), TOKEN))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }
}
