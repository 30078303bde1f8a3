package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Poll;
import io.mio.Token;
import io.mio.internal.linux.Sys;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.mio.internal.linux.LinuxConstants.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for the TCP tests: peer threads with bounded joins, connected pairs, raw socket options. */
final class NetTestSupport {
    private NetTestSupport() {}

    static final Duration WAIT = Duration.ofSeconds(5);
    /** Timeout of blocking java.net peers, so that no peer thread can hang a run. */
    static final int PEER_TIMEOUT_MS = 10_000;

    static InetSocketAddress localV4() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static InetSocketAddress localV6() throws IOException {
        return new InetSocketAddress(InetAddress.getByName("::1"), 0);
    }

    static boolean ipv6Available() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---- peers on other threads ------------------------------------------------------------------

    interface Body {
        void run() throws Exception;
    }

    /** A peer running on its own daemon thread; {@link #join()} waits (bounded) and rethrows its failure. */
    static final class Peer {
        private final FutureTask<Void> task;

        private Peer(Body body) {
            this.task = new FutureTask<>(() -> {
                body.run();
                return null;
            });
            Thread t = new Thread(task, "tcp-test-peer");
            t.setDaemon(true);
            t.start();
        }

        static Peer start(Body body) {
            return new Peer(body);
        }

        void join() throws Exception {
            try {
                task.get(PEER_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        }
    }

    static ServerSocket blockingListener(InetSocketAddress bindTo) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(bindTo);
        s.setSoTimeout(PEER_TIMEOUT_MS);
        return s;
    }

    // ---- polling ---------------------------------------------------------------------------------

    /** Polls until an event for {@code token} matches {@code check}; returns the descriptions of all events seen. */
    static List<String> awaitEvent(Poll poll, Events events, Token token, Predicate<Event> check) throws IOException {
        return io.mio.TestSupport.expectEvent(poll, events, token, check, WAIT);
    }

    /** Polls for a short while and fails on any event at all. */
    static void expectNoEvents(Poll poll, Events events) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMillis(150).toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(25));
            List<String> seen = new ArrayList<>();
            events.forEach(e -> seen.add(e.toString()));
            assertThat(seen).as("events").isEmpty();
        }
    }

    /** Polls (bounded) until the poll returns at least one event; the events stay in {@code events}. */
    static void pollUntilAny(Poll poll, Events events) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            poll.poll(events, Duration.ofMillis(100));
        } while (events.isEmpty() && System.nanoTime() < deadline);
        assertThat(events.isEmpty()).as("an event within " + WAIT).isFalse();
    }

    // ---- moving bytes without events ---------------------------------------------------------------

    /** Reads exactly {@code n} bytes (spinning over would-block, bounded); fails on end of stream. */
    static byte[] readExactly(TcpStream s, int n) throws Exception {
        byte[] out = new byte[n];
        int got = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got < n) {
            int r = s.read(out, got, n - got);
            assertThat(r).as("read after %d of %d bytes", got, n).isNotNegative();
            if (r == 0) {
                assertThat(System.nanoTime()).as("%d of %d bytes arrived in time", got, n).isLessThan(deadline);
                Thread.sleep(1);
            }
            got += r;
        }
        return out;
    }

    /** Reads (bounded) until a read returns -1, spinning over would-block; returns the bytes read before it. */
    static byte[] readToEof(TcpStream s) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (;;) {
            int r = s.read(buf);
            if (r < 0) {
                return out.toByteArray();
            }
            if (r == 0) {
                assertThat(System.nanoTime()).as("end of stream in time").isLessThan(deadline);
                Thread.sleep(1);
            }
            out.write(buf, 0, r);
        }
    }

    /** A connected client and accepted server stream on 127.0.0.1, listener already closed. */
    record Pair(TcpStream client, TcpStream server) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    static Pair connectedPair() throws Exception {
        return connectedPair(localV4());
    }

    static Pair connectedPair(InetSocketAddress bindTo) throws Exception {
        try (TcpListener listener = TcpListener.bind(bindTo)) {
            TcpStream client = TcpStream.connect(listener.localAddr());
            long deadline = System.nanoTime() + WAIT.toNanos();
            TcpStream server;
            while ((server = listener.accept()) == null) {
                if (System.nanoTime() > deadline) {
                    client.close();
                    throw new AssertionError("no connection to accept within " + WAIT);
                }
                Thread.sleep(1);
            }
            // The server queues a connection only after the client saw the SYN-ACK: the client is connected.
            return new Pair(client, server);
        }
    }

    // ---- raw descriptor helpers --------------------------------------------------------------------

    /** SO_LINGER {on, 0 s}: close sends a RST instead of a FIN. */
    static void setLingerZero(int fd) throws IOException {
        MemorySegment s = Sys.scratch();
        s.set(ValueLayout.JAVA_INT, 0, 1); // l_onoff
        s.set(ValueLayout.JAVA_INT, 4, 0); // l_linger
        int rc = Sys.setsockopt(fd, SOL_SOCKET, SO_LINGER, s.address(), 8);
        if (rc < 0) {
            throw new IOException("setsockopt(SO_LINGER) failed: errno " + -rc);
        }
    }

    static void setIntOption(int fd, int level, int name, int value) throws IOException {
        MemorySegment s = Sys.scratch();
        s.set(ValueLayout.JAVA_INT, 0, value);
        int rc = Sys.setsockopt(fd, level, name, s.address(), 4);
        if (rc < 0) {
            throw new IOException("setsockopt(" + level + ", " + name + ") failed: errno " + -rc);
        }
    }

    static boolean isNonBlocking(int fd) {
        int flags = Sys.fcntl(fd, F_GETFL, 0);
        assertThat(flags).as("F_GETFL").isNotNegative();
        return (flags & O_NONBLOCK) != 0;
    }

    static boolean isCloseOnExec(int fd) {
        int flags = Sys.fcntl(fd, F_GETFD, 0);
        assertThat(flags).as("F_GETFD").isNotNegative();
        return (flags & FD_CLOEXEC) != 0;
    }

    /** dup(2)s {@code fd} and makes the open file blocking, so adoption has to make it non-blocking again. */
    static int dupBlocking(int fd) {
        int copy = Sys.dup(fd);
        assertThat(copy).as("dup").isNotNegative();
        int flags = Sys.fcntl(copy, F_GETFL, 0);
        assertThat(Sys.fcntl(copy, F_SETFL, flags & ~O_NONBLOCK)).as("F_SETFL").isNotNegative();
        assertThat(isNonBlocking(copy)).isFalse();
        assertThat(isCloseOnExec(copy)).as("dup does not copy FD_CLOEXEC").isFalse();
        return copy;
    }
}
