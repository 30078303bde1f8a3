package io.mio.tls;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.net.TcpStream;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A TLS connection over an io.mio {@link TcpStream}, client or server side, driven by the JDK's
 * {@link SSLEngine}: TLS 1.3 and 1.2, ALPN, SNI, client certificates, with io.mio's contract unchanged.
 *
 * <h2>Creating and registering</h2>
 * {@link #client(TcpStream, TlsConfig, String)} and {@link #server(TcpStream, TlsConfig)} take over a TCP stream
 * (closing the TLS stream closes it). The TCP connect must have completed before the first {@code read},
 * {@code write}, {@code flush} or {@code handshake}: a client registers its connecting stream for
 * {@link Interest#WRITABLE} and creates or first uses the TLS stream once that event came and
 * {@link TcpStream#takeError()} returned null. A TLS stream is a {@link Source}: register it (not the TCP stream)
 * like any other; its registration is the TCP stream's. The handshake begins with the first call that moves
 * bytes; nothing happens on the socket before that.
 *
 * <h2>Reading, writing and the edge-triggered rule</h2>
 * {@link #read(ByteBuffer)} returns application bytes, {@code 0} when it would block, and {@code -1} once the
 * peer's {@code close_notify} arrived. {@link #write(ByteBuffer)} returns the application bytes it took (encrypted
 * and handed to the socket, or queued here), {@code 0} when it would block. "Would block" means the socket would,
 * or the handshake (initial, or a TLS 1.2 renegotiation) waits for the peer: the handshake, TLS 1.3 key updates and
 * post-handshake messages such as session tickets advance inside these calls, without blocking. The engine's
 * delegated tasks (certificate checks, key exchange) run inline, on the calling thread.
 *
 * <p>Registrations are edge-triggered, and a TLS stream holds bytes of its own: after a {@code read} that
 * returned data, whole records or decrypted bytes may already sit in this stream's buffers, and no socket event
 * will announce them. So mio's rule is strict here: <b>after every event for this stream, whatever its flags,
 * call {@code read} until it returns {@code 0} (or {@code -1})</b>. A read that returns fewer bytes than the room
 * it had proves nothing (unlike {@link TcpStream#read}). {@code 0} is the only answer that says everything
 * buffered has been delivered and the socket is empty, so that the next byte raises an event.
 *
 * <p>On the write side, a {@code write} may encrypt more than the socket takes at once: the rest stays queued in
 * this stream and goes out with the next {@code write} or {@link #flush()} once the socket is writable. After
 * handling an event, register {@link Interest#WRITABLE} exactly when {@link #wantsWrite()} is true, then call
 * {@code flush} (or {@code write}) when it comes. {@code write} never reads the socket, so it cannot strand input:
 * when it returns {@code 0} with {@code wantsWrite()} false, the handshake waits for the peer, and the next
 * {@code read} (after a readable event) advances it; try the write again after that.
 *
 * <pre>{@code
 * // one event for this stream (token), whatever its flags:
 * int n;
 * while ((n = tls.read(buf)) > 0) { consume(buf); }
 * if (n < 0) { ... peer sent close_notify ... }
 * if (pending.hasRemaining()) tls.write(pending); else tls.flush();
 * if (tls.wantsWrite() != writableRegistered) {   // reregister only on a change: each one re-arms the socket
 *     writableRegistered = !writableRegistered;
 *     registry.reregister(tls, token, writableRegistered ? READABLE.add(WRITABLE) : READABLE);
 * }
 * }</pre>
 *
 * <h2>Closing</h2>
 * {@code -1} from {@code read} means the peer sent {@code close_notify} (and a TCP end of stream after it stays
 * {@code -1}); a TCP end of stream without {@code close_notify} is a truncation attack or a crashed peer and throws
 * {@link SSLException} saying so (an {@link SSLHandshakeException} during the handshake). {@link #shutdown()}
 * sends this side's {@code close_notify}; {@link #close()} closes the socket (without {@code close_notify} unless
 * {@code shutdown} sent one first).
 *
 * <h2>Errors</h2>
 * A failed handshake (untrusted or expired certificate, wrong host name, no common protocol or cipher suite, a
 * peer that does not speak TLS) throws {@link SSLHandshakeException} or {@link SSLException}, with the JDK's
 * message or one of this class's naming the cause; this stream first tries, without blocking, to send the alert the
 * engine prepared for the peer. After such a failure every call throws an {@link SSLException} whose cause is the
 * first one; close the stream. Socket errors ({@link java.net.SocketException}, for example a reset) pass through
 * from the {@link TcpStream}.
 *
 * <h2>Memory</h2>
 * Buffers are sized once from the engine's session (packet buffer size for ciphertext in and out; the plaintext
 * buffer only when a caller's buffer is ever too small for a record) and grow only when the session asks for larger
 * records. Records are decrypted straight into the caller's buffer when it has room for the record (the engine's
 * own copy is the only one); only the part of a record that does not fit goes through this stream's plaintext
 * buffer. In steady state this class allocates nothing per record; the JDK's engine allocates some bytes of its own
 * per record (see the module's {@code TlsAllocationTest}). The {@code byte[]} methods remember the last array
 * each used (to reuse its wrapper), so they keep it reachable until another array replaces it or the stream closes.
 *
 * <h2>Threads</h2>
 * Not thread-safe: {@code read}, {@code write}, {@code flush}, {@code handshake}, {@code shutdown},
 * {@code renegotiate} and the queries belong to one thread at a time (an event loop's). The {@link Source} methods
 * are as thread-safe as the TCP stream's, and {@link #close()} may be called from any thread: it closes the socket at
 * once, and a call in progress on another thread then fails with {@link ClosedChannelException}. No method blocks.
 */
public final class TlsStream implements Source, AutoCloseable {
    /** TLS record header: content type, protocol version (2 bytes), length (2 bytes). */
    private static final int HEADER = 5;

    private final TcpStream tcp;
    private final SSLEngine engine;
    private final boolean clientMode;

    /** Ciphertext read from the socket, not yet unwrapped: always in read mode, pending bytes at [position, limit). */
    private ByteBuffer netIn;
    /** Ciphertext wrapped, not yet written to the socket: always in read mode. */
    private ByteBuffer netOut;
    /** Plaintext of a record that did not fit the caller's buffer: read mode; null until first needed. */
    private ByteBuffer appIn;

    // Argument arrays of the engine calls, reused so that no call allocates one (the element is cleared after
    // each call, to not keep the caller's buffer reachable).
    private final ByteBuffer[] wrapSrc = new ByteBuffer[1];
    private final ByteBuffer[] emptySrc = {ByteBuffer.allocate(0)};
    private final ByteBuffer[] unwrapDst = new ByteBuffer[1];
    private final ByteBuffer[] unwrapDstAndSpill = new ByteBuffer[2];
    // Wrappers of the last byte[] given to read and to write.
    private ByteBuffer readArray;
    private ByteBuffer writeArray;

    private boolean handshakeDone;
    private boolean closeNotifyReceived;
    private boolean shutdownCalled;
    private boolean recordUnwrapped; // at least one record from the peer was accepted: it speaks TLS
    private SSLException failure;
    private volatile boolean closed;

    private TlsStream(TcpStream tcp, SSLEngine engine, boolean clientMode) throws SSLException {
        this.tcp = tcp;
        this.engine = engine;
        this.clientMode = clientMode;
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        engine.beginHandshake(); // only sets the state: the first wrap or unwrap moves bytes
    }

    // ---- creating ---------------------------------------------------------------------------------

    /**
     * The client side of a TLS connection over {@code stream}, with {@code config}'s settings. The host name goes
     * into SNI (unless it is an IP literal) and, with host name verification on (the default), must be named by the
     * server's certificate.
     *
     * @param stream a connected or connecting TCP stream; the TLS stream owns it from now on
     * @param config the configuration
     * @param host   the server's host name (or IP literal) as the user named it, for example {@code "example.com"}
     * @return the TLS stream, handshake not yet started
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code host} is empty or not a valid host name for SNI
     * @throws SSLException             if the engine cannot start a handshake with these settings
     */
    public static TlsStream client(TcpStream stream, TlsConfig config, String host) throws SSLException {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        return new TlsStream(stream, config.newEngine(true, host), true);
    }

    /**
     * {@link #client(TcpStream, TlsConfig, String)} with {@link TlsConfig#of(SSLContext) the defaults}.
     *
     * @param stream  a connected or connecting TCP stream; the TLS stream owns it from now on
     * @param context the caller's keys and trust
     * @param host    the server's host name (or IP literal)
     * @return the TLS stream, handshake not yet started
     * @throws SSLException if the engine cannot start a handshake
     */
    public static TlsStream client(TcpStream stream, SSLContext context, String host) throws SSLException {
        return client(stream, TlsConfig.of(context), host);
    }

    /**
     * The server side of a TLS connection over {@code stream} (typically just accepted).
     *
     * @param stream a connected TCP stream; the TLS stream owns it from now on
     * @param config the configuration; its context must hold the server's key and certificate
     * @return the TLS stream, handshake not yet started
     * @throws NullPointerException if an argument is null
     * @throws SSLException         if the engine cannot start a handshake with these settings
     */
    public static TlsStream server(TcpStream stream, TlsConfig config) throws SSLException {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(config, "config");
        return new TlsStream(stream, config.newEngine(false, null), false);
    }

    /**
     * {@link #server(TcpStream, TlsConfig)} with {@link TlsConfig#of(SSLContext) the defaults}.
     *
     * @param stream  a connected TCP stream; the TLS stream owns it from now on
     * @param context holds the server's key and certificate
     * @return the TLS stream, handshake not yet started
     * @throws SSLException if the engine cannot start a handshake
     */
    public static TlsStream server(TcpStream stream, SSLContext context) throws SSLException {
        return server(stream, TlsConfig.of(context));
    }

    // ---- reading ----------------------------------------------------------------------------------

    /**
     * Reads application data into {@code dst}'s remaining space, advancing the handshake first if it is not done.
     * See the class comment for the rule that goes with it: call again until it returns 0.
     *
     * @param dst where the data goes
     * @return bytes read; 0 if it would block (the socket has nothing more, or the handshake waits for the socket
     *         to become writable: see {@link #wantsWrite()}) or {@code dst} has no room; -1 once the peer sent
     *         {@code close_notify}
     * @throws ReadOnlyBufferException    if {@code dst} is read-only
     * @throws SSLHandshakeException      if the handshake failed, or the peer closed the connection during it
     * @throws SSLException               on a protocol error, or a TCP end of stream without {@code close_notify}
     *                                    (truncation); after any of these, on every later call
     * @throws ClosedChannelException     if this stream was closed
     * @throws IOException                if the socket failed (for example a {@link java.net.SocketException} on a
     *                                    reset)
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        checkUsable();
        if (appIn != null && appIn.hasRemaining()) {
            return spill(dst);
        }
        if (closeNotifyReceived) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        try {
            return readLoop(dst);
        } catch (SSLException e) {
            throw fail(e);
        }
    }

    /**
     * Reads application data into {@code dst[offset, offset + length)}; otherwise as {@link #read(ByteBuffer)}.
     *
     * @param dst    the array
     * @param offset where in it the data goes
     * @param length at most this many bytes
     * @return bytes read, 0 if it would block (or {@code length} is 0), -1 once the peer sent {@code close_notify}
     * @throws IndexOutOfBoundsException if the range is outside {@code dst}
     * @throws IOException               as {@link #read(ByteBuffer)}
     */
    public int read(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        ByteBuffer b = readArray;
        if (b == null || b.array() != dst) {
            b = readArray = ByteBuffer.wrap(dst);
        }
        b.limit(offset + length).position(offset);
        return read(b);
    }

    /**
     * Reads application data into {@code dst}; otherwise as {@link #read(ByteBuffer)}.
     *
     * @param dst the array
     * @return bytes read, 0 if it would block, -1 once the peer sent {@code close_notify}
     * @throws IOException as {@link #read(ByteBuffer)}
     */
    public int read(byte[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /** The read side's engine loop; {@code dst} has room. */
    private int readLoop(ByteBuffer dst) throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (hs == HandshakeStatus.NOT_HANDSHAKING) {
                handshakeDone = true; // normally seen as FINISHED already
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (!wrapPending()) {
                    return 0; // the engine must send before it reads on, and the socket is full: wantsWrite()
                }
                flushNetOut(); // whatever does not go now waits for WRITABLE; reading can go on meanwhile
                continue;
            }
            if (netIn.hasRemaining() && wholeRecordOrNotTls()) {
                int n = unwrap(dst);
                if (n != UNDERFLOW) {
                    if (n != 0) {
                        return n; // data, or -1 at close_notify
                    }
                    continue; // a handshake or post-handshake record: go on
                }
            }
            int r = fillNetIn();
            if (r == 0) {
                return 0;
            }
            if (r < 0) {
                throw endOfStream();
            }
        }
    }

    /** {@link #unwrap}'s answer when the engine needs more ciphertext than {@link #netIn} holds. */
    private static final int UNDERFLOW = Integer.MIN_VALUE;

    /**
     * Unwraps one record from {@link #netIn}: into {@code dst} when it has room for the record, else into
     * {@code dst} and the spill buffer {@link #appIn}.
     *
     * @param dst the caller's buffer with room, or null (the handshake alone: no application data expected)
     * @return bytes delivered into {@code dst}; 0 for a record without application data; -1 at close_notify;
     *         {@link #UNDERFLOW} if the record is not complete
     */
    private int unwrap(ByteBuffer dst) throws IOException {
        ByteBuffer target = dst != null ? dst : emptySrc[0];
        int before = target.position();
        unwrapDst[0] = target;
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, unwrapDst, 0, 1);
        } finally {
            unwrapDst[0] = null;
        }
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            result = unwrapWithSpill(target);
        }
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                return UNDERFLOW;
            }
            case CLOSED -> {
                closeNotifyReceived = true;
                afterStep(result);
                // TLS 1.2 answers close_notify with its own: send it if the socket takes it now, else wantsWrite().
                if (wrapPending()) {
                    flushNetOut();
                }
                return -1;
            }
            default -> {
                if (result.bytesConsumed() > 0) {
                    recordUnwrapped = true;
                }
                afterStep(result);
                return target.position() - before;
            }
        }
    }

    /** The caller's buffer is too small for the record: the rest goes to {@link #appIn}, sized from the session. */
    private SSLEngineResult unwrapWithSpill(ByteBuffer dst) throws IOException {
        int needed = engine.getSession().getApplicationBufferSize();
        if (appIn == null || appIn.capacity() < needed) {
            appIn = ByteBuffer.allocate(needed); // once per stream, or when the session grows its records
        }
        appIn.clear(); // empty here: read() delivers what it holds before unwrapping again
        unwrapDstAndSpill[0] = dst;
        unwrapDstAndSpill[1] = appIn;
        try {
            SSLEngineResult result = engine.unwrap(netIn, unwrapDstAndSpill, 0, 2);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                throw new SSLException("a record does not fit the session's application buffer size ("
                        + needed + " bytes)");
            }
            return result;
        } finally {
            unwrapDstAndSpill[0] = null;
            unwrapDstAndSpill[1] = null;
            appIn.flip();
        }
    }

    /** Copies what {@link #appIn} holds into {@code dst}, as much as fits. */
    private int spill(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        dst.put(dst.position(), appIn, appIn.position(), n);
        dst.position(dst.position() + n);
        appIn.position(appIn.position() + n);
        return n;
    }

    /**
     * True if {@link #netIn} starts with a whole record, or with bytes that are no TLS record header (the engine
     * then judges them and fails with its message). Saves an engine call, and its result object, per partial read.
     */
    private boolean wholeRecordOrNotTls() {
        int p = netIn.position();
        int type = netIn.get(p);
        if (type < 20 || type > 24) {
            return true;
        }
        if (netIn.remaining() < HEADER) {
            return false;
        }
        int length = ((netIn.get(p + 3) & 0xff) << 8) | (netIn.get(p + 4) & 0xff);
        return netIn.remaining() >= HEADER + length;
    }

    /**
     * Reads from the socket into {@link #netIn}.
     *
     * @return bytes read, 0 if the socket would block, -1 at its end of stream
     */
    private int fillNetIn() throws IOException {
        if (netIn.position() == 0 && netIn.limit() == netIn.capacity()) {
            growNetIn();
        }
        netIn.compact();
        try {
            return tcp.read(netIn);
        } finally {
            netIn.flip();
        }
    }

    /** {@link #netIn} is full and holds no whole record: ask the engine whether its session allows one this big. */
    private void growNetIn() throws IOException {
        // An unwrap of the partial record lets the engine look at its header: it enlarges its session's sizes for a
        // large record it accepts, and throws for one it does not.
        unwrapDst[0] = emptySrc[0];
        try {
            engine.unwrap(netIn, unwrapDst, 0, 1);
        } finally {
            unwrapDst[0] = null;
        }
        int size = engine.getSession().getPacketBufferSize();
        if (size <= netIn.capacity()) {
            throw new SSLException("a TLS record does not fit the session's packet buffer size (" + size + " bytes)");
        }
        netIn = ByteBuffer.allocate(size).put(netIn).flip();
    }

    /** The TCP stream ended: -1 after close_notify (not reached: reads stop there), otherwise the right exception. */
    private SSLException endOfStream() {
        if (!handshakeDone) {
            return new SSLHandshakeException("the peer closed the connection during the TLS handshake"
                    + (netIn.hasRemaining() ? ", in the middle of a record" : "") + " (" + peerForMessages() + ")");
        }
        if (netIn.hasRemaining()) {
            int length = netIn.remaining() >= HEADER
                    ? HEADER + (((netIn.get(netIn.position() + 3) & 0xff) << 8) | (netIn.get(netIn.position() + 4) & 0xff))
                    : -1;
            return new SSLException("truncated TLS record: the peer closed the connection after " + netIn.remaining()
                    + " bytes of a " + (length < 0 ? "" : length + "-byte ") + "record, without close_notify ("
                    + peerForMessages() + ")");
        }
        return new SSLException("truncation: the peer closed the TCP connection without close_notify, so the data "
                + "may have been cut short (" + peerForMessages() + ")");
    }

    // ---- writing ----------------------------------------------------------------------------------

    /**
     * Encrypts application data from {@code src} and writes it, record by record, until {@code src} is empty or the
     * socket would block; advances the handshake first if it is not done. Encrypted bytes the socket did not take
     * stay queued in this stream ({@link #wantsWrite()}) and go out with the next {@code write} or {@link #flush()}.
     * Never reads the socket.
     *
     * @param src the data; its position advances past the bytes taken
     * @return bytes taken from {@code src}; 0 if it would block: the socket (then {@link #wantsWrite()} is true) or
     *         the handshake, waiting for the peer (then {@link #read} advances it after the next readable event)
     * @throws ClosedChannelException if {@link #shutdown()} was called, or this stream was closed
     * @throws SSLException           if the handshake or the connection failed (see {@link #read(ByteBuffer)})
     * @throws IOException            if the socket failed (for example {@link java.net.SocketException} with EPIPE)
     */
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        checkUsable();
        if (shutdownCalled) {
            throw new TlsClosedException("TlsStream: write after shutdown() (close_notify sent)");
        }
        if (engine.isOutboundDone()) {
            throw new TlsClosedException("TlsStream: write after the connection closed for writing (with TLS 1.2 the "
                    + "peer's close_notify closes both directions)");
        }
        try {
            return writeLoop(src);
        } catch (SSLException e) {
            throw fail(e);
        }
    }

    /**
     * Writes {@code src[offset, offset + length)}; otherwise as {@link #write(ByteBuffer)}.
     *
     * @param src    the array
     * @param offset where the data starts
     * @param length how many bytes to write
     * @return bytes taken, 0 if it would block
     * @throws IndexOutOfBoundsException if the range is outside {@code src}
     * @throws IOException               as {@link #write(ByteBuffer)}
     */
    public int write(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        ByteBuffer b = writeArray;
        if (b == null || b.array() != src) {
            b = writeArray = ByteBuffer.wrap(src);
        }
        b.limit(offset + length).position(offset);
        return write(b);
    }

    /**
     * Writes all of {@code src}; otherwise as {@link #write(ByteBuffer)}.
     *
     * @param src the data
     * @return bytes taken, 0 if it would block
     * @throws IOException as {@link #write(ByteBuffer)}
     */
    public int write(byte[] src) throws IOException {
        return write(src, 0, src.length);
    }

    private int writeLoop(ByteBuffer src) throws IOException {
        int total = 0;
        while (true) {
            if (!flushNetOut()) {
                return total;
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (hs == HandshakeStatus.NOT_HANDSHAKING) {
                handshakeDone = true; // normally seen as FINISHED already
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (!wrapPending()) {
                    return total;
                }
                continue;
            }
            if (!handshakeDone || hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN
                    || !src.hasRemaining()) {
                // A handshake waits for the peer (read() drives it), or everything was taken. Application records are
                // not interleaved with a renegotiation's flights: the JDK would, OpenSSL 3 rejects them.
                return total;
            }
            netOut.compact();
            SSLEngineResult result;
            wrapSrc[0] = src;
            try {
                result = engine.wrap(wrapSrc, 0, 1, netOut);
            } finally {
                wrapSrc[0] = null;
                netOut.flip();
            }
            switch (result.getStatus()) {
                case BUFFER_OVERFLOW -> {
                    if (!netOut.hasRemaining()) {
                        growNetOut();
                    }
                    // else: flushed at the top of the loop
                }
                case CLOSED -> throw new SSLException("the TLS engine's outbound side is closed");
                default -> {
                    total += result.bytesConsumed();
                    afterStep(result);
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                        return total; // a renegotiation holds application data back until it is done
                    }
                }
            }
        }
    }

    /**
     * Writes what this stream has queued: encrypted bytes a {@code write} could not hand to the socket, and the
     * handshake, key-update or {@code close_notify} messages the engine has to send.
     *
     * @return true if nothing is left queued (then {@link #wantsWrite()} is false); false if the socket would block
     * @throws SSLException           if the connection failed
     * @throws ClosedChannelException if this stream was closed
     * @throws IOException            if the socket failed
     */
    public boolean flush() throws IOException {
        checkUsable();
        try {
            while (true) {
                if (!flushNetOut()) {
                    return false;
                }
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    if (!wrapPending()) {
                        return false;
                    }
                } else {
                    return true;
                }
            }
        } catch (SSLException e) {
            throw fail(e);
        }
    }

    /**
     * Wraps while the engine asks to (handshake messages, alerts, close_notify) into {@link #netOut}, writing it out
     * whenever it is full.
     *
     * @return false if the engine still has to wrap but the socket would block
     */
    private boolean wrapPending() throws IOException {
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            netOut.compact();
            SSLEngineResult result;
            try {
                result = engine.wrap(emptySrc, 0, 1, netOut);
            } finally {
                netOut.flip();
            }
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (netOut.hasRemaining()) {
                    if (!flushNetOut()) {
                        return false;
                    }
                } else {
                    growNetOut();
                }
                continue;
            }
            afterStep(result);
            if (result.bytesProduced() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                throw new SSLException("the TLS engine asks to wrap but produces nothing (status " + result + ")");
            }
        }
        return true;
    }

    /** Writes {@link #netOut} to the socket; true when all of it went. */
    private boolean flushNetOut() throws IOException {
        while (netOut.hasRemaining()) {
            if (tcp.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    private void growNetOut() throws SSLException {
        int size = engine.getSession().getPacketBufferSize();
        if (size <= netOut.capacity()) {
            throw new SSLException("the TLS engine needs more than the session's packet buffer size (" + size
                    + " bytes) for one record");
        }
        netOut = ByteBuffer.allocate(size).put(netOut).flip();
    }

    // ---- handshake, renegotiation, closing --------------------------------------------------------

    /**
     * Advances the handshake as far as it goes without blocking, without reading application data. Optional:
     * {@code read} and {@code write} drive the handshake too; this serves a loop that wants to know when it is
     * done (to look at {@link #applicationProtocol()} or the peer's certificates before sending). Once it returns
     * true, records after the handshake may be buffered here: call {@link #read} until it returns 0 as usual.
     *
     * @return true once the initial handshake is complete; false if it would block (register
     *         {@link Interest#WRITABLE} if {@link #wantsWrite()}, else wait for a readable event)
     * @throws SSLHandshakeException  if the handshake failed or the peer closed the connection during it
     * @throws SSLException           on a protocol error
     * @throws ClosedChannelException if this stream was closed
     * @throws IOException            if the socket failed
     */
    public boolean handshake() throws IOException {
        checkUsable();
        try {
            while (!handshakeDone) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                switch (hs) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> {
                        if (!wrapPending()) {
                            return false;
                        }
                        flushNetOut();
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (netIn.hasRemaining() && wholeRecordOrNotTls()) {
                            int n = unwrap(null);
                            if (n == -1) {
                                throw new SSLHandshakeException("the peer sent close_notify during the handshake ("
                                        + peerForMessages() + ")");
                            }
                            if (n != UNDERFLOW) {
                                continue;
                            }
                        }
                        int r = fillNetIn();
                        if (r == 0) {
                            return false;
                        }
                        if (r < 0) {
                            throw endOfStream();
                        }
                    }
                    case NOT_HANDSHAKING, FINISHED -> handshakeDone = true; // no FINISHED seen, but nothing to do
                }
            }
            flushNetOut();
            return true;
        } catch (SSLException e) {
            throw fail(e);
        }
    }

    /**
     * Starts a new handshake on an established connection: with TLS 1.3 a key update (new traffic keys, the peer
     * asked to update its own), with TLS 1.2 a renegotiation. The messages go out with the next {@code read},
     * {@code write} or {@code flush}; a TLS 1.2 renegotiation holds application writes back until it completes. A
     * server may refuse a renegotiation (OpenSSL 3 servers do unless configured otherwise): the JDK's engine then
     * fails the connection with an {@link SSLHandshakeException} naming the peer's {@code no_renegotiation} alert,
     * thrown by the call that reads it.
     *
     * @throws IllegalStateException  if the initial handshake is not complete yet, or a close_notify was sent or
     *                                received
     * @throws SSLException           if the engine refuses (for example renegotiation disabled)
     * @throws ClosedChannelException if this stream was closed
     */
    public void renegotiate() throws IOException {
        checkUsable();
        if (!handshakeDone) {
            throw new IllegalStateException("TlsStream: renegotiate() before the initial handshake completed");
        }
        if (shutdownCalled || closeNotifyReceived || engine.isOutboundDone()) {
            // The engine would refuse too, but as a failure of the whole connection: reads could not go on.
            throw new IllegalStateException("TlsStream: renegotiate() after close_notify");
        }
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            throw fail(e);
        }
    }

    /**
     * Sends this side's {@code close_notify}: no more writes after it (they throw {@link ClosedChannelException}).
     * Reading goes on: with TLS 1.3 the peer may send data until its own {@code close_notify} ({@code read}
     * returns -1 then). The TCP connection stays open until {@link #close()}. Calling it again only flushes.
     *
     * @return true once the {@code close_notify} (and anything queued before it) reached the socket; false if the
     *         socket would block: call {@link #flush()} after the next writable event until it returns true
     * @throws SSLException           if the connection had failed
     * @throws ClosedChannelException if this stream was closed
     * @throws IOException            if the socket failed
     */
    public boolean shutdown() throws IOException {
        checkUsable();
        if (!shutdownCalled) {
            shutdownCalled = true;
            engine.closeOutbound();
        }
        return flush();
    }

    /**
     * Closes the TCP stream (deregistering it), without sending {@code close_notify}: call {@link #shutdown()} first
     * for an orderly close. Idempotent; callable from any thread.
     */
    @Override
    public void close() {
        closed = true;
        tcp.close();
    }

    // ---- state ------------------------------------------------------------------------------------

    /**
     * Whether this stream has bytes to send that wait for the socket: encrypted data or handshake messages queued
     * here. An event loop registers {@link Interest#WRITABLE} while this is true, and calls {@link #flush()} (or
     * {@code write}) when the event comes.
     *
     * @return true if a flush has something to write
     */
    public boolean wantsWrite() {
        return netOut.hasRemaining() || (!closed && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
    }

    /**
     * Whether the initial handshake is still in progress (false once it completed; a later key update or
     * renegotiation does not make it true again).
     *
     * @return true until the handshake completed
     */
    public boolean isHandshaking() {
        return !handshakeDone;
    }

    /**
     * Which side of the connection this stream is.
     *
     * @return true for the client side, false for the server side
     */
    public boolean isClient() {
        return clientMode;
    }

    /**
     * Whether this stream is open. Thread-safe.
     *
     * @return false once {@link #close()} was called (or the TCP stream was closed)
     */
    public boolean isOpen() {
        return !closed && tcp.isOpen();
    }

    /**
     * The TLS session: protocol ({@code getProtocol()}), cipher suite, and the peer's certificates
     * ({@code getPeerCertificates()}, which throws {@link SSLPeerUnverifiedException} if the peer sent none).
     * Before the handshake completes, a placeholder session (cipher suite {@code SSL_NULL_WITH_NULL_NULL}).
     *
     * @return the current session
     */
    public SSLSession session() {
        return engine.getSession();
    }

    /**
     * The certificates the peer authenticated with, its own first.
     *
     * @return the chain; empty if the handshake is not complete or the peer sent none (a client without a
     *         certificate under {@link TlsConfig.ClientAuth#WANT})
     */
    public List<Certificate> peerCertificates() {
        if (!handshakeDone) {
            return List.of();
        }
        try {
            return List.of(engine.getSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /**
     * The ALPN protocol the handshake agreed on.
     *
     * @return its name, or null if none was agreed (ALPN not configured on both sides, or the handshake has not got
     *         that far)
     */
    public String applicationProtocol() {
        String p = handshakeDone ? engine.getApplicationProtocol() : engine.getHandshakeApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * On a server, the host name the client asked for with SNI. Known once the client's hello has been read (from
     * then on during the handshake, and after it).
     *
     * @return the requested host name, or null if the client sent none (or on a client, or too early)
     */
    public String serverName() {
        for (SNIServerName name : requestedServerNames()) {
            if (name instanceof SNIHostName host) {
                return host.getAsciiName();
            }
        }
        return null;
    }

    /**
     * On a server, every server name the client sent with SNI (usually one host name).
     *
     * @return the names; empty if none (or on a client, or before the client's hello was read)
     */
    public List<SNIServerName> requestedServerNames() {
        SSLSession s = handshakeDone ? engine.getSession() : engine.getHandshakeSession();
        if (clientMode || !(s instanceof ExtendedSSLSession extended)) {
            return List.of();
        }
        return extended.getRequestedServerNames();
    }

    /**
     * The TCP stream underneath, for its options and addresses ({@code setNodelay}, {@code peerAddr}). Reading or
     * writing it directly corrupts the TLS connection.
     *
     * @return the TCP stream
     */
    public TcpStream tcpStream() {
        return tcp;
    }

    // ---- Source -----------------------------------------------------------------------------------

    /** Registers the TCP stream: see {@link Source#register}. */
    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        tcp.register(registry, token, interests);
    }

    /** Reregisters the TCP stream: see {@link Source#reregister}. */
    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        tcp.reregister(registry, token, interests);
    }

    /** Deregisters the TCP stream: see {@link Source#deregister}. */
    @Override
    public void deregister(Registry registry) throws IOException {
        tcp.deregister(registry);
    }

    @Override
    public String toString() {
        return "TlsStream[" + (clientMode ? "client" : "server")
                + (closed ? ", closed" : handshakeDone ? ", " + engine.getSession().getProtocol() : ", handshaking")
                + ", " + tcp + "]";
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run(); // inline: the engine's certificate checks and key exchange, on the event loop's thread
        }
    }

    /** Notes the end of the initial handshake. */
    private void afterStep(SSLEngineResult result) {
        if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new TlsClosedException("TlsStream is closed");
        }
        if (failure != null) {
            throw new SSLException("this TLS connection failed earlier: " + failure.getMessage(), failure);
        }
    }

    /**
     * Records a fatal error, sends the engine's alert if the socket takes it now, and returns the exception to throw
     * (with a clearer message when the peer evidently does not speak TLS at all).
     */
    private SSLException fail(SSLException e) {
        SSLException reported = e;
        if (!recordUnwrapped && notTlsAtStart()) {
            reported = new SSLException("the peer does not speak TLS: its first bytes \"" + printableStart()
                    + "\" are not a TLS record (plaintext on a TLS port?) (" + peerForMessages() + ")", e);
        }
        failure = reported;
        try {
            if (wrapPending()) {
                flushNetOut();
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the peer may be gone already, and the error to report is the one above
        }
        return reported;
    }

    /**
     * True if the first bytes read do not start like a TLS record: a content type from 20 to 24, then a major version
     * of 3. Nothing was consumed from {@link #netIn} before (no record was accepted), so they are at index 0.
     */
    private boolean notTlsAtStart() {
        ByteBuffer b = netIn;
        if (b.limit() == 0) {
            return false;
        }
        int type = b.get(0);
        return type < 20 || type > 24 || (b.limit() > 1 && b.get(1) != 3);
    }

    private String printableStart() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(netIn.limit(), 16); i++) {
            int c = netIn.get(i) & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        }
        return s.toString();
    }

    private String peerForMessages() {
        try {
            return "peer " + tcp.peerAddr();
        } catch (IOException | RuntimeException e) {
            return "peer address unknown";
        }
    }
}
