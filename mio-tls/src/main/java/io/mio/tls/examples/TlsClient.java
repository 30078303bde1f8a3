package io.mio.tls.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpStream;
import io.mio.tls.TlsConfig;
import io.mio.tls.TlsStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * rustls's {@code tlsclient-mio} example on io.mio: connects to a TLS server, sends what it read from standard input
 * (or, with {@code --http}, an HTTP GET for /), and copies whatever the server sends to standard output until the
 * server closes the connection.
 *
 * <pre>
 * TlsClient [--port 443] [--connect IP] [--cafile CA.pem] [--auth-certs CERTS.pem --auth-key KEY.pem]
 *           [--protover TLSv1.3]... [--proto ALPN]... [--no-verify-hostname] [--http] [--verbose] HOST
 * </pre>
 *
 * {@code HOST} is the server's name: it goes into SNI and must be named by the server's certificate. The address
 * connected to is HOST resolved, or {@code --connect}. {@code --cafile} says whom to trust (default: the JDK's
 * trusted CAs); {@code --auth-certs} and {@code --auth-key} present a client certificate. Standard input is read to
 * its end before connecting (not with {@code --http}); once all of it is sent, the client sends {@code close_notify}
 * (TLS 1.3 lets the server go on sending). Exit status 0 once the server sent {@code close_notify}, 1 on any error
 * (printed to standard error, for example a certificate the client does not trust).
 *
 * <p>One thread, one Poll, one {@link TlsStream}, driven on every event the same way: read until 0, write, and
 * register {@link Interest#WRITABLE} only while {@link TlsStream#wantsWrite()}.
 */
public final class TlsClient {
    private static final Token CLIENT = new Token(0);

    private TlsClient() {}

    /**
     * Runs the client; see the class comment.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        try {
            // Standard input is the data to send, read to its end first; --http sends a request of its own instead.
            byte[] input = java.util.Arrays.asList(args).contains("--http") ? new byte[0] : System.in.readAllBytes();
            System.exit(run(args, input, System.out, System.err));
        } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
            System.err.println("TlsClient: " + e);
            System.exit(1);
        }
    }

    /**
     * The client's work, on the calling thread.
     *
     * @param args   the command line (see the class comment)
     * @param input  what to send unless {@code --http}
     * @param out    where the server's data goes
     * @param log    where the handshake's outcome (with {@code --verbose}) and errors go
     * @return the exit status: 0 after the server's close_notify, 1 after an error (printed to {@code log})
     */
    static int run(String[] args, byte[] input, OutputStream out, PrintStream log)
            throws IOException, java.security.GeneralSecurityException {
        int port = 443;
        String connect = null;
        Path cafile = null;
        Path authCerts = null;
        Path authKey = null;
        List<String> protocols = new ArrayList<>();
        List<String> alpn = new ArrayList<>();
        boolean http = false;
        boolean verbose = false;
        boolean verifyHostname = true;
        String host = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port", "-p" -> port = Integer.parseInt(value(args, ++i));
                case "--connect" -> connect = value(args, ++i);
                case "--cafile" -> cafile = Path.of(value(args, ++i));
                case "--auth-certs" -> authCerts = Path.of(value(args, ++i));
                case "--auth-key" -> authKey = Path.of(value(args, ++i));
                case "--protover" -> protocols.add(value(args, ++i));
                case "--proto" -> alpn.add(value(args, ++i));
                case "--no-verify-hostname" -> verifyHostname = false;
                case "--http" -> http = true;
                case "--verbose" -> verbose = true;
                default -> {
                    if (args[i].startsWith("-") || host != null) {
                        throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: TlsClient [--port N] "
                                + "[--connect IP] [--cafile CA.pem] [--auth-certs CERTS.pem --auth-key KEY.pem] "
                                + "[--protover V]... [--proto ALPN]... [--no-verify-hostname] [--http] [--verbose] HOST");
                    }
                    host = args[i];
                }
            }
        }
        if (host == null) {
            throw new IllegalArgumentException("the server's host name is missing (the last argument)");
        }
        TlsConfig.Builder config = TlsConfig.builder(Pem.context(authCerts, authKey, cafile)).hostnameVerification(verifyHostname);
        if (!protocols.isEmpty()) {
            config.protocols(protocols.toArray(String[]::new));
        }
        if (!alpn.isEmpty()) {
            config.applicationProtocols(alpn.toArray(String[]::new));
        }
        byte[] request = http
                ? ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\nAccept-Encoding: identity\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)
                : input;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(connect != null ? connect : host), port);
        try {
            return session(address, config.build(), host, ByteBuffer.wrap(request), !http, verbose, out, log);
        } catch (IOException e) {
            log.println("TlsClient: " + e);
            return 1;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Connects, sends {@code request}, copies the reply to {@code out} until the server's close_notify. */
    private static int session(InetSocketAddress address, TlsConfig config, String host, ByteBuffer request,
                               boolean shutdownAfterSending, boolean verbose, OutputStream out, PrintStream log)
            throws IOException {
        try (Poll poll = Poll.open();
             TlsStream tls = TlsStream.client(TcpStream.connect(address), config, host)) {
            // WRITABLE first: its event says the connect finished (or failed).
            poll.registry().register(tls, CLIENT, Interest.READABLE.add(Interest.WRITABLE));
            boolean writableRegistered = true;
            boolean connected = false;
            boolean reported = false;
            boolean closeNotifySent = false;
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            Events events = Events.withCapacity(8);
            while (true) {
                poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
                for (Event ignored : events) {
                    if (!connected) {
                        IOException failed = tls.tcpStream().takeError();
                        if (failed != null) {
                            throw failed;
                        }
                        connected = true;
                    }
                    // Whatever the event says: read until 0 (TLS holds bytes of its own), then write.
                    int n;
                    while ((n = tls.read(buffer.clear())) > 0) {
                        out.write(buffer.array(), 0, n);
                    }
                    out.flush();
                    if (verbose && !reported && !tls.isHandshaking()) {
                        reported = true;
                        log.println("TlsClient: " + tls.session().getProtocol() + " " + tls.session().getCipherSuite()
                                + ", ALPN " + tls.applicationProtocol() + ", server " + tls.session().getPeerPrincipal());
                    }
                    if (n < 0) {
                        // The server's close_notify: answer (TLS 1.2 already did), best effort, and finish.
                        if (!closeNotifySent) {
                            try {
                                tls.shutdown();
                            } catch (IOException serverGone) {
                                // it may have closed the TCP connection already: its close_notify was what mattered
                            }
                        }
                        return 0;
                    }
                    if (request.hasRemaining()) {
                        tls.write(request);
                    }
                    if (!request.hasRemaining() && shutdownAfterSending && !closeNotifySent) {
                        closeNotifySent = true;
                        tls.shutdown();
                    }
                    tls.flush();
                    boolean want = tls.wantsWrite();
                    if (want != writableRegistered) {
                        writableRegistered = want;
                        poll.registry().reregister(tls, CLIENT,
                                want ? Interest.READABLE.add(Interest.WRITABLE) : Interest.READABLE);
                    }
                }
            }
        }
    }
}
