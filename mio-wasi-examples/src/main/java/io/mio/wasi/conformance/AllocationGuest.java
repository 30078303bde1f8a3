package io.mio.wasi.conformance;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.teavm.runtime.GC;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A wasm-only guest that proves io.mio's WASI backend allocates nothing per round trip: a client and a server
 * in one Poll echo 64-byte messages over loopback the way the TcpServer example does (edge-triggered,
 * direct buffers, events iterated in place), and TeaVM's heap must have exactly as many free bytes after
 * 10,000 round trips as before them (any allocation would take some, and a collection would move the
 * figure). Prints {@code allocated N bytes in M round trips}; exits 1 unless N is 0.
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
            int before = GC.getFreeMemory();
            loop.roundTrips(rounds);
            int after = GC.getFreeMemory();
            client.close();
            server.close();
            System.out.println("allocated " + (before - after) + " bytes in " + rounds + " round trips");
            if (before != after) {
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
        private final ByteBuffer reply = ByteBuffer.allocateDirect(SIZE);
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
                int n = server.read(echo);
                if (n <= 0) {
                    serverReady = false; // would block: the next data raises an edge
                    continue;
                }
                got += n;
            }
            echo.flip();
            while (echo.hasRemaining()) {
                server.write(echo);
            }
            echo.clear();
        }

        private void receive(int i) throws IOException {
            reply.clear();
            while (reply.hasRemaining()) {
                if (!clientReady) {
                    waitFor(false);
                }
                if (client.read(reply) <= 0) {
                    clientReady = false;
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
