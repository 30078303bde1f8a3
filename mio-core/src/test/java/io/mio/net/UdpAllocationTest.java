package io.mio.net;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise of the allocation-free forms: once the JIT has compiled them, sendTo / recvFrom with a
 * {@link SocketAddressHolder} allocate nothing, for heap and direct buffers and byte ranges alike.
 */
@Timeout(60)
class UdpAllocationTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll("the JDK's DatagramChannel allocates per receive (sender addresses); only the epoll backend promises allocation-free UDP");
    }
    private static final int BATCH = 2_000;
    private static final int MAX_BATCHES = 40;

    interface Op {
        void run() throws Exception;
    }

    /** The smallest allocation seen over one batch, after running batches until one is (nearly) allocation-free. */
    private static long steadyStateBytes(Op op) throws Exception {
        // Reflection: the test sources compile inside module io.mio, which does not read jdk.management.
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> sunBean = Class.forName("com.sun.management.ThreadMXBean");
        Assumptions.assumeTrue(sunBean.isInstance(bean), "no per-thread allocation counter");
        Assumptions.assumeTrue((Boolean) sunBean.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean),
                "per-thread allocation counting is off");
        Method allocated = sunBean.getMethod("getThreadAllocatedBytes", long.class);
        Long id = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        for (int b = 0; b < MAX_BATCHES && best > 0; b++) {
            long before = (Long) allocated.invoke(bean, id);
            for (int i = 0; i < BATCH; i++) {
                op.run();
            }
            best = Math.min(best, (Long) allocated.invoke(bean, id) - before);
        }
        return best;
    }

    @Test
    void send_to_and_recv_from_with_a_holder_allocate_nothing_in_steady_state() throws Exception {
        try (UdpSocket a = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0));
             UdpSocket b = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
            SocketAddressHolder to = new SocketAddressHolder(b.localAddr());
            SocketAddressHolder from = new SocketAddressHolder();
            ByteBuffer heapOut = ByteBuffer.allocate(32), heapIn = ByteBuffer.allocate(64);
            ByteBuffer directOut = ByteBuffer.allocateDirect(32), directIn = ByteBuffer.allocateDirect(64);
            byte[] arrOut = new byte[32], arrIn = new byte[64];
            int[] received = new int[1];
            long bytes = steadyStateBytes(() -> {
                a.sendTo(heapOut.clear(), to);
                if (b.recvFrom(heapIn.clear(), from) >= 0) {
                    received[0]++;
                }
                a.sendTo(directOut.clear(), to);
                if (b.recvFrom(directIn.clear(), from) >= 0) {
                    received[0]++;
                }
                a.sendTo(arrOut, 0, 32, to);
                if (b.recvFrom(arrIn, 0, 64, from) >= 0) {
                    received[0]++;
                }
                // sub-ranges of arrays and buffers
                a.sendTo(arrOut, 3, 20, to);
                if (b.recvFrom(arrIn, 5, 40, from) >= 0) {
                    received[0]++;
                }
                a.sendTo(heapOut.clear().position(4), to);
                if (b.recvFrom(heapIn.clear().position(8), from) >= 0) {
                    received[0]++;
                }
            });
            assertThat(received[0]).as("datagrams went through").isPositive();
            assertThat(from.sameAs(a.localAddr())).isTrue();
            assertThat(bytes).as("bytes allocated by %d rounds of sendTo/recvFrom (best batch; 10 calls per round)", BATCH).isLessThan(1024);
        }
    }
}
