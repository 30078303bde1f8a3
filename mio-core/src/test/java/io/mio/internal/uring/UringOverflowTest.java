package io.mio.internal.uring;

import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SocketOps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.mio.internal.uring.UringConstants.*;
import static io.mio.internal.uring.UringTestSupport.Completion;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * More completions than CQ entries: with IORING_FEAT_NODROP the kernel keeps the excess (IORING_SQ_CQ_OVERFLOW set)
 * and the cursor brings it in with io_uring_enter(GETEVENTS) once the ring is empty, so nothing is lost. What the
 * kernel does not keep is a multishot request's arming: it ends the request instead of overflowing its completions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringOverflowTest {

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @Test
    void completions_beyond_the_cq_ring_wait_in_the_kernel_and_all_arrive_once_in_order() throws IOException {
        try (Uring ring = Uring.open(4, 8, Uring.TaskRun.COOPERATIVE)) {
            for (int i = 0; i < 40; i++) {
                ring.sqe().nop(i);
            }
            ring.submit();
            assertThat(ring.pendingSubmissions()).as("everything submitted despite the full CQ ring").isZero();
            assertThat(ring.completionsReady()).as("the CQ ring is full").isEqualTo(8);
            assertThat(ring.sqFlags() & IORING_SQ_CQ_OVERFLOW).as("IORING_SQ_CQ_OVERFLOW").isNotZero();
            assertThat(ring.droppedCompletions()).isZero();

            long enters = ring.enterCalls();
            List<Completion> all = UringTestSupport.drain(ring);
            assertThat(all).extracting(Completion::userData).containsExactlyElementsOf(LongStream.range(0, 40).boxed().toList());
            assertThat(ring.enterCalls() - enters).as("io_uring_enter calls to flush the overflow").isPositive();
            assertThat(ring.sqFlags() & IORING_SQ_CQ_OVERFLOW).as("overflow flag once flushed").isZero();
            assertThat(ring.droppedCompletions()).isZero();
        }
    }

    /**
     * 32 sockets polled with multishot POLLIN become readable together, into a CQ ring of 8: every readiness is
     * reported, but the requests whose completion did not fit are ended (their last completion, without F_MORE,
     * carries POLLIN). A backend must re-arm on any completion without F_MORE, or that source goes deaf.
     */
    @Test
    void under_overflow_multishot_polls_are_ended_with_their_readiness_and_rearming_restores_them() throws IOException {
        List<FileDesc> fds = new ArrayList<>();
        try (Uring ring = Uring.open(8, 8, Uring.TaskRun.COOPERATIVE)) {
            FileDesc listener = UringTestSupport.listener();
            fds.add(listener);
            int n = 32;
            FileDesc[] clients = new FileDesc[n];
            FileDesc[] servers = new FileDesc[n];
            for (int i = 0; i < n; i++) {
                FileDesc[] p = UringTestSupport.tcpPair(listener);
                clients[i] = p[0];
                servers[i] = p[1];
                fds.add(p[0]);
                fds.add(p[1]);
                ring.sqe().pollAdd(servers[i].fd(), POLLIN, true, i);
            }
            ring.submit();
            assertThat(UringTestSupport.kernelPollRequests(ring)).isEqualTo(n);

            byte[] one = {1};
            for (int i = 0; i < n; i++) {
                SocketOps.send(clients[i], one, 0, 1, 0);
            }
            List<Completion> got = UringTestSupport.await(ring, n, 5_000);
            assertThat(got).extracting(Completion::userData).as("each socket's readiness, once")
                    .containsExactlyInAnyOrderElementsOf(LongStream.range(0, n).boxed().toList());
            assertThat(got).allMatch(c -> c.res() == POLLIN, "res is POLLIN");
            long ended = got.stream().filter(c -> !c.more()).count();
            System.out.println("[uring] 32 ready sockets into a CQ ring of 8: " + ended + " multishot polls ended by the kernel");
            assertThat(ended).as("polls the kernel ended rather than overflow").isPositive();
            assertThat(UringTestSupport.kernelPollRequests(ring)).as("polls still armed").isEqualTo(n - (int) ended);
            assertThat(ring.droppedCompletions()).isZero();

            for (FileDesc server : servers) {
                assertThat(UringTestSupport.recvText(server)).isEqualTo("\u0001"); // drained: a re-armed poll finds nothing ready
            }
            for (Completion c : got) {
                if (!c.more()) {
                    ring.sqe().pollAdd(servers[(int) c.userData()].fd(), POLLIN, true, c.userData());
                }
            }
            ring.submit();
            assertThat(UringTestSupport.kernelPollRequests(ring)).as("after re-arming").isEqualTo(n);
        } finally {
            UringTestSupport.closeAll(fds);
        }
    }
}
