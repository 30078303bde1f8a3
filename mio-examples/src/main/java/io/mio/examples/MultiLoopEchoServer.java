package io.mio.examples;

import io.mio.Poll;
import io.mio.Waker;
import io.mio.net.TcpListener;
import io.mio.net.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP echo server with N event loops on N threads, sharing nothing: each loop has its own {@link Poll} and its
 * own listener, and serves the connections that listener accepts ({@link EchoLoop}, as {@link TcpServer} does).
 * The listeners share one port through SO_REUSEPORT, and the kernel spreads incoming connections among them
 * (by a hash of each connection's addresses), so no loop hands work to another and nothing needs a lock.
 *
 * <p>Usage: {@code MultiLoopEchoServer [port [loops]]} (default 9000, one loop per available processor); then
 * {@code nc 127.0.0.1 9000}, several times.
 */
public final class MultiLoopEchoServer {
    /** Sized for bursts of connections: a loop busy echoing accepts only when it next polls. */
    private static final int BACKLOG = 1024;

    private MultiLoopEchoServer() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        try (Running server = start(new InetSocketAddress("127.0.0.1", port), loops)) {
            System.out.println(loops + " event loops share " + server.address()
                    + " (SO_REUSEPORT); the kernel spreads connections among them.");
            System.out.println("You can connect to the server using `nc`:");
            System.out.println(" $ nc " + server.address().getHostString() + " " + server.address().getPort());
            System.out.println("Anything you type is echoed back.");
            System.out.flush();
            server.awaitFailure(); // the loops serve until killed; this returns only if one of them fails
        }
    }

    /**
     * Binds {@code loops} listeners to {@code address} (port 0: one free port, shared by all) and starts a loop on
     * each, on its own thread.
     */
    static Running start(InetSocketAddress address, int loops) throws IOException {
        if (loops < 1) {
            throw new IllegalArgumentException("need at least one loop, got " + loops);
        }
        Running running = new Running();
        try {
            InetSocketAddress bindTo = address;
            for (int i = 0; i < loops; i++) {
                running.open(bindTo);
                // The first bind settles the port (a free one if asked for port 0); the others join it.
                bindTo = running.address();
            }
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e;
        }
        running.startThreads();
        return running;
    }

    /**
     * The running loops. {@link #close()} stops them (through each Poll's {@link Waker}), waits for their threads,
     * and closes every socket and Poll.
     */
    static final class Running implements AutoCloseable {
        private final List<Poll> polls = new ArrayList<>();
        private final List<TcpListener> listeners = new ArrayList<>();
        private final List<Waker> wakers = new ArrayList<>();
        private final List<EchoLoop> loops = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final CountDownLatch anyEnded = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;
        private boolean closed;

        private Running() {}

        /** Opens one loop's Poll, waker and listener; not started yet. */
        private void open(InetSocketAddress address) throws IOException {
            Poll poll = Poll.open();
            polls.add(poll);
            wakers.add(new Waker(poll.registry(), EchoLoop.STOP));
            TcpListener listener;
            try (TcpSocket socket = TcpSocket.newFor(address)) {
                // Every socket sharing the port must set SO_REUSEPORT before bind, the first one included.
                socket.setReusePort(true);
                // Like TcpListener.bind: a restarted server may rebind while old connections sit in TIME_WAIT.
                socket.setReuseAddr(true);
                socket.bind(address);
                listener = socket.listen(BACKLOG);
            }
            listeners.add(listener);
            loops.add(new EchoLoop(poll, listener));
        }

        private void startThreads() {
            for (int i = 0; i < loops.size(); i++) {
                EchoLoop loop = loops.get(i);
                threads.add(Thread.ofPlatform().name("echo-loop-" + i).daemon().start(() -> {
                    try {
                        loop.run();
                        if (!stopping) {
                            failure.compareAndSet(null, new IllegalStateException("an echo loop ended unasked"));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        anyEnded.countDown();
                    }
                }));
            }
        }

        /** The address all the loops' listeners are bound to. */
        InetSocketAddress address() throws IOException {
            return listeners.getFirst().localAddr();
        }

        /** How many connections each loop has accepted so far, by loop. */
        long[] acceptedPerLoop() {
            long[] counts = new long[loops.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = loops.get(i).accepted();
            }
            return counts;
        }

        /**
         * Waits until a loop ends and throws why. A failed loop brings the server down rather than leave it
         * serving with one listener fewer: that listener would still take its share of new connections, which
         * nobody would then accept.
         */
        void awaitFailure() throws Exception {
            anyEnded.await();
            Throwable e = failure.getAndSet(null); // reported here, so close() does not report it again
            if (e == null) {
                return; // ended because close() stopped the loops
            }
            if (e instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e;
        }

        /**
         * Stops the loops and closes everything. Idempotent; call it from one thread.
         *
         * @throws IOException if a loop had failed, and {@link #awaitFailure()} did not report it (the failure is
         *         the cause)
         */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            stopping = true;
            for (Waker waker : wakers) {
                try {
                    waker.wake();
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                }
            }
            boolean interrupted = false;
            for (Thread thread : threads) {
                while (true) {
                    try {
                        thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the thread still uses its Poll: closing it now would fail its loop
                    }
                }
            }
            wakers.forEach(Waker::close);
            listeners.forEach(TcpListener::close);
            polls.forEach(Poll::close);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable e = failure.get();
            if (e != null) {
                throw new IOException("an echo loop failed", e);
            }
        }
    }
}
