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
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * mio's {@code tcp_server} example: an echo server. Every byte a client sends comes back. It serves until
 * stopped.
 *
 * <p>Usage: {@code TcpServer [port]} (default 9000); then {@code nc 127.0.0.1 9000}.
 *
 * <p>The loop allocates nothing per round trip: one direct buffer per connection, tokens created at accept,
 * connections held in an array indexed by token. It stops reading at a short read (the socket is then
 * empty, and the next byte raises a new edge), which saves the would-block read per round trip; except when
 * the event said read-closed, since no edge comes for a FIN that is already queued.
 */
public final class TcpServer {
    private static final Token SERVER = new Token(0);

    /** One client: its stream, token and the bytes read but not yet echoed back. */
    private static final class Connection {
        final TcpStream stream;
        final Token token;
        final ByteBuffer pending = ByteBuffer.allocateDirect(64 * 1024);
        boolean waitingToWrite;

        Connection(TcpStream stream, Token token) {
            this.stream = stream;
            this.token = token;
        }
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        try (Poll poll = Poll.open();
             TcpListener server = TcpListener.bind(new InetSocketAddress("127.0.0.1", port))) {
            InetSocketAddress bound = server.localAddr();
            System.out.println("You can connect to the server using `nc`:");
            System.out.println(" $ nc " + bound.getHostString() + " " + bound.getPort());
            System.out.println("You'll see our welcome message and anything you type will be printed here.");
            System.out.flush();
            serve(poll, server);
        }
    }

    static void serve(Poll poll, TcpListener server) throws IOException {
        Registry registry = poll.registry();
        registry.register(server, SERVER, Interest.READABLE);
        Events events = Events.withCapacity(1024);
        List<Connection> connections = new ArrayList<>();
        connections.add(null); // index 0 is the listener's token
        List<Integer> free = new ArrayList<>();

        while (true) {
            poll.poll(events, null);
            for (int i = 0; i < events.size(); i++) {
                Event event = events.get(i);
                long id = event.token().value();
                if (id == SERVER.value()) {
                    TcpStream stream;
                    while ((stream = server.accept()) != null) {
                        stream.setNodelay(true);
                        int slot = free.isEmpty() ? connections.size() : free.removeLast();
                        Connection c = new Connection(stream, new Token(slot));
                        if (slot == connections.size()) {
                            connections.add(c);
                        } else {
                            connections.set(slot, c);
                        }
                        registry.register(stream, c.token, Interest.READABLE);
                    }
                    continue;
                }
                Connection c = connections.get((int) id);
                if (c == null) {
                    continue;
                }
                boolean open;
                try {
                    open = handle(registry, c, event);
                } catch (IOException e) {
                    open = false; // reset by peer and the like: drop the connection
                }
                if (!open) {
                    c.stream.close();
                    connections.set((int) id, null);
                    free.add((int) id);
                }
            }
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
