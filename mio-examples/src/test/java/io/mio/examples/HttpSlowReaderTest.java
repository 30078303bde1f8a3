package io.mio.examples;

import io.mio.examples.HttpTestClient.Curl;
import io.mio.examples.HttpTestClient.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.mio.examples.HttpTestClient.curl;
import static io.mio.examples.HttpTestClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that pipelines requests and never reads its answers must not make the server buffer without bound: the
 * server stops reading it once its answers cannot be sent, so the client's writes block after what the kernel's
 * socket buffers hold, while the server's thread allocates nothing for it and goes on serving everybody else.
 * When the client finally reads, every answer arrives, in order.
 */
class HttpSlowReaderTest {
    /** Requests per write of the client that does not read. */
    private static final int BATCH = 100;
    /**
     * What the client may push before its writes must block: the kernel's socket buffers on both sides (on this
     * machine up to 32 MiB of receive buffer, 4 MiB of send buffer) and the server's 16 KiB per connection. A server
     * that kept reading would take everything and never block the writer.
     */
    private static final long MAX_BYTES_BEFORE_BLOCKING = 128L << 20;
    /** What the server's thread may allocate meanwhile: nothing per request; the bound leaves room for the JIT. */
    private static final long MAX_ALLOCATED = 1 << 20;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_client_that_stops_reading_is_held_to_bounded_memory_while_others_are_served() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        byte[] batch = get("/plaintext").repeat(BATCH).getBytes(StandardCharsets.US_ASCII);
        // One loop, so that the other clients below are served by the very thread the hog is trying to swamp.
        try (HttpServer.Running server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), 1);
             HttpTestClient hog = new HttpTestClient(server.address())) {
            long loop = server.threads().getFirst().threadId();
            warmUp(server.address());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            long allocatedBefore = threads.getThreadAllocatedBytes(loop);
            OutputStream out = hog.socket.getOutputStream();
            Thread writer = Thread.ofPlatform().daemon().name("hog-writer").start(() -> {
                try {
                    while (!stop.get() && sent.get() * get("/plaintext").length() < 2 * MAX_BYTES_BEFORE_BLOCKING) {
                        out.write(batch); // blocks once the server stops reading
                        sent.addAndGet(BATCH);
                    }
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });

            // Blocked: no progress for a whole second.
            long last = -1;
            long stillSince = System.nanoTime();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - stillSince < TimeUnit.SECONDS.toNanos(1)) {
                assertThat(System.nanoTime()).as("the writer still progresses after 60 s; %d requests sent", sent.get())
                        .isLessThan(deadline);
                assertThat(writer.isAlive()).as("the writer is still writing (%d requests sent, failure %s)",
                        sent.get(), writeFailure.get()).isTrue();
                long now = sent.get();
                if (now != last) {
                    last = now;
                    stillSince = System.nanoTime();
                }
                Thread.sleep(50);
            }
            long blockedAt = sent.get();
            long pushed = blockedAt * get("/plaintext").length();
            long allocated = threads.getThreadAllocatedBytes(loop) - allocatedBefore;
            System.out.printf("[http-slow-reader] the writer blocked after %d requests (%.1f MiB); the server's loop"
                    + " allocated %d bytes meanwhile%n", blockedAt, pushed / 1048576.0, allocated);
            assertThat(pushed).as("bytes pushed before the writer blocked").isLessThan(MAX_BYTES_BEFORE_BLOCKING);
            assertThat(allocated).as("bytes the loop allocated while the client pushed %d requests", blockedAt)
                    .isLessThan(MAX_ALLOCATED);

            // Others are served meanwhile, on the same loop.
            Curl c = curl(url(server, "/json"));
            assertThat(c.out()).as("curl while the hog is blocked; stderr: %s", c.err())
                    .isEqualTo("{\"message\":\"Hello, World!\"}");
            try (HttpTestClient other = new HttpTestClient(server.address())) {
                other.send(get("/plaintext") + get("/plaintext"));
                assertThat(other.read().text()).isEqualTo("Hello, World!");
                assertThat(other.read().text()).isEqualTo("Hello, World!");
            }

            // Now the hog reads: its writer's blocked write completes, and every request is answered, in order.
            stop.set(true);
            AtomicLong received = new AtomicLong();
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().daemon().name("hog-reader").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Response r = hog.read();
                        if (r.status() != 200 || !r.text().equals("Hello, World!")) {
                            throw new AssertionError("answer " + received.get() + ": " + r);
                        }
                        received.incrementAndGet();
                    }
                } catch (Throwable e) {
                    readFailure.compareAndSet(null, e);
                }
            });
            writer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(writer.isAlive()).as("the writer finished once the hog read").isFalse();
            assertThat(writeFailure.get()).isNull();
            long total = sent.get();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.get() < total && readFailure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(readFailure.get()).as("reading the answers").isNull();
            assertThat(received.get()).as("answers received for %d requests", total).isEqualTo(total);
            hog.socket.shutdownOutput();
            reader.join(TimeUnit.SECONDS.toMillis(30));
            // After the last answer the server saw the hog's FIN and closed: the reader ended at end of stream.
            assertThat(reader.isAlive()).isFalse();
            assertThat(readFailure.get()).as("end of stream after answer %d", total)
                    .hasMessageContaining("end of stream in a response head");
            assertThat(received.get()).as("no answer beyond the requests").isEqualTo(total);
        }
    }

    /** Runs the loop's paths once so that the JIT's first compilations are not counted above. */
    private static void warmUp(InetSocketAddress address) throws IOException {
        try (HttpTestClient client = new HttpTestClient(address)) {
            for (int i = 0; i < 200; i++) {
                client.send(get("/plaintext").repeat(20));
                for (int j = 0; j < 20; j++) {
                    client.read();
                }
            }
        }
    }

    private static String url(HttpServer.Running server, String path) throws IOException {
        return "http://127.0.0.1:" + server.address().getPort() + path;
    }
}
