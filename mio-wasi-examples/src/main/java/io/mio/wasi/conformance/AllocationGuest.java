package io.mio.wasi.conformance;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.teavm.interop.Address;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A wasm-only guest that proves io.mio's WASI backend allocates nothing per round trip: a client and a server
 * in one Poll echo 64-byte messages over loopback the way the TcpServer example does (edge-triggered: after a
 * short read each side waits for the next event, so every round trip polls twice; direct buffers; events
 * iterated in place), and nothing may be allocated across 10,000 round trips. TeaVM
 * allocates by bumping a pointer through free memory, so two objects allocated one after the other lie one
 * object-size apart: a probe object allocated before the round trips and one after them lie exactly that far
 * apart only if nothing was allocated in between (and a collection, which only an allocation starts, would
 * have moved them). Prints {@code allocated N bytes in M round trips}; exits 1 unless N is 0.
 */
public final class AllocationGuest {
    private static final Token SERVER = new Token(1);
    private static final Token CLIENT = new Token(2);
    private static final int SIZE = 64;

    private AllocationGuest() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            TcpStream client = TcpStream.connect(listener.localAddr());
            TcpStream server = acceptOne(poll, listener);
            Loop loop = new Loop(poll, client, server);
            loop.roundTrips(1_000); // warm-up: every buffer and array the loop needs has grown by now
            Object first = new Object();
            Object second = new Object();
            long objectSize = Address.ofObject(second).toLong() - Address.ofObject(first).toLong();
            Object before = new Object();
            loop.roundTrips(rounds);
            Object after = new Object();
            long allocated = Address.ofObject(after).toLong() - Address.ofObject(before).toLong() - objectSize;
            client.close();
            server.close();
            System.out.println("allocated " + allocated + " bytes in " + rounds + " round trips");
            if (allocated != 0) {
                Exit.exit(1);
            }
        }
    }

    private static TcpStream acceptOne(Poll poll, TcpListener listener) throws IOException {
        Events events = Events.withCapacity(4);
        poll.registry().register(listener, new Token(0), Interest.READABLE);
        TcpStream s;
        while ((s = listener.accept()) == null) {
            poll.poll(events, null);
        }
        poll.registry().deregister(listener);
        return s;
    }

    /** The measured loop: nothing here may allocate once warmed up. */
    private static final class Loop {
        private final Poll poll;
        private final TcpStream client;
        private final TcpStream server;
        private final Events events = Events.withCapacity(16);
        private final ByteBuffer request = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer echo = ByteBuffer.allocateDirect(64 * 1024);
        private final ByteBuffer reply = ByteBuffer.allocateDirect(64 * 1024);
        private boolean serverReady;
        private boolean clientReady;

        Loop(Poll poll, TcpStream client, TcpStream server) throws IOException {
            this.poll = poll;
            this.client = client;
            this.server = server;
            poll.registry().register(server, SERVER, Interest.READABLE);
            poll.registry().register(client, CLIENT, Interest.READABLE);
        }

        void roundTrips(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                request.clear();
                request.put(0, (byte) i);
                while (request.hasRemaining()) {
                    client.write(request);
                }
                serve();
                receive(i);
            }
        }

        private void serve() throws IOException {
            int got = 0;
            while (got < SIZE) {
                if (!serverReady) {
                    waitFor(true);
                }
                int room = echo.remaining();
                int n = server.read(echo);
                if (n < room) {
                    serverReady = false; // a short read (or would-block) emptied the socket: wait for the edge
                }
                got += Math.max(n, 0);
            }
            echo.flip();
            while (echo.hasRemaining()) {
                server.write(echo);
            }
            echo.clear();
        }

        private void receive(int i) throws IOException {
            reply.clear();
            while (reply.position() < SIZE) {
                if (!clientReady) {
                    waitFor(false);
                }
                int room = reply.remaining();
                if (client.read(reply) < room) {
                    clientReady = false; // the reply buffer has room to spare: every read here is short
                }
            }
            if (reply.get(0) != (byte) i) {
                throw new IOException("round trip " + i + " echoed the wrong bytes");
            }
        }

        private void waitFor(boolean forServer) throws IOException {
            while (forServer ? !serverReady : !clientReady) {
                poll.poll(events, null);
                for (Event e : events) {
                    if (e.token().equals(SERVER)) {
                        serverReady = true;
                    } else if (e.token().equals(CLIENT)) {
                        clientReady = true;
                    }
                }
            }
        }
    }
}
