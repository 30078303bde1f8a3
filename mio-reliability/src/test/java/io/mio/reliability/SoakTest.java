package io.mio.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak in its short (CI) mode: 500 connections, 50,000 checked round trips. */
class SoakTest {
    @Test
    @Timeout(value = 100, unit = TimeUnit.SECONDS)
    void many_connections_echo_every_frame_intact_with_flat_fds_and_heap() throws Exception {
        Soak.Result r = Soak.run(new Soak.Config(500, 50_000, Duration.ofSeconds(60), Duration.ofSeconds(1), 7, false));
        System.out.println("soak (short): " + r);

        assertThat(r.connections()).as(r.scaleNote()).isEqualTo(500);
        assertThat(r.roundTrips()).as("round trips within the time bound").isEqualTo(50_000);
        // Sizes covered both ends and partial I/O really happened on both sides.
        assertThat(r.minPayload()).isEqualTo(1);
        assertThat(r.maxPayload()).isEqualTo(Frames.MAX_PAYLOAD);
        assertThat(r.fragmentedFrames()).isPositive();
        assertThat(r.clientPartialWrites()).isPositive();
        assertThat(r.clientWritableReregistrations()).isPositive();
        assertThat(r.serverWritableReregistrations()).isPositive();
        assertThat(r.serverBytesEchoed()).isEqualTo(r.bytesChecked());
        assertThat(r.flat()).as(r.flatness() + " samples " + r.samples()).isTrue();
    }
}
