package io.mio.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Three mutator threads against one polling thread for five seconds. */
class RegistryRacesTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrent_register_reregister_deregister_close_while_polling_never_reports_a_retired_token()
            throws Exception {
        RegistryRaces.Result r = RegistryRaces.run(Duration.ofSeconds(5), 3, 4, 42);
        System.out.println("races: " + r);
        assertThat(r.unexpected()).isEmpty();
        assertThat(r.violations()).isEmpty();
        // The run really exercised the paths it claims to (low bars: this is not a speed test; a typical
        // 5 s run on 2 shared cores does ~100,000 of each call and ~10,000 events).
        assertThat(r.registers()).isGreaterThan(100);
        assertThat(r.reregisters()).isGreaterThan(100);
        assertThat(r.deregisters()).isGreaterThan(50);
        assertThat(r.closes()).isGreaterThan(50);
        assertThat(r.events()).isGreaterThan(50);
        // Every stream was closed: no descriptor outlives the run (small slack for the JVM's own files).
        assertThat(r.fdsAfter()).isLessThanOrEqualTo(r.fdsBefore() + 4);
    }
}
