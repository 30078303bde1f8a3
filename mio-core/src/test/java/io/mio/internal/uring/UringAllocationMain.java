package io.mio.internal.uring;

import io.mio.internal.linux.FileDesc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static io.mio.internal.uring.UringConstants.POLLIN;
import static io.mio.internal.uring.UringConstants.POLLOUT;

/**
 * The zero-allocation proof of the io_uring layer, run by {@link UringAllocationTest} in a JVM of its own (as the
 * pom runs AllocationTest: no other test's type profiles, compilation in the foreground so that a busy machine cannot
 * leave the measured loop in C1, which does no escape analysis).
 *
 * <p>Each case is warmed up, then measured in rounds of {@value #MEASURED} iterations on this thread's allocated-bytes
 * counter; a case passes when one round allocates exactly 0 bytes (a round may catch a compilation). Prints one line
 * per round and exits with 1 if a case never had a clean round.
 */
public final class UringAllocationMain {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 20_000;
    private static final int MAX_ROUNDS = 5;
    private static final long SECOND = 1_000_000_000L;

    private static final long UD_NOP = 1;
    private static final long UD_SEND = 2;
    private static final long UD_POLL = 3;
    private static final long UD_RECV = 4;
    private static final long UD_RECV_MULTI = 5;
    private static final long UD_POLL_ONCE = 6;
    private static final int MESSAGE = 16;

    private interface Op {
        void run() throws IOException;
    }

    private final Uring ring;
    private final Cqe cqe;
    private final FileDesc client;
    private final FileDesc server;
    private final FileDesc client2;
    private final FileDesc server2;
    private final BufferRing buffers;
    private final MemorySegment message;
    private final MemorySegment recvBuffer;
    private final byte[] received = new byte[MESSAGE];
    private long checksum;

    private UringAllocationMain(Uring ring, FileDesc[] pair, FileDesc[] pair2, BufferRing buffers, Arena arena) {
        this.ring = ring;
        this.cqe = ring.completions();
        this.client = pair[0];
        this.server = pair[1];
        this.client2 = pair2[0];
        this.server2 = pair2[1];
        this.buffers = buffers;
        this.message = arena.allocate(MESSAGE);
        this.message.fill((byte) 'm');
        this.recvBuffer = arena.allocate(64);
    }

    public static void main(String[] args) throws Exception {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        FileDesc listener = UringTestSupport.listener();
        boolean ok = true;
        try (Arena arena = Arena.ofConfined(); Uring ring = Uring.open(64, 256, Uring.TaskRun.COOPERATIVE)) {
            FileDesc[] pair = UringTestSupport.tcpPair(listener);
            FileDesc[] pair2 = UringTestSupport.tcpPair(listener);
            try (BufferRing buffers = BufferRing.register(ring, 3, 64, 256)) {
                UringAllocationMain m = new UringAllocationMain(ring, pair, pair2, buffers, arena);
                ring.sqe().pollAdd(m.server.fd(), POLLIN, true, UD_POLL);
                ring.sqe().recvMultishot(m.server2.fd(), 3, UD_RECV_MULTI);
                ring.submit();
                ok &= measure("nop: submit and reap", m::nop);
                ok &= measure("send, multishot poll completion, recv: submit and reap", m::sendPollRecv);
                ok &= measure("send, multishot recv into the buffer ring, copy out, recycle", m::sendRecvMultishot);
                ok &= measure("one-shot poll add: submit and reap", m::pollOnce);
                ok &= measure("wait whose 1 us timeout elapses", m::timedOut);
                System.out.println("[allocation] checksum " + m.checksum);
            }
            for (FileDesc fd : pair) {
                fd.close();
            }
            for (FileDesc fd : pair2) {
                fd.close();
            }
        } finally {
            listener.close();
        }
        System.out.println(ok ? "[allocation] all cases allocation-free" : "[allocation] FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static boolean measure(String what, Op op) throws IOException {
        for (int i = 0; i < WARMUP; i++) {
            op.run();
        }
        for (int round = 0; round < MAX_ROUNDS; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                op.run();
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            System.out.printf("[allocation] %s: round %d, %d iterations, %d bytes allocated%n", what, round + 1, MEASURED, bytes);
            if (bytes == 0) {
                return true;
            }
        }
        return false;
    }

    private void nop() throws IOException {
        ring.sqe().nop(UD_NOP);
        ring.submitAndWait(1, SECOND);
        expect(1 << UD_NOP);
    }

    private void sendPollRecv() throws IOException {
        ring.sqe().send(client.fd(), message.address(), MESSAGE, 0, UD_SEND);
        expect((1 << UD_SEND) | (1 << UD_POLL));
        ring.sqe().recv(server.fd(), recvBuffer.address(), 64, 0, UD_RECV);
        expect(1 << UD_RECV);
    }

    private void sendRecvMultishot() throws IOException {
        ring.sqe().send(client2.fd(), message.address(), MESSAGE, 0, UD_SEND);
        expect((1 << UD_SEND) | (1 << UD_RECV_MULTI));
    }

    private void pollOnce() throws IOException {
        ring.sqe().pollAdd(client.fd(), POLLOUT, false, UD_POLL_ONCE);
        expect(1 << UD_POLL_ONCE);
    }

    private void timedOut() throws IOException {
        ring.submitAndWait(1, 1_000);
        if (cqe.next()) {
            throw new IllegalStateException("unexpected " + cqe);
        }
    }

    /** Submits and reaps until a completion of each kind in {@code mask} has been seen. */
    private void expect(int mask) throws IOException {
        int seen = 0;
        long deadline = System.nanoTime() + 10 * SECOND;
        while (seen != mask) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("completions missing: wanted " + mask + ", saw " + seen);
            }
            ring.submitAndWait(1, SECOND);
            while (cqe.next()) {
                int kind = (int) cqe.userData();
                seen |= 1 << kind;
                handle(kind);
            }
        }
    }

    private void handle(int kind) throws IOException {
        int res = cqe.res();
        if (res < 0) {
            throw new IOException("completion " + kind + " failed: " + UringUnavailableException.name(-res));
        }
        if (kind == UD_RECV_MULTI) {
            int bid = cqe.bufferId();
            buffers.copy(bid, 0, received, 0, Math.min(res, MESSAGE));
            checksum += received[0];
            buffers.recycle(bid);
            if (!cqe.more()) {
                ring.sqe().recvMultishot(server2.fd(), 3, UD_RECV_MULTI);
            }
        } else if (kind == UD_POLL && !cqe.more()) {
            ring.sqe().pollAdd(server.fd(), POLLIN, true, UD_POLL);
        } else if (kind == UD_RECV) {
            checksum += res;
        }
    }
}
