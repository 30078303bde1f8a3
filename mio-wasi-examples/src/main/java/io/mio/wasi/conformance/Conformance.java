package io.mio.wasi.conformance;

import io.mio.Backend;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.Waker;
import io.mio.net.SocketAddressHolder;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;
import io.mio.unix.Pipe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * mio's promises (../shared/docs/mio-semantics.md) that a wasm32-wasi guest can express, checked through
 * io.mio's public API only: the same program runs on the JVM (either backend) and, compiled with TeaVM, on
 * mio-wasm or WasmEdge. Prints one line per check and then {@code N passed, M failed}; exits 1 if any failed.
 * Binds and connects to 127.0.0.1 only.
 */
public final class Conformance {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final Duration LONG = Duration.ofSeconds(5);

    private final java.io.PrintStream out;
    private int passed;
    private int failed;

    private Conformance(java.io.PrintStream out) {
        this.out = out;
    }

    /** One check: throws (or returns a failure text) when the behaviour is wrong. */
    private interface Check {
        String run() throws Exception;
    }

    public static void main(String[] args) {
        if (run(System.out) > 0) {
            Exit.exit(1);
        }
    }

    /** Runs every check, printing to {@code out}; returns how many failed. */
    public static int run(java.io.PrintStream out) {
        Conformance c = new Conformance(out);
        c.runAll();
        out.println(c.passed + " passed, " + c.failed + " failed");
        out.flush();
        return c.failed;
    }

    private void runAll() {
        check("interest_text_and_union", Conformance::interestText);
        check("events_capacity_zero_rejected", Conformance::eventsCapacityZero);
        check("poll_timeout_with_nothing_registered", Conformance::pollTimeoutEmpty);
        check("accept_and_connect_events", Conformance::acceptAndConnect);
        check("read_on_fresh_stream_would_block", () -> withPair(Conformance::freshStreamWouldBlock));
        check("edge_triggered_drain_then_new_edge", () -> withPair(Conformance::edgeTriggeredDrain));
        check("at_most_capacity_events_per_poll", Conformance::capacityBound);
        check("register_twice_rejected", Conformance::registerTwice);
        check("reregister_and_deregister_unregistered_rejected", Conformance::unregisteredMisuse);
        check("reregister_replaces_token_and_interest", () -> withPair(Conformance::reregisterReplaces));
        check("no_event_after_deregister", () -> withPair(Conformance::deregisterGuarantee));
        check("no_event_after_close", () -> withPair(Conformance::closeGuarantee));
        check("peer_close_gives_readable_then_eof", () -> withPair(Conformance::eofAfterPeerClose));
        check("shutdown_write_gives_eof_to_peer", () -> withPair(Conformance::shutdownWrite));
        check("connect_refused_reported", Conformance::connectRefused);
        check("bind_same_address_twice_fails", Conformance::bindTwice);
        check("closed_source_and_poll_throw", Conformance::closedUse);
        check("waker_event_and_one_waker_per_poll", Conformance::waker);
        check("udp_send_recv_and_sender_address", () -> withUdpPair(Conformance::udpEcho));
        check("udp_empty_datagram", () -> withUdpPair(Conformance::udpEmptyDatagram));
        check("udp_new_datagram_after_would_block_gives_new_edge", () -> withUdpPair(Conformance::udpEdge));
        check("what_wasi_cannot_do_is_unsupported", Conformance::unsupportedOnWasi);
    }

