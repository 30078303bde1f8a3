package io.mio.internal.wasi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When WasiSelector's poll_oneoff carries a clock subscription: only for a timeout, or when nothing else is
 * subscribed (poll_oneoff with no subscription is INVAL; mio blocks for ever there, so the clock is far off). An
 * infinite wait on sockets subscribes the sockets alone (a clock costs WasmEdge a timerfd armed and disarmed per
 * call). mio-wasi-examples' WasiExamplesTest checks the same on a real guest (no clock subscription reaches mio-wasm).
 */
class WasiSelectorClockTest {
    @Test
    void an_infinite_wait_on_sockets_subscribes_no_clock() {
        assertThat(WasiSelector.clockNanos(1, -1)).isEqualTo(-1);
        assertThat(WasiSelector.clockNanos(64, -1)).isEqualTo(-1);
    }

    @Test
    void a_timeout_gets_its_clock_with_or_without_sockets() {
        assertThat(WasiSelector.clockNanos(3, 0)).isZero();
        assertThat(WasiSelector.clockNanos(3, 5_000_000L)).isEqualTo(5_000_000L);
        assertThat(WasiSelector.clockNanos(0, 5_000_000L)).isEqualTo(5_000_000L);
    }

    @Test
    void an_infinite_wait_on_nothing_blocks_on_a_far_clock_instead_of_an_invalid_empty_poll() {
        // not 0 (that would spin), not -1 (no subscription at all: poll_oneoff answers INVAL and Poll.poll would throw)
        assertThat(WasiSelector.clockNanos(0, -1)).isGreaterThanOrEqualTo(365L * 24 * 3600 * 1_000_000_000L);
    }
}
