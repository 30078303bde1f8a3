package io.mio.reliability;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registry races: several threads register, reregister, deregister and close TCP streams on one Poll while
 * another thread polls it, for a fixed time. Each stream belongs to one mutator thread, so every call it makes
 * must succeed; the threads race with each other (slot table, epoll set, descriptor reuse) and with the poller.
 *
 * <p>The "no event after deregister" check needs a happens-before edge: when a deregister, close or
 * reregister (which retires the old token) returns, the mutator stamps the retired token with
 * {@code clock.incrementAndGet()}. The poller reads {@code clock} before each poll; an event whose token was
 * stamped at or before that value was retired before the poll began and is a violation. Tokens are never
 * reused, and an event with a token that was never issued is a violation too.
 */
public final class RegistryRaces {
    private RegistryRaces() {}

    public record Result(Duration duration, int mutators, long registers, long reregisters, long deregisters,
                         long closes, long opens, long polls, long events, List<String> violations,
                         List<String> unexpected, int fdsBefore, int fdsAfter) {}

    public static Result run(Duration duration, int mutators, int streamsPerThread, long seed)
            throws IOException, InterruptedException {
        int fdsBefore = Footprint.openFds();
        AtomicLong clock = new AtomicLong();
        AtomicLong tokens = new AtomicLong(1);
        Set<Long> issued = ConcurrentHashMap.newKeySet();
        ConcurrentHashMap<Long, Long> retiredAt = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicLong registers = new AtomicLong(), reregisters = new AtomicLong(), deregisters = new AtomicLong(),
                closes = new AtomicLong(), opens = new AtomicLong(), polls = new AtomicLong(), events = new AtomicLong();
        // The window starts when the threads do (Thread.start publishes it): opening the first Poll of a JVM links
        // the backend, which on a loaded machine took seconds of a 5 s window.
        long[] end = {Long.MAX_VALUE};
        Interest[] interests = {Interest.READABLE, Interest.WRITABLE, Interest.READABLE.add(Interest.WRITABLE)};

        try (ServerSocket ss = new ServerSocket(0, 512, InetAddress.getLoopbackAddress()); Poll poll = Poll.open()) {
            ss.setSoTimeout(100);
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            // Accepts, writes one byte (a readable edge), keeps the newest 256 peers open.
            Thread acceptor = new Thread(() -> {
                ArrayDeque<Socket> peers = new ArrayDeque<>();
                try {
                    while (System.nanoTime() < end[0]) {
                        try {
                            Socket p = ss.accept();
                            p.getOutputStream().write(1);
                            peers.add(p);
                            if (peers.size() > 256) peers.poll().close();
                        } catch (SocketTimeoutException ignored) {
                            // check the clock
                        }
                    }
                } catch (IOException e) {
                    unexpected.add("acceptor: " + e);
                } finally {
                    for (Socket p : peers) {
                        try {
                            p.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                }
            }, "race-acceptor");
            Thread poller = new Thread(() -> {
                Events ev = Events.withCapacity(256);
                try {
                    while (System.nanoTime() < end[0]) {
                        long start = clock.get();
                        poll.poll(ev, Duration.ofMillis(10));
                        polls.incrementAndGet();
                        for (Event e : ev) {
                            events.incrementAndGet();
                            long t = e.token().value();
                            if (!issued.contains(t)) {
                                violations.add("event for a token never issued: " + e);
                            }
                            Long r = retiredAt.get(t);
                            if (r != null && r <= start) {
                                violations.add("event for " + e.token() + " retired at " + r
                                        + ", before the poll that began at " + start + ": " + e);
                            }
                        }
                    }
                } catch (Throwable t) {
                    unexpected.add("poller: " + t);
                }
            }, "race-poller");
            List<Thread> threads = new ArrayList<>();
            for (int m = 0; m < mutators; m++) {
                long threadSeed = seed + m;
                threads.add(new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(threadSeed);
                    TcpStream[] streams = new TcpStream[streamsPerThread];
                    Token[] current = new Token[streamsPerThread];
                    try {
                        while (System.nanoTime() < end[0]) {
                            int i = rnd.nextInt(streamsPerThread);
                            if (streams[i] == null) {
                                streams[i] = TcpStream.connect(addr);
                                opens.incrementAndGet();
                                continue;
                            }
                            if (current[i] == null) {
                                int op = rnd.nextInt(4);
                                if (op == 0) {
                                    streams[i].close();
                                    streams[i] = null;
                                    closes.incrementAndGet();
                                } else {
                                    Token t = new Token(tokens.getAndIncrement());
                                    issued.add(t.value());
                                    poll.registry().register(streams[i], t, interests[rnd.nextInt(3)]);
                                    current[i] = t;
                                    registers.incrementAndGet();
                                }
                                continue;
                            }
                            Token old = current[i];
                            int op = rnd.nextInt(10);
                            if (op < 5) {
                                Token t = new Token(tokens.getAndIncrement());
                                issued.add(t.value());
                                poll.registry().reregister(streams[i], t, interests[rnd.nextInt(3)]);
                                current[i] = t;
                                reregisters.incrementAndGet();
                            } else if (op < 8) {
                                poll.registry().deregister(streams[i]);
                                current[i] = null;
                                deregisters.incrementAndGet();
                            } else {
                                streams[i].close();
                                streams[i] = null;
                                current[i] = null;
                                closes.incrementAndGet();
                            }
                            retiredAt.put(old.value(), clock.incrementAndGet());
                        }
                    } catch (Throwable t) {
                        unexpected.add(Thread.currentThread().getName() + ": " + t);
                    } finally {
                        for (TcpStream s : streams) {
                            if (s != null) s.close();
                        }
                    }
                }, "race-mutator-" + m));
            }
            end[0] = System.nanoTime() + duration.toNanos();
            acceptor.start();
            poller.start();
            threads.forEach(Thread::start);
            long joinBy = System.currentTimeMillis() + duration.toMillis() + 30_000;
            for (Thread t : threads) t.join(Math.max(1, joinBy - System.currentTimeMillis()));
            poller.join(Math.max(1, joinBy - System.currentTimeMillis()));
            acceptor.join(Math.max(1, joinBy - System.currentTimeMillis()));
            for (Thread t : threads) if (t.isAlive()) unexpected.add(t.getName() + " still running");
            if (poller.isAlive()) unexpected.add("poller still running");
        }
        int fdsAfter = Footprint.openFds();
        return new Result(duration, mutators, registers.get(), reregisters.get(), deregisters.get(), closes.get(),
                opens.get(), polls.get(), events.get(), List.copyOf(violations), List.copyOf(unexpected), fdsBefore,
                fdsAfter);
    }
}
