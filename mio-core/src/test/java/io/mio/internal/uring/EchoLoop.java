package io.mio.internal.uring;

import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.LinuxConstants;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.linux.Sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static io.mio.internal.linux.LinuxConstants.ENOBUFS;

/**
 * An echo server and its clients, each on its own ring and thread, written the way the proposed backend would drive
 * a ring: multishot accept, multishot recv into a provided-buffer ring, each message echoed with a send straight from
 * the buffer it arrived in (recycled when the send completes), and one {@code submitAndWait} per loop, which submits
 * the sends prepared by the previous pass and waits for the next completions. Its purpose is the count of system
 * calls per round trip ({@link Uring#enterCalls()}: the loop makes no other system call).
 */
final class EchoLoop {
    private EchoLoop() {}

    private static final long KIND_ACCEPT = 1L << 56;
    private static final long KIND_RECV = 2L << 56;
    private static final long KIND_SEND = 3L << 56;
    private static final long KIND_MASK = 0xFFL << 56;
    private static final int GROUP = 1;

    /** What one run measured. */
    record Result(long roundTrips, long serverEnters, long clientEnters) {
        double serverEntersPerRoundTrip() {
            return (double) serverEnters / roundTrips;
        }

        double clientEntersPerRoundTrip() {
            return (double) clientEnters / roundTrips;
        }

        @Override
        public String toString() {
            // Counts only: how fast it ran belongs to the benchmarks, not to a test on a shared machine.
            return String.format("%d round trips: server %.3f io_uring_enter per round trip (%d), client %.3f (%d)",
                    roundTrips, serverEntersPerRoundTrip(), serverEnters, clientEntersPerRoundTrip(), clientEnters);
        }
    }

    static long ud(long kind, int conn, int bid) {
        return kind | ((long) conn << 16) | bid;
    }

    /** Runs {@code connections} clients, each making {@code rounds} round trips of {@code size} bytes. */
    static Result run(int connections, int rounds, int size) throws Exception {
        FileDesc listener = UringTestSupport.listener();
        try (Uring serverRing = Uring.open(256, 4096, Uring.TaskRun.COOPERATIVE);
             Uring clientRing = Uring.open(256, 4096, Uring.TaskRun.COOPERATIVE)) {
            Server server = new Server(serverRing, listener, connections);
            Thread serverThread = Thread.ofPlatform().name("echo-server").start(server);
            Client client = new Client(clientRing, listener, connections, rounds, size);
            try {
                client.run();
            } catch (IOException | RuntimeException e) {
                serverThread.join(TimeUnit.SECONDS.toMillis(10));
                if (server.failure != null) {
                    e.addSuppressed(server.failure); // a failing server closes its sockets: the client's error comes second
                }
                throw e;
            }
            serverThread.join(TimeUnit.SECONDS.toMillis(60));
            if (server.failure != null) {
                throw new AssertionError("echo server failed", server.failure);
            }
            if (serverThread.isAlive()) {
                throw new AssertionError("echo server did not end");
            }
            long roundTrips = (long) connections * rounds;
            if (server.echoedBytes != roundTrips * size) {
                throw new AssertionError("server echoed " + server.echoedBytes + " bytes, expected " + roundTrips * size);
            }
            return new Result(roundTrips, server.enters, clientRing.enterCalls());
        } finally {
            listener.close();
        }
    }

    /** Echoes until every connection it accepted has ended (the clients shut down their sending side). */
    static final class Server implements Runnable {
        private final Uring ring;
        private final FileDesc listener;
        private final int expected;
        private final int[] fds;
        private int accepted;
        private int ended;
        long echoedBytes;
        long enters;
        volatile Throwable failure;

        Server(Uring ring, FileDesc listener, int expected) {
            this.ring = ring;
            this.listener = listener;
            this.expected = expected;
            this.fds = new int[expected];
        }

        @Override
        public void run() {
            try (BufferRing buffers = BufferRing.register(ring, GROUP, 1024, 2048)) {
                ring.sqe().accept(listener.fd(), LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, true, KIND_ACCEPT);
                Cqe cqe = ring.completions();
                long before = ring.enterCalls();
                while (ended < expected) {
                    ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(10));
                    while (cqe.next()) {
                        handle(cqe, buffers);
                    }
                }
                enters = ring.enterCalls() - before;
            } catch (Throwable t) {
                failure = t;
            } finally {
                for (int i = 0; i < accepted; i++) {
                    Sys.close(fds[i]);
                }
            }
        }

