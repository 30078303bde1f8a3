package io.mio.bench;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.tls.TlsConfig;
import io.mio.tls.TlsStream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * TLS echo server on io.mio's {@link TlsStream} (the JDK's SSLEngine underneath), shaped like
 * {@link MioEchoServer}: one thread, one Poll, edge-triggered registrations, one heap read buffer shared by all
 * connections. TLS changes two things: on every event each connection is read until {@code read} returns 0 (records
 * may wait inside the stream, so a short read proves nothing), and WRITABLE is registered while
 * {@link TlsStream#wantsWrite()} (encrypted bytes the socket did not take), when reading also pauses.
 *
 * <p>Usage: {@code MioTlsEchoServer [port]}; prints {@code READY <port>}.
 */
public final class MioTlsEchoServer {
    private static final Token LISTENER = new Token(Long.MAX_VALUE);

    private static final class Conn {
        final TlsStream tls;
        final Token token;
        ByteBuffer backlog; // plaintext TlsStream did not take yet
        boolean writable;

        Conn(TlsStream tls, Token token) {
            this.tls = tls;
            this.token = token;
        }
    }

    private final Registry registry;
    private final TlsConfig config;
    private final ByteBuffer buffer = ByteBuffer.allocate(ServerSupport.SHARED_BUFFER);
    private final ArrayList<Conn> conns = new ArrayList<>();
    private final ArrayList<Integer> free = new ArrayList<>();

    private MioTlsEchoServer(Registry registry, TlsConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        TlsConfig config = Tls.serverConfig();
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(
                     new InetSocketAddress("127.0.0.1", ServerSupport.port(args)), ServerSupport.BACKLOG)) {
            MioTlsEchoServer server = new MioTlsEchoServer(poll.registry(), config);
            poll.registry().register(listener, LISTENER, Interest.READABLE);
            ServerSupport.ready(listener.localAddr().getPort());
            server.serve(poll, listener);
        }
    }

    private void serve(Poll poll, TcpListener listener) throws IOException {
        Events events = Events.withCapacity(1024);
        while (true) {
            try {
                poll.poll(events, null);
            } catch (InterruptedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                continue; // a signal cut the wait short (EINTR): poll again
            }
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
                    open = c != null && handle(c);
                } catch (IOException e) {
                    open = false; // reset, truncation or a failed handshake: drop the connection
                }
                if (c != null && !open) {
                    c.tls.close();
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
            Conn c = new Conn(TlsStream.server(stream, config), new Token(slot));
            if (slot == conns.size()) {
                conns.add(c);
            } else {
                conns.set(slot, c);
            }
            registry.register(c.tls, c.token, Interest.READABLE);
        }
    }

    /** Whatever the event's flags: write what waits, read until 0 echoing, adjust WRITABLE; false once closed. */
    private boolean handle(Conn c) throws IOException {
        boolean open = (c.backlog == null || writeBacklog(c)) ? echo(c) : true;
        boolean want = c.tls.wantsWrite() || c.backlog != null;
        if (want != c.writable) {
            c.writable = want;
            registry.reregister(c.tls, c.token, want ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
        }
        return open;
    }

    private boolean echo(Conn c) throws IOException {
        ByteBuffer buf = buffer;
        while (true) {
            buf.clear();
            int n = c.tls.read(buf);
            if (n < 0) {
                return false; // close_notify
            }
            if (n == 0) {
                return true; // read until 0: nothing waits in the stream or the socket
            }
            buf.flip();
            c.tls.write(buf);
            if (buf.hasRemaining()) {
                c.backlog = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                return true; // reading resumes once the backlog is written
            }
        }
    }

    private boolean writeBacklog(Conn c) throws IOException {
        c.tls.write(c.backlog);
        if (c.backlog.hasRemaining()) {
            return false;
        }
        c.backlog = null;
        return true;
    }
}
