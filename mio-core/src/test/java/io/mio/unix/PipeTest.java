package io.mio.unix;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class PipeTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final byte[] DATA = "Hello, pipe!".getBytes(StandardCharsets.US_ASCII);

    /** Reads until end of file, waiting for events of {@code token} between would-blocks. */
    static byte[] readToEnd(Poll poll, Events events, Token token, Pipe.Receiver r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int n = r.read(buf);
            if (n < 0) {
                return out.toByteArray();
            }
            if (n == 0) {
                poll.poll(events, Duration.ofMillis(50));
            } else {
                out.write(buf, 0, n);
            }
        }
        throw new AssertionError("no end of file within " + WAIT + "; got " + out);
    }

    @Test
    void smoke() throws Exception {
        try (Poll poll = Poll.open(); Pipe pipe = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token ts = new Token(0), tr = new Token(1);
            poll.registry().register(pipe.sender(), ts, Interest.WRITABLE);
            poll.registry().register(pipe.receiver(), tr, Interest.READABLE);
            TestSupport.expectEvent(poll, events, ts, Event::isWritable, WAIT);
            assertThat(pipe.receiver().read(new byte[8])).as("empty pipe would block").isZero();
            assertThat(pipe.sender().write(DATA)).isEqualTo(DATA.length);
            TestSupport.expectEvent(poll, events, tr, Event::isReadable, WAIT);
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            assertThat(pipe.receiver().read(direct)).isEqualTo(DATA.length);
            assertThat(pipe.receiver().read(ByteBuffer.allocate(4))).isZero();
            assertThat(pipe.sender().write(ByteBuffer.wrap(DATA).asReadOnlyBuffer())).isEqualTo(DATA.length);
            byte[] got = new byte[64];
            assertThat(pipe.receiver().read(got, 0, 64)).isEqualTo(DATA.length);
        }
    }

    @Test
    void ends_are_non_blocking_and_close_on_exec() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        try (Pipe pipe = Pipe.open()) {
            for (int fd : new int[] {pipe.sender().rawFd(), pipe.receiver().rawFd()}) {
                assertThat(io.mio.internal.linux.Sys.fcntl(fd, 3 /* F_GETFL */, 0) & 0x800).as("O_NONBLOCK").isNotZero();
                assertThat(io.mio.internal.linux.Sys.fcntl(fd, 1 /* F_GETFD */, 0) & 1).as("FD_CLOEXEC").isEqualTo(1);
            }
            // fill the pipe: a full pipe would block instead of blocking
            byte[] chunk = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = pipe.sender().write(chunk)) > 0) {
                total += n;
                assertThat(total).isLessThan(64L << 20);
            }
            assertThat(n).isZero();
        }
    }

    @Test
    void closing_the_sender_gives_read_closed() throws Exception {
        try (Poll poll = Poll.open(); Pipe pipe = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token tr = new Token(1);
            poll.registry().register(pipe.receiver(), tr, Interest.READABLE);
            pipe.sender().close();
            TestSupport.expectEvent(poll, events, tr, Event::isReadClosed, WAIT);
            assertThat(pipe.receiver().read(new byte[4])).isEqualTo(-1);
            assertThatThrownBy(() -> pipe.sender().write(DATA)).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void closing_the_receiver_gives_write_closed_and_epipe() throws Exception {
        try (Poll poll = Poll.open(); Pipe pipe = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token ts = new Token(0);
            poll.registry().register(pipe.sender(), ts, Interest.WRITABLE);
            TestSupport.expectEvent(poll, events, ts, Event::isWritable, WAIT);
            pipe.receiver().close();
            TestSupport.expectEvent(poll, events, ts, Event::isWriteClosed, WAIT);
            assertThatThrownBy(() -> pipe.sender().write(DATA)).isInstanceOf(IOException.class).hasMessageContaining("EPIPE");
        }
    }

    @Test
    void adopts_raw_descriptors_and_checks_their_direction() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        try (Pipe pipe = Pipe.open()) {
            int w = io.mio.internal.linux.Sys.dup(pipe.sender().rawFd());
            int r = io.mio.internal.linux.Sys.dup(pipe.receiver().rawFd());
            try (Pipe.Sender s = Pipe.Sender.fromRawFd(w); Pipe.Receiver rc = Pipe.Receiver.fromRawFd(r)) {
                assertThatThrownBy(() -> Pipe.Sender.fromRawFd(r))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reading only");
                assertThatThrownBy(() -> Pipe.Receiver.fromRawFd(w))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writing only");
                assertThat(s.write(DATA)).isEqualTo(DATA.length);
                assertThat(rc.read(new byte[64])).isEqualTo(DATA.length);
            }
        }
    }

    @Test
    void reads_a_child_process_stdout() throws Exception {
        io.mio.TestBackend.assumeEpoll("a java.nio.channels.Pipe cannot be handed to a child process (no descriptor to redirect)");
        try (Poll poll = Poll.open(); Pipe pipe = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token tr = new Token(1);
            poll.registry().register(pipe.receiver(), tr, Interest.READABLE);
            Process child = pipe.sender().startChild(new ProcessBuilder("sh", "-c", "printf 'from the child'"));
            pipe.sender().close(); // only the child holds the write end now
            try {
                TestSupport.expectEvent(poll, events, tr, Event::isReadable, WAIT);
                byte[] out = readToEnd(poll, events, tr, pipe.receiver());
                assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("from the child");
                assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void non_blocking_io_with_a_child_through_stdin_and_stdout() throws Exception {
        io.mio.TestBackend.assumeEpoll("a java.nio.channels.Pipe cannot be handed to a child process (no descriptor to redirect)");
        try (Poll poll = Poll.open(); Pipe in = Pipe.open(); Pipe out = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token tw = new Token(0), tr = new Token(1);
            Process child = Pipe.startChild(new ProcessBuilder("cat"), in.receiver(), out.sender(), null);
            in.receiver().close();
            out.sender().close();
            try {
                poll.registry().register(in.sender(), tw, Interest.WRITABLE);
                poll.registry().register(out.receiver(), tr, Interest.READABLE);
                TestSupport.expectEvent(poll, events, tw, Event::isWritable, WAIT);
                assertThat(in.sender().write(DATA)).isEqualTo(DATA.length);
                in.sender().close(); // cat sees end of file and exits
                byte[] echoed = readToEnd(poll, events, tr, out.receiver());
                assertThat(echoed).isEqualTo(DATA);
                assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void reads_a_child_process_stderr_and_leaves_its_stdout_as_configured() throws Exception {
        io.mio.TestBackend.assumeEpoll("a java.nio.channels.Pipe cannot be handed to a child process (no descriptor to redirect)");
        try (Poll poll = Poll.open(); Pipe err = Pipe.open()) {
            Events events = Events.withCapacity(8);
            Token tr = new Token(1);
            poll.registry().register(err.receiver(), tr, Interest.READABLE);
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", "printf out; printf err >&2");
            Process child = Pipe.startChild(pb, null, null, err.sender());
            err.sender().close();
            try {
                byte[] got = readToEnd(poll, events, tr, err.receiver());
                assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("err");
                assertThat(child.getInputStream().readAllBytes()).as("stdout stays a JDK pipe")
                        .isEqualTo("out".getBytes(StandardCharsets.US_ASCII));
                assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void start_child_restores_the_builders_redirects_even_when_the_start_fails() throws Exception {
        io.mio.TestBackend.assumeEpoll("a java.nio.channels.Pipe cannot be handed to a child process (no descriptor to redirect)");
        try (Pipe pipe = Pipe.open()) {
            ProcessBuilder pb = new ProcessBuilder("true").redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process child = Pipe.startChild(pb, pipe.receiver(), pipe.sender(), pipe.sender());
            try {
                assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(pb.redirectInput()).isEqualTo(ProcessBuilder.Redirect.PIPE);
            assertThat(pb.redirectOutput()).isEqualTo(ProcessBuilder.Redirect.DISCARD);
            assertThat(pb.redirectError()).isEqualTo(ProcessBuilder.Redirect.PIPE);

            pb.command("/nonexistent/mio-test-command");
            assertThatThrownBy(() -> pipe.receiver().startChild(pb)).isInstanceOf(IOException.class);
            assertThat(pb.redirectInput()).isEqualTo(ProcessBuilder.Redirect.PIPE);
            assertThat(pipe.receiver().isOpen()).as("a failed start leaves the end open and usable").isTrue();
            assertThat(pipe.sender().write(DATA)).isEqualTo(DATA.length);
            assertThat(pipe.receiver().read(new byte[64])).isEqualTo(DATA.length);
        }
    }

    /**
     * The former API handed out a {@link ProcessBuilder.Redirect} naming {@code /proc/self/fd/N}: after the end was
     * closed, {@code N} could name another file by the time the process started, and the child wrote into it. Now
     * the end is held for the whole start, and a closed end is refused.
     */
    @Test
    void a_closed_end_is_refused_and_a_file_that_reused_its_number_is_left_alone() throws Exception {
        io.mio.TestBackend.assumeEpoll("a java.nio.channels.Pipe cannot be handed to a child process (no descriptor to redirect)");
        java.nio.file.Path victim = java.nio.file.Files.createTempFile("mio-pipe-victim", ".txt");
        try (Pipe pipe = Pipe.open()) {
            java.nio.file.Files.writeString(victim, "user data\n");
            pipe.sender().close();
            try (java.io.RandomAccessFile reuser = new java.io.RandomAccessFile(victim.toFile(), "rw")) {
                ProcessBuilder pb = new ProcessBuilder("echo", "CHILD OUTPUT");
                assertThatThrownBy(() -> pipe.sender().startChild(pb)).isInstanceOf(ClosedChannelException.class);
                assertThatThrownBy(() -> Pipe.startChild(pb, pipe.receiver(), pipe.sender(), null))
                        .isInstanceOf(ClosedChannelException.class);
                assertThat(pipe.receiver().isOpen()).isTrue();
            }
            assertThat(java.nio.file.Files.readString(victim)).isEqualTo("user data\n");
        } finally {
            java.nio.file.Files.deleteIfExists(victim);
        }
    }

    @Test
    void no_pipe_end_hands_out_a_redirect_that_outlives_its_descriptor() {
        for (Class<?> end : new Class<?>[] {Pipe.Sender.class, Pipe.Receiver.class, Pipe.class}) {
            for (java.lang.reflect.Method m : end.getMethods()) {
                assertThat(m.getReturnType()).as("%s.%s", end.getSimpleName(), m.getName())
                        .isNotEqualTo(ProcessBuilder.Redirect.class);
            }
        }
    }

    @Test
    void start_child_is_unsupported_on_the_selector_backend() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.mio.TestBackend.selector(), "the SELECTOR backend's limit");
        try (Pipe pipe = Pipe.open()) {
            ProcessBuilder pb = new ProcessBuilder("true");
            assertThatThrownBy(() -> pipe.sender().startChild(pb)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("SELECTOR");
            assertThatThrownBy(() -> pipe.receiver().startChild(pb)).isInstanceOf(UnsupportedOperationException.class);
            pipe.sender().close();
            assertThatThrownBy(() -> pipe.sender().startChild(pb)).isInstanceOf(ClosedChannelException.class);
        }
    }
}
