package io.mio.internal.uring;

import io.mio.TestBackend;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.LinuxConstants;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers of the io_uring layer's tests: the skip rules, loopback TCP pairs, collecting completions. */
final class UringTestSupport {
    private UringTestSupport() {}

    /** Why these tests skip in the SELECTOR execution. */
    static final String LAYER = "the io_uring layer calls the kernel itself and uses no public backend; "
            + "the default (EPOLL) execution runs it, a second run under SELECTOR would test nothing new";

    /** Set to true (CI on a kernel known to allow io_uring) to fail instead of skipping when io_uring is refused. */
    static final String REQUIRE = "io.mio.test.requireUring";

    private static volatile String unavailable; // null: not checked; "": available

    /**
     * Skips outside the default execution, and where io_uring is missing or refused (naming the cause), unless
     * {@value #REQUIRE} is set, which turns the second skip into a failure.
     */
    static void assumeUring() {
        TestBackend.assumeEpoll(LAYER);
        String why = unavailable;
        if (why == null) {
            try (Uring ring = Uring.open(2)) {
                why = "";
            } catch (UringUnavailableException e) {
                why = e.getMessage();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            unavailable = why;
        }
        if (!why.isEmpty() && Boolean.getBoolean(REQUIRE)) {
            throw new AssertionError("io_uring is required (-D" + REQUIRE + ") but unavailable: " + why);
        }
        String cause = why;
        Assumptions.assumeTrue(cause.isEmpty(), () -> "io_uring unavailable here: " + cause);
    }

    /** One completion, copied out of the cursor. */
    record Completion(long userData, int res, int flags) {
        boolean more() {
            return (flags & UringConstants.IORING_CQE_F_MORE) != 0;
        }

        int bufferId() {
            return flags >>> UringConstants.IORING_CQE_BUFFER_SHIFT;
        }

        boolean hasBuffer() {
            return (flags & UringConstants.IORING_CQE_F_BUFFER) != 0;
        }
    }

    /** Everything in the completion ring now. */
    static List<Completion> drain(Uring ring) throws IOException {
        List<Completion> out = new ArrayList<>();
        Cqe cqe = ring.completions();
        while (cqe.next()) {
            out.add(new Completion(cqe.userData(), cqe.res(), cqe.flags()));
        }
        return out;
    }

    /** Submits, then collects completions until {@code count} have arrived or {@code millis} have passed. */
    static List<Completion> await(Uring ring, int count, long millis) throws IOException {
        List<Completion> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ring.submitAndWait(0, 0);
                out.addAll(drain(ring));
                return out;
            }
            ring.submitAndWait(count - out.size(), left);
            out.addAll(drain(ring));
            if (out.size() >= count) {
                return out;
            }
        }
    }

    /** Submits and collects whatever completes within {@code millis} (for "nothing arrives" checks). */
    static List<Completion> quiet(Uring ring, long millis) throws IOException {
        return await(ring, Integer.MAX_VALUE, millis);
    }

    static List<Completion> of(List<Completion> all, long userData) {
        return all.stream().filter(c -> c.userData() == userData).toList();
    }

    /** A listener on 127.0.0.1 and an ephemeral port. */
    static FileDesc listener() throws IOException {
        FileDesc l = SocketOps.open(LinuxConstants.AF_INET, LinuxConstants.SOCK_STREAM, "listener");
        SocketOps.bind(l, new InetSocketAddress("127.0.0.1", 0));
        SocketOps.listen(l, 1024);
        return l;
    }

    /** A connected loopback TCP pair through {@code listener}: [0] the connecting side, [1] the accepted side. */
    static FileDesc[] tcpPair(FileDesc listener) throws IOException {
        FileDesc client = SocketOps.open(LinuxConstants.AF_INET, LinuxConstants.SOCK_STREAM, "client");
        SocketOps.connect(client, SocketOps.localAddress(listener));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        InetSocketAddress[] peer = new InetSocketAddress[1];
        for (;;) {
            int fd = SocketOps.accept(listener, peer);
            if (fd >= 0) {
                return new FileDesc[] {client, new FileDesc(fd, "accepted")};
            }
            assertThat(System.nanoTime()).as("accepted within 5 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Writes {@code text}'s bytes to {@code fd} with send(2) (not through the ring). */
    static void sendText(FileDesc fd, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(SocketOps.send(fd, bytes, 0, bytes.length, 0)).isEqualTo(bytes.length);
    }

    /** recv(2) of what is there (not through the ring): the bytes as text, "" at end of stream, null if none yet. */
    static String recvText(FileDesc fd) throws IOException {
        byte[] buf = new byte[65536];
        int n = SocketOps.recv(fd, buf, 0, buf.length, 0); // SocketOps: -1 at end of stream, 0 would block
        return n < 0 ? "" : n == 0 ? null : new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Off-heap memory holding {@code text}, for sends through the ring. */
    static MemorySegment offHeap(Arena arena, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MemorySegment s = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    /** The lines of the PollList section of the ring's /proc fdinfo: one per poll request the kernel holds. */
    static int kernelPollRequests(Uring ring) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + ring.fd()));
        int start = lines.indexOf("PollList:");
        assertThat(start).as("fdinfo of an io_uring descriptor lists PollList").isNotNegative();
        int n = 0;
        for (int i = start + 1; i < lines.size() && lines.get(i).startsWith("  op="); i++) {
            n++;
        }
        return n;
    }

    static void closeAll(List<FileDesc> fds) {
        for (FileDesc fd : fds) {
            fd.close();
        }
    }

    static int fcntl(int fd, int cmd) {
        return Sys.fcntl(fd, cmd, 0);
    }
}
