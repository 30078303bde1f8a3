package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports of mio's tests/regressions.rs (the TCP and waker cases; the Unix-datagram one, issue 1403, waits for
 * UnixDatagram).
 */
@Timeout(30)
class RegressionsTest {
    private static final Token ID1 = new Token(1);
    private static final Token WAKE = new Token(10);

    /** mio issue 776: a fresh connection with nothing sent reads as would-block, not as an error or EOF. */
    @Test
    void reading_a_fresh_connected_stream_would_block() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal());
             TcpStream stream = TcpStream.connect(listener.localAddr())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(stream, ID1, Interest.READABLE.add(Interest.WRITABLE));
            TestSupport.expectEvent(poll, events, ID1, e -> true, WITHIN); // connected
            try (TcpStream peer = acceptWithin(listener, WITHIN)) {
                byte[] buf = new byte[1024];
                assertThat(stream.read(buf)).as("would block").isZero();
                assertThat(peer.read(buf)).as("would block on the accepted side too").isZero();
            }
        }
    }

    /** mio issue 1205: a listener deregistered with a connection pending reports nothing while a waker fires. */
    @Test
    void no_events_for_a_deregistered_listener_while_a_waker_fires() throws Exception {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), WAKE);
             TcpListener listener = TcpListener.bind(anyLocal())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, ID1, Interest.READABLE);
            poll.poll(events, Duration.ZERO);
            assertThat(events.isEmpty()).isTrue();

            try (TcpStream client = TcpStream.connect(listener.localAddr())) {
                Thread.sleep(20); // the connection is pending, its readiness probably queued already
                poll.registry().deregister(listener);
                Thread waking = new Thread(() -> {
                    try {
                        Thread.sleep(300);
                        waker.wake();
                    } catch (Exception ignored) {
                        // the poll below then blocks and the @Timeout reports it
                    }
                });
                waking.start();
                poll.poll(events, null);
                waking.join(5000);
                assertThat(events.size()).as("only the waker: " + events).isEqualTo(1);
                assertThat(events.get(0).token()).isEqualTo(WAKE);
                assertThat(events.get(0).isReadable()).isTrue();
                // Control: the listener did have a connection pending.
                try (TcpStream accepted = acceptWithin(listener, WITHIN)) {
                    assertThat(List.of(accepted)).hasSize(1);
                }
            }
        }
    }
}