    private void check(String name, Check check) {
        String failure;
        java.util.Arrays.fill(PENDING, 0); // each check has its own Poll: nothing carries over
        try {
            failure = check.run();
        } catch (Throwable t) {
            failure = t.getClass().getName() + ": " + t.getMessage();
        }
        if (failure == null) {
            passed++;
            out.println("ok     " + name);
        } else {
            failed++;
            out.println("FAILED " + name + ": " + failure);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /**
     * Readiness seen but not yet asked for, by token value (the checks use tokens below 1024): a poll can
     * return several sources' events at once, and an edge dropped here would never come again.
     */
    private static final int[] PENDING = new int[1024];

    /**
     * The readiness (as flags) of the next event for {@code token}, from an earlier poll's leftovers or from
     * polling until {@code within} passes (then 0). Events for other tokens are kept for their own wait.
     */
    private static int awaitEvent(Poll poll, Events events, Token token, Duration within) throws IOException {
        int slot = (int) token.value();
        long deadline = System.nanoTime() + within.toNanos();
        while (PENDING[slot] == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            poll.poll(events, Duration.ofNanos(left));
            for (Event e : events) {
                PENDING[(int) e.token().value()] |= flags(e);
            }
        }
        int f = PENDING[slot];
        PENDING[slot] = 0;
        return f;
    }

    private static final int R = 1;
    private static final int W = 2;
    private static final int RC = 4;
    private static final int ERR = 8;
    private static final int WC = 16;

    private static int flags(Event e) {
        return (e.isReadable() ? R : 0) | (e.isWritable() ? W : 0) | (e.isReadClosed() ? RC : 0)
                | (e.isError() ? ERR : 0) | (e.isWriteClosed() ? WC : 0);
    }

    /** A connected pair: [0] the client, [1] the accepted server side. */
    private static TcpStream[] connectedPair(Poll poll, TcpListener listener) throws IOException {
        Events events = Events.withCapacity(8);
        Token lt = new Token(900);
        poll.registry().register(listener, lt, Interest.READABLE);
        TcpStream client = TcpStream.connect(listener.localAddr());
        TcpStream server = null;
        long deadline = System.nanoTime() + LONG.toNanos();
        while (server == null && System.nanoTime() < deadline) {
            server = listener.accept();
            if (server == null) {
                awaitEvent(poll, events, lt, SHORT);
            }
        }
        poll.registry().deregister(listener);
        if (server == null) {
            client.close();
            throw new IOException("no connection accepted within " + LONG);
        }
        return new TcpStream[] {client, server};
    }

    /** A check on a connected TCP pair: the client side and the accepted server side. */
    private interface PairCheck {
        String run(Poll poll, TcpStream client, TcpStream server) throws IOException;
    }

    /** A check on two bound UDP sockets. */
    private interface UdpCheck {
        String run(Poll poll, UdpSocket a, UdpSocket b) throws IOException;
    }

    /**
     * Runs {@code check} on a fresh Poll and connected pair and closes them after. The fixtures own every
     * resource, so each check body is plain code: besides reading better, that keeps the checks clear of a
     * TeaVM 0.13.1 miscompilation of long bodies inside try-with-resources (see mio-wasi/README.md).
     */
    private static String withPair(PairCheck check) throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(ANY_LOOPBACK)) {
            TcpStream[] pair = connectedPair(poll, listener);
            try (TcpStream client = pair[0]; TcpStream server = pair[1]) {
                return check.run(poll, client, server);
            }
        }
    }

    /** Runs {@code check} on a fresh Poll and two UDP sockets bound to loopback, and closes them after. */
    private static String withUdpPair(UdpCheck check) throws IOException {
        try (Poll poll = Poll.open(); UdpSocket a = UdpSocket.bind(ANY_LOOPBACK); UdpSocket b = UdpSocket.bind(ANY_LOOPBACK)) {
            return check.run(poll, a, b);
        }
    }

    private static int writeAll(TcpStream s, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        long deadline = System.nanoTime() + LONG.toNanos();
        while (b.hasRemaining() && System.nanoTime() < deadline) {
            s.write(b);
        }
        return data.length - b.remaining();
    }

    // ---- checks -----------------------------------------------------------------------------------

