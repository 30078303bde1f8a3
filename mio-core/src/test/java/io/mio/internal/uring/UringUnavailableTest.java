package io.mio.internal.uring;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mio.internal.linux.LinuxConstants.EINVAL;
import static io.mio.internal.linux.LinuxConstants.EPERM;
import static io.mio.internal.uring.UringConstants.ENOSYS;
import static io.mio.internal.uring.UringUnavailableException.Reason;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * io_uring missing or refused is reported with the cause named. The refusals are real: a thread of its own installs a
 * seccomp filter that answers io_uring_setup with EPERM (as Docker's default profile does) or ENOSYS, then opens a ring.
 * The filter binds that thread only, and the thread ends with the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringUnavailableTest {

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void EPERM_from_a_seccomp_filter_is_reported_as_refused_by_the_filter() throws Exception {
        UringUnavailableException e = openUnder(EPERM);
        System.out.println("[uring] under seccomp EPERM: " + e.getMessage());
        assertThat(e.errno()).isEqualTo(EPERM);
        assertThat(e.getMessage()).startsWith("io_uring_setup failed: EPERM").contains("seccomp filter");
        java.nio.file.Path sysctl = java.nio.file.Path.of("/proc/sys/kernel/io_uring_disabled");
        String value = java.nio.file.Files.exists(sysctl) ? java.nio.file.Files.readString(sysctl).trim() : "absent";
        if (value.equals("1")) {
            // This process may use io_uring despite the sysctl (else no test would run): the message names both suspects.
            assertThat(e.reason()).isEqualTo(Reason.DISABLED_BY_SYSCTL);
        } else {
            assertThat(e.reason()).isEqualTo(Reason.REFUSED_BY_FILTER);
            assertThat(e.getMessage()).contains(value.equals("0") ? "kernel.io_uring_disabled = 0 allows it" : "no kernel.io_uring_disabled sysctl");
        }
    }

    @Test
    void ENOSYS_is_reported_as_io_uring_missing_from_the_kernel() throws Exception {
        UringUnavailableException e = openUnder(ENOSYS);
        System.out.println("[uring] under seccomp ENOSYS: " + e.getMessage());
        assertThat(e.reason()).isEqualTo(Reason.NOT_IN_KERNEL);
        assertThat(e.getMessage()).startsWith("io_uring_setup failed: ENOSYS").contains("has no io_uring")
                .contains("CONFIG_IO_URING").contains("seccomp filter answers ENOSYS");
    }

    @Test
    void the_sysctl_refusals_name_the_setting() {
        UringUnavailableException all = UringUnavailableException.forSetupErrno(EPERM, 2, 0);
        assertThat(all.reason()).isEqualTo(Reason.DISABLED_BY_SYSCTL);
        assertThat(all.getMessage()).contains("kernel.io_uring_disabled = 2");

        UringUnavailableException group = UringUnavailableException.forSetupErrno(EPERM, 1, 0);
        assertThat(group.reason()).isEqualTo(Reason.DISABLED_BY_SYSCTL);
        assertThat(group.getMessage()).contains("kernel.io_uring_disabled = 1").contains("kernel.io_uring_group");

        UringUnavailableException lsm = UringUnavailableException.forSetupErrno(EPERM, 0, 0);
        assertThat(lsm.reason()).isEqualTo(Reason.REFUSED_BY_FILTER);
        assertThat(lsm.getMessage()).contains("security module").doesNotContain("refused by this thread's seccomp filter");

        UringUnavailableException old = UringUnavailableException.forSetupErrno(EPERM, -1, 2);
        assertThat(old.getMessage()).contains("no kernel.io_uring_disabled sysctl").contains("seccomp filter");

        assertThat(UringUnavailableException.forSetupErrno(EINVAL, 0, 0)).as("EINVAL says nothing about availability").isNull();
    }

    @Test
    void refused_setup_flags_and_missing_features_are_named() {
        UringUnavailableException flags = UringUnavailableException.flagsRefused(
                UringConstants.IORING_SETUP_SUBMIT_ALL | UringConstants.IORING_SETUP_COOP_TASKRUN);
        assertThat(flags.reason()).isEqualTo(Reason.KERNEL_TOO_OLD);
        assertThat(flags.getMessage()).contains("EINVAL").contains("IORING_SETUP_SUBMIT_ALL|COOP_TASKRUN").contains("Linux 6.0");

        UringUnavailableException features = UringUnavailableException.featuresMissing(UringConstants.IORING_FEAT_EXT_ARG);
        assertThat(features.getMessage()).contains("lacks IORING_FEAT_EXT_ARG");

        assertThat(UringUnavailableException.opcodeMissing(UringConstants.IORING_OP_SEND_ZC).getMessage())
                .contains("IORING_OP_SEND_ZC").contains("multishot receive");
    }

    @Test
    void a_filtered_thread_leaves_other_threads_able_to_open_rings() throws Exception {
        openUnder(EPERM);
        try (Uring ring = Uring.open(2)) {
            assertThat(ring.isOpen()).isTrue();
        }
    }

    /** Opens a ring on a new thread whose seccomp filter answers io_uring_setup with {@code errno}; returns the failure. */
    private static UringUnavailableException openUnder(int errno) throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread.ofPlatform().name("seccomp-" + errno).start(() -> {
            try {
                denyIoUringSetup(errno);
                try (Uring ring = Uring.open(2)) {
                    result.complete("opened " + ring);
                }
            } catch (Throwable t) {
                result.complete(t);
            }
        });
        Object outcome = result.get(30, TimeUnit.SECONDS);
        assertThat(outcome).as("Uring.open under a filter answering errno " + errno).isInstanceOf(UringUnavailableException.class);
        return (UringUnavailableException) outcome;
    }

    private static final int PR_SET_SECCOMP = 22;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int BPF_LD_W_ABS = 0x20;
    private static final int BPF_JEQ_K = 0x15;
    private static final int BPF_RET_K = 0x06;
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;

    /** Installs on this thread a filter: io_uring_setup fails with {@code errno}, every other call is allowed. */
    private static void denyIoUringSetup(int errno) {
        String arch = System.getProperty("os.arch");
        int auditArch = arch.equals("aarch64") ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
        int[][] program = {
            // struct seccomp_data: nr at 0, arch at 4
            {BPF_LD_W_ABS, 0, 0, 4},
            {BPF_JEQ_K, 1, 0, auditArch},
            {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
            {BPF_LD_W_ABS, 0, 0, 0},
            {BPF_JEQ_K, 0, 1, UringConstants.SYS_IO_URING_SETUP},
            {BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno},
            {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                long at = 8L * i; // struct sock_filter: code u16, jt u8, jf u8, k u32
                filter.set(JAVA_SHORT, at, (short) program[i][0]);
                filter.set(JAVA_BYTE, at + 2, (byte) program[i][1]);
                filter.set(JAVA_BYTE, at + 3, (byte) program[i][2]);
                filter.set(JAVA_INT, at + 4, program[i][3]);
            }
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog: len u16, filter pointer at 8
            fprog.set(JAVA_SHORT, 0, (short) program.length);
            fprog.set(JAVA_LONG, 8, filter.address());
            // no_new_privs lets an unprivileged thread install a filter; both bind this thread only.
            assertThat(UringSys.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)).as("prctl(PR_SET_NO_NEW_PRIVS)").isZero();
            assertThat(UringSys.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog.address(), 0, 0)).as("prctl(PR_SET_SECCOMP)").isZero();
        }
    }
}
