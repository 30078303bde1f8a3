package io.mio.wasm;

import org.junit.jupiter.api.Test;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link SocketHost#clockSubscriptions()} counts the clock subscriptions of poll_oneoff and epoll_oneoff, nothing else. */
class ClockSubscriptionCountTest {
    private static void clock(HostFixture f, int at, long userdata) {
        f.m.write(at, new byte[48]);
        f.m.writeLong(at, userdata);
        f.m.writeByte(at + 8, (byte) EVENTTYPE_CLOCK);
        f.m.writeI32(at + 16, CLOCK_MONOTONIC);
        f.m.writeLong(at + 24, 1); // 1 ns, relative
    }

    @Test
    void clock_subscriptions_are_counted_and_socket_ones_are_not() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            assertThat(f.host.clockSubscriptions()).isZero();

            clock(f, SUBS, 1);
            assertThat(f.host.pollOneoff(f.m, SUBS, EVENTS, 1, NEVENTS)).isZero();
            assertThat(f.host.clockSubscriptions()).isEqualTo(1);

            // a socket and a clock: one more; epoll_oneoff's clocks count too
            f.m.write(SUBS, new byte[48]);
            f.m.writeLong(SUBS, 2);
            f.m.writeByte(SUBS + 8, (byte) EVENTTYPE_FD_READ);
            f.m.writeI32(SUBS + 16, lfd);
            clock(f, SUBS + 48, 3);
            assertThat(f.host.pollOneoff(f.m, SUBS, EVENTS, 2, NEVENTS)).isZero();
            assertThat(f.host.clockSubscriptions()).isEqualTo(2);
            clock(f, SUBS, 4);
            assertThat(f.host.epollOneoff(f.m, SUBS, EVENTS, 1, NEVENTS)).isZero();
            assertThat(f.host.clockSubscriptions()).isEqualTo(3);
        }
    }
}
