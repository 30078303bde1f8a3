package io.mio.internal.uring;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * System calls per echo round trip when a loop drives the ring as the proposed backend would (see {@link EchoLoop}):
 * a count, not a speed. Every byte is checked to come back; the server's loop makes no system call other than
 * io_uring_enter (confirmed by hand under {@code strace -f -c}: no recv, send or poll calls at all).
 *
 * <p>The bounds are structural. Each io_uring_enter of the loop waits for at least one completion, and a round trip
 * makes two (the receive and the echo's send), so a loop that works as designed stays at or under two per round trip
 * with one connection, however the threads are scheduled. With 64 connections in flight one enter serves many of
 * them: a submit per entry, or an enter per completion, would break the bound of one per round trip.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class UringEchoTest {

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void sixty_four_connections_share_each_io_uring_enter() throws Exception {
        EchoLoop.Result r = EchoLoop.run(64, 300, 64);
        System.out.println("[uring] echo, 64 connections x 64 B: " + r);
        assertThat(r.serverEntersPerRoundTrip()).as("server io_uring_enter per round trip").isLessThan(1.0);
    }

    @Test
    void one_connection_takes_at_most_two_io_uring_enter_per_round_trip() throws Exception {
        EchoLoop.Result r = EchoLoop.run(1, 2_000, 64);
        System.out.println("[uring] echo, 1 connection x 64 B: " + r);
        // + 4: arming the accept and seeing the end of the connection, outside the round trips.
        assertThat(r.serverEnters()).as("server io_uring_enter calls").isLessThanOrEqualTo(2 * r.roundTrips() + 4);
    }
}
