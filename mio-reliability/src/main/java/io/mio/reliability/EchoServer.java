package io.mio.reliability;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.Waker;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An edge-triggered TCP echo server on io.mio's public API, running its own event loop on its own thread.
 *
 * <p>Careful about the edge-triggered rules: every readable event is served by reading until the socket says
 * "would block" (or a short read, which on this backend also means "drained"); whatever a write cannot take is
 * kept in a per-connection pending buffer, the connection is reregistered with {@code READABLE | WRITABLE}, and
 * no more is read from it until the pending bytes are flushed (back-pressure). Once flushed it is reregistered
 * with {@code READABLE} only and reading resumes at once (the readable edge may have come and gone meanwhile).
 * End of stream from the peer is echoed too: pending bytes are flushed, then the connection is closed (the peer
 * sees EOF after the last echoed byte, so a half-close round-trips).
 *
 * <p>Accept errors (EMFILE, ENFILE, ENOBUFS) do not stop the loop: they are recorded, accepting pauses, and it
 * is retried whenever a connection closes and every 50 ms.
 *
 * <p>Observers: {@link Listener} callbacks run on the server thread; {@link #closes()} and the counters are
 * thread-safe.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class EchoServer implements AutoCloseable {
    private static final Token LISTENER = new Token(0);
    private static final Token WAKER = new Token(1);
    private static final int FIRST_CONN = 2;
    private static final int SCRATCH = 64 * 1024;
    private static final int PENDING = 64 * 1024;
    private static final int POOL_MAX = 64;

    /** How a connection ended. */
    public enum Reason { EOF, ERROR }

    /**
     * A closed connection: the peer's port, why it closed, the exception (ERROR only) and the readiness flags
     * seen on it (accumulated over its life: readClosed, writeClosed, error).
     */
    public record Closed(int peerPort, Reason reason, String error, boolean sawReadClosed, boolean sawWriteClosed,
                         boolean sawError, long bytesEchoed) {}

    /** Callbacks on the server thread; default no-ops. */
    public interface Listener {
        /** A new connection, before it is registered; may set socket options on it. */
        default void accepted(TcpStream stream, int peerPort) throws IOException {}
        default void acceptFailed(IOException e) {}
        default void closed(Closed c) {}
    }

    private final Poll poll;
    private final TcpListener listener;
    private final Waker waker;
    private final Listener observer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    private final ConcurrentLinkedQueue<Closed> closes = new ConcurrentLinkedQueue<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong acceptErrors = new AtomicLong();
    private final AtomicLong bytesEchoed = new AtomicLong();
    private final AtomicLong writableReregistrations = new AtomicLong();
    private final AtomicReference<String> lastAcceptError = new AtomicReference<>();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    // Server-thread state.
    private final List<Conn> conns = new ArrayList<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private final Queue<ByteBuffer> pool = new ArrayDeque<>();
    private final byte[] scratch = new byte[SCRATCH];
    private boolean acceptPaused;

    private static final class Conn {
        final TcpStream stream;
        final Token token;
        final int peerPort;
        ByteBuffer pending; // bytes read but not yet written; null when none
        boolean eof;
        boolean writeInterest;
        boolean sawReadClosed, sawWriteClosed, sawError;
        long echoed;

        Conn(TcpStream stream, Token token, int peerPort) {
            this.stream = stream;
            this.token = token;
            this.peerPort = peerPort;
        }
    }

    private EchoServer(Poll poll, TcpListener listener, Waker waker, Listener observer) {
        this.poll = poll;
        this.listener = listener;
        this.waker = waker;
        this.observer = observer;
        this.thread = new Thread(this::run, "mio-echo-server");
        this.thread.setDaemon(true);
    }

    /** Binds to 127.0.0.1 on a free port with the given listen backlog and starts the loop thread. */
    public static EchoServer start(int backlog, Listener observer) throws IOException {
        Poll poll = Poll.open();
        TcpListener listener = null;
        try {
            listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), backlog);
            poll.registry().register(listener, LISTENER, Interest.READABLE);
            Waker waker = new Waker(poll.registry(), WAKER);
            EchoServer s = new EchoServer(poll, listener, waker, observer == null ? new Listener() {} : observer);
            s.thread.start();
            return s;
        } catch (IOException | RuntimeException e) {
            if (listener != null) listener.close();
            poll.close();
            throw e;
        }
    }

    public static EchoServer start() throws IOException {
        return start(1024, null);
    }

    public InetSocketAddress address() throws IOException {
        return listener.localAddr();
    }

    public long accepted() { return accepted.get(); }
    public long active() { return active.get(); }
    public long acceptErrors() { return acceptErrors.get(); }
    public String lastAcceptError() { return lastAcceptError.get(); }
    public long bytesEchoed() { return bytesEchoed.get(); }
    public long writableReregistrations() { return writableReregistrations.get(); }
    /** A failure that stopped the loop (null while it runs or after a clean stop). */
    public Throwable fatal() { return fatal.get(); }
    public boolean isRunning() { return thread.isAlive(); }

    /** Every closed connection so far, in order. */
    public List<Closed> closes() {
        return List.copyOf(closes);
    }

    /** How many connections have closed so far (a mark for {@link #awaitClose}). */
    public int closeCount() {
        return closes.size();
    }

    /**
     * Waits up to {@code timeout} for the close record of the connection from {@code peerPort} among the
     * records after the first {@code after} (ports are reused: older records may carry the same port); null if
     * none came.
     */
    public Closed awaitClose(int peerPort, int after, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        do {
            int i = 0;
            for (Closed c : closes) {
                if (i++ >= after && c.peerPort() == peerPort) return c;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < end);
        return null;
    }

    /** Stops the loop, closes every connection, the listener and the Poll; waits for the thread. */
    @Override
    public void close() throws IOException, InterruptedException {
        stopping = true;
        try {
            waker.wake();
        } catch (IOException ignored) {
            // already closed by the loop's exit
        }
        if (!stopped.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("echo server did not stop within 10 s");
        }
    }

    // ---- the loop (server thread) ---------------------------------------------------------------

    private void run() {
        Events events = Events.withCapacity(1024);
        try {
            while (!stopping) {
                poll.poll(events, acceptPaused ? Duration.ofMillis(50) : null);
                for (int i = 0, n = events.size(); i < n; i++) {
                    Event e = events.get(i);
                    long t = e.token().value();
                    if (t == LISTENER.value()) {
                        acceptAll();
                    } else if (t == WAKER.value()) {
                        // stop request (checked by the loop condition)
                    } else {
                        int slot = (int) (t - FIRST_CONN);
                        Conn c = slot < conns.size() ? conns.get(slot) : null;
                        if (c == null || c.token != e.token()) {
                            throw new IllegalStateException("event for a token with no live connection: " + e);
                        }
                        c.sawReadClosed |= e.isReadClosed();
                        c.sawWriteClosed |= e.isWriteClosed();
                        c.sawError |= e.isError();
                        serve(c, e.isWritable());
                    }
                }
                if (acceptPaused) {
                    acceptAll();
                }
            }
        } catch (Throwable t) {
            fatal.set(t);
        } finally {
            for (Conn c : conns) {
                if (c != null) c.stream.close();
            }
            conns.clear();
            active.set(0);
            listener.close();
            waker.close();
            poll.close();
            stopped.countDown();
        }
    }

    private void acceptAll() throws IOException {
        for (;;) {
            TcpStream s;
            try {
                s = listener.accept();
            } catch (java.nio.channels.ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // EMFILE / ENFILE / ENOBUFS: keep serving; retry when a descriptor frees up or after 50 ms.
                if (!acceptPaused) {
                    acceptErrors.incrementAndGet();
                    lastAcceptError.set(e.toString());
                    observer.acceptFailed(e);
                }
                acceptPaused = true;
                return;
            }
            acceptPaused = false;
            if (s == null) return;
            int slot = freeSlots.isEmpty() ? conns.size() : freeSlots.pop();
            Token token = new Token(FIRST_CONN + slot);
            Conn c = new Conn(s, token, s.peerAddr().getPort());
            if (slot == conns.size()) conns.add(c); else conns.set(slot, c);
            accepted.incrementAndGet();
            active.incrementAndGet();
            try {
                poll.registry().register(s, token, Interest.READABLE);
            } catch (IOException e) {
                finish(c, slot, Reason.ERROR, e);
                continue;
            }
            try {
                observer.accepted(s, c.peerPort);
            } catch (IOException e) {
                finish(c, slot, Reason.ERROR, e);
                continue;
            }
            // Data may already be there: an edge that came before registering is reported by register itself
            // on epoll, but reading now costs one syscall and does not depend on that.
            serve(c, false);
        }
    }

    /** Flushes pending bytes, then echoes until the socket would block; closes at EOF or on error. */
    private void serve(Conn c, boolean writable) throws IOException {
        int slot = (int) (c.token.value() - FIRST_CONN);
        try {
            if (c.pending != null && !flush(c)) {
                return; // still blocked on writing: reading waits (back-pressure)
            }
            while (!c.eof) {
                int n = c.stream.read(scratch, 0, scratch.length);
                if (n < 0) {
                    c.eof = true;
                    break;
                }
                if (n == 0) {
                    break;
                }
                int off = 0;
                while (off < n) {
                    int w = c.stream.write(scratch, off, n - off);
                    if (w == 0) {
                        stash(c, scratch, off, n - off);
                        return; // reregistered for WRITABLE; the writable event resumes us
                    }
                    off += w;
                    count(c, w);
                }
                if (n < scratch.length && !c.sawReadClosed) {
                    // Short read: the receive queue is empty and the next byte raises a new edge. Not so once
                    // an event said read-closed: the peer's FIN is already queued and no new edge will come
                    // for it, so read on until EOF (found by the full run: a half-closed peer hung).
                    break;
                }
            }
            if (c.eof && c.pending == null) {
                finish(c, slot, Reason.EOF, null);
            }
        } catch (java.nio.channels.ClosedChannelException e) {
            throw e; // we never close a stream we still serve: this is a bug
        } catch (IOException e) {
            finish(c, slot, Reason.ERROR, e);
        }
    }

    private void count(Conn c, int n) {
        c.echoed += n;
        bytesEchoed.addAndGet(n);
    }

    /** Writes pending bytes; true when all are out (and READABLE-only interest is restored). */
    private boolean flush(Conn c) throws IOException {
        ByteBuffer p = c.pending;
        while (p.hasRemaining()) {
            int w = c.stream.write(p);
            if (w == 0) return false;
            count(c, w);
        }
        p.clear();
        if (pool.size() < POOL_MAX) pool.add(p);
        c.pending = null;
        if (c.writeInterest) {
            poll.registry().reregister(c.stream, c.token, Interest.READABLE);
            c.writeInterest = false;
        }
        return true;
    }

    private void stash(Conn c, byte[] src, int off, int len) throws IOException {
        ByteBuffer p = pool.poll();
        if (p == null) p = ByteBuffer.allocate(PENDING);
        p.clear();
        p.put(src, off, len).flip();
        c.pending = p;
        if (!c.writeInterest) {
            poll.registry().reregister(c.stream, c.token, Interest.READABLE.add(Interest.WRITABLE));
            c.writeInterest = true;
            writableReregistrations.incrementAndGet();
        }
    }

    private void finish(Conn c, int slot, Reason reason, IOException error) {
        c.stream.close();
        if (c.pending != null) {
            c.pending.clear();
            if (pool.size() < POOL_MAX) pool.add(c.pending);
            c.pending = null;
        }
        if (conns.get(slot) == c) {
            conns.set(slot, null);
            freeSlots.push(slot);
            active.decrementAndGet();
        }
        Closed rec = new Closed(c.peerPort, reason, error == null ? null : error.toString(), c.sawReadClosed,
                c.sawWriteClosed, c.sawError, c.echoed);
        closes.add(rec);
        observer.closed(rec);
    }
}
