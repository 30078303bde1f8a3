package io.mio.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One event loop of a TCP echo server: one {@link Poll}, one listener, and the connections that listener
 * accepted, all served on the thread that calls {@link #run()}. {@link TcpServer} runs one on its main
 * thread; {@link MultiLoopEchoServer} runs several, one per thread, on listeners sharing a port.
 *
 * <p>The loop allocates nothing per round trip: each connection gets its direct buffer and its token once, at
 * accept, and connections live in a list indexed by token, so an event finds its connection without a map
 * lookup or boxing. It stops reading at a short read (the socket is then empty, and the next byte raises a
 * new edge), which saves the would-block read per round trip; except after a read-closed event, since no
 * edge comes for a FIN that is already queued.
 *
 * <p>{@link #run()} returns when the Poll reports {@link #STOP}: the token of a {@link io.mio.Waker} that
 * whoever wants to stop the loop creates. The example programs never create one, so they serve until killed;
 * tests and {@link MultiLoopEchoServer#start} do.
 */
final class EchoLoop {
    static final Token LISTENER = new Token(0);
    /** Token of the Waker that ends {@link #run()}. */
    static final Token STOP = new Token(1);
    /** Tokens below this are the two above; connections take the rest, reusing those of closed ones. */
    private static final int FIRST_CONNECTION = 2;
    /** Bytes a connection may have read but not yet echoed; a peer that sends more waits for us to write. */
    private static final int BUFFER_SIZE = 64 * 1024;

    /** One client: its stream, token and the bytes read but not yet echoed back. */
    private static final class Connection {
        final TcpStream stream;
        final Token token;
        final ByteBuffer pending = ByteBuffer.allocateDirect(BUFFER_SIZE);
        boolean waitingToWrite;

        Connection(TcpStream stream, Token token) {
            this.stream = stream;
            this.token = token;
        }
    }

    private final Poll poll;
    private final TcpListener listener;
    // Written by the loop's thread only, read by others (tests, to see how the kernel spread connections).
    private final AtomicLong accepted = new AtomicLong();

    /** A loop that will serve {@code listener}'s connections on {@code poll}; both stay the caller's to close. */
    EchoLoop(Poll poll, TcpListener listener) {
        this.poll = poll;
        this.listener = listener;
    }

    /** How many connections this loop has accepted so far; safe to call from any thread. */
    long accepted() {
        return accepted.get();
    }

    /**
     * Registers the listener and serves until the Poll reports {@link #STOP}; then closes the connections it
     * accepted (their clients see end of stream) and returns.
     */
    void run() throws IOException {
        Registry registry = poll.registry();
        registry.register(listener, LISTENER, Interest.READABLE);
        Events events = Events.withCapacity(1024);
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < FIRST_CONNECTION; i++) {
            connections.add(null); // the slots of the reserved tokens
        }
        List<Integer> free = new ArrayList<>();
        try {
            while (true) {
                poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
                for (int i = 0; i < events.size(); i++) {
                    Event event = events.get(i);
                    long id = event.token().value();
                    if (id == STOP.value()) {
                        return;
                    }
                    if (id == LISTENER.value()) {
                        acceptAll(registry, connections, free);
                        continue;
                    }
                    Connection c = connections.get((int) id);
                    if (c == null) {
                        continue; // closed earlier in this batch of events
                    }
                    boolean open;
                    try {
                        open = handle(registry, c, event);
                    } catch (IOException e) {
                        open = false; // reset by peer and the like: drop this connection, serve the others
                    }
                    if (!open) {
                        c.stream.close();
                        connections.set((int) id, null);
                        free.add((int) id);
                    }
                }
            }
        } finally {
            for (Connection c : connections) {
                if (c != null) {
                    c.stream.close();
                }
            }
        }
    }

    /** Accepts until the listener would block: edge-triggered, no further event comes for those already queued. */
    private void acceptAll(Registry registry, List<Connection> connections, List<Integer> free) throws IOException {
        TcpStream stream;
        while ((stream = listener.accept()) != null) {
            accepted.incrementAndGet();
            try {
                // An echo is a small write awaiting a reply: Nagle's delay would only slow each round trip.
                stream.setNodelay(true);
            } catch (UnsupportedOperationException e) {
                // Compiled to wasm32-wasi: WasmEdge's ABI has no TCP-level options; the host decides Nagle.
            }
            int slot = free.isEmpty() ? connections.size() : free.removeLast();
            Connection c = new Connection(stream, new Token(slot));
            if (slot == connections.size()) {
                connections.add(c);
            } else {
                connections.set(slot, c);
            }
            registry.register(stream, c.token, Interest.READABLE);
        }
    }

    /** Echoes what is readable; false once the peer has closed. */
    private static boolean handle(Registry registry, Connection c, Event event) throws IOException {
        if (c.waitingToWrite && event.isWritable() && !flush(registry, c)) {
            return true; // still blocked on write: reading more would only grow the backlog
        }
        if (!event.isReadable() && !event.isReadClosed()) {
            return true;
        }
        while (true) {
            ByteBuffer buf = c.pending;
            int room = buf.remaining();
            int n = c.stream.read(buf);
            if (n < 0) {
                return false;
            }
            if (n == 0 && room > 0) {
                return true; // would block: wait for the next edge
            }
            if (!flush(registry, c)) {
                return true;
            }
            if (n < room && !event.isReadClosed()) {
                // Short read: the socket is empty, the next byte raises a new edge. Not after a read-closed
                // event: the peer's FIN is already queued and no new edge comes for it, so read on to EOF.
                return true;
            }
        }
    }

    /** Writes the pending bytes; false if some remain (then waits for writable). */
    private static boolean flush(Registry registry, Connection c) throws IOException {
        ByteBuffer buf = c.pending;
        buf.flip();
        while (buf.hasRemaining()) {
            if (c.stream.write(buf) == 0) {
                buf.compact();
                // Ask for writable only while blocked: a connection that always wanted it would get an event
                // after every write, for nothing.
                if (!c.waitingToWrite) {
                    c.waitingToWrite = true;
                    registry.reregister(c.stream, c.token, Interest.READABLE.add(Interest.WRITABLE));
                }
                return false;
            }
        }
        buf.clear();
        if (c.waitingToWrite) {
            c.waitingToWrite = false;
            registry.reregister(c.stream, c.token, Interest.READABLE);
        }
        return true;
    }
}
