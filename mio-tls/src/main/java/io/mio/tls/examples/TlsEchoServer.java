package io.mio.tls.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.Waker;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.tls.TlsConfig;
import io.mio.tls.TlsStream;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * rustls's {@code tlsserver-mio} example on io.mio: a TLS server that echoes what each client sends ({@code echo},
 * the default) or answers any request with one fixed HTTP response and closes ({@code http}). It serves until stopped.
 *
 * <pre>
 * TlsEchoServer --certs CERTS.pem --key KEY.pem [--port 8443] [--address 127.0.0.1]
 *               [--protover TLSv1.3]... [--proto ALPN]... [--auth CA.pem] [--verbose] [echo|http]
 * </pre>
 *
 * {@code --certs} is the server's chain (its own certificate first), {@code --key} its unencrypted PKCS#8 key;
 * {@code --auth} requires client certificates issued by the CAs in that file; {@code --protover} and
 * {@code --proto} restrict the protocol versions and set the ALPN protocols (repeatable). Try it with
 * {@code openssl s_client -connect 127.0.0.1:8443 -CAfile CERTS.pem}, or in {@code http} mode with
 * {@code curl --cacert CERTS.pem https://localhost:8443/}.
 *
 * <p>One event loop on the main thread; per connection a {@link TlsStream} and a 16 KiB buffer. On every event for a
 * connection it reads until {@code read} returns 0 (TLS keeps bytes of its own: no edge announces them), writes back,
 * and registers {@link Interest#WRITABLE} only while {@link TlsStream#wantsWrite()}.
 */
public final class TlsEchoServer {
    /** What the server does with a connection. */
    enum Mode { ECHO, HTTP }

    static final byte[] HTTP_RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 34\r\n"
            + "Connection: close\r\n\r\nHello from io.mio's TlsEchoServer\n").getBytes(StandardCharsets.US_ASCII);

    private TlsEchoServer() {}

    /**
     * Runs the server (see the class comment for the arguments) until the process is stopped.
     *
     * @param args the command line
     * @throws Exception if the arguments, the key or the certificates are bad, or the port cannot be bound
     */
    public static void main(String[] args) throws Exception {
        Path certs = null;
        Path key = null;
        Path auth = null;
        int port = 8443;
        String address = "127.0.0.1";
        List<String> protocols = new ArrayList<>();
        List<String> alpn = new ArrayList<>();
        boolean verbose = false;
        Mode mode = Mode.ECHO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--certs" -> certs = Path.of(value(args, ++i));
                case "--key" -> key = Path.of(value(args, ++i));
                case "--auth" -> auth = Path.of(value(args, ++i));
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--address" -> address = value(args, ++i);
                case "--protover" -> protocols.add(value(args, ++i));
                case "--proto" -> alpn.add(value(args, ++i));
                case "--verbose" -> verbose = true;
                case "echo" -> mode = Mode.ECHO;
                case "http" -> mode = Mode.HTTP;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: TlsEchoServer "
                        + "--certs CERTS.pem --key KEY.pem [--port N] [--address IP] [--protover V]... [--proto ALPN]... "
                        + "[--auth CA.pem] [--verbose] [echo|http]");
            }
        }
        if (certs == null) {
            throw new IllegalArgumentException("--certs and --key are required (the server's certificate chain and key)");
        }
        TlsConfig config = config(Pem.context(certs, key, auth), protocols, alpn, auth != null);
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress(address, port))) {
            InetSocketAddress bound = listener.localAddr();
            System.out.println("Listening on " + bound.getHostString() + ":" + bound.getPort() + " (" + mode.name().toLowerCase()
                    + "); try: openssl s_client -connect " + bound.getHostString() + ":" + bound.getPort() + " -CAfile " + certs);
            System.out.flush();
            new Loop(poll, listener, config, mode, verbose, System.out).run();
        }
    }

    static TlsConfig config(javax.net.ssl.SSLContext context, List<String> protocols, List<String> alpn,
                            boolean requireClientCertificates) {
        TlsConfig.Builder b = TlsConfig.builder(context);
        if (!protocols.isEmpty()) {
            b.protocols(protocols.toArray(String[]::new));
        }
        if (!alpn.isEmpty()) {
            b.applicationProtocols(alpn.toArray(String[]::new));
        }
        if (requireClientCertificates) {
            b.clientAuth(TlsConfig.ClientAuth.NEED);
        }
        return b.build();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** A server running on a thread of its own, for tests and for embedding; {@link #close()} stops it. */
    static final class Running implements AutoCloseable {
        private final Poll poll;
        private final TcpListener listener;
        private final Waker waker;
        private final Thread thread;
        private volatile Throwable failure;

        private Running(Poll poll, TcpListener listener, Loop loop) throws IOException {
            this.poll = poll;
            this.listener = listener;
            this.waker = new Waker(poll.registry(), Loop.STOP);
            this.thread = Thread.ofPlatform().name("tls-echo-server").start(() -> {
                try {
                    loop.run();
                } catch (Throwable t) {
                    failure = t;
                }
            });
        }

        InetSocketAddress address() throws IOException {
            return listener.localAddr();
        }

        /** Stops the loop (its connections close) and releases the listener and the Poll. */
        @Override
        public void close() throws Exception {
            waker.wake();
            thread.join(10_000);
            listener.close();
            waker.close();
            poll.close();
            if (failure != null) {
                throw new IllegalStateException("the server loop failed", failure);
            }
        }
    }

    static Running start(InetSocketAddress address, TlsConfig config, Mode mode, PrintStream log) throws IOException {
        Poll poll = Poll.open();
        try {
            TcpListener listener = TcpListener.bind(address);
            return new Running(poll, listener, new Loop(poll, listener, config, mode, log != null, log));
        } catch (IOException | RuntimeException e) {
            poll.close();
            throw e;
        }
    }

    /** The event loop: one Poll, one listener, its connections. */
    static final class Loop {
        static final Token LISTENER = new Token(0);
        static final Token STOP = new Token(1);
        private static final int FIRST_CONNECTION = 2;

        private final Poll poll;
        private final TcpListener listener;
        private final TlsConfig config;
        private final Mode mode;
        private final boolean verbose;
        private final PrintStream log;
        private final List<Connection> connections = new ArrayList<>();

        Loop(Poll poll, TcpListener listener, TlsConfig config, Mode mode, boolean verbose, PrintStream log) {
            this.poll = poll;
            this.listener = listener;
            this.config = config;
            this.mode = mode;
            this.verbose = verbose;
            this.log = log;
        }

        /** One client: its stream, its token, and the bytes read but not yet echoed (or the HTTP request so far). */
        final class Connection {
            final TlsStream tls;
            final Token token;
            final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024); // write mode: data at [0, position)
            ByteBuffer response;         // http: what is left of the response
            boolean handshakeReported;
            boolean closeNotifySent;      // then: wait for the peer to close, then close
            boolean writableRegistered;

            Connection(TlsStream tls, Token token) {
                this.tls = tls;
                this.token = token;
            }

            /** Handles an event (whatever its flags); false once the connection is finished. */
            boolean handle() throws IOException {
                if (closeNotifySent) {
                    return finishClosing();
                }
                if (!writeBack()) {
                    return true; // the socket is full: reading more would only grow the backlog; WRITABLE resumes
                }
                while (true) {
                    int n = tls.read(buffer);
                    // After every read, not only at the end: the handshake may finish in an event that ends below
                    // (the peer's close_notify, a full socket), and the connection would then never be reported.
                    reportHandshake();
                    if (n < 0) {
                        // The peer's close_notify: it sends no more. Answer with ours (TLS 1.2 did already).
                        closeNotifySent = true;
                        tls.shutdown();
                        return finishClosing();
                    }
                    if (n == 0 && buffer.hasRemaining()) {
                        break; // read until 0: nothing is left in the stream or the socket; the next byte is an event
                    }
                    if (mode == Mode.HTTP && response == null && requestComplete()) {
                        response = ByteBuffer.wrap(HTTP_RESPONSE);
                    }
                    if (!writeBack()) {
                        return true; // stopped before 0: the WRITABLE event this waits for comes back here
                    }
                }
                reportHandshake();
                if (response != null && !response.hasRemaining()) {
                    closeNotifySent = true; // the whole response was taken: close (HTTP/1.1 "Connection: close")
                    tls.shutdown();
                    return finishClosing();
                }
                return true;
            }

            /** Echoes the buffered bytes, or sends the HTTP response; true if nothing is left to write. */
            private boolean writeBack() throws IOException {
                if (mode == Mode.HTTP) {
                    if (response != null) {
                        tls.write(response);
                        return !response.hasRemaining();
                    }
                    if (!buffer.hasRemaining()) {
                        buffer.clear(); // a request longer than the buffer: only its end matters here
                    }
                    return true;
                }
                buffer.flip();
                tls.write(buffer);
                boolean all = !buffer.hasRemaining();
                buffer.compact();
                return all;
            }

            /** An HTTP request ends with an empty line. */
            private boolean requestComplete() {
                byte[] b = buffer.array();
                for (int i = 3; i < buffer.position(); i++) {
                    if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
                        return true;
                    }
                }
                return false;
            }

            /**
             * After our close_notify: flush it, then read (and drop) until the peer closes too. Closing at once could
             * reset the connection while our last bytes still wait in the client's receive queue, and lose them.
             *
             * @return false once the peer has closed
             */
            private boolean finishClosing() throws IOException {
                if (!tls.flush()) {
                    return true;
                }
                try {
                    int n;
                    while ((n = tls.read(buffer.clear())) > 0) {
                        // dropped
                    }
                    return n == 0;
                } catch (IOException peerGone) {
                    return false; // a TCP end of stream without close_notify: the peer is done too
                }
            }

            private void reportHandshake() {
                if (!verbose || handshakeReported || tls.isHandshaking()) {
                    return;
                }
                handshakeReported = true;
                String client = tls.peerCertificates().isEmpty() ? "none"
                        : ((X509Certificate) tls.peerCertificates().getFirst()).getSubjectX500Principal().getName();
                log.println("connection " + token.value() + ": " + tls.session().getProtocol() + " "
                        + tls.session().getCipherSuite() + ", ALPN " + tls.applicationProtocol() + ", SNI "
                        + tls.serverName() + ", client certificate " + client);
            }

            void updateInterest(Registry registry) throws IOException {
                boolean want = tls.wantsWrite();
                if (want != writableRegistered) {
                    writableRegistered = want;
                    registry.reregister(tls, token, want ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
                }
            }
        }

        /** Serves until the Poll reports {@link #STOP}; then closes every connection. */
        void run() throws IOException {
            Registry registry = poll.registry();
            registry.register(listener, LISTENER, Interest.READABLE);
            Events events = Events.withCapacity(256);
            for (int i = 0; i < FIRST_CONNECTION; i++) {
                connections.add(null);
            }
            List<Integer> free = new ArrayList<>();
            try {
                while (true) {
                    poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
                    for (Event event : events) {
                        int id = (int) event.token().value();
                        if (id == STOP.value()) {
                            return;
                        }
                        if (id == LISTENER.value()) {
                            accept(registry, free);
                            continue;
                        }
                        Connection c = connections.get(id);
                        if (c == null) {
                            continue;
                        }
                        boolean open;
                        try {
                            open = c.handle();
                            if (open) {
                                c.updateInterest(registry);
                            }
                        } catch (IOException e) {
                            if (verbose) {
                                log.println("connection " + id + ": " + e + (e.getCause() == null ? "" : ", cause: " + e.getCause()));
                            }
                            open = false;
                        }
                        if (!open) {
                            c.tls.close();
                            connections.set(id, null);
                            free.add(id);
                        }
                    }
                }
            } finally {
                for (Connection c : connections) {
                    if (c != null) {
                        c.tls.close();
                    }
                }
            }
        }

        private void accept(Registry registry, List<Integer> free) throws IOException {
            TcpStream stream;
            while ((stream = listener.accept()) != null) {
                stream.setNodelay(true);
                int slot = free.isEmpty() ? connections.size() : free.removeLast();
                TlsStream tls;
                try {
                    tls = TlsStream.server(stream, config);
                } catch (IOException e) {
                    stream.close();
                    throw e;
                }
                Connection c = new Connection(tls, new Token(slot));
                if (slot == connections.size()) {
                    connections.add(c);
                } else {
                    connections.set(slot, c);
                }
                registry.register(tls, c.token, Interest.READABLE);
            }
        }
    }
}
