package io.mio.internal.uring;

import io.mio.internal.linux.LinuxConstants;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.mio.internal.uring.UringConstants.*;
import static io.mio.internal.uring.UringTestSupport.Completion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Setting a ring up, submitting and reaping, waiting with a timeout, probing, and closing exactly once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringSetupTest {

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void setup_takes_the_flags_the_layer_asks_for_and_the_kernel_has_the_features_it_needs() throws IOException {
        try (Uring ring = Uring.open(6, 12, Uring.TaskRun.COOPERATIVE)) {
            System.out.println("[uring] " + ring + "; features " + UringConstants.names(ring.features(), UringConstants::featureName));
            int asked = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN
                    | IORING_SETUP_TASKRUN_FLAG;
            assertThat(ring.setupFlags() & asked).as("setup flags").isEqualTo(asked);
            assertThat(ring.setupFlags() & (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)).isZero();
            assertThat(ring.features() & Uring.REQUIRED_FEATURES).isEqualTo(Uring.REQUIRED_FEATURES);
            assertThat(ring.sqEntries()).as("6 rounded up to a power of two").isEqualTo(8);
            assertThat(ring.cqEntries()).as("12 rounded up to a power of two").isEqualTo(16);
            // io_uring descriptors are always close-on-exec: a child process must not inherit the ring.
            assertThat(Sys.fcntl(ring.fd(), LinuxConstants.F_GETFD, 0) & LinuxConstants.FD_CLOEXEC).isEqualTo(LinuxConstants.FD_CLOEXEC);
        }
    }

    @Test
    void a_deferred_ring_is_single_issuer_and_refuses_another_thread_with_EEXIST() throws Exception {
        try (Uring ring = Uring.open(4, 8, Uring.TaskRun.DEFERRED)) {
            int asked = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_TASKRUN_FLAG;
            assertThat(ring.setupFlags() & asked).isEqualTo(asked);
            assertThat(ring.setupFlags() & IORING_SETUP_COOP_TASKRUN).isZero();

            ring.sqe().nop(1);
            Throwable other = CompletableFuture.supplyAsync(() -> {
                try {
                    ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(1));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(other).as("submit from a thread that did not create the ring")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("EEXIST").hasMessageContaining("SINGLE_ISSUER");

            // The creating thread submits the same entry.
            assertThat(UringTestSupport.await(ring, 1, 5_000)).containsExactly(new Completion(1, 0, 0));
        }
    }

    @Test
    void a_cooperative_ring_can_be_handed_from_one_thread_to_another() throws Exception {
        try (Uring ring = Uring.open(4)) {
            ring.sqe().nop(1);
            assertThat(UringTestSupport.await(ring, 1, 5_000)).containsExactly(new Completion(1, 0, 0));
            List<Completion> there = CompletableFuture.supplyAsync(() -> {
                try {
                    ring.sqe().nop(2);
                    return UringTestSupport.await(ring, 1, 5_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(there).containsExactly(new Completion(2, 0, 0));
        }
    }

    @Test
    void nops_submitted_together_take_one_io_uring_enter_and_complete_with_their_user_data() throws IOException {
        try (Uring ring = Uring.open(8)) {
            long before = ring.enterCalls();
            for (int i = 0; i < 5; i++) {
                ring.sqe().nop(100 + i);
            }
            assertThat(ring.submitAndWait(5, TimeUnit.SECONDS.toNanos(5))).as("entries consumed").isEqualTo(5);
            assertThat(ring.enterCalls() - before).as("system calls for submit and wait").isEqualTo(1);
            assertThat(UringTestSupport.drain(ring)).extracting(Completion::userData).containsExactly(100L, 101L, 102L, 103L, 104L);
            assertThat(ring.completionsReady()).isZero();
        }
    }

    @Test
    void submit_with_nothing_to_submit_and_nothing_pending_makes_no_system_call() throws IOException {
        try (Uring ring = Uring.open(4)) {
            long before = ring.enterCalls();
            assertThat(ring.submit()).isZero();
            assertThat(ring.submitAndWait(0, 0)).isZero();
            assertThat(ring.enterCalls()).isEqualTo(before);
        }
    }

    @Test
    void a_wait_whose_timeout_elapses_returns_normally_with_no_completion() throws IOException {
        try (Uring ring = Uring.open(4)) {
            long start = System.nanoTime();
            assertThat(ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(60))).isZero();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("waited for the timeout").isGreaterThanOrEqualTo(55).isLessThan(5_000);
            assertThat(ring.completions().next()).isFalse();
        }
    }

    @Test
    void a_full_submission_ring_is_submitted_by_sqe_itself_and_nothing_is_lost() throws IOException {
        try (Uring ring = Uring.open(4, 64, Uring.TaskRun.COOPERATIVE)) {
            for (int i = 0; i < 30; i++) {
                ring.sqe().nop(i); // 30 entries through 4 slots
            }
            assertThat(ring.enterCalls()).as("one submit per full ring").isEqualTo(7);
            List<Completion> all = UringTestSupport.await(ring, 30, 5_000);
            assertThat(all).extracting(Completion::userData)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 30).boxed().toList());
        }
    }

    @Test
    void without_NO_SQARRAY_the_index_array_routes_every_slot_as_before_linux_6_6() throws IOException {
        try (Uring ring = Uring.open(4, 64, Uring.TaskRun.COOPERATIVE, false)) {
            assertThat(ring.setupFlags() & IORING_SETUP_NO_SQARRAY).isZero();
            for (int i = 0; i < 30; i++) {
                ring.sqe().nop(i); // wraps around the 4 slots seven times
            }
            assertThat(UringTestSupport.await(ring, 30, 5_000)).extracting(Completion::userData)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 30).boxed().toList());
            assertThat(ring.droppedSubmissions()).isZero();
        }
    }

    @Test
    void a_slot_handed_out_but_never_prepared_submits_a_nop_not_what_it_held_before() throws IOException {
        try (Uring ring = Uring.open(2, 8, Uring.TaskRun.COOPERATIVE)) {
            ring.sqe().nop(41);
            ring.sqe().nop(42);
            assertThat(UringTestSupport.await(ring, 2, 5_000)).extracting(Completion::userData).containsExactly(41L, 42L);
            ring.sqe(); // the first slot again, left as it comes
            assertThat(UringTestSupport.await(ring, 1, 5_000)).containsExactly(new Completion(0, 0, 0));
        }
    }

    @Test
    void probe_reports_the_opcodes_the_layer_uses_and_require_names_a_missing_one() throws IOException {
        try (Uring ring = Uring.open(2)) {
            Probe probe = ring.probe();
            for (int op : Uring.REQUIRED_OPCODES) {
                assertThat(probe.supports(op)).as(UringConstants.opName(op)).isTrue();
            }
            assertThat(probe.lastOp()).isGreaterThanOrEqualTo(IORING_OP_SEND_ZC);
            assertThat(probe.supports(255)).isFalse();
            assertThatThrownBy(() -> probe.require(IORING_OP_NOP, 255))
                    .isInstanceOfSatisfying(UringUnavailableException.class,
                            e -> assertThat(e.reason()).isEqualTo(UringUnavailableException.Reason.KERNEL_TOO_OLD))
                    .hasMessageContaining("does not support opcode 255").hasMessageContaining("Linux " + System.getProperty("os.version"));
        }
    }

    @Test
    void close_unmaps_both_mappings_and_closes_the_descriptor_exactly_once() throws IOException {
        Uring ring = Uring.open(4);
        int fd = ring.fd();
        String inode = inodeOf(fd);
        assertThat(mappingsOf(inode)).as("the rings and the SQE array are mapped").isEqualTo(2);

        ring.close();
        assertThat(ring.isOpen()).isFalse();
        assertThat(mappingsOf(inode)).as("mappings after close").isZero();
        assertThat(linkOf(fd)).as("descriptor " + fd + " after close").doesNotContain("io_uring");

        // The number is free; whoever takes it next must not lose it to a second close of the ring.
        int efd = Sys.eventfd(0, LinuxConstants.EFD_CLOEXEC);
        try {
            ring.close();
            assertThat(Sys.fcntl(efd, LinuxConstants.F_GETFD, 0)).as("the descriptor opened after close").isNotNegative();
        } finally {
            Sys.close(efd);
        }
    }

    @Test
    void every_use_after_close_throws_ClosedChannelException_naming_the_ring() throws IOException {
        Uring ring = Uring.open(4);
        ring.sqe().nop(1);
        ring.close();
        assertThatThrownBy(ring::sqe).isInstanceOf(ClosedChannelException.class).hasMessage("io_uring is closed");
        assertThatThrownBy(ring::submit).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ring.submitAndWait(1, -1)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ring.completions().next()).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(ring::probe).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> ring.syncCancel(1, false)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> BufferRing.register(ring, 0, 4, 64)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void close_while_another_thread_waits_keeps_the_ring_until_that_thread_returns() throws Exception {
        Uring ring = Uring.open(4);
        int fd = ring.fd();
        String inode = inodeOf(fd);
        try (UringWaker waker = UringWaker.open()) {
            waker.arm(ring, 9);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().name("uring-waiter").start(() -> {
                try {
                    outcome.set(ring.submitAndWait(1, -1)); // no timeout: only the wake ends it
                    outcome.set(ring.completions().next()); // the ring is closed by now
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waitUntilWaitingInTheKernel("uring-waiter");

            ring.close();
            assertThat(ring.isOpen()).isFalse();
            assertThat(linkOf(fd)).as("the waiter still uses the descriptor").contains("io_uring");
            assertThat(mappingsOf(inode)).as("the waiter may still read the rings").isEqualTo(2);

            waker.wake();
            waiter.join(10_000);
            assertThat(waiter.isAlive()).isFalse();
            assertThat(outcome.get()).as("the waiter's next use").isInstanceOf(ClosedChannelException.class);
            assertThat(mappingsOf(inode)).as("mappings once the waiter returned").isZero();
            assertThat(linkOf(fd)).doesNotContain("io_uring");
        }
    }

    /**
     * Waits until the native thread named {@code name} sleeps in the io_uring wait (its wchan in /proc), so that what
     * the test does next really races with a thread inside {@code io_uring_enter}.
     */
    static void waitUntilWaitingInTheKernel(String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).trim().equals(name)
                                && Files.readString(task.resolve("wchan")).contains("io_cqring_wait")) {
                            return;
                        }
                    } catch (IOException gone) {
                        // that thread ended meanwhile
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("thread " + name + " never waited in io_cqring_wait");
    }

    static String inodeOf(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("ino:")) {
                return line.substring(4).trim();
            }
        }
        throw new AssertionError("no inode in fdinfo of " + fd);
    }

    static long mappingsOf(String inode) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("io_uring"))
                .filter(l -> l.split("\\s+")[4].equals(inode))
                .count();
    }

    static String linkOf(int fd) throws IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException closed) {
            return "(closed)";
        }
    }
}
