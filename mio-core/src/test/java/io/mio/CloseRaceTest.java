package io.mio;

import io.mio.internal.Bridge;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() racing with calls on other threads: nothing crashes, calls begun after close returned throw
 * ClosedChannelException, and no call reaches a descriptor number the kernel has handed out again.
 *
 * <p>Reuse is detected with sentinels: right after close returns, the test opens socketpairs (and, for a
 * Poll, bare epoll instances), which take the lowest free numbers, the closed one among them. Each sentinel
 * end is loaded with a known payload. A racing write that reached a sentinel would add its marker to the
 * other end's bytes, a racing read would take the payload away, a racing register would show up as a
 * registration in a bare epoll instance. All of that is checked after the race.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CloseRaceTest {
    private static final int ITERATIONS = 200;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final byte[] MARKER = "!RACING-WRITER-MARKER!".getBytes(StandardCharsets.US_ASCII);

    @FunctionalInterface
    private interface Op {
        void run() throws Exception;
    }

    /** Threads that repeat one call each until stopped, and check what the calls did around a close. */
    private static final class Race {
        volatile boolean closed; // set right after close() returned
        volatile boolean stop;
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        final List<AtomicInteger> afterClose = new ArrayList<>();
        final AtomicInteger running = new AtomicInteger();

        /** {@code misuseAllowed}: IllegalStateException is a legal outcome before close (registration races). */
        void spawn(String name, boolean misuseAllowed, Op op) {
            AtomicInteger callsAfterClose = new AtomicInteger();
            afterClose.add(callsAfterClose);
            threads.add(Thread.ofPlatform().name(name).start(() -> {
                boolean first = true;
                while (!stop) {
                    boolean closedBefore = closed;
                    try {
                        op.run();
                        if (closedBefore) {
                            failures.add(name + " succeeded although close() had returned before it began");
                        }
                    } catch (ClosedChannelException expected) {
                        // the documented outcome once closing has begun
                    } catch (IllegalStateException e) {
                        if (!misuseAllowed || closedBefore) {
                            failures.add(name + (closedBefore ? " after close: " : ": ") + e);
                        }
                    } catch (Throwable e) {
                        failures.add(name + (closedBefore ? " after close: " : ": ") + e);
                    }
                    if (first) {
                        running.incrementAndGet();
                        first = false;
                    }
                    if (closedBefore) {
                        callsAfterClose.incrementAndGet();
                    }
                }
            }));
        }

        void awaitRunning() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (running.get() < threads.size()) {
                assertThat(System.nanoTime()).as("racing threads started").isLessThan(deadline);
                Thread.sleep(0, 100_000);
            }
        }

        /** Lets every thread make a few calls after close, then stops them. */
        void finish() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (AtomicInteger calls : afterClose) {
                while (calls.get() < 20 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            stop = true;
            for (Thread t : threads) {
                t.join(WAIT.toMillis());
                assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
            }
        }
    }

    /** Socketpairs opened right after a close, each end loaded with its own payload. */
    private static final class Sentinels implements AutoCloseable {
        final List<int[]> pairs = new ArrayList<>();
        final List<Integer> epolls = new ArrayList<>();

        /**
         * Opens sentinels (socketpairs, and bare epoll instances if {@code withEpolls}) until one has taken
         * {@code closedFd} or {@code rounds} rounds have passed: a call still in flight at close delays the
         * close(2) of the number, so it may come free a little later.
         */
        static Sentinels openUntilReused(int closedFd, boolean withEpolls, int rounds) {
            Sentinels s = new Sentinels();
            for (int round = 0; round < rounds && !s.contains(closedFd); round++) {
                int[] pair = RawFds.socketpair();
                s.pairs.add(pair);
                RawFds.send(pair[0], payload(pair[0]));
                RawFds.send(pair[1], payload(pair[1]));
                if (withEpolls) {
                    s.epolls.add(RawFds.epoll());
                }
                // A racing thread preempted in the middle of a call holds the number: let it run.
                long until = System.nanoTime() + 500_000;
                while (System.nanoTime() < until && !s.contains(closedFd)) {
                    Thread.yield();
                }
            }
            return s;
        }

        static byte[] payload(int fd) {
            return ("sentinel payload written on fd " + fd).getBytes(StandardCharsets.US_ASCII);
        }

        boolean contains(int fd) {
            for (int[] p : pairs) {
                if (p[0] == fd || p[1] == fd) {
                    return true;
                }
            }
            return epolls.contains(fd);
        }

        /** Each end holds exactly what its peer wrote: nothing taken, nothing added; no epoll got a member. */
        void verify(Queue<String> failures) {
            for (int[] p : pairs) {
                for (int end = 0; end < 2; end++) {
                    byte[] got = RawFds.drain(p[end]);
                    byte[] expected = payload(p[1 - end]);
                    if (!java.util.Arrays.equals(got, expected)) {
                        String text = new String(got, StandardCharsets.US_ASCII);
                        failures.add("sentinel fd " + p[end] + " read \""
                                + (text.length() > 120 ? text.substring(0, 120) + "..." : text)
                                + "\" instead of \"" + new String(expected, StandardCharsets.US_ASCII)
                                + "\": a racing call used a reused descriptor number");
                    }
                }
            }
            for (int ep : epolls) {
                int ready = RawFds.epollReady(ep);
                if (ready != 0) {
                    failures.add("sentinel epoll fd " + ep + " has " + ready
                            + " ready member(s): a racing registration used a reused descriptor number");
                }
            }
        }

        @Override
        public void close() {
            for (int[] p : pairs) {
                RawFds.close(p[0]);
                RawFds.close(p[1]);
            }
            for (int ep : epolls) {
                RawFds.close(ep);
            }
        }
    }

    private static TcpStream acceptOne(TcpListener listener) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            TcpStream s = listener.accept();
            if (s != null) {
                return s;
            }
            assertThat(System.nanoTime()).as("connection accepted").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** Up to 100 microseconds. */
    private static void spinBriefly() {
        long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(100_000);
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void closing_a_stream_races_safely_with_read_write_register_and_reregister() throws Exception {
        // On the SELECTOR backend the race runs without the fd-reuse sentinels (no raw descriptors there).
        boolean raw = !TestBackend.selector();
        int reused = 0;
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            Registry registry = poll.registry();
            Events events = Events.withCapacity(64);
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                TcpStream stream = TcpStream.connect(listener.localAddr());
                try (TcpStream peer = acceptOne(listener)) {
                    peer.write(new byte[4096]); // something for the racing readers
                    Token token = new Token(1_000_000L + iteration);
                    registry.register(stream, token, Interest.READABLE);
                    int fd = raw ? stream.rawFd() : -1;

                    Race race = new Race();
                    byte[] readArray = new byte[512];
                    ByteBuffer readHeap = ByteBuffer.allocate(512);
                    ByteBuffer marker = ByteBuffer.allocateDirect(MARKER.length);
                    race.spawn("reader", false, () -> {
                        stream.read(readArray, 0, readArray.length);
                        stream.read(readHeap.clear());
                    });
                    race.spawn("writer", false, () -> {
                        stream.write(MARKER, 0, MARKER.length);
                        marker.clear().put(MARKER).flip();
                        stream.write(marker);
                    });
                    race.spawn("reregister", true, () -> {
                        registry.reregister(stream, token, Interest.READABLE.add(Interest.WRITABLE));
                        registry.reregister(stream, token, Interest.READABLE);
                    });
                    race.spawn("deregister+register", true, () -> {
                        registry.deregister(stream);
                        registry.register(stream, token, Interest.WRITABLE);
                    });
                    race.awaitRunning();
                    spinBriefly();

                    stream.close();
                    race.closed = true;
                    if (raw) {
                        try (Sentinels sentinels = Sentinels.openUntilReused(fd, false, 20)) {
                            if (sentinels.contains(fd)) {
                                reused++;
                            }
                            race.finish();
                            sentinels.verify(race.failures);
                        }
                    } else {
                        race.finish();
                    }
                    // No event for the closed stream, and its registration is gone from the Poll's table.
                    poll.poll(events, Duration.ZERO);
                    for (Event e : events) {
                        if (e.token().equals(token)) {
                            race.failures.add("event after close: " + e);
                        }
                    }
                    if (raw) {
                        io.mio.internal.spi.SelectorSpi selector = Bridge.selector(registry);
                        assertThat(selector instanceof io.mio.internal.uring.UringSelector u ? u.registrationCount()
                                : ((io.mio.internal.linux.EpollSelector) selector).registrationCount())
                                .as("registrations left").isZero();
                    }
                    assertThat(race.failures).as("iteration " + iteration).isEmpty();
                }
            }
        }
        if (!raw) {
            return;
        }
        System.out.println("[close-race] stream: the closed descriptor number was reused by a sentinel in "
                + reused + " of " + ITERATIONS + " iterations");
        assertThat(reused).as("iterations in which a sentinel got the closed number").isGreaterThan(ITERATIONS / 2);
    }

    @Test
    void closing_a_poll_races_safely_with_poll_register_and_waker_creation() throws Exception {
        int reused = 0;
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream a = TcpStream.connect(listener.localAddr());
             TcpStream aPeer = acceptOne(listener);
             TcpStream b = TcpStream.connect(listener.localAddr());
             TcpStream bPeer = acceptOne(listener)) {
            Token ta = new Token(1);
            Token tb = new Token(2);
            Interest both = Interest.READABLE.add(Interest.WRITABLE);
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                int[] epfdHolder = new int[1];
                Poll poll = openPoll(epfdHolder);
                int epfd = epfdHolder[0];
                Registry registry = poll.registry();
                registry.register(b, tb, both);
                Events events = Events.withCapacity(16);

                Race race = new Race();
                race.spawn("poll", false, () -> poll.poll(events, Duration.ofMillis(2)));
                race.spawn("register+deregister", false, () -> {
                    registry.register(a, ta, both); // a writable stream: it would be ready in any epoll set
                    registry.deregister(a);
                });
                race.spawn("reregister", false, () -> registry.reregister(b, tb, both));
                race.spawn("waker", false, () -> {
                    Waker waker = new Waker(registry, new Token(3));
                    try {
                        waker.wake();
                    } finally {
                        waker.close();
                    }
                });
                race.awaitRunning();
                spinBriefly();

                poll.close();
                race.closed = true;
                try (Sentinels sentinels = Sentinels.openUntilReused(epfd, true, 20)) {
                    if (sentinels.contains(epfd)) {
                        reused++;
                    }
                    race.finish();
                    sentinels.verify(race.failures);
                }
                assertThat(race.failures).as("iteration " + iteration).isEmpty();
            }
        }
        System.out.println("[close-race] poll: the closed epoll number was reused by a sentinel in "
                + reused + " of " + ITERATIONS + " iterations");
        assertThat(reused).as("iterations in which a sentinel got the closed number").isGreaterThan(ITERATIONS / 2);
    }

    /** The descriptor numbers of this process's epoll instances, from /proc/self/fd. */
    private static java.util.Set<Integer> epollFds() {
        java.util.Set<Integer> found = new java.util.HashSet<>();
        java.io.File[] entries = new java.io.File("/proc/self/fd").listFiles();
        if (entries != null) {
            for (java.io.File f : entries) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(f.toPath()).toString().equals(
                            TestBackend.uring() ? "anon_inode:[io_uring]" : "anon_inode:[eventpoll]")) {
                        found.add(Integer.parseInt(f.getName()));
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return found;
    }

    /** Opens a Poll and finds its epoll descriptor: the one epoll instance that was not there before. */
    private static Poll openPoll(int[] epfd) throws IOException {
        java.util.Set<Integer> before = epollFds();
        Poll poll = Poll.open();
        java.util.Set<Integer> added = epollFds();
        added.removeAll(before);
        assertThat(added).as("new epoll descriptors").hasSize(1);
        epfd[0] = added.iterator().next();
        return poll;
    }
}
