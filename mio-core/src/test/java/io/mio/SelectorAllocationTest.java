package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures (and prints) the heap bytes one poll allocates on the SELECTOR backend with N ready events. The JDK's
 * Selector gives no zero-allocation guarantee (its fd-to-key map boxes descriptor numbers above 127), so the only
 * assertion is on the events themselves; the figure goes into the README.
 */
@Timeout(120)
class SelectorAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void selectorOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBackend.selector(), "measures the SELECTOR backend");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T r) {
        resources.add(r);
        return r;
    }

    @Test
    void bytes_per_poll_with_1_and_64_ready_events() throws Exception {
        measure(1);
        measure(64);
    }

    private void measure(int n) throws Exception {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(anyLocal()));
        TcpStream[] clients = new TcpStream[n];
        TcpStream[] servers = new TcpStream[n];
        for (int i = 0; i < n; i++) {
            clients[i] = keep(TcpStream.connect(listener.localAddr()));
            servers[i] = keep(acceptWithin(listener, WITHIN));
            poll.registry().register(clients[i], new Token(i), Interest.READABLE);
        }
        Events events = Events.withCapacity(n);
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        ByteBuffer sink = ByteBuffer.allocateDirect(64);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        long pollBytes = 0;
        int measured = 0;
        for (int round = 0; round < 11_000; round++) {
            for (TcpStream s : servers) {
                s.write(one.clear());
            }
            int seen = 0;
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (seen < n && System.nanoTime() < deadline) {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                poll.poll(events, Duration.ofSeconds(1));
                long after = THREADS.getCurrentThreadAllocatedBytes();
                if (round >= 1_000) { // after warm-up
                    pollBytes += after - before;
                    measured++;
                }
                seen += events.size();
            }
            assertThat(seen).as("ready events in round " + round).isEqualTo(n);
            for (TcpStream c : clients) {
                while (c.read(sink.clear()) > 0) {
                    // drain to would-block, which re-arms
                }
            }
        }
        System.out.printf("[allocation] SELECTOR backend: %d ready events per round: %.1f bytes per poll (%d polls)%n",
                n, (double) pollBytes / measured, measured);
    }
}
