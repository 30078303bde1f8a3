package io.mio.unix;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class SourceFdTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll("SourceFd registers arbitrary descriptors, which java.nio.channels.Selector cannot");
    }
    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** A raw non-blocking pipe the test owns: {read, write}. */
    static int[] rawPipe() {
        MemorySegment fds = Sys.scratch();
        int rc = Sys.pipe2(fds.address(), 0x800 | 0x80000);
        assertThat(rc).isZero();
        return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
    }

    static void writeByte(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(1);
            assertThat(Sys.write(fd, b.address(), 1)).isEqualTo(1);
        }
    }

    static int drain(int fd) {
        int total = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(64);
            long n;
            while ((n = Sys.read(fd, b.address(), 64)) > 0) {
                total += (int) n;
            }
        }
        return total;
    }

    @Test
    void registers_a_foreign_descriptor_without_owning_it() throws Exception {
        int[] p = rawPipe();
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(8);
            SourceFd source = new SourceFd(p[0]);
            assertThat(source.fd()).isEqualTo(p[0]);
            poll.registry().register(source, new Token(4), Interest.READABLE);
            writeByte(p[1]);
            TestSupport.expectEvent(poll, events, new Token(4), Event::isReadable, WAIT);
            assertThat(drain(p[0])).isEqualTo(1);

            poll.registry().reregister(source, new Token(5), Interest.READABLE);
            writeByte(p[1]);
            TestSupport.expectEvent(poll, events, new Token(5), Event::isReadable, WAIT);
            assertThat(drain(p[0])).isEqualTo(1);

            poll.registry().deregister(source);
            writeByte(p[1]);
            TestSupport.expectNoEvent(poll, events, new Token(5), Duration.ofMillis(150));
            assertThat(drain(p[0])).isEqualTo(1);

            poll.registry().register(source, new Token(6), Interest.READABLE);
            source.close();
            writeByte(p[1]);
            TestSupport.expectNoEvent(poll, events, new Token(6), Duration.ofMillis(150));
            assertThatThrownBy(() -> poll.registry().register(source, new Token(7), Interest.READABLE))
                    .isInstanceOf(ClosedChannelException.class);
            // the descriptor is still open and still ours
            assertThat(Sys.fcntl(p[0], 1 /* F_GETFD */, 0)).isGreaterThanOrEqualTo(0);
            assertThat(drain(p[0])).isEqualTo(1);
        } finally {
            Sys.close(p[0]);
            Sys.close(p[1]);
        }
    }

    /**
     * The documented consequence of closing the number before deregistering: when the number is reused by a
     * source registered with the same Poll, SourceFd's close removes that source's registration.
     */
    @Test
    void closing_after_the_number_was_reused_removes_the_new_files_registration() throws Exception {
        io.mio.TestBackend.assumeNotUring(io.mio.TestBackend.URING_STALE_FD);
        int[] p = rawPipe();
        int[] q = rawPipe();
        Pipe.Receiver reuser = null;
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(8);
            SourceFd stale = new SourceFd(p[0]);
            poll.registry().register(stale, new Token(1), Interest.READABLE);
            Sys.close(p[0]); // wrong order: closed while still registered
            int reused = Sys.dup(q[0]);
            if (reused != p[0]) {
                Sys.close(reused);
                org.junit.jupiter.api.Assumptions.abort("another thread took descriptor number " + p[0]);
            }
            reuser = Pipe.Receiver.fromRawFd(reused);
            poll.registry().register(reuser, new Token(2), Interest.READABLE);
            writeByte(q[1]);
            TestSupport.expectEvent(poll, events, new Token(2), Event::isReadable, WAIT);
            assertThat(drain(q[0])).isEqualTo(1);

            stale.close(); // epoll_ctl(DEL) by number: hits the reused number's registration
            writeByte(q[1]);
            TestSupport.expectNoEvent(poll, events, new Token(2), Duration.ofMillis(150));
            assertThat(reuser.read(new byte[8])).as("the data is there; only the registration is gone").isEqualTo(1);
        } finally {
            if (reuser != null) {
                reuser.close();
            }
            Sys.close(q[0]);
            Sys.close(q[1]);
            Sys.close(p[1]);
        }
    }

    @Test
    void epoll_refuses_a_regular_file() throws Exception {
        io.mio.TestBackend.assumeNotUring(io.mio.TestBackend.URING_POLL_ERROR);
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        try (Poll poll = Poll.open()) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                int fd = fdOf(raf);
                SourceFd source = new SourceFd(fd);
                assertThatThrownBy(() -> poll.registry().register(source, new Token(1), Interest.READABLE))
                        .isInstanceOf(IOException.class).hasMessageContaining("EPERM");
            }
            assertThatThrownBy(() -> new SourceFd(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The descriptor number of an open file, found through /proc (no reflection into the JDK). */
    private static int fdOf(RandomAccessFile raf) throws IOException {
        String target = null;
        Path self = Path.of("/proc/self/fd");
        try (var entries = Files.list(self)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                try {
                    if (Files.readSymbolicLink(e).toString().endsWith("plain.txt")) {
                        target = e.getFileName().toString();
                    }
                } catch (IOException ignored) {
                    // raced with a close
                }
            }
        }
        assertThat(target).as("descriptor of the open file").isNotNull();
        return Integer.parseInt(target);
    }
}
