package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of the behaviours mio's tests/registering.rs checks. */
@Timeout(30)
class RegisteringTest {
    private static final Token SERVER = new Token(0);
    private static final Token CLIENT = new Token(1);

    @Test
    void register_then_reregister_then_deregister_drives_a_small_state_machine() throws Exception {
        try (Poll poll = Poll.open(); TcpListener server = TcpListener.bind(anyLocal());
             TcpStream client = TcpStream.connect(server.localAddr())) {
            Events events = Events.withCapacity(1024);
            poll.registry().register(server, SERVER, Interest.READABLE);
            poll.registry().register(client, CLIENT, Interest.READABLE);
            List<TcpStream> accepted = new ArrayList<>();
            int state = 0; // 0: waiting for data, 1: reregistered writable, 2: both deregistered
            try {
                long deadline = System.nanoTime() + WITHIN.toNanos();
                while (state < 2 && System.nanoTime() < deadline) {
                    poll.poll(events, Duration.ofMillis(100));
                    for (Event e : events) {
                        if (state == 2) {
                            break;
                        }
                        if (e.isReadable() && e.token().equals(SERVER)) {
                            TcpStream s;
                            while ((s = server.accept()) != null) {
                                accepted.add(s);
                                s.write("foobar".getBytes());
                            }
                        } else if (e.isReadable() && e.token().equals(CLIENT) && state == 0) {
                            state = 1;
                            poll.registry().reregister(client, CLIENT, Interest.WRITABLE);
                        } else if (e.isWritable()) {
                            assertThat(e.token()).isEqualTo(CLIENT);
                            assertThat(state).as("writable only after the reregister").isEqualTo(1);
                            state = 2;
                            poll.registry().deregister(client);
                            poll.registry().deregister(server);
                        }
                    }
                }
                assertThat(state).isEqualTo(2);
                poll.poll(events, Duration.ofMillis(100));
                assertThat(events.isEmpty()).as("no events after deregistering everything: " + events).isTrue();
            } finally {
                accepted.forEach(TcpStream::close);
            }
        }
    }

    @Test
    void changing_readable_to_writable_without_a_poll_leaves_no_stale_event() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Events events = Events.withCapacity(1024);
            poll.registry().register(listener, new Token(0), Interest.READABLE);
            try (TcpStream s1 = TcpStream.connect(listener.localAddr())) {
                poll.registry().register(s1, new Token(2), Interest.READABLE);
                Thread.sleep(200); // the listener is now readable (a pending connection) and its event queued
                poll.registry().reregister(listener, new Token(0), Interest.WRITABLE);
                poll.poll(events, Duration.ofMillis(200));
                assertThat(events.isEmpty()).as("stale events: " + events).isTrue();
                // Control: the readiness was real; asking for readable again reports it.
                poll.registry().reregister(listener, new Token(0), Interest.READABLE);
                TestSupport.expectEvent(poll, events, new Token(0), Event::isReadable, WITHIN);
            }
        }
    }

    @Test
    void registering_with_two_polls_is_an_error() throws Exception {
        try (Poll poll1 = Poll.open(); Poll poll2 = Poll.open();
             TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream stream = TcpStream.connect(listener.localAddr())) {
            Interest both = Interest.READABLE.add(Interest.WRITABLE);
            poll1.registry().register(listener, new Token(0), both);
            assertThatThrownBy(() -> poll2.registry().register(listener, new Token(0), both))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another Poll");

            poll1.registry().register(stream, new Token(1), both);
            assertThatThrownBy(() -> poll2.registry().register(stream, new Token(1), both))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another Poll");
            // Nor may the other Poll change or remove the registration.
            assertThatThrownBy(() -> poll2.registry().reregister(stream, new Token(1), both))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> poll2.registry().deregister(stream))
                    .isInstanceOf(IllegalStateException.class);

            // After deregistering from the first, the second Poll may take it.
            poll1.registry().deregister(stream);
            poll2.registry().register(stream, new Token(1), both);
            TestSupport.expectEvent(poll2, Events.withCapacity(8), new Token(1), Event::isWritable, WITHIN);
        }
    }

    @Test
    void a_source_of_a_closed_poll_may_register_elsewhere() throws Exception {
        try (Poll poll2 = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
            Poll poll1 = Poll.open();
            poll1.registry().register(listener, new Token(0), Interest.READABLE);
            poll1.close();
            poll2.registry().register(listener, new Token(7), Interest.READABLE);
            try (TcpStream client = TcpStream.connect(listener.localAddr())) {
                TestSupport.expectEvent(poll2, Events.withCapacity(8), new Token(7), Event::isReadable, WITHIN);
            }
        }
    }

    @Test
    void registering_again_after_deregistering_works() throws Exception {
        try (Poll poll = Poll.open(); TcpListener server = TcpListener.bind(anyLocal())) {
            Events events = Events.withCapacity(8);
            poll.registry().register(server, SERVER, Interest.READABLE);
            poll.registry().deregister(server);
            poll.registry().register(server, SERVER, Interest.READABLE);
            poll.poll(events, Duration.ofMillis(100));
            assertThat(events.isEmpty()).isTrue();
            // The new registration is live.
            try (TcpStream client = TcpStream.connect(server.localAddr())) {
                TestSupport.expectEvent(poll, events, SERVER, Event::isReadable, WITHIN);
            }
        }
    }

    @Test
    void deregister_with_a_closed_source_or_poll_is_a_closed_channel_error() throws IOException {
        Poll poll = Poll.open();
        try (TcpListener open = TcpListener.bind(anyLocal())) {
            TcpListener closed = TcpListener.bind(anyLocal());
            poll.registry().register(closed, SERVER, Interest.READABLE);
            closed.close();
            assertThatThrownBy(() -> poll.registry().deregister(closed))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
            assertThatThrownBy(() -> poll.registry().register(closed, SERVER, Interest.READABLE))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
            poll.close();
            assertThatThrownBy(() -> poll.registry().register(open, SERVER, Interest.READABLE))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        } finally {
            poll.close();
        }
    }
}
