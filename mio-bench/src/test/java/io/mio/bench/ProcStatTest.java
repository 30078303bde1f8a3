package io.mio.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ProcStatTest {

    @Test
    void compiler_ticks_count_this_jvms_jit_threads() throws Exception {
        long pid = ProcessHandle.current().pid();
        // Work for the JIT until its threads have used a clock tick (the test JVM's start-up alone usually has).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long sink = 0;
        while (ProcStat.compilerTicks(pid) == 0 && System.nanoTime() < deadline) {
            for (int i = 0; i < 200; i++) {
                sink += java.util.stream.IntStream.range(0, 1000).map(x -> x * 31 + 7).filter(x -> (x & 3) == 1).sum();
            }
        }
        long jit = ProcStat.compilerTicks(pid);
        assertThat(jit).as("JIT ticks (sink %d)", sink).isPositive();
        ProcStat all = ProcStat.read(pid);
        assertThat(all.utimeTicks() + all.stimeTicks()).as("the JIT's share cannot exceed the process's CPU")
                .isGreaterThanOrEqualTo(jit);
    }

    @Test
    void a_process_without_a_jit_has_no_compiler_ticks() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "10").start();
        try {
            assertThat(ProcStat.compilerTicks(sleep.pid())).isZero();
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
    }
}