    private static String interestText() {
        Interest both = Interest.READABLE.add(Interest.WRITABLE);
        if (!both.isReadable() || !both.isWritable()) {
            return "READABLE.add(WRITABLE) lost a bit: " + both;
        }
        if (!"READABLE | WRITABLE".equals(both.toString())) {
            return "text form is " + both;
        }
        if (!both.remove(Interest.READABLE).orElseThrow().equals(Interest.WRITABLE)) {
            return "remove(READABLE) gave " + both.remove(Interest.READABLE);
        }
        return Interest.READABLE.remove(Interest.READABLE).isEmpty() ? null : "removing the only interest left one";
    }

    private static String eventsCapacityZero() {
        try {
            Events.withCapacity(0);
            return "withCapacity(0) was accepted";
        } catch (IllegalArgumentException expected) {
            return null;
        }
    }

    private static String pollTimeoutEmpty() throws IOException {
        try (Poll poll = Poll.open()) {
            Events events = Events.withCapacity(4);
            long start = System.nanoTime();
            poll.poll(events, Duration.ofMillis(20));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            if (!events.isEmpty()) {
                return "events with nothing registered: " + events;
            }
            return tookMs > 2_000 ? "a 20 ms timeout took " + tookMs + " ms" : null;
        }
    }

    private static String acceptAndConnect() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(ANY_LOOPBACK)) {
            TcpStream client = TcpStream.connect(listener.localAddr());
            TcpStream accepted = null;
            try {
                Token lt = new Token(1);
                Token ct = new Token(2);
                poll.registry().register(listener, lt, Interest.READABLE);
                poll.registry().register(client, ct, Interest.READABLE.add(Interest.WRITABLE));
                Events events = Events.withCapacity(8);
                if ((awaitEvent(poll, events, lt, LONG) & R) == 0) {
                    return "no readable event on the listener";
                }
                accepted = listener.accept();
                return accepted == null ? "accept returned null after a readable event"
                        : connected(poll, events, ct, listener, client, accepted);
            } finally {
                client.close();
                if (accepted != null) {
                    accepted.close();
                }
            }
        }
    }

    private static String connected(Poll poll, Events events, Token ct, TcpListener listener, TcpStream client,
            TcpStream accepted) throws IOException {
        if ((awaitEvent(poll, events, ct, LONG) & W) == 0) {
            return "no writable event on the connecting client";
        }
        if (client.takeError() != null) {
            return "takeError after connecting: " + client.takeError();
        }
        if (!accepted.peerAddr().equals(client.localAddr())) {
            return "accepted peer " + accepted.peerAddr() + " is not the client's " + client.localAddr();
        }
        if (!client.peerAddr().equals(listener.localAddr())) {
            return "client's peer " + client.peerAddr() + " is not the listener " + listener.localAddr();
        }
        TcpStream second = listener.accept();
        return second == null ? null : "a second accept found a connection nobody made";
    }


    private static String freshStreamWouldBlock(Poll poll, TcpStream client, TcpStream server) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(16);
        int n = server.read(buf);
        return n == 0 ? null : "read on a fresh stream returned " + n + " (would-block is 0)";
    }

    private static String edgeTriggeredDrain(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token st = new Token(7);
        poll.registry().register(server, st, Interest.READABLE);
        writeAll(client, new byte[100]);
        if ((awaitEvent(poll, events, st, LONG) & R) == 0) {
            return "no readable event after 100 bytes arrived";
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1000);
        int total = 0;
        long deadline = System.nanoTime() + LONG.toNanos();
        while (total < 100 && System.nanoTime() < deadline) {
            total += Math.max(0, server.read(buf));
        }
        if (total != 100) {
            return "read " + total + " of 100 bytes";
        }
        if (server.read(buf) != 0) {
            return "read after draining did not say would-block";
        }
        if (awaitEvent(poll, events, st, SHORT) != 0) {
            return "an event came with no new data after draining";
        }
        writeAll(client, new byte[5]);
        if ((awaitEvent(poll, events, st, LONG) & R) == 0) {
            return "new data after would-block raised no new edge";
        }
        buf.clear();
        int n = server.read(buf);
        return n == 5 ? null : "read " + n + " of the 5 new bytes";
    }

    private static String capacityBound() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(ANY_LOOPBACK)) {
            TcpStream[] a = connectedPair(poll, listener);
            TcpStream[] b = connectedPair(poll, listener);
            try (TcpStream a0 = a[0]; TcpStream a1 = a[1]; TcpStream b0 = b[0]; TcpStream b1 = b[1]) {
                poll.registry().register(a1, new Token(1), Interest.READABLE);
                poll.registry().register(b1, new Token(2), Interest.READABLE);
                writeAll(a0, new byte[1]);
                writeAll(b0, new byte[1]);
                Events one = Events.withCapacity(1);
                boolean seen1 = false;
                boolean seen2 = false;
                long deadline = System.nanoTime() + LONG.toNanos();
                while (!(seen1 && seen2) && System.nanoTime() < deadline) {
                    poll.poll(one, SHORT);
                    if (one.size() > 1) {
                        return one.size() + " events in an Events of capacity 1";
                    }
                    for (Event e : one) {
                        seen1 |= e.token().value() == 1;
                        seen2 |= e.token().value() == 2;
                    }
                }
                return seen1 && seen2 ? null : "an event beyond the capacity was lost (1: " + seen1 + ", 2: " + seen2 + ")";
            }
        }
    }

    private static String registerTwice() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(ANY_LOOPBACK)) {
            poll.registry().register(listener, new Token(1), Interest.READABLE);
            try {
                poll.registry().register(listener, new Token(2), Interest.READABLE);
                return "a second register was accepted";
            } catch (IllegalStateException expected) {
                // and a second Poll may not take it either
            }
            try (Poll other = Poll.open()) {
                other.registry().register(listener, new Token(3), Interest.READABLE);
                return "a register with a second Poll was accepted";
            } catch (IllegalStateException expected) {
                return null;
            }
        }
    }

    private static String unregisteredMisuse() throws IOException {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(ANY_LOOPBACK)) {
            try {
                poll.registry().reregister(listener, new Token(1), Interest.READABLE);
                return "reregister of an unregistered source was accepted";
            } catch (IllegalStateException expected) {
                // next
            }
            try {
                poll.registry().deregister(listener);
                return "deregister of an unregistered source was accepted";
            } catch (IllegalStateException expected) {
                // registering after a failed misuse still works
            }
            poll.registry().register(listener, new Token(1), Interest.READABLE);
            poll.registry().deregister(listener);
            poll.registry().register(listener, new Token(2), Interest.READABLE);
            return null;
        }
    }

    private static String reregisterReplaces(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token first = new Token(10);
        Token second = new Token(11);
        poll.registry().register(server, first, Interest.READABLE);
        poll.registry().reregister(server, second, Interest.WRITABLE);
        int f = awaitEvent(poll, events, second, LONG);
        if ((f & W) == 0) {
            return "no writable event under the new token";
        }
        writeAll(client, new byte[3]);
        poll.poll(events, SHORT);
        for (Event e : events) {
            if (e.token().equals(first)) {
                return "an event under the replaced token";
            }
            if (e.token().equals(second) && e.isReadable()) {
                return "a readable event after interest changed to WRITABLE only";
            }
        }
        return null;
    }

    private static String deregisterGuarantee(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token st = new Token(20);
        poll.registry().register(server, st, Interest.READABLE.add(Interest.WRITABLE));
        writeAll(client, new byte[10]);
        poll.registry().deregister(server);
        return awaitEvent(poll, events, st, SHORT) == 0 ? null : "an event after deregister returned";
    }

    private static String closeGuarantee(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token st = new Token(21);
        poll.registry().register(server, st, Interest.READABLE);
        writeAll(client, new byte[10]);
        server.close();
        return awaitEvent(poll, events, st, SHORT) == 0 ? null : "an event after close returned";
    }

    private static String eofAfterPeerClose(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token st = new Token(30);
        poll.registry().register(server, st, Interest.READABLE);
        writeAll(client, "bye".getBytes());
        client.close();
        if ((awaitEvent(poll, events, st, LONG) & R) == 0) {
            return "no readable event after the peer wrote and closed";
        }
        ByteBuffer buf = ByteBuffer.allocate(16);
        long deadline = System.nanoTime() + LONG.toNanos();
        int n;
        int total = 0;
        while ((n = server.read(buf)) >= 0 && System.nanoTime() < deadline) {
            total += n;
            if (n == 0) {
                awaitEvent(poll, events, st, SHORT);
            }
        }
        return n == -1 && total == 3 ? null : "read " + total + " bytes then " + n + " (expected 3 then -1)";
    }

    private static String shutdownWrite(Poll poll, TcpStream client, TcpStream server) throws IOException {
        Events events = Events.withCapacity(8);
        Token st = new Token(31);
        poll.registry().register(server, st, Interest.READABLE);
        client.shutdown(io.mio.net.Shutdown.WRITE);
        if ((awaitEvent(poll, events, st, LONG) & R) == 0) {
            return "no readable event after the peer's shutdown(WRITE)";
        }
        int n = server.read(ByteBuffer.allocate(4));
        if (n != -1) {
            return "read after the peer's shutdown(WRITE) gave " + n;
        }
        // the other direction still works
        return server.write(ByteBuffer.wrap(new byte[] {1})) == 1 ? null : "write back after half-close failed";
    }

    private static String connectRefused() throws IOException {
        InetSocketAddress nobody;
        try (TcpListener l = TcpListener.bind(ANY_LOOPBACK)) {
            nobody = l.localAddr();
        }
        TcpStream stream;
        try {
            stream = TcpStream.connect(nobody);
        } catch (java.net.ConnectException refusedAtOnce) {
            return null; // refused before connect returned: as good as an event
        }
        try (Poll poll = Poll.open()) {
            return refusedLater(poll, stream);
        } finally {
            stream.close();
        }
    }

    private static String refusedLater(Poll poll, TcpStream stream) throws IOException {
        Events events = Events.withCapacity(8);
        Token t = new Token(40);
        poll.registry().register(stream, t, Interest.WRITABLE);
        int f = awaitEvent(poll, events, t, LONG);
        if (f == 0) {
            return "no event for a refused connect";
        }
        IOException error = stream.takeError();
        if (error == null) {
            return "takeError is null after a refused connect (event flags " + f + ")";
        }
        return error.getMessage() != null ? null : "the connect error says nothing";
    }


    private static String bindTwice() throws IOException {
        try (TcpListener first = TcpListener.bind(ANY_LOOPBACK)) {
            try (TcpListener second = TcpListener.bind(first.localAddr())) {
                return "a second listener bound " + second.localAddr();
            } catch (java.net.BindException expected) {
                return null;
            }
        }
    }

    private static String closedUse() throws IOException {
        Poll poll = Poll.open();
        TcpListener listener = TcpListener.bind(ANY_LOOPBACK);
        listener.close();
        try {
            listener.accept();
            return "accept on a closed listener worked";
        } catch (ClosedChannelException expected) {
            // next
        }
        try {
            poll.registry().register(listener, new Token(1), Interest.READABLE);
            return "register of a closed listener worked";
        } catch (ClosedChannelException expected) {
            // next
        }
        poll.close();
        try {
            poll.poll(Events.withCapacity(1), SHORT);
            return "poll on a closed Poll worked";
        } catch (ClosedChannelException expected) {
            return null;
        }
    }

    private static String waker() throws IOException {
        try (Poll poll = Poll.open()) {
            Token wt = new Token(50);
            try (Waker waker = new Waker(poll.registry(), wt)) {
                Events events = Events.withCapacity(4);
                waker.wake();
                waker.wake();
                if ((awaitEvent(poll, events, wt, LONG) & R) == 0) {
                    return "no readable event with the waker's token after wake";
                }
                if (awaitEvent(poll, events, wt, SHORT) != 0) {
                    return "two wakes before a poll gave a second event";
                }
                waker.wake();
                if ((awaitEvent(poll, events, wt, LONG) & R) == 0) {
                    return "a wake after the poll gave no new event";
                }
                try (Waker second = new Waker(poll.registry(), new Token(51))) {
                    return "a second Waker on one Poll was accepted";
                } catch (IllegalStateException expected) {
                    return null;
                }
            }
        }
    }

    private static String udpEcho(Poll poll, UdpSocket a, UdpSocket b) throws IOException {
        Events events = Events.withCapacity(8);
        Token bt = new Token(60);
        poll.registry().register(b, bt, Interest.READABLE);
        ByteBuffer out = ByteBuffer.wrap("ping".getBytes());
        if (a.sendTo(out, b.localAddr()) != 4) {
            return "sendTo did not send 4 bytes";
        }
        if ((awaitEvent(poll, events, bt, LONG) & R) == 0) {
            return "no readable event for a datagram";
        }
        ByteBuffer in = ByteBuffer.allocate(64);
        SocketAddressHolder from = new SocketAddressHolder();
        int n = b.recvFrom(in, from);
        if (n != 4 || !"ping".equals(new String(in.array(), 0, 4))) {
            return "received " + n + " bytes";
        }
        if (!from.sameAs(a.localAddr())) {
            return "sender " + from + " is not " + a.localAddr();
        }
        in.clear();
        return b.recvFrom(in, from) == UdpSocket.WOULD_BLOCK ? null : "a second recvFrom did not say would-block";
    }

    private static String udpEmptyDatagram(Poll poll, UdpSocket a, UdpSocket b) throws IOException {
        Events events = Events.withCapacity(8);
        Token bt = new Token(61);
        poll.registry().register(b, bt, Interest.READABLE);
        a.sendTo(ByteBuffer.allocate(0), b.localAddr());
        if ((awaitEvent(poll, events, bt, LONG) & R) == 0) {
            return "no readable event for an empty datagram";
        }
        int n = b.recvFrom(ByteBuffer.allocate(8), new SocketAddressHolder());
        return n == 0 ? null : "an empty datagram was received as " + n;
    }

    private static String udpEdge(Poll poll, UdpSocket a, UdpSocket b) throws IOException {
        Events events = Events.withCapacity(8);
        Token bt = new Token(62);
        poll.registry().register(b, bt, Interest.READABLE);
        ByteBuffer in = ByteBuffer.allocate(64);
        SocketAddressHolder from = new SocketAddressHolder();
        for (int round = 0; round < 3; round++) {
            a.sendTo(ByteBuffer.wrap(new byte[] {(byte) round}), b.localAddr());
            if ((awaitEvent(poll, events, bt, LONG) & R) == 0) {
                return "no readable event for datagram " + round;
            }
            in.clear();
            if (b.recvFrom(in, from) != 1 || in.get(0) != round) {
                return "datagram " + round + " not received";
            }
            in.clear();
            if (b.recvFrom(in, from) != UdpSocket.WOULD_BLOCK) {
                return "no would-block after datagram " + round;
            }
        }
        return null;
    }

    private static String unsupportedOnWasi() throws IOException {
        if (io.mio.Backend.current() != Backend.WASI) {
            return null; // the JVM backends support pipes: nothing to check here
        }
        try {
            Pipe.open();
            return "Pipe.open worked in a WASI guest";
        } catch (UnsupportedOperationException expected) {
            String m = expected.getMessage();
            if (m == null || !m.contains("WASI")) {
                return "the UnsupportedOperationException does not name the limit: " + m;
            }
        }
        try {
            TcpStream.fromRawFd(3);
            return "TcpStream.fromRawFd worked in a WASI guest";
        } catch (UnsupportedOperationException expected) {
            return null;
        }
    }
}
