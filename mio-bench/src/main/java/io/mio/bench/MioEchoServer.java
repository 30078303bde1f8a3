package io.mio.bench;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * Echo server on io.mio, the way the library is meant to be used: one thread, one Poll, edge-triggered
 * registrations, one direct read buffer shared by all connections, and reading stopped at a short read (the
 * receive queue is then empty and the next byte raises a new edge, so the would-block read is saved). A
 * connection whose echo does not fit in its send buffer keeps the rest in its own backlog and stops reading
 * until the backlog is written.
 *
 * <p>Usage: {@code MioEchoServer [port]}; prints {@code READY <port>}.
 */
public final class MioEchoServer {
    private static final Token LISTENER = new Token(Long.MAX_VALUE);

    private static final class Conn {
        final TcpStream stream;
        final Token token;
        ByteBuffer backlog; // non-null while an echo is only partly written

        Conn(TcpStream stream, Token token) {
            this.stream = stream;
            this.token = token;
        }
    }

    private final Registry registry;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(ServerSupport.SHARED_BUFFER);
    private final ArrayList<Conn> conns = new ArrayList<>();
    private final ArrayList<Integer> free = new ArrayList<>();

    private MioEchoServer(Registry registry) {
        this.registry = registry;
    }

    public static void main(String[] args) throws IOException {
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(
                     new InetSocketAddress("127.0.0.1", ServerSupport.port(args)), ServerSupport.BACKLOG)) {
            MioEchoServer server = new MioEchoServer(poll.registry());
            poll.registry().register(listener, LISTENER, Interest.READABLE);
            ServerSupport.ready(listener.localAddr().getPort());
            server.serve(poll, listener);
        }
    }

    private void serve(Poll poll, TcpListener listener) throws IOException {
        Events events = Events.withCapacity(1024);
        while (true) {
            poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
            for (int i = 0, n = events.size(); i < n; i++) {
                Event event = events.get(i);
                long id = event.token().value();
                if (id == LISTENER.value()) {
                    accept(listener);
                    continue;
                }
                Conn c = conns.get((int) id);
                boolean open;
                try {
                    open = c != null && handle(c, event);
                } catch (IOException e) {
                    open = false; // reset by the peer: drop the connection
                }
                if (c != null && !open) {
                    c.stream.close();
                    conns.set((int) id, null);
                    free.add((int) id);
                }
            }
        }
    }

    private void accept(TcpListener listener) throws IOException {
        TcpStream stream;
        while ((stream = listener.accept()) != null) {
            stream.setNodelay(true);
            int slot = free.isEmpty() ? conns.size() : free.removeLast();
            Conn c = new Conn(stream, new Token(slot));
            if (slot == conns.size()) {
                conns.add(c);
            } else {
                conns.set(slot, c);
            }
            registry.register(stream, c.token, Interest.READABLE);
        }
    }

    /** Echoes what is readable; false once the peer closed. */
    private boolean handle(Conn c, Event event) throws IOException {
        if (c.backlog != null) {
            if (!event.isWritable() || !flushBacklog(c)) {
                return true;
            }
        }
        ByteBuffer buf = buffer;
        while (true) {
            buf.clear();
            int n = c.stream.read(buf);
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                return true; // would block: the next edge brings more
            }
            buf.flip();
            while (buf.hasRemaining()) {
                if (c.stream.write(buf) == 0) {
                    ByteBuffer rest = ByteBuffer.allocateDirect(buf.remaining());
                    rest.put(buf).flip();
                    c.backlog = rest;
                    registry.reregister(c.stream, c.token, Interest.READABLE.add(Interest.WRITABLE));
                    return true;
                }
            }
            if (n < buf.capacity()) {
                return true; // short read: the receive queue is empty
            }
        }
    }

    /** Writes the backlog; true once it is gone (then reading resumes). */
    private boolean flushBacklog(Conn c) throws IOException {
        ByteBuffer b = c.backlog;
        while (b.hasRemaining()) {
            if (c.stream.write(b) == 0) {
                return false;
            }
        }
        c.backlog = null;
        registry.reregister(c.stream, c.token, Interest.READABLE);
        return true;
    }
}
