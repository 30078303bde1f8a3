package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing releases every descriptor at once: open/close cycles leave the process's descriptor count where
 * it was. Nothing here waits for the GC (a Cleaner would be too late to pass): the counts are compared
 * straight after the cycles.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FdLeakTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void opening_and_closing_polls_leaves_no_descriptor_behind() throws IOException {
        cyclePolls(10); // load the classes and libraries first: the JVM may open files for them
        int before = TestSupport.openFds();
        cyclePolls(2_000);
        assertThat(TestSupport.openFds()).as("open descriptors after 2,000 Poll open/close cycles").isEqualTo(before);
    }

    private static void cyclePolls(int cycles) throws IOException {
        for (int i = 0; i < cycles; i++) {
            Poll poll = Poll.open();
            if ((i & 1) == 0) {
                // Every other Poll also gets a Waker, whose eventfd must go with it.
                Waker waker = new Waker(poll.registry(), new Token(i));
                waker.wake();
                waker.close();
            }
            poll.close();
        }
    }

    @Test
    void connecting_accepting_and_closing_leaves_no_descriptor_behind() throws IOException {
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            Token server = new Token(0);
            poll.registry().register(listener, server, Interest.READABLE);
            Events events = Events.withCapacity(16);
            InetSocketAddress address = listener.localAddr();
            cycleConnections(poll, listener, events, address, 20);
            int before = TestSupport.openFds();
            cycleConnections(poll, listener, events, address, 10_000);
            assertThat(TestSupport.openFds()).as("open descriptors after 10,000 connect/accept/close cycles")
                    .isEqualTo(before);
        }
    }

    @Test
    void a_source_moved_to_another_poll_and_closed_leaves_no_descriptor_behind() throws IOException {
        // The first Poll stays idle afterwards: nothing it holds may keep the moved sources' descriptors open.
        try (Poll first = Poll.open(); Poll second = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            Events events = Events.withCapacity(16);
            second.registry().register(listener, new Token(0), Interest.READABLE);
            InetSocketAddress address = listener.localAddr();
            int before = TestSupport.openFds();
            for (int i = 0; i < 200; i++) {
                TcpStream client = TcpStream.connect(address);
                TcpStream accepted = acceptOne(second, listener, events);
                first.registry().register(client, new Token(1), Interest.READABLE);
                first.registry().deregister(client);
                second.registry().register(client, new Token(2), Interest.READABLE);
                client.close();
                accepted.close();
            }
            assertThat(TestSupport.openFds()).as("open descriptors after 200 moved-and-closed sources").isEqualTo(before);
        }
    }

    private static void cycleConnections(Poll poll, TcpListener listener, Events events, InetSocketAddress address,
                                         int cycles) throws IOException {
        for (int i = 0; i < cycles; i++) {
            TcpStream client = TcpStream.connect(address);
            TcpStream accepted = acceptOne(poll, listener, events);
            switch (i % 3) {
                case 0 -> {
                    // Plain close of both ends.
                    client.close();
                    accepted.close();
                }
                case 1 -> {
                    // Close while registered: close must deregister and close in one go.
                    poll.registry().register(client, new Token(1), Interest.READABLE.add(Interest.WRITABLE));
                    poll.registry().register(accepted, new Token(2), Interest.READABLE);
                    accepted.close();
                    client.close();
                }
                default -> {
                    // Some traffic, then close on the other order; a second close is a no-op.
                    assertThat(client.write(new byte[] {1, 2, 3})).isEqualTo(3);
                    accepted.close();
                    client.close();
                    client.close();
                }
            }
        }
    }

    private static TcpStream acceptOne(Poll poll, TcpListener listener, Events events) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            TcpStream s = listener.accept();
            if (s != null) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no connection to accept within " + WAIT);
            }
            poll.poll(events, Duration.ofMillis(100));
        }
    }
}
