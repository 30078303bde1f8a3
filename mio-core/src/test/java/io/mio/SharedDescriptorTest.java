package io.mio;

import io.mio.internal.linux.LinuxConstants;
import io.mio.internal.linux.Sys;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.unix.Pipe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What others can do to a descriptor or a buffer the library uses must not hang or corrupt the JVM: another
 * owner of the open file clearing O_NONBLOCK, or an Arena closed under a buffer.
 */
class SharedDescriptorTest {
    @BeforeEach
    void onlyOnEpoll() {
        TestBackend.assumeEpoll(TestBackend.FFM);
    }

    private static void clearNonBlocking(int fd) {
        int flags = Sys.fcntl(fd, LinuxConstants.F_GETFL, 0);
        assertThat(flags).isGreaterThanOrEqualTo(0);
        assertThat(Sys.fcntl(fd, LinuxConstants.F_SETFL, flags & ~LinuxConstants.O_NONBLOCK)).isZero();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void socket_reads_and_writes_stay_non_blocking_when_someone_clears_O_NONBLOCK() throws Exception {
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream client = TcpStream.connect(listener.localAddr())) {
            TcpStream server = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server == null && System.nanoTime() < deadline) {
                server = listener.accept();
            }
            assertThat(server).isNotNull();
            try (TcpStream s = server) {
                // As a process sharing the open file (a dup, an inherited descriptor) may do.
                clearNonBlocking(s.rawFd());
                clearNonBlocking(listener.rawFd());
                assertThat(s.read(ByteBuffer.allocate(16))).as("heap read with nothing to read").isZero();
                assertThat(s.read(ByteBuffer.allocateDirect(16))).as("direct read").isZero();
                assertThat(s.read(new byte[16], 3, 8)).as("byte[] read at an offset").isZero();
                assertThat(s.peek(ByteBuffer.allocate(4))).as("peek").isZero();
                // Fill the send path until it would block: must return 0, not block.
                byte[] chunk = new byte[1 << 16];
                long written = 0;
                int n;
                while ((n = s.write(chunk)) > 0) {
                    written += n;
                }
                assertThat(n).isZero();
                assertThat(written).isPositive();
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void a_pipe_read_that_blocks_because_a_sharer_cleared_O_NONBLOCK_does_not_stop_the_other_threads() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            clearNonBlocking(pipe.receiver().rawFd());
            CountDownLatch reading = new CountDownLatch(1);
            AtomicInteger got = new AtomicInteger(-2);
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    reading.countDown();
                    got.set(pipe.receiver().read(new byte[8]));
                } catch (Exception e) {
                    got.set(-3);
                }
            });
            reading.await();
            Thread.sleep(200); // the reader is now blocked in read(2)
            // A blocked critical downcall would keep this GC's safepoint from ever being reached.
            System.gc();
            assertThat(pipe.sender().write(new byte[] {1, 2, 3})).isEqualTo(3);
            reader.join(10_000);
            assertThat(got.get()).isEqualTo(3);
        }
    }

    @Test
    void a_buffer_of_a_closed_arena_is_refused_not_handed_to_the_kernel() throws Exception {
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream client = TcpStream.connect(listener.localAddr())) {
            Arena arena = Arena.ofShared();
            ByteBuffer buffer = arena.allocate(64).asByteBuffer();
            Thread.sleep(50);
            client.write(ByteBuffer.wrap("hello".getBytes()));
            TcpStream server = listener.accept();
            assertThat(server).isNotNull();
            try (TcpStream s = server) {
                assertThat(s.peek(buffer)).isIn(0, 5); // remembered while alive
                arena.close();
                assertThatThrownBy(() -> s.read(buffer))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Arena is closed");
                assertThatThrownBy(() -> client.write(buffer))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Arena is closed");
            }
        }
    }
}
