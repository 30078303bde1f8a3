package io.mio.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The README example runs to completion on its own: it connects, sees the connection established, and exits. */
class HelloMioTest {
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void hello_mio_connects_and_ends_by_itself() throws Exception {
        // A child JVM, so that a main that never ended or called System.exit could not take the test run with it.
        try (ExampleProcess hello = ExampleProcess.start(HelloMio.class)) {
            int exit = hello.awaitExit(Duration.ofSeconds(90));
            assertThat(exit).as("exit code; output:%n%s", hello.output()).isZero();
            assertThat(hello.output())
                    .containsPattern("client: connected to /127\\.0\\.0\\.1:\\d+ from /127\\.0\\.0\\.1:\\d+");
            assertThat(hello.output().lines()).contains("done");
        }
    }
}
