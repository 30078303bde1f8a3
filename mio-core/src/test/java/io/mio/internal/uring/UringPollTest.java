package io.mio.internal.uring;

import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.mio.internal.uring.UringConstants.*;
import static io.mio.internal.uring.UringTestSupport.Completion;
import static io.mio.internal.uring.UringTestSupport.await;
import static io.mio.internal.uring.UringTestSupport.of;
import static io.mio.internal.uring.UringTestSupport.quiet;
import static io.mio.internal.uring.UringTestSupport.recvText;
import static io.mio.internal.uring.UringTestSupport.sendText;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multishot poll on loopback TCP sockets, the readiness primitive of the proposed backend: what starts, repeats,
 * changes and ends it, and that 10,000 of them come and go without leaving anything in the kernel.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UringPollTest {
    private static final long WAIT = 5_000;
    private static final long QUIET = 150;
    private static final int READ = POLLIN | POLLRDHUP;

    private final List<FileDesc> fds = new ArrayList<>();
    private Uring ring;
    private FileDesc client;
    private FileDesc server;

    @BeforeAll
    static void uring() {
        UringTestSupport.assumeUring();
    }

    @BeforeEach
    void pair() throws IOException {
        ring = Uring.open(64, 256, Uring.TaskRun.COOPERATIVE);
        FileDesc listener = UringTestSupport.listener();
        fds.add(listener);
        FileDesc[] pair = UringTestSupport.tcpPair(listener);
        client = pair[0];
        server = pair[1];
        fds.add(client);
        fds.add(server);
    }

    @AfterEach
    void close() {
        ring.close();
        UringTestSupport.closeAll(fds);
    }

    @Test
    void multishot_poll_reports_each_new_arrival_with_F_MORE_edge_triggered() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 1);
        assertThat(quiet(ring, QUIET)).as("nothing to read yet").isEmpty();

        sendText(client, "a");
        List<Completion> first = await(ring, 1, WAIT);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).userData()).isEqualTo(1);
        assertThat(first.get(0).res() & POLLIN).as("POLLIN in res").isEqualTo(POLLIN);
        assertThat(first.get(0).more()).as("still armed (F_MORE)").isTrue();

        // Edge-triggered: no drain, and no new completion until something new arrives...
        assertThat(quiet(ring, QUIET)).isEmpty();
        // ...and a new arrival gives a new completion although the first byte is still unread.
        sendText(client, "b");
        List<Completion> second = await(ring, 1, WAIT);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).more()).isTrue();
        assertThat(recvText(server)).isEqualTo("ab");
    }

    @Test
    void a_one_shot_poll_completes_once_and_is_gone() throws IOException {
        sendText(client, "x");
        ring.sqe().pollAdd(server.fd(), READ, false, 2);
        List<Completion> got = await(ring, 1, WAIT);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).more()).as("one-shot: no F_MORE").isFalse();
        sendText(client, "y");
        assertThat(quiet(ring, QUIET)).isEmpty();
        assertThat(UringTestSupport.kernelPollRequests(ring)).isZero();
    }

    @Test
    void poll_remove_ends_the_request_with_ECANCELED_and_no_F_MORE_and_nothing_follows() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 3);
        ring.submit();
        assertThat(UringTestSupport.kernelPollRequests(ring)).isEqualTo(1);

        ring.sqe().pollRemove(3, 30);
        List<Completion> got = await(ring, 2, WAIT);
        assertThat(of(got, 30)).as("the remove itself").containsExactly(new Completion(30, 0, 0));
        assertThat(of(got, 3)).as("the poll's last completion").containsExactly(new Completion(3, -ECANCELED, 0));
        assertThat(UringTestSupport.kernelPollRequests(ring)).isZero();

        sendText(client, "late");
        assertThat(quiet(ring, QUIET)).as("after removal").isEmpty();
    }

    @Test
    void async_cancel_by_user_data_ends_a_poll_and_an_unknown_user_data_gives_ENOENT() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 4);
        ring.sqe().cancel(4, 0, 40);
        ring.sqe().cancel(12345, 0, 41);
        List<Completion> got = await(ring, 3, WAIT);
        assertThat(of(got, 4)).containsExactly(new Completion(4, -ECANCELED, 0));
        assertThat(of(got, 40)).containsExactly(new Completion(40, 0, 0));
        assertThat(of(got, 41)).containsExactly(new Completion(41, -io.mio.internal.linux.LinuxConstants.ENOENT, 0));
    }

    @Test
    void cancel_by_descriptor_ends_every_request_on_it() throws IOException {
        ring.sqe().pollAdd(server.fd(), POLLIN, true, 5);
        ring.sqe().pollAdd(server.fd(), POLLOUT | POLLIN, true, 6); // writable at once: one completion before the cancel
        ring.submit();
        server.acquire();
        try {
            ring.sqe().cancelFd(server.fd(), IORING_ASYNC_CANCEL_ALL, 50);
            ring.submit(); // while this FileDesc owns the number
        } finally {
            server.release();
        }
        List<Completion> got = await(ring, 4, WAIT);
        assertThat(of(got, 50)).as("cancel by fd with ALL answers the count").containsExactly(new Completion(50, 2, 0));
        assertThat(of(got, 5)).containsExactly(new Completion(5, -ECANCELED, 0));
        assertThat(of(got, 6)).last().isEqualTo(new Completion(6, -ECANCELED, 0));
    }

    @Test
    void sync_cancel_ends_the_request_before_it_returns_and_with_all_every_request_of_that_user_data() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 11);
        ring.sqe().pollAdd(client.fd(), READ, true, 11);
        ring.sqe().pollAdd(server.fd(), READ, true, 12);
        ring.submit();
        assertThat(ring.syncCancel(12, false)).isEqualTo(1);
        assertThat(UringTestSupport.kernelPollRequests(ring)).as("gone when syncCancel returns").isEqualTo(2);
        assertThat(ring.syncCancel(11, true)).as("requests cancelled").isEqualTo(2);
        assertThat(UringTestSupport.kernelPollRequests(ring)).isZero();
        assertThat(UringTestSupport.drain(ring)).containsExactlyInAnyOrder(
                new Completion(12, -ECANCELED, 0), new Completion(11, -ECANCELED, 0), new Completion(11, -ECANCELED, 0));
        assertThat(ring.syncCancel(11, true)).as("nothing left").isZero();
    }

    @Test
    void poll_update_changes_events_and_user_data_in_place_and_reports_what_is_already_ready() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 7);
        assertThat(quiet(ring, QUIET)).isEmpty();

        // As epoll_ctl(MOD): interest now writable, token 8; the socket is writable, so that shows at once.
        ring.sqe().pollUpdate(7, 8, POLLOUT, true, 70);
        List<Completion> got = await(ring, 2, WAIT);
        assertThat(of(got, 70)).containsExactly(new Completion(70, 0, 0));
        assertThat(of(got, 8)).hasSize(1);
        assertThat(of(got, 8).get(0).res() & POLLOUT).isEqualTo(POLLOUT);
        assertThat(of(got, 8).get(0).more()).isTrue();
        assertThat(of(got, 7)).as("the old user data never shows again").isEmpty();

        sendText(client, "r");
        assertThat(quiet(ring, QUIET)).as("readable is no longer asked for").extracting(Completion::userData).doesNotContain(7L);
        assertThat(UringTestSupport.kernelPollRequests(ring)).isEqualTo(1);
    }

    @Test
    void the_peer_shutting_down_is_reported_with_POLLRDHUP_and_the_poll_stays_armed() throws IOException {
        ring.sqe().pollAdd(server.fd(), READ, true, 9);
        ring.submit();
        io.mio.internal.linux.SocketOps.shutdown(client, io.mio.internal.linux.LinuxConstants.SHUT_WR);
        List<Completion> got = await(ring, 1, WAIT);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).res() & (POLLIN | POLLRDHUP)).isEqualTo(POLLIN | POLLRDHUP);
        assertThat(got.get(0).more()).isTrue();
        assertThat(recvText(server)).as("end of stream").isEmpty();
    }

    /**
     * The kernel's poll holds a reference to the open file: closing the descriptor neither ends the poll nor closes
     * the socket (no FIN to the peer), and the poll goes on reporting. A backend must cancel before close(2), by user
     * data (the number is gone after close, so cancel-by-fd cannot find it).
     */
    @Test
    void closing_the_descriptor_leaves_the_poll_and_the_socket_alive_until_the_poll_is_cancelled() throws Exception {
        ring.sqe().pollAdd(client.fd(), READ, true, 10);
        ring.submit();
        int number = client.fd();
        assertThat(Sys.close(number)).isZero(); // behind FileDesc's back: the descriptor alone, as a plain close(2) does
        fds.remove(client);

        assertThat(recvText(server)).as("the peer sees no end of stream: the socket is still open").isNull();
        sendText(server, "to a closed descriptor");
        List<Completion> got = await(ring, 1, WAIT);
        assertThat(got).as("a readiness event for a descriptor closed already").hasSize(1);
        assertThat(got.get(0).userData()).isEqualTo(10);

        ring.sqe().cancel(10, 0, 100);
        List<Completion> cancel = await(ring, 2, WAIT);
        assertThat(of(cancel, 10)).containsExactly(new Completion(10, -ECANCELED, 0));
        // Only now is the socket released; it had unread data, so the peer gets a reset instead of a FIN.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String seen = null;
        while (System.nanoTime() < deadline) {
            try {
                seen = recvText(server);
            } catch (java.net.SocketException reset) {
                seen = reset.getMessage();
            }
            if (seen != null) {
                break;
            }
            Thread.sleep(5);
        }
        assertThat(seen).as("the peer after the cancel").contains("ECONNRESET");
    }

    /**
     * 10,000 multishot polls (5,000 loopback connections, both ends) are armed, all fire, all are cancelled, three
     * times over, and the kernel holds none afterwards: fdinfo's PollList is empty, every request ended exactly once
     * with -ECANCELED, and closing the sockets then really closes them (each peer reads end of stream). The CQ ring
     * has room for every completion of a round: under overflow the kernel ends multishot requests by itself (see
     * UringOverflowTest), which is not what this test is about.
     */
    @Test
    void ten_thousand_multishot_polls_are_added_fired_and_cancelled_without_leaking() throws IOException {
        ring.close();
        ring = Uring.open(256, 16_384, Uring.TaskRun.COOPERATIVE);
        int pairs = 5_000;
        List<FileDesc> sockets = new ArrayList<>(2 * pairs);
        FileDesc listener = fds.get(0);
        for (int i = 0; i < pairs; i++) {
            FileDesc[] p = UringTestSupport.tcpPair(listener);
            sockets.add(p[0]);
            sockets.add(p[1]);
        }
        fds.addAll(sockets);
        int n = sockets.size();
        byte[] one = {1};

        for (int round = 0; round < 3; round++) {
            long base = (long) round << 32;
            for (int i = 0; i < n; i++) {
                ring.sqe().pollAdd(sockets.get(i).fd(), POLLIN, true, base + i);
            }
            ring.submit();
            assertThat(UringTestSupport.kernelPollRequests(ring)).as("round %d: polls the kernel holds", round).isEqualTo(n);

            // Every socket becomes readable: each poll is live and reports once.
            for (int i = 0; i < n; i++) {
                io.mio.internal.linux.SocketOps.send(sockets.get(i ^ 1), one, 0, 1, 0);
            }
            Map<Long, Integer> fired = collect(n, base, false);
            assertThat(fired).as("round %d: readiness completions", round).hasSize(n);
            assertThat(fired.values()).as("round %d: readiness completions are POLLIN, still armed", round)
                    .allMatch(res -> res == POLLIN);

            for (int i = 0; i < n; i++) {
                ring.sqe().cancel(base + i, 0, -1L).flags(IOSQE_CQE_SKIP_SUCCESS);
            }
            Map<Long, Integer> ended = collect(n, base, true);
            assertThat(ended.values()).as("round %d: every poll ends once, with -ECANCELED", round).containsOnly(-ECANCELED);
            assertThat(ended).hasSize(n);
            assertThat(UringTestSupport.kernelPollRequests(ring)).as("round %d: polls left in the kernel", round).isZero();
            for (FileDesc s : sockets) {
                assertThat(recvText(s)).isEqualTo("\u0001");
            }
        }
        assertThat(ring.droppedCompletions()).isZero();

        // No request pins a socket: closing one end is seen by the other at once.
        for (int i = 0; i < n; i += 2) {
            sockets.get(i).close();
        }
        for (int i = 1; i < n; i += 2) {
            assertThat(recvText(sockets.get(i))).as("pair %d's peer after close", i / 2).isEmpty();
        }
    }

    /**
     * Collects completions of this round until {@code n} distinct user data have been seen: the first completion of
     * each when {@code terminal} is false, the last (no F_MORE) when true, which must come once per request. Fails on
     * a cancel that failed (user data -1) and on a second last completion.
     */
    private Map<Long, Integer> collect(int n, long base, boolean terminal) throws IOException {
        Map<Long, Integer> seen = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Cqe cqe = ring.completions();
        while (seen.size() < n) {
            assertThat(System.nanoTime()).as("%d of %d completions within 60 s", seen.size(), n).isLessThan(deadline);
            ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(1));
            while (cqe.next()) {
                assertThat(cqe.userData()).as("a cancel that failed: %s", cqe).isNotEqualTo(-1L);
                assertThat(cqe.userData() - base).as("user data of this round").isBetween(0L, (long) n - 1);
                if (!terminal) {
                    assertThat(cqe.more()).as("a poll that ended by itself: %s", cqe).isTrue();
                    seen.putIfAbsent(cqe.userData(), cqe.res());
                } else if (!cqe.more()) {
                    Integer previous = seen.put(cqe.userData(), cqe.res());
                    assertThat(previous).as("second last completion for %d", cqe.userData()).isNull();
                }
            }
        }
        return seen;
    }
}
