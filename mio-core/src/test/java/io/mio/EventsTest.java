package io.mio;

import io.mio.event.Source;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of the behaviours mio's tests/events.rs checks, plus the capacity limit. */
@Timeout(30)
class EventsTest {
    private static final Token WAKE = new Token(10);

    @Test
    void capacity_is_empty_and_clear_with_a_waker_event() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), WAKE)) {
            Events events = Events.withCapacity(16);
            assertThat(events.capacity()).isEqualTo(16);
            assertThat(events.isEmpty()).isTrue();
            assertThat(events.size()).isZero();

            waker.wake();
            poll.poll(events, Duration.ofSeconds(5));
            assertThat(events.isEmpty()).isFalse();
            assertThat(events.size()).isEqualTo(1);
            for (Event e : events) {
                assertThat(e.token()).isEqualTo(WAKE);
                assertThat(e.isReadable()).isTrue();
            }
            List<Token> viaForEach = new ArrayList<>();
            events.forEach(e -> viaForEach.add(e.token()));
            assertThat(viaForEach).containsExactly(WAKE);
            assertThat(events.get(0).token()).isEqualTo(WAKE);

            events.clear();
            assertThat(events.isEmpty()).isTrue();
            assertThat(events.size()).isZero();
            assertThat(events.iterator().hasNext()).isFalse();
            assertThat(events.capacity()).isEqualTo(16);
        }
    }

    @Test
    void a_poll_returns_at_most_capacity_events_and_the_rest_come_next() throws Exception {
        int sources = 5;
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            List<TcpStream> open = new ArrayList<>();
            try {
                for (int i = 0; i < sources; i++) {
                    open.add(TcpStream.connect(listener.localAddr()));
                    TcpStream accepted = acceptWithin(listener, WITHIN);
                    open.add(accepted);
                    // An accepted stream is established, hence writable from the moment it is registered.
                    poll.registry().register(accepted, new Token(i), Interest.WRITABLE);
                }
                Events events = Events.withCapacity(2);
                poll.poll(events, Duration.ofSeconds(5));
                assertThat(events.size()).as("a full first poll").isEqualTo(2);
                Set<Token> seen = new HashSet<>();
                events.forEach(e -> seen.add(e.token()));
                long deadline = System.nanoTime() + WITHIN.toNanos();
                while (seen.size() < sources && System.nanoTime() < deadline) {
                    poll.poll(events, Duration.ofMillis(100));
                    assertThat(events.size()).isLessThanOrEqualTo(2);
                    events.forEach(e -> seen.add(e.token()));
                }
                assertThat(seen).hasSize(sources);
            } finally {
                open.forEach(TcpStream::close);
            }
        }
    }

    @Test
    void get_outside_the_polled_range_throws() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), WAKE)) {
            Events events = Events.withCapacity(4);
            assertThatThrownBy(() -> events.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
            waker.wake();
            poll.poll(events, Duration.ofSeconds(5));
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(WAKE);
            assertThatThrownBy(() -> events.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> events.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
            Iterator<Event> it = events.iterator();
            it.next();
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void capacity_must_be_positive() {
        assertThatThrownBy(() -> Events.withCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Events.withCapacity(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Events.withCapacity(1).capacity()).isEqualTo(1);
    }

    @Test
    void event_to_string_names_the_token_and_readiness() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), new Token(7))) {
            Events events = Events.withCapacity(4);
            waker.wake();
            poll.poll(events, Duration.ofSeconds(5));
            assertThat(events.get(0).toString())
                    .startsWith("Event(token=Token(7)")
                    .contains("readable")
                    .doesNotContain("writable");
            assertThat(events.toString()).contains("Token(7)");
        }
    }

    @Test
    void sources_held_behind_the_source_interface_register_and_report() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream stream = TcpStream.connect(listener.localAddr())) {
            Events events = Events.withCapacity(8);
            List<Source> sources = List.of(listener, stream);
            for (int i = 0; i < sources.size(); i++) {
                poll.registry().register(sources.get(i), new Token(i),
                        i == 0 ? Interest.READABLE : Interest.WRITABLE);
            }
            Conformance.expectAll(poll, events, java.util.Map.of(
                    new Token(0), Event::isReadable, new Token(1), Event::isWritable), WITHIN);
            for (Source s : sources) {
                poll.registry().deregister(s);
            }
        }
    }
}
