package io.mio.tls;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A TLS client and server over loopback in one Poll, driven on one thread by events only, following the rule
 * {@link TlsStream}'s documentation gives and nothing more: on every event read until 0, then write or flush, and
 * reregister only when {@link TlsStream#wantsWrite()} changes the interest. (Reregistering after every event would
 * re-arm the socket and hide a stream that strands bytes.)
 */
final class Loopback implements AutoCloseable {
    static final Token CLIENT = new Token(1);
    static final Token SERVER = new Token(2);
    /** More than any test sends: {@link End#onEvent()} fails instead of reading on. */
    static final long MAX_BYTES_PER_EVENT = 64L << 20;

    /** One side: its stream, what it received, what it still has to send. */
    static final class End {
        final String name;
        final TlsStream tls;
        final Token token;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer readBuffer;
        final ByteBuffer[] outgoing = {ByteBuffer.allocate(0)};
        boolean eof;
        /** When {@link #onEvent()} gives up on a read that never returns 0 ({@link #pumpUntil} sets it). */
        long deadline = Long.MAX_VALUE;
        boolean shutdownWanted;
        boolean shutdownDone;
        /** Echo everything received back to the peer. */
        boolean echo;
        IOException error;
        int events;
        private boolean writableRegistered;
        private final Poll poll;

        End(String name, TlsStream tls, Token token, Poll poll, int readBufferSize) {
            this.name = name;
            this.tls = tls;
            this.token = token;
            this.poll = poll;
            this.readBuffer = ByteBuffer.allocate(readBufferSize);
        }

        /** Registers this end while its connect is in progress: with WRITABLE, whose first event says it completed. */
        void registerConnecting() throws IOException {
            poll.registry().register(tls, token, Interest.READABLE.add(Interest.WRITABLE));
            writableRegistered = true;
        }

        /** Queues {@code data} to be sent. */
        void send(byte[] data) {
            ByteBuffer rest = outgoing[0];
            if (rest.capacity() - rest.remaining() >= data.length) {
                rest.compact().put(data).flip();
            } else {
                ByteBuffer b = ByteBuffer.allocate(Math.max(2 * rest.capacity(), rest.remaining() + data.length));
                b.put(rest).put(data).flip();
                outgoing[0] = b;
            }
        }

        boolean allSent() {
            return !outgoing[0].hasRemaining() && !tls.wantsWrite();
        }

        byte[] receivedBytes() {
            return received.toByteArray();
        }

        /** What an event loop does on an event for this stream, whatever its flags. */
        void onEvent() {
            if (error != null) {
                return;
            }
            events++;
            try {
                if (!eof) {
                    int n;
                    long readThisEvent = 0;
                    while ((n = tls.read(readBuffer.clear())) > 0) {
                        readThisEvent += n;
                        if (readThisEvent > MAX_BYTES_PER_EVENT || System.nanoTime() > deadline) {
                            // A read that never returns 0 would otherwise spin here forever, where no timeout can stop
                            // it (no test sends this much, and the pump's deadline has passed).
                            throw new AssertionError(name + ": read() returned data for " + readThisEvent
                                    + " bytes in one event and never 0");
                        }
                        readBuffer.flip();
                        byte[] chunk = new byte[readBuffer.remaining()];
                        readBuffer.get(chunk);
                        received.writeBytes(chunk);
                        if (echo) {
                            send(chunk);
                        }
                    }
                    if (n < 0) {
                        eof = true;
                    }
                }
                kickWrites();
            } catch (IOException e) {
                error = e;
            }
        }

        /**
         * Writes what is queued (or flushes), shuts down once everything was taken if asked, and keeps WRITABLE
         * registered exactly while {@link TlsStream#wantsWrite()}: a write that returned 0 without it waits for the
         * handshake, which the next readable event's reads advance.
         */
        void kickWrites() throws IOException {
            if (outgoing[0].hasRemaining()) {
                tls.write(outgoing[0]);
            } else {
                tls.flush();
            }
            if (shutdownWanted && !shutdownDone && !outgoing[0].hasRemaining()) {
                shutdownDone = true;
                tls.shutdown();
            }
            boolean wantWritable = tls.wantsWrite();
            if (wantWritable != writableRegistered) {
                writableRegistered = wantWritable;
                poll.registry().reregister(tls, token,
                        wantWritable ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
            }
        }
    }