        private void handle(Cqe cqe, BufferRing buffers) throws IOException {
            long ud = cqe.userData();
            int res = cqe.res();
            int conn = (int) (ud >>> 16) & 0xFFFF;
            if ((ud & KIND_MASK) == KIND_ACCEPT) {
                if (res < 0) {
                    throw new IOException("accept failed: " + UringUnavailableException.name(-res));
                }
                int id = accepted++;
                fds[id] = res;
                ring.sqe().recvMultishot(res, GROUP, ud(KIND_RECV, id, 0));
                if (!cqe.more() && accepted < expected) {
                    ring.sqe().accept(listener.fd(), LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, true, KIND_ACCEPT);
                }
            } else if ((ud & KIND_MASK) == KIND_RECV) {
                if (res > 0) {
                    int bid = cqe.bufferId();
                    ring.sqe().send(fds[conn], buffers.address(bid), res, 0, ud(KIND_SEND, conn, bid) | ((long) res << 32 & 0xFFFFFFL << 32));
                    echoedBytes += res;
                } else if (res == 0) {
                    ended++;
                } else if (res != -ENOBUFS) {
                    throw new IOException("recv failed: " + UringUnavailableException.name(-res));
                }
                if (!cqe.more() && res != 0) {
                    ring.sqe().recvMultishot(fds[conn], GROUP, ud(KIND_RECV, conn, 0)); // ended by ENOBUFS or overflow
                }
            } else {
                if (res < 0) {
                    throw new IOException("send failed: " + UringUnavailableException.name(-res));
                }
                int bid = (int) (ud & 0xFFFF);
                int len = (int) ((ud >>> 32) & 0xFFFFFF);
                if (res != len) {
                    throw new IOException("partial echo send: " + res + " of " + len);
                }
                buffers.recycle(bid);
            }
        }
    }

    /** Connects, then keeps one message in flight per connection until each has made its rounds. */
    static final class Client {
        private final Uring ring;
        private final FileDesc listener;
        private final int connections;
        private final int rounds;
        private final int size;

        Client(Uring ring, FileDesc listener, int connections, int rounds, int size) {
            this.ring = ring;
            this.listener = listener;
            this.connections = connections;
            this.rounds = rounds;
            this.size = size;
        }

        void run() throws IOException {
            FileDesc[] socks = new FileDesc[connections];
            int[] sent = new int[connections];
            long[] received = new long[connections];
            int done = 0;
            try (Arena arena = Arena.ofConfined(); BufferRing buffers = BufferRing.register(ring, GROUP + 1, 1024, 2048)) {
                MemorySegment message = arena.allocate(size);
                message.fill((byte) 'x');
                for (int i = 0; i < connections; i++) {
                    socks[i] = SocketOps.open(LinuxConstants.AF_INET, LinuxConstants.SOCK_STREAM, "echo client");
                    SocketOps.connect(socks[i], SocketOps.localAddress(listener));
                    ring.sqe().recvMultishot(socks[i].fd(), GROUP + 1, ud(KIND_RECV, i, 0));
                    ring.sqe().send(socks[i].fd(), message.address(), size, 0, ud(KIND_SEND, i, 0)); // waits for the connection
                    sent[i] = 1;
                }
                Cqe cqe = ring.completions();
                while (done < connections) {
                    ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(10));
                    while (cqe.next()) {
                        long ud = cqe.userData();
                        int res = cqe.res();
                        int conn = (int) (ud >>> 16) & 0xFFFF;
                        if ((ud & KIND_MASK) == KIND_SEND) {
                            if (res != size) {
                                throw new IOException("client send: " + res);
                            }
                            continue;
                        }
                        if (res > 0) {
                            received[conn] += res;
                            buffers.recycle(cqe.bufferId());
                            if (received[conn] == (long) sent[conn] * size) {
                                if (sent[conn] < rounds) {
                                    sent[conn]++;
                                    ring.sqe().send(socks[conn].fd(), message.address(), size, 0, ud(KIND_SEND, conn, 0));
                                } else {
                                    done++;
                                    SocketOps.shutdown(socks[conn], LinuxConstants.SHUT_WR); // the server's recv ends with 0
                                }
                            }
                        } else if (res == 0 && received[conn] == (long) rounds * size) {
                            continue; // the server saw this connection's end and closed its side: expected
                        } else if (res != -ENOBUFS) {
                            throw new IOException("client recv: " + res + " flags=0x" + Integer.toHexString(cqe.flags())
                                    + " on conn " + conn + " after " + received[conn] + " bytes, " + sent[conn] + " sent");
                        }
                        if (!cqe.more() && res != 0) {
                            ring.sqe().recvMultishot(socks[conn].fd(), GROUP + 1, ud(KIND_RECV, conn, 0));
                        }
                    }
                }
            } finally {
                for (FileDesc s : socks) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }

    /** A throwaway entry point for measuring by hand (for example under strace -f -c). */
    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        System.out.println(run(connections, rounds, size));
    }
}
