package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The hot paths allocate nothing on the Java heap once the JIT has compiled them.
 *
 * <p>Each case runs a warm-up (so that C2 compiles the path and escape analysis removes the temporary
 * memory segments), then measured rounds of {@value #MEASURED} iterations; one round must allocate exactly
 * zero bytes on this thread. Several rounds are allowed (at least 5, up to a minute) because a compilation may land
 * in the middle of one.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AllocationTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.FFM + " (it measures the epoll backend's zero-allocation promise; SelectorAllocationTest measures this backend)");
    }
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 200_000;
    private static final int MEASURED = 100_000;
    private static final int MAX_ROUNDS = 5;
    private static final Duration ZERO = Duration.ZERO;
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    @FunctionalInterface
    private interface Op {
        void run(int iteration) throws IOException;
    }

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Warms {@code op} up, then requires one round of {@value #MEASURED} iterations with 0 bytes allocated. */
    private static void assertAllocationFree(String what, int warmup, Op op) throws IOException {
        assertThat(THREADS.isThreadAllocatedMemorySupported())
                .as("allocated-bytes counter supported").isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < warmup; i++) {
            op.run(i);
        }
        StringBuilder rounds = new StringBuilder();
        // at least MAX_ROUNDS rounds, then on until a minute has passed: on a loaded 2-core machine C2 may take
        // several rounds to compile the whole path (the bytes fall round by round while it does)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int round = 0; round < MAX_ROUNDS || System.nanoTime() < deadline; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                op.run(i);
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            String line = String.format("%s: round %d, %d iterations, %d bytes allocated (%.4f bytes/op)",
                    what, round + 1, MEASURED, bytes, (double) bytes / MEASURED);
            System.out.println("[allocation] " + line);
            rounds.append(line).append('\n');
            if (bytes == 0) {
                return;
            }
        }
        fail("no allocation-free round of " + MEASURED + " iterations:\n" + rounds);
    }

    /** A connected pair over loopback: [0] the connecting side, [1] the accepted side. */
    private TcpStream[] connectedPair(TcpListener listener) throws IOException {
        TcpStream client = keep(TcpStream.connect(listener.localAddr()));
        TcpStream accepted = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (accepted == null && System.nanoTime() < deadline) {
            accepted = listener.accept();
            if (accepted == null) {
                Thread.onSpinWait();
            }
        }
        assertThat(accepted).as("accepted connection").isNotNull();
        keep(accepted);
        return new TcpStream[] {client, accepted};
    }

    private TcpListener listener() throws IOException {
        return keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
    }

    // ---- (a) poll with N ready events, and reading them ------------------------------------------

    @Test
    void poll_with_one_ready_event_and_reading_it_allocates_nothing() throws IOException {
        pollWithReadyEvents(1, WARMUP);
    }

    @Test
    void poll_with_64_ready_events_and_reading_them_allocates_nothing() throws IOException {
        // Every iteration re-arms 64 registrations: fewer warm-up polls give as many compiled calls.
        pollWithReadyEvents(64, 20_000);
    }

    /**
     * N client streams each hold one unread byte and are registered READABLE. Registrations are
     * edge-triggered, so every iteration re-arms them with reregister (EPOLL_CTL_MOD reports a source that is
     * still ready again); every poll then returns exactly N events, which are read by index, by for-each and
     * by forEach.
     */
    private void pollWithReadyEvents(int n, int warmup) throws IOException {
        Poll poll = keep(Poll.open());
        Registry registry = poll.registry();
        TcpListener listener = listener();
        TcpStream[] clients = new TcpStream[n];
        Token[] tokens = new Token[n];
        long expectedTokenSum = 0;
        for (int i = 0; i < n; i++) {
            TcpStream[] pair = connectedPair(listener);
            clients[i] = pair[0];
            assertThat(pair[1].write(new byte[] {42})).isEqualTo(1);
            tokens[i] = new Token(1000 + i);
            expectedTokenSum += 1000 + i;
            registry.register(clients[i], tokens[i], Interest.READABLE);
        }
        Events events = Events.withCapacity(n + 8);
        // The byte must have arrived before the measured loop relies on N events per poll.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            for (int i = 0; i < n; i++) {
                registry.reregister(clients[i], tokens[i], Interest.READABLE);
            }
            poll.poll(events, ZERO);
        } while (events.size() < n && System.nanoTime() < deadline);
        assertThat(events.size()).as("ready events per poll").isEqualTo(n);

        long tokenSum = expectedTokenSum;
        long[] sink = new long[1];
        Consumer<Event> summer = e -> sink[0] += e.token().value();
        assertAllocationFree("poll with " + n + " ready event(s) + indexed/for-each/forEach iteration", warmup, iteration -> {
            for (int i = 0; i < n; i++) {
                registry.reregister(clients[i], tokens[i], Interest.READABLE);
            }
            poll.poll(events, ZERO);
            int size = events.size();
            if (size != n) {
                throw new AssertionError("poll returned " + size + " events, expected " + n);
            }
            long indexed = 0;
            int readable = 0;
            for (int i = 0; i < size; i++) {
                Event e = events.get(i);
                indexed += e.token().value();
                if (e.isReadable() && !e.isWritable() && !e.isError() && !e.isReadClosed() && !e.isWriteClosed()
                        && !e.isPriority() && !e.isAio() && !e.isLio()) {
                    readable++;
                }
            }
            long iterated = 0;
            int count = 0;
            for (Event e : events) {
                iterated += e.token().value();
                count++;
            }
            sink[0] = 0;
            events.forEach(summer);
            if (indexed != tokenSum || iterated != tokenSum || sink[0] != tokenSum || count != n || readable != n
                    || events.isEmpty()) {
                throw new AssertionError("wrong events: indexed " + indexed + ", for-each " + iterated + " ("
                        + count + "), forEach " + sink[0] + ", readable " + readable + ", expected " + tokenSum);
            }
        });
    }

    // ---- (b) reading and writing ------------------------------------------------------------------

    private static final int CHUNK = 32;

    @Test
    void read_and_write_with_heap_buffers_allocate_nothing() throws IOException {
        TcpStream[] pair = connectedPair(listener());
        ByteBuffer out = ByteBuffer.allocate(CHUNK + 16);
        ByteBuffer in = ByteBuffer.allocate(CHUNK + 16);
        assertAllocationFree("TcpStream write+read, heap ByteBuffer", WARMUP,
                iteration -> roundTripBuffers(pair[0], pair[1], out, in, iteration));
    }

    @Test
    void read_and_write_with_direct_buffers_allocate_nothing() throws IOException {
        // An event loop's shape: several connections, each with its own buffers (more buffers than one thread
        // remembers), used in turn.
        int connections = 8;
        TcpListener listener = listener();
        TcpStream[][] pairs = new TcpStream[connections][];
        ByteBuffer[] outs = new ByteBuffer[connections];
        ByteBuffer[] ins = new ByteBuffer[connections];
        for (int c = 0; c < connections; c++) {
            pairs[c] = connectedPair(listener);
            outs[c] = ByteBuffer.allocateDirect(CHUNK + 16);
            ins[c] = ByteBuffer.allocateDirect(CHUNK + 16);
        }
        assertAllocationFree("TcpStream write+read, direct ByteBuffer (8 connections, own buffers)", WARMUP, iteration -> {
            int c = iteration & (connections - 1);
            roundTripBuffers(pairs[c][0], pairs[c][1], outs[c], ins[c], iteration);
        });
    }

    @Test
    void vectored_io_through_the_channel_interfaces_allocates_nothing() throws IOException {
        // Gather write and scatter read of a header and a body (direct buffers, the range [1, 3) of four), called
        // through GatheringByteChannel / ScatteringByteChannel, on a TCP stream (sendmsg, readv) and a pipe (writev,
        // readv), in turn.
        TcpStream[] tcp = connectedPair(listener());
        io.mio.unix.Pipe pipe = keep(io.mio.unix.Pipe.open());
        java.nio.channels.GatheringByteChannel[] outs = {tcp[0], pipe.sender()};
        java.nio.channels.ScatteringByteChannel[] ins = {tcp[1], pipe.receiver()};
        ByteBuffer[] srcs = {ByteBuffer.allocateDirect(8), ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(60),
                ByteBuffer.allocateDirect(8)};
        ByteBuffer[] dsts = {ByteBuffer.allocateDirect(8), ByteBuffer.allocateDirect(4), ByteBuffer.allocateDirect(60),
                ByteBuffer.allocateDirect(8)};
        assertAllocationFree("GatheringByteChannel.write + ScatteringByteChannel.read, TcpStream and Pipe, direct",
                WARMUP, iteration -> {
                    int k = iteration & 1;
                    srcs[1].clear().putInt(0, iteration);
                    srcs[2].clear().put(59, (byte) iteration);
                    long total = 0;
                    while (total < 64) {
                        long n = outs[k].write(srcs, 1, 2);
                        if (n == 0) {
                            throw new AssertionError("write would block on an idle channel");
                        }
                        total += n;
                    }
                    dsts[1].clear();
                    dsts[2].clear();
                    total = 0;
                    int spins = 0;
                    while (total < 64) {
                        long r = ins[k].read(dsts, 1, 2);
                        if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                            throw new AssertionError("read returned " + r);
                        }
                        total += r;
                    }
                    if (dsts[1].getInt(0) != iteration || dsts[2].get(59) != (byte) iteration || dsts[0].position() != 0) {
                        throw new AssertionError("wrong bytes at iteration " + iteration);
                    }
                });
    }

    @Test
    void unix_stream_read_and_write_with_heap_and_direct_buffers_allocate_nothing() throws IOException {
        io.mio.net.UnixStream.Pair pair = io.mio.net.UnixStream.pair();
        ByteBuffer heapOut = ByteBuffer.allocate(CHUNK + 16);
        ByteBuffer heapIn = ByteBuffer.allocate(CHUNK + 16);
        ByteBuffer directOut = ByteBuffer.allocateDirect(CHUNK + 16);
        ByteBuffer directIn = ByteBuffer.allocateDirect(CHUNK + 16);
        try {
            assertAllocationFree("UnixStream write+read, heap and direct ByteBuffers", WARMUP, iteration -> {
                boolean direct = (iteration & 1) == 0;
                unixRoundTrip(pair.first(), pair.second(), direct ? directOut : heapOut, direct ? directIn : heapIn,
                        iteration);
            });
        } finally {
            pair.close();
        }
    }

    private static void unixRoundTrip(io.mio.net.UnixStream from, io.mio.net.UnixStream to, ByteBuffer out,
            ByteBuffer in, int iteration) throws IOException {
        int offset = iteration & 15;
        byte mark = (byte) iteration;
        out.clear().position(offset).limit(offset + CHUNK);
        out.put(offset, mark).put(offset + CHUNK - 1, (byte) ~mark);
        while (out.hasRemaining()) {
            if (from.write(out) == 0) {
                throw new AssertionError("write would block on an idle Unix stream");
            }
        }
        in.clear().position(offset).limit(offset + CHUNK);
        int spins = 0;
        while (in.hasRemaining()) {
            int r = to.read(in);
            if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                throw new AssertionError("read returned " + r);
            }
        }
        if (in.get(offset) != mark || in.get(offset + CHUNK - 1) != (byte) ~mark) {
            throw new AssertionError("wrong bytes read in iteration " + iteration);
        }
    }

    /**
     * Writes to a registered stream, polled after each round: on URING, with queued sends switched on for this Poll,
     * these writes are queued in its send memory and submitted by the poll, whose reap also takes their completions
     * (on EPOLL: send(2), then a poll).
     */
    @Test
    void writes_to_a_registered_stream_then_poll_allocate_nothing() throws IOException {
        TcpStream[] pair = connectedPair(listener());
        Poll poll;
        String was = System.setProperty("io.mio.uring.queuedSends", "true"); // read when a URING Poll opens
        try {
            poll = keep(Poll.open());
        } finally {
            if (was == null) {
                System.clearProperty("io.mio.uring.queuedSends");
            } else {
                System.setProperty("io.mio.uring.queuedSends", was);
            }
        }
        poll.registry().register(pair[0], new Token(1), Interest.READABLE);
        Events events = Events.withCapacity(8);
        ByteBuffer heap = ByteBuffer.allocate(CHUNK);
        byte[] array = new byte[CHUNK];
        ByteBuffer[] gather = {ByteBuffer.allocateDirect(CHUNK / 2), ByteBuffer.allocateDirect(CHUNK / 2)};
        ByteBuffer in = ByteBuffer.allocateDirect(3 * CHUNK);
        assertAllocationFree("write (heap buffer, array, gather) to a registered stream + poll + read", WARMUP / 4, iteration -> {
            heap.clear().put(0, (byte) iteration);
            array[CHUNK - 1] = (byte) ~iteration;
            gather[0].clear();
            gather[1].clear();
            if (pair[0].write(heap) != CHUNK || pair[0].write(array, 0, CHUNK) != CHUNK
                    || pair[0].write(gather, 0, 2) != CHUNK) {
                throw new AssertionError("short write on an idle loopback connection");
            }
            poll.poll(events, ZERO);
            in.clear();
            int spins = 0;
            while (in.hasRemaining()) {
                int r = pair[1].read(in);
                if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                    throw new AssertionError("read returned " + r + " after " + in.position() + " bytes");
                }
            }
            if (in.get(0) != (byte) iteration || in.get(2 * CHUNK - 1) != (byte) ~iteration) {
                throw new AssertionError("wrong bytes read in iteration " + iteration);
            }
        });
    }

    /** Sends CHUNK bytes from a window of {@code out} and reads them into a window of {@code in}. */
    private static void roundTripBuffers(TcpStream from, TcpStream to, ByteBuffer out, ByteBuffer in, int iteration)
            throws IOException {
        int offset = iteration & 15;
        byte mark = (byte) iteration;
        out.clear().position(offset).limit(offset + CHUNK);
        out.put(offset, mark).put(offset + CHUNK - 1, (byte) ~mark);
        while (out.hasRemaining()) {
            if (from.write(out) == 0) {
                throw new AssertionError("write would block on an idle loopback connection");
            }
        }
        in.clear().position(offset).limit(offset + CHUNK);
        int spins = 0;
        while (in.hasRemaining()) {
            int r = to.read(in);
            if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                throw new AssertionError("read returned " + r);
            }
        }
        if (in.get(offset) != mark || in.get(offset + CHUNK - 1) != (byte) ~mark) {
            throw new AssertionError("wrong bytes read in iteration " + iteration);
        }
    }

    @Test
    void read_and_write_with_byte_array_ranges_allocate_nothing() throws IOException {
        TcpStream[] pair = connectedPair(listener());
        byte[] out = new byte[CHUNK + 16];
        byte[] in = new byte[CHUNK + 16];
        assertAllocationFree("TcpStream write+read, byte[] range", WARMUP, iteration -> {
            int offset = iteration & 15;
            byte mark = (byte) iteration;
            out[offset] = mark;
            out[offset + CHUNK - 1] = (byte) ~mark;
            int sent = 0;
            while (sent < CHUNK) {
                int w = pair[0].write(out, offset + sent, CHUNK - sent);
                if (w == 0) {
                    throw new AssertionError("write would block on an idle loopback connection");
                }
                sent += w;
            }
            int got = 0;
            int spins = 0;
            while (got < CHUNK) {
                int r = pair[1].read(in, offset + got, CHUNK - got);
                if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                    throw new AssertionError("read returned " + r);
                }
                got += r;
            }
            if (in[offset] != mark || in[offset + CHUNK - 1] != (byte) ~mark) {
                throw new AssertionError("wrong bytes read in iteration " + iteration);
            }
        });
    }

    @Test
    void gather_write_and_scatter_read_with_direct_buffers_allocate_nothing() throws IOException {
        TcpStream[] pair = connectedPair(listener());
        ByteBuffer[] out = {ByteBuffer.allocateDirect(CHUNK / 2), ByteBuffer.allocateDirect(CHUNK / 2)};
        ByteBuffer[] in = {ByteBuffer.allocateDirect(CHUNK / 2), ByteBuffer.allocateDirect(CHUNK / 2)};
        assertAllocationFree("TcpStream gather write + scatter read, 2 direct ByteBuffers", WARMUP, iteration -> {
            byte mark = (byte) iteration;
            out[0].clear().put(0, mark);
            out[1].clear().put(CHUNK / 2 - 1, (byte) ~mark);
            while (out[1].hasRemaining()) {
                if (pair[0].write(out) == 0) {
                    throw new AssertionError("write would block on an idle loopback connection");
                }
            }
            in[0].clear();
            in[1].clear();
            int spins = 0;
            while (in[1].hasRemaining()) {
                long r = pair[1].read(in);
                if (r < 0 || (r == 0 && ++spins > 1_000_000)) {
                    throw new AssertionError("read returned " + r);
                }
            }
            if (in[0].get(0) != mark || in[1].get(CHUNK / 2 - 1) != (byte) ~mark) {
                throw new AssertionError("wrong bytes read in iteration " + iteration);
            }
        });
    }

    // ---- (c) waker ----------------------------------------------------------------------------------

    @Test
    void wake_and_poll_allocate_nothing() throws IOException {
        Poll poll = keep(Poll.open());
        Token wakerToken = new Token(7);
        Waker waker = keep(new Waker(poll.registry(), wakerToken));
        Events events = Events.withCapacity(4);
        assertAllocationFree("Waker.wake + poll", WARMUP, iteration -> {
            waker.wake();
            poll.poll(events, SECOND);
            if (events.size() != 1 || events.get(0).token() != wakerToken || !events.get(0).isReadable()) {
                throw new AssertionError("expected one waker event, got " + events.size());
            }
        });
    }

    // ---- (d) reregister -----------------------------------------------------------------------------

    @Test
    void reregister_allocates_nothing() throws IOException {
        Poll poll = keep(Poll.open());
        Registry registry = poll.registry();
        TcpStream[] pair = connectedPair(listener());
        Token a = new Token(1);
        Token b = new Token(2);
        registry.register(pair[0], a, Interest.READABLE);
        Events events = Events.withCapacity(4);
        assertAllocationFree("Registry.reregister", WARMUP, iteration -> {
            if ((iteration & 1) == 0) {
                registry.reregister(pair[0], b, READ_WRITE);
            } else {
                registry.reregister(pair[0], a, Interest.READABLE);
            }
        });
        // Still a working registration: a change of token and interest is reported under the new token.
        registry.reregister(pair[0], b, READ_WRITE);
        poll.poll(events, SECOND);
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.get(0).token()).isSameAs(b);
        assertThat(events.get(0).isWritable()).isTrue();
    }
}