    final Poll poll;
    final TcpListener listener;
    final End client;
    final End server;
    private final Events events = Events.withCapacity(16);

    private Loopback(Poll poll, TcpListener listener, End client, End server) {
        this.poll = poll;
        this.listener = listener;
        this.client = client;
        this.server = server;
    }

    static Loopback open(TlsConfig serverConfig, TlsConfig clientConfig, String host) throws IOException {
        return open(serverConfig, clientConfig, host, "127.0.0.1", 16 * 1024, 16 * 1024);
    }

    /**
     * Connects a client to a server over {@code bindAddress}, both registered; the client's first event (connected,
     * so writable) starts the handshake.
     */
    static Loopback open(TlsConfig serverConfig, TlsConfig clientConfig, String host, String bindAddress,
                         int clientReadBuffer, int serverReadBuffer) throws IOException {
        Poll poll = Poll.open();
        TcpListener listener = null;
        TcpStream connecting = null;
        TcpStream accepted = null;
        try {
            listener = TcpListener.bind(new InetSocketAddress(bindAddress, 0));
            connecting = TcpStream.connect(listener.localAddr());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((accepted = listener.accept()) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no connection to accept within 10 s");
                }
                Thread.onSpinWait();
            }
            TlsStream clientTls = TlsStream.client(connecting, clientConfig, host);
            connecting = null;
            TlsStream serverTls = TlsStream.server(accepted, serverConfig);
            accepted = null;
            End client = new End("client", clientTls, CLIENT, poll, clientReadBuffer);
            End server = new End("server", serverTls, SERVER, poll, serverReadBuffer);
            // The client asks for WRITABLE: its first event says the connect completed.
            client.registerConnecting();
            poll.registry().register(serverTls, SERVER, Interest.READABLE);
            return new Loopback(poll, listener, client, server);
        } catch (IOException | RuntimeException e) {
            if (connecting != null) {
                connecting.close();
            }
            if (accepted != null) {
                accepted.close();
            }
            if (listener != null) {
                listener.close();
            }
            poll.close();
            throw e;
        }
    }

    /**
     * Polls and drives both ends until {@code done} holds.
     *
     * @throws AssertionError if it does not hold within {@code timeout}, naming both ends' state
     */
    void pumpUntil(Duration timeout, BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        client.deadline = deadline;
        server.deadline = deadline;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within " + timeout + ": " + state());
            }
            poll.poll(events, Duration.ofMillis(50));
            for (Event e : events) {
                (e.token().equals(CLIENT) ? client : server).onEvent();
            }
        }
    }

    /** Drives until both handshakes completed (or either side failed). */
    void handshake() throws IOException {
        pumpUntil(Duration.ofSeconds(20), () -> client.error != null || server.error != null
                || (!client.tls.isHandshaking() && !server.tls.isHandshaking() && client.allSent() && server.allSent()));
    }

    /** Drives until either side fails. */
    void pumpUntilError() throws IOException {
        pumpUntil(Duration.ofSeconds(20), () -> client.error != null || server.error != null);
    }

    String state() {
        List<String> s = new ArrayList<>();
        for (End e : List.of(client, server)) {
            s.add(e.name + "{handshaking=" + e.tls.isHandshaking() + ", received=" + e.received.size()
                    + ", toSend=" + e.outgoing[0].remaining() + ", wantsWrite=" + e.tls.wantsWrite() + ", eof=" + e.eof
                    + ", events=" + e.events + ", error=" + e.error + "}");
        }
        return String.join(", ", s);
    }

    @Override
    public void close() {
        client.tls.close();
        server.tls.close();
        listener.close();
        poll.close();
    }
}
