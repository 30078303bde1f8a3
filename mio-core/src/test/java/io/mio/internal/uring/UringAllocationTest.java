package io.mio.internal.uring;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Submitting and reaping NOPs, sends, multishot poll and receive completions (with the buffer ring's copy-out and
 * recycle), one-shot polls and timed-out waits allocates 0 bytes once compiled. The measurement runs in a child JVM
 * ({@link UringAllocationMain}) with {@code -XX:-BackgroundCompilation}, the flags the pom gives AllocationTest's own
 * execution: started from here, it needs no change to the pom.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UringAllocationTest {

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void submit_and_reap_of_poll_recv_and_send_allocate_nothing_in_steady_state() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:-BackgroundCompilation",
                "-cp", System.getProperty("java.class.path"), UringAllocationMain.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        System.out.print(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("[allocation] all cases allocation-free").doesNotContain("WARNING");
        for (String what : List.of("nop", "send, multishot poll completion, recv", "send, multishot recv into the buffer ring",
                "one-shot poll add", "wait whose 1 us timeout elapses")) {
            assertThat(out).as(what).containsPattern("\\[allocation\\] " + java.util.regex.Pattern.quote(what) + "[^\\n]*, 0 bytes allocated");
        }
    }
}
