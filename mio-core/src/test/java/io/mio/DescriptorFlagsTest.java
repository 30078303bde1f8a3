package io.mio;

import io.mio.internal.linux.Sys;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every descriptor the library creates is close-on-exec and non-blocking, and writes to a broken connection
 * never raise SIGPIPE (MSG_NOSIGNAL).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DescriptorFlagsTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.FFM + " (fcntl flags and the signal mask); the JDK writes without MSG_NOSIGNAL, relying on the JVM ignoring SIGPIPE");
    }
    private static final int F_GETFD = 1;
    private static final int F_GETFL = 3;
    private static final int FD_CLOEXEC = 1;
    private static final int O_NONBLOCK = 0x800;

    private static void assertCloexecAndNonBlocking(String what, int fd) {
        assertThat(RawFds.fcntl(fd, F_GETFD) & FD_CLOEXEC).as(what + " (fd " + fd + ") has FD_CLOEXEC").isEqualTo(FD_CLOEXEC);
        assertThat(RawFds.fcntl(fd, F_GETFL) & O_NONBLOCK).as(what + " (fd " + fd + ") has O_NONBLOCK").isEqualTo(O_NONBLOCK);
    }

    private static TcpStream acceptOne(TcpListener listener) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        TcpStream s;
        while ((s = listener.accept()) == null) {
            assertThat(System.nanoTime()).as("connection accepted").isLessThan(deadline);
            Thread.sleep(1);
        }
        return s;
    }

    @Test
    void listener_accepted_and_connected_sockets_are_close_on_exec_and_non_blocking() throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            TcpListener listener;
            try {
                listener = TcpListener.bind(new InetSocketAddress(host, 0));
            } catch (IOException noIpv6) {
                continue; // no IPv6 loopback on this machine
            }
            try (listener;
                 TcpStream client = TcpStream.connect(listener.localAddr());
                 TcpStream accepted = acceptOne(listener)) {
                assertCloexecAndNonBlocking("TcpListener.bind " + host, listener.rawFd());
                assertCloexecAndNonBlocking("TcpStream.connect " + host, client.rawFd());
                assertCloexecAndNonBlocking("TcpListener.accept " + host, accepted.rawFd());
            }
        }
    }

    @Test
    void adopted_descriptors_are_made_close_on_exec_and_non_blocking() throws IOException {
        int plain = Sys.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0); // blocking, inherited by exec
        assertThat(plain).isNotNegative();
        assertThat(RawFds.fcntl(plain, F_GETFD) & FD_CLOEXEC).isZero();
        try (TcpStream stream = TcpStream.fromRawFd(plain)) {
            assertCloexecAndNonBlocking("TcpStream.fromRawFd", stream.rawFd());
        }
    }

    private interface Adopt {
        AutoCloseable adopt(int fd) throws IOException;
    }

    /** fromRawFd must check the descriptor before changing it: a refused one stays blocking and inheritable. */
    @Test
    void a_refused_adopt_leaves_the_descriptor_flags_unchanged() throws Exception {
        int inetStream = Sys.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
        int unixDgram = Sys.socket(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */, 0);
        assertThat(inetStream).isNotNegative();
        assertThat(unixDgram).isNotNegative();
        try {
            Map<String, Adopt> wrongFamily = Map.of(
                    "UnixStream.fromRawFd(AF_INET)", io.mio.net.UnixStream::fromRawFd,
                    "UnixListener.fromRawFd(AF_INET)", io.mio.net.UnixListener::fromRawFd,
                    "UdpSocket.fromRawFd(AF_UNIX)", io.mio.net.UdpSocket::fromRawFd);
            Map<String, Adopt> wrongType = Map.of(
                    "UnixDatagram.fromRawFd(SOCK_STREAM)", io.mio.net.UnixDatagram::fromRawFd,
                    "UdpSocket.fromRawFd(SOCK_STREAM)", io.mio.net.UdpSocket::fromRawFd,
                    "UnixStream.fromRawFd(SOCK_DGRAM)", io.mio.net.UnixStream::fromRawFd);
            for (var e : wrongFamily.entrySet()) {
                int fd = e.getKey().startsWith("UdpSocket") ? unixDgram : inetStream;
                assertThatThrownBy(() -> e.getValue().adopt(fd)).as(e.getKey()).isInstanceOf(IllegalArgumentException.class);
                assertUnchanged(e.getKey(), fd);
            }
            for (var e : wrongType.entrySet()) {
                int fd = e.getKey().endsWith("(SOCK_DGRAM)") ? unixDgram : inetStream;
                assertThatThrownBy(() -> e.getValue().adopt(fd)).as(e.getKey()).isInstanceOf(IllegalArgumentException.class);
                assertUnchanged(e.getKey(), fd);
            }
        } finally {
            Sys.close(inetStream);
            Sys.close(unixDgram);
        }
    }

    private static void assertUnchanged(String what, int fd) {
        assertThat(RawFds.fcntl(fd, F_GETFD)).as(what + ": the caller's descriptor is still open").isNotNegative();
        assertThat(RawFds.fcntl(fd, F_GETFD) & FD_CLOEXEC).as(what + ": FD_CLOEXEC still clear").isZero();
        assertThat(RawFds.fcntl(fd, F_GETFL) & O_NONBLOCK).as(what + ": still blocking").isZero();
    }

    /** Descriptor number to link target ("anon_inode:[eventpoll]", "socket:[123]", ...). */
    private static Map<Integer, String> descriptors() throws IOException {
        Map<Integer, String> all = new HashMap<>();
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.startsWith("/proc/")) { // not the listing's own directory descriptor
                        all.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException ignored) {
                    // the listing's own descriptor
                }
            }
        }
        return all;
    }

    @Test
    void poll_and_waker_descriptors_are_close_on_exec_and_their_eventfds_non_blocking()
            throws IOException {
        Map<Integer, String> before = descriptors();
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), new Token(1))) {
            Map<Integer, String> after = descriptors();
            after.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
            assertThat(after.values()).as("descriptors a Poll with a Waker opens")
                    .containsExactlyInAnyOrder(TestBackend.uring() ? "anon_inode:[io_uring]" : "anon_inode:[eventpoll]",
                            "anon_inode:[eventfd]", "anon_inode:[eventfd]");
            for (Map.Entry<Integer, String> e : after.entrySet()) {
                int fd = e.getKey();
                assertThat(RawFds.fcntl(fd, F_GETFD) & FD_CLOEXEC).as(e.getValue() + " (fd " + fd + ") has FD_CLOEXEC")
                        .isEqualTo(FD_CLOEXEC);
                if (e.getValue().contains("eventfd")) {
                    // A blocking eventfd write would hang a waker whose counter is full.
                    assertThat(RawFds.fcntl(fd, F_GETFL) & O_NONBLOCK).as(e.getValue() + " has O_NONBLOCK").isEqualTo(O_NONBLOCK);
                }
            }
        }
    }

    // ---- MSG_NOSIGNAL ---------------------------------------------------------------------------------

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PTHREAD_SIGMASK = LINKER.downcallHandle(
            LINKER.defaultLookup().find("pthread_sigmask").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGPENDING = LINKER.downcallHandle(
            LINKER.defaultLookup().find("sigpending").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final int SIG_BLOCK = 0;
    private static final int SIG_SETMASK = 2;
    private static final int SIGPIPE = 13;
    private static final long SIGSET_SIZE = 128;

    @FunctionalInterface
    private interface Write {
        void to(TcpStream stream) throws IOException;
    }

    /**
     * Writes to a connection whose peer is gone until the write fails, with SIGPIPE blocked on this thread: a
     * send without MSG_NOSIGNAL would leave SIGPIPE pending, which sigpending shows. (The JVM ignores SIGPIPE,
     * so the process would survive either way; the pending signal is what gives a missing flag away.)
     */
    private static void assertBrokenConnectionWriteRaisesNoSigpipe(String what, Write write) throws Throwable {
        try (Arena arena = Arena.ofConfined();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream client = TcpStream.connect(listener.localAddr())) {
            TcpStream accepted = acceptOne(listener);
            accepted.close();
            MemorySegment block = arena.allocate(SIGSET_SIZE, 8);
            block.set(JAVA_LONG, 0, 1L << (SIGPIPE - 1));
            MemorySegment old = arena.allocate(SIGSET_SIZE, 8);
            MemorySegment pending = arena.allocate(SIGSET_SIZE, 8);
            assertThat((int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, block, old)).isZero();
            try {
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 1000; i++) {
                        write.to(client);
                        Thread.sleep(1);
                    }
                }).as(what + " on a connection the peer closed").isInstanceOf(SocketException.class)
                        .hasMessageMatching(".*(EPIPE|ECONNRESET).*");
                assertThat((int) SIGPENDING.invokeExact(pending)).isZero();
                assertThat(pending.get(JAVA_LONG, 0) & (1L << (SIGPIPE - 1))).as(what + " raised SIGPIPE").isZero();
            } finally {
                // A pending SIGPIPE would now go to the JVM's handler, which ignores it.
                assertThat((int) PTHREAD_SIGMASK.invokeExact(SIG_SETMASK, old, MemorySegment.NULL)).isZero();
            }
        }
    }

    @Test
    void writes_to_a_closed_peer_fail_with_an_exception_and_raise_no_sigpipe() throws Throwable {
        byte[] bytes = new byte[100];
        assertBrokenConnectionWriteRaisesNoSigpipe("write(byte[])", s -> s.write(bytes, 0, bytes.length));
        assertBrokenConnectionWriteRaisesNoSigpipe("write(heap ByteBuffer)", s -> s.write(ByteBuffer.allocate(100)));
        assertBrokenConnectionWriteRaisesNoSigpipe("write(direct ByteBuffer)", s -> s.write(ByteBuffer.allocateDirect(100)));
        assertBrokenConnectionWriteRaisesNoSigpipe("gather write(direct ByteBuffer[])",
                s -> s.write(new ByteBuffer[] {ByteBuffer.allocateDirect(50), ByteBuffer.allocateDirect(50)}));
        assertBrokenConnectionWriteRaisesNoSigpipe("sendUrgent", s -> s.sendUrgent((byte) 1));
    }
}
