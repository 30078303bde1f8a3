package io.mio.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of {@link UserCpu} that do not need perf: reading perf report's text, splitting user from kernel. */
class UserCpuTest {
    private static final String REPORT = """
            # To display the perf.data header info, please use --header/--header-only options.
                95.83%         62807  [kernel.kallsyms]  [k] finish_task_switch.isra.0
                 2.17%          1422  libc.so.6          [.] epoll_wait
                 1.85%          1212  [JIT] tid 7273     [.] void io.mio.Poll.poll(io.mio.Events, java.time.Duration)
                 0.15%            98  libjvm.so          [.] DowncallLinker::capture_state
                 0.01%             7  [kernel.kallsyms]  [k] do_syscall_64

            """;

    @Test
    void perf_report_lines_become_sample_counts_per_key_and_other_lines_are_skipped() {
        Map<String, long[]> m = UserCpu.parseReport(REPORT);
        assertThat(m).hasSize(5);
        assertThat(m.get("[kernel.kallsyms] [k] finish_task_switch.isra.0")[0]).isEqualTo(62807);
        assertThat(m.get("[JIT] tid 7273 [.] void io.mio.Poll.poll(io.mio.Events, java.time.Duration)")[0]).isEqualTo(1212);
        assertThat(m.keySet()).first().asString().startsWith("[kernel.kallsyms]");
    }

    @Test
    void a_sample_splits_its_cpu_time_by_the_share_of_user_samples() {
        UserCpu.Sample s = new UserCpu.Sample(ServerKind.MIO, 1, 0, 1000, 5_000_000, 250, 1000, java.util.List.of());
        assertThat(s.totalPerRt()).isEqualTo(5000.0);
        assertThat(s.userShare()).isEqualTo(0.25);
        assertThat(s.userPerRt()).isEqualTo(1250.0);
        assertThat(new UserCpu.Sample(ServerKind.MIO, 1, 0, 1000, 5_000_000, 0, 0, java.util.List.of()).userShare()).isNaN();
    }

    @Test
    void the_overhead_lines_subtract_the_bare_downcall_from_each_library() {
        String out = UserCpu.overheads(java.util.List.of(
                "381.0 bare recv downcall (critical, no errno), would block",
                "405.0 io.mio TcpStream.read, would block",
                "437.0 java.nio SocketChannel.read, would block",
                "failed: something"));
        assertThat(out).contains("read on an empty socket: io.mio adds 24.0 ns to the bare downcall, java.nio 56.0 ns (io.mio ÷ java.nio = 0.43)")
                .doesNotContain("poll with nothing ready");
        assertThat(UserCpu.overheads(java.util.List.of())).isEmpty();
    }

    /** A sample whose user time per round trip is {@code userNs} (1000 round trips, all samples in user space). */
    private static UserCpu.Sample user(ServerKind k, int round, double userNs) {
        return new UserCpu.Sample(k, 64, round, 1000, userNs * 1000, 10, 10, java.util.List.of());
    }

    @Test
    void ratios_pair_samples_of_the_same_round_and_above_c_ratios_skip_rounds_without_the_c_server() {
        java.util.List<UserCpu.Sample> s = java.util.List.of(
                user(ServerKind.MIO, 0, 300), user(ServerKind.NIO, 0, 400), user(ServerKind.C_SHORT, 0, 100),
                user(ServerKind.MIO, 1, 200), user(ServerKind.NIO, 1, 500),
                user(ServerKind.NIO, 2, 100));
        assertThat(UserCpu.ratios(s, ServerKind.MIO, ServerKind.NIO, 64)).containsExactly(0.75, 0.4);
        assertThat(UserCpu.ratiosAboveC(s, ServerKind.MIO, ServerKind.NIO, 64))
                .as("(300 - 100) / (400 - 100) in round 0; round 1 has no C run").containsExactly(2.0 / 3);
        assertThat(UserCpu.ratios(s, ServerKind.MIO, ServerKind.NIO, 1)).isEmpty();
    }
}
