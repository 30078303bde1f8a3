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
 * An HTTP/1.1 server in the shape of the TechEmpower benchmark's plaintext and JSON tests: one event loop per
 * core, each with its own {@link Poll} and its own listener on a shared port (SO_REUSEPORT, as in
 * {@link MultiLoopEchoServer}), keep-alive and pipelining, and no allocation per request ({@link HttpLoop}).
 * It is an example to copy, not a framework: three fixed routes, parsed in place.
 *
 * <ul>
 *   <li>{@code GET /plaintext}: {@code Hello, World!} as {@code text/plain};</li>
 *   <li>{@code GET /json}: {@code {"message":"Hello, World!"}} as {@code application/json}, written from
 *       preformatted bytes (TechEmpower's rules want an object serialized per request; this example sends
 *       the same bytes without doing that work);</li>
 *   <li>{@code POST /upload}: reads a body of any size as it arrives, without keeping it, and answers
 *       {@code <length> bytes, CRC-32 <hex>} ({@code Expect: 100-continue} is answered first);</li>
 *   <li>anything else: 404 (405 for a known path with the wrong method). A request the server cannot read
 *       gets an error and the connection is closed after it: 400 for a malformed request line or header, a
 *       bad or conflicting Content-Length or a missing Host, 431 for a head over {@value HttpLoop#IN_SIZE}
 *       bytes, 501 for a Transfer-Encoding (chunked bodies are not read here), 505 for another version than
 *       HTTP/1.x.</li>
 * </ul>
 *
 * <p>Every answer carries {@code Server} and {@code Date} (formatted at most once a second per loop).
 * {@code Connection: close} is honoured; an HTTP/1.0 request keeps the connection only with
 * {@code Connection: keep-alive}.
 *
 * <p>Usage: {@code HttpServer [port [loops]]} (default 8080, one loop per available processor); then
 * {@code curl http://127.0.0.1:8080/plaintext}.
 */
public final class HttpServer {
    /** Sized for bursts of connections: a loop busy answering accepts only when it next polls. */
    private static final int BACKLOG = 1024;

    private HttpServer() {}

    /**
     * Runs the server on 127.0.0.1 until killed.
     *
     * @param args {@code [port [loops]]}: port 0 picks a free one (printed), loops defaults to the processors
     * @throws Exception if the server cannot start, or a loop fails
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        try (Running server = start(new InetSocketAddress("127.0.0.1", port), loops)) {
            String url = "http://" + server.address().getHostString() + ":" + server.address().getPort();
            System.out.println(loops + " event loops serve " + url + " (SO_REUSEPORT). Try:");
            System.out.println(" $ curl " + url + "/plaintext");
            System.out.println(" $ curl " + url + "/json");
            System.out.println(" $ curl --data-binary @FILE " + url + "/upload");
            System.out.flush();
            server.awaitFailure(); // the loops serve until killed; this returns only if one of them fails
        }
    }

    /**
     * Binds {@code loops} listeners to {@code address} (port 0: one free port, shared by all) and starts a loop on
     * each, on its own platform thread.
     *
     * @param address where to listen
     * @param loops how many event loops (threads), at least 1
     * @return the running server; close it to stop it
     * @throws IllegalArgumentException if {@code loops} is less than 1
     * @throws IOException if a listener cannot be bound
     */
    public static Running start(InetSocketAddress address, int loops) throws IOException {
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
    public static final class Running implements AutoCloseable {
        private final List<Poll> polls = new ArrayList<>();
        private final List<TcpListener> listeners = new ArrayList<>();
        private final List<Waker> wakers = new ArrayList<>();
        private final List<HttpLoop> loops = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final CountDownLatch anyEnded = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;
        private boolean closed;

        private Running() {}

        private void open(InetSocketAddress address) throws IOException {
            Poll poll = Poll.open();
            polls.add(poll);
            wakers.add(new Waker(poll.registry(), HttpLoop.STOP));
            TcpListener listener;
            try (TcpSocket socket = TcpSocket.newFor(address)) {
                // Every socket sharing the port must set SO_REUSEPORT before bind, the first one included.
                socket.setReusePort(true);
                socket.setReuseAddr(true); // a restarted server may rebind while old connections sit in TIME_WAIT
                socket.bind(address);
                listener = socket.listen(BACKLOG);
            }
            listeners.add(listener);
            loops.add(new HttpLoop(poll, listener));
        }

        private void startThreads() {
            for (int i = 0; i < loops.size(); i++) {
                HttpLoop loop = loops.get(i);
                threads.add(Thread.ofPlatform().name("http-loop-" + i).daemon().start(() -> {
                    try {
                        loop.run();
                        if (!stopping) {
                            failure.compareAndSet(null, new IllegalStateException("an HTTP loop ended unasked"));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        anyEnded.countDown();
                    }
                }));
            }
        }

        /**
         * The address all the loops' listeners are bound to.
         *
         * @return the listeners' address, with the port chosen if 0 was asked
         * @throws IOException if it cannot be read (the server was closed)
         */
        public InetSocketAddress address() throws IOException {
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

        /** The loops' threads, by loop (tests measure what they allocate). */
        List<Thread> threads() {
            return List.copyOf(threads);
        }

        /**
         * Waits until a loop ends and throws why. A failed loop brings the server down rather than leave it
         * serving with one listener fewer: that listener would still take its share of new connections, which
         * nobody would then accept.
         *
         * @throws Exception what made a loop fail; returns normally if the loops ended because of {@link #close()}
         */
        public void awaitFailure() throws Exception {
            anyEnded.await();
            Throwable e = failure.getAndSet(null); // reported here, so close() does not report it again
            if (e == null) {
                return;
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
                throw new IOException("an HTTP loop failed", e);
            }
        }
    }
}
