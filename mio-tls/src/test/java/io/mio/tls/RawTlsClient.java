package io.mio.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A TLS client written the plain way (blocking socket, the JDK's SSLEngine, no io.mio) that can misbehave on
 * purpose: stop in the middle of a handshake or a record. It plays the broken peer in the bad-input tests.
 */
final class RawTlsClient implements AutoCloseable {
    final Socket socket;
    private final SSLEngine engine;
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer netIn = ByteBuffer.allocate(1 << 15).flip();
    private final ByteBuffer appIn = ByteBuffer.allocate(1 << 15);

    RawTlsClient(InetSocketAddress address, SSLContext context, String host) throws IOException {
        socket = new Socket();
        socket.connect(address, 10_000);
        socket.setSoTimeout(10_000); // a peer that never answers fails the test instead of hanging it
        in = socket.getInputStream();
        out = socket.getOutputStream();
        engine = context.createSSLEngine(host, address.getPort());
        engine.setUseClientMode(true);
        engine.beginHandshake();
    }

    /** The client's first flight (the ClientHello record), wrapped but not sent. */
    byte[] clientHello() throws IOException {
        return wrap(new byte[0]);
    }

    /** Runs the whole handshake, blocking. */
    void handshake() throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> out.write(wrap(new byte[0]));
                case NEED_TASK -> {
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) {
                        t.run();
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult r = engine.unwrap(netIn, appIn);
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        fill();
                    }
                }
                case NOT_HANDSHAKING, FINISHED -> {
                    return;
                }
            }
        }
    }

    /** One or more records carrying {@code data}, wrapped but not sent. */
    byte[] wrap(byte[] data) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(1 << 16);
        do {
            SSLEngineResult r = engine.wrap(src, dst);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new IOException("wrap: " + r);
            }
        } while (src.hasRemaining());
        return Arrays.copyOf(dst.array(), dst.position());
    }

    void send(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
        out.flush();
    }

    private void fill() throws IOException {
        netIn.compact();
        int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
        if (n < 0) {
            throw new IOException("server closed during the handshake");
        }
        netIn.position(netIn.position() + n).flip();
    }

    /** Reads until the server closes (or the socket's timeout); returns how many bytes came. */
    int drainUntilClosed() {
        int total = 0;
        byte[] b = new byte[4096];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // reset or timeout: the server is gone either way
        }
        return total;
    }

    /** Closes the TCP connection without close_notify: to the server, the peer vanished. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
