package io.mio.reliability;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "short read means drained, a new edge will come" rule has an exception, found by the full reliability
 * run: when the event already said read-closed, the peer's FIN is queued behind the data, a short read does
 * not consume it, and no further event comes. A loop that stops at the short read never sees EOF.
 */
class ShortReadAfterReadClosedTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void after_a_read_closed_event_a_short_read_is_followed_by_no_event_and_EOF_must_be_read() throws Exception {
        OnBackend.assumeNotSelector(OnBackend.READ_AHEAD);
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             Socket peer = new Socket(InetAddress.getLoopbackAddress(), listener.localAddr().getPort())) {
            peer.getOutputStream().write(new byte[1000]);
            peer.shutdownOutput(); // FIN queued behind the data before anyone polls
            TcpStream s = null;
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s == null && System.nanoTime() < end) {
                s = listener.accept();
                if (s == null) Thread.sleep(5);
            }
            assertThat(s).isNotNull();
            try (TcpStream stream = s) {
                Events events = Events.withCapacity(8);
                Token t = new Token(1);
                poll.registry().register(stream, t, Interest.READABLE);
                boolean readClosed = false;
                end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!readClosed && System.nanoTime() < end) {
                    poll.poll(events, Duration.ofMillis(100));
                    for (Event e : events) readClosed |= e.token().equals(t) && e.isReadable() && e.isReadClosed();
                }
                assertThat(readClosed).as("one event with readable + read-closed").isTrue();

                byte[] buf = new byte[64 * 1024];
                int total = 0;
                int n;
                while (total < 1000 && (n = stream.read(buf)) > 0) total += n;
                assertThat(total).isEqualTo(1000); // short reads: less than the 64 KiB room

                poll.poll(events, Duration.ofMillis(300));
                assertThat(events.isEmpty()).as("no new edge for the FIN that was already there").isTrue();
                assertThat(stream.read(buf)).as("EOF is there all the same").isEqualTo(-1);
            }
        }
    }
}
