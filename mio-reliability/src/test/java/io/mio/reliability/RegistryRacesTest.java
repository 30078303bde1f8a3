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
        // The run really exercised the paths it claims to.
        assertThat(r.registers()).isGreaterThan(1000);
        assertThat(r.reregisters()).isGreaterThan(1000);
        assertThat(r.deregisters()).isGreaterThan(500);
        assertThat(r.closes()).isGreaterThan(500);
        assertThat(r.events()).isGreaterThan(1000);
        // Every stream was closed: no descriptor outlives the run (small slack for the JVM's own files).
        assertThat(r.fdsAfter()).isLessThanOrEqualTo(r.fdsBefore() + 4);
    }
}
