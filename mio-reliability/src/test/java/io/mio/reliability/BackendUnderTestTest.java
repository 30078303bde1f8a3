package io.mio.reliability;

import io.mio.Backend;
import io.mio.Poll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build runs this suite once per backend (one surefire execution each, naming it in {@code io.mio.backend}):
 * this checks that an execution really runs on the backend it names, so a backend that silently fell back to
 * another would not pass for tested.
 */
class BackendUnderTestTest {
    @Test
    void the_suite_runs_on_the_backend_its_execution_names() throws Exception {
        String named = System.getProperty("io.mio.backend");
        try (Poll poll = Poll.open()) {
            if (named == null) {
                assertThat(poll.backend()).isEqualTo(Backend.current());
            } else {
                assertThat(poll.backend().name()).isEqualToIgnoringCase(named);
            }
        }
    }
}
