package io.mio.internal.linux;

import io.mio.TestBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The poller mark of {@link FileDesc}: one atomic step takes a reference and the right to poll. */
class FileDescPollerTest {
    @BeforeAll
    static void epollOnly() {
        TestBackend.assumeEpoll(TestBackend.FFM);
    }

    private static boolean isOpen(int fd) {
        return Sys.fcntl(fd, LinuxConstants.F_GETFD, 0) >= 0;
    }

    @Test
    void one_poller_at_a_time_and_other_calls_alongside() throws Exception {
        FileDesc d = new FileDesc(Sys.eventfd(0, LinuxConstants.EFD_CLOEXEC | LinuxConstants.EFD_NONBLOCK), "test");
        try {
            assertThat(d.acquirePoller()).isTrue();
            assertThat(d.acquirePoller()).as("a second poller is refused").isFalse();
            d.acquire(); // an ordinary call alongside the poller
            assertThat(d.inFlight()).isEqualTo(2);
            d.release();
            d.releasePoller();
            assertThat(d.inFlight()).isZero();
            assertThat(d.acquirePoller()).as("the mark is free again").isTrue();
            d.releasePoller();
        } finally {
            d.close();
        }
    }

    @Test
    void close_while_polling_closes_the_number_only_when_the_poller_leaves() throws Exception {
        int fd = Sys.eventfd(0, LinuxConstants.EFD_CLOEXEC | LinuxConstants.EFD_NONBLOCK);
        FileDesc d = new FileDesc(fd, "test");
        assertThat(d.acquirePoller()).isTrue();
        d.close();
        assertThat(isOpen(fd)).as("still owned by the poll in flight").isTrue();
        assertThatThrownBy(d::acquirePoller).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(d::acquire).isInstanceOf(ClosedChannelException.class);
        d.releasePoller();
        assertThat(isOpen(fd)).as("closed by the last one out").isFalse();
    }
}
