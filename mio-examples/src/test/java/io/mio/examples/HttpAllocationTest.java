package io.mio.examples;

import io.mio.Backend;
import io.mio.examples.HttpTestClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.mio.examples.HttpTestClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP loop allocates nothing per request once compiled: the loop thread's allocated-bytes counter
 * (ThreadMXBean) over batches of keep-alive, pipelined requests of every kind the server answers (plaintext,
 * JSON, an upload with a body, a 404), read and checked by a client on this thread.
 */
class HttpAllocationTest {
    /** Requests per client write: 10, all answered in one server write. */
    private static final String ROUND = get("/plaintext").repeat(4) + get("/json").repeat(4)
            + "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100) + get("/nope");
    private static final int REQUESTS_PER_ROUND = 10;
    private static final int ROUNDS_PER_BATCH = 500;
    private static final int MAX_BATCHES = 60;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void the_loop_allocates_nothing_per_request_once_compiled() throws Exception {
        assumeTrue(Backend.current() == Backend.EPOLL,
                "measures the epoll backend: the Selector backend allocates per poll (see the README)");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        byte[] round = ROUND.getBytes(StandardCharsets.US_ASCII);
        try (HttpServer.Running server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), 1);
             HttpTestClient client = new HttpTestClient(server.address())) {
            long loop = server.threads().getFirst().threadId();
            // Until the JIT has compiled the loop and the library's calls beneath it, the interpreter and C1 may
            // allocate what C2's escape analysis removes; so run batches and keep the cleanest one.
            long best = Long.MAX_VALUE;
            long[] all = new long[MAX_BATCHES];
            int b = 0;
            for (; b < MAX_BATCHES && best > 0; b++) {
                long before = threads.getThreadAllocatedBytes(loop);
                for (int i = 0; i < ROUNDS_PER_BATCH; i++) {
                    client.send(round);
                    for (int r = 0; r < REQUESTS_PER_ROUND; r++) {
                        Response response = client.read();
                        assertThat(response.status()).as("answer %d of a round", r).isEqualTo(r == 9 ? 404 : 200);
                    }
                }
                all[b] = threads.getThreadAllocatedBytes(loop) - before;
                best = Math.min(best, all[b]);
            }
            int requests = ROUNDS_PER_BATCH * REQUESTS_PER_ROUND;
            System.out.printf("[http-alloc] cleanest batch: %d bytes over %d requests (%.3f bytes/request), after %d"
                    + " batches; all batches: %s%n", best, requests, (double) best / requests, b,
                    Arrays.toString(Arrays.copyOf(all, b)));
            assertThat(best).as("bytes the loop thread allocated in its cleanest batch of %d requests", requests)
                    .isZero();
        }
    }
}
