package io.mio.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** EMFILE on accept in a child JVM under ulimit -n 64 (the checks themselves are in {@link FdExhaustion}). */
class FdExhaustionTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void accept_at_EMFILE_fails_clearly_keeps_serving_and_resumes_when_descriptors_free_up() throws Exception {
        FdExhaustion.Result r = FdExhaustion.run(64, 100, 10);
        System.out.println("fd exhaustion: " + r);
        if (OnBackend.selector()) {
            // The JDK's exceptions carry no OS error code; io.mio names the errno in the message.
            assertThat(r.acceptError()).startsWith("no-errno ").contains("(EMFILE)");
        } else {
            assertThat(r.acceptError()).startsWith("EMFILE ").contains("accept failed: EMFILE");
        }
        assertThat(r.acceptedBeforeError()).isBetween(1, 99);
        assertThat(r.acceptedAfterFreeing()).isGreaterThanOrEqualTo(r.freed()).isPositive();
        assertThat(r.echoChecks()).isGreaterThanOrEqualTo(r.acceptedBeforeError() + r.acceptedAfterFreeing());
        assertThat(r.bye()).endsWith(" none");
    }
}
