package io.mio.internal.uring;

import io.mio.internal.linux.FileDesc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.mio.internal.uring.UringConstants.*;
import static io.mio.internal.uring.UringTestSupport.Completion;
import static io.mio.internal.uring.UringTestSupport.await;
import static io.mio.internal.uring.UringTestSupport.quiet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waking a thread blocked in io_uring_enter from another thread: the eventfd waker (what the backend would use), a
 * message from another ring (IORING_OP_MSG_RING), and a synchronous cancel from another thread (how a deregister
 * could end a poll at once while the owner waits).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringWakerTest {
    private static final long WAKER = 77;

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void a_wake_from_another_thread_ends_a_wait_without_timeout() throws Exception {
        try (Uring ring = Uring.open(8); UringWaker waker = UringWaker.open()) {
            waker.arm(ring, WAKER);
            AtomicReference<List<Completion>> seen = new AtomicReference<>();
            Thread poller = Thread.ofPlatform().name("uring-poller").start(() -> {
                try {
                    ring.submitAndWait(1, -1);
                    seen.set(UringTestSupport.drain(ring));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            UringSetupTest.waitUntilWaitingInTheKernel("uring-poller");
            CompletableFuture.runAsync(() -> {
                try {
                    waker.wake();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).get(5, TimeUnit.SECONDS);
            poller.join(5_000);
            assertThat(poller.isAlive()).as("the poller returned").isFalse();
            assertThat(seen.get()).hasSize(1);
            assertThat(seen.get().get(0).userData()).isEqualTo(WAKER);
            assertThat(seen.get().get(0).res() & POLLIN).isEqualTo(POLLIN);
            assertThat(seen.get().get(0).more()).isTrue();
        }
    }

    @Test
    void wakes_before_reaping_coalesce_and_a_wake_after_reaping_gives_a_new_completion() throws IOException {
        try (Uring ring = Uring.open(8); UringWaker waker = UringWaker.open()) {
            waker.arm(ring, WAKER);
            for (int round = 0; round < 5; round++) {
                waker.wake();
                waker.wake();
                waker.wake();
                List<Completion> got = await(ring, 1, 5_000);
                assertThat(got).as("round %d: three wakes", round).isNotEmpty().allMatch(c -> c.userData() == WAKER && c.more());
                got.addAll(quiet(ring, 50));
                assertThat(got.size()).as("round %d: completions for three wakes", round).isBetween(1, 3);
            }
            // The counter is never read: it only grows, and each write still wakes.
            assertThat(quiet(ring, 100)).as("no wake, no completion").isEmpty();
        }
    }

    @Test
    void msg_ring_posts_a_completion_into_another_ring_and_wakes_its_waiter() throws Exception {
        try (Uring target = Uring.open(8); Uring sender = Uring.open(8)) {
            AtomicReference<List<Completion>> seen = new AtomicReference<>();
            Thread poller = Thread.ofPlatform().name("uring-target").start(() -> {
                try {
                    target.submitAndWait(1, TimeUnit.SECONDS.toNanos(10));
                    seen.set(UringTestSupport.drain(target));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            UringSetupTest.waitUntilWaitingInTheKernel("uring-target");
            sender.sqe().msgRing(target.fd(), 1234, 0xABCDL, 1).flags(IOSQE_CQE_SKIP_SUCCESS);
            sender.submit();
            poller.join(5_000);
            assertThat(poller.isAlive()).isFalse();
            assertThat(seen.get()).containsExactly(new Completion(0xABCDL, 1234, 0));
            assertThat(quiet(sender, 50)).as("CQE_SKIP_SUCCESS: nothing on the sending ring").isEmpty();
        }
    }

    @Test
    void a_sync_cancel_from_another_thread_ends_a_poll_while_the_owner_waits() throws Exception {
        List<FileDesc> fds = new ArrayList<>();
        try (Uring ring = Uring.open(8)) {
            FileDesc listener = UringTestSupport.listener();
            fds.add(listener);
            FileDesc[] pair = UringTestSupport.tcpPair(listener);
            fds.add(pair[0]);
            fds.add(pair[1]);
            ring.sqe().pollAdd(pair[1].fd(), POLLIN, true, 5);
            ring.submit();
            AtomicReference<List<Completion>> seen = new AtomicReference<>();
            Thread owner = Thread.ofPlatform().name("uring-owner").start(() -> {
                try {
                    ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(10));
                    seen.set(UringTestSupport.drain(ring));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            UringSetupTest.waitUntilWaitingInTheKernel("uring-owner");
            int cancelled = CompletableFuture.supplyAsync(() -> {
                try {
                    return ring.syncCancel(5, false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).get(5, TimeUnit.SECONDS);
            assertThat(cancelled).isEqualTo(1);
            assertThat(UringTestSupport.kernelPollRequests(ring)).as("gone when syncCancel returns").isZero();
            owner.join(5_000);
            assertThat(owner.isAlive()).isFalse();
            assertThat(seen.get()).containsExactly(new Completion(5, -ECANCELED, 0));
            assertThat(ring.syncCancel(5, false)).as("nothing left to cancel").isZero();
        } finally {
            UringTestSupport.closeAll(fds);
        }
    }
}
