package io.mio.reliability;

import io.mio.Interest;
import io.mio.Token;
import io.mio.net.Shutdown;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;
import io.mio.net.UnixListener;
import io.mio.net.UnixStream;
import io.mio.OsError;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Fault injection against two live event loops: the {@link EchoServer} (its own thread) and a
 * {@link SoakClient} loop holding a set of healthy connections. Every fault checks the documented
 * events/errors, then {@link #checkHealthy()} runs checked round trips over every healthy connection: the
 * loops must keep serving them. Faults on the client side use foreign tokens on the client's Poll.
 *
 * <p>Each method returns a one-line description of what was observed and throws {@link AssertionError} when
 * the behaviour is wrong.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class Faults implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final EchoServer server;
    private final SoakClient client;
    private final int healthy;
    private final Map<Long, Flags> seen = new HashMap<>();
    private long nextForeign = SoakClient.FOREIGN_BASE;
    private long injected;
    private long healthyRoundTrips;

    /** Readiness flags seen for one foreign token, accumulated. */
    static final class Flags {
        int events;
        boolean readable, writable, error, readClosed, writeClosed;

        @Override
        public String toString() {
            return (readable ? "readable " : "") + (writable ? "writable " : "") + (error ? "error " : "")
                    + (readClosed ? "read-closed " : "") + (writeClosed ? "write-closed " : "") + "(" + events + " events)";
        }
    }

    public Faults(int healthyConnections, long seed) throws IOException {
        this.server = EchoServer.start(1024, Soak.smallServerBuffers());
        this.client = new SoakClient(seed, 2);
        this.healthy = healthyConnections;
        client.onForeignEvent(e -> {
            Flags f = seen.computeIfAbsent(e.token().value(), k -> new Flags());
            f.events++;
            f.readable |= e.isReadable();
            f.writable |= e.isWritable();
            f.error |= e.isError();
            f.readClosed |= e.isReadClosed();
            f.writeClosed |= e.isWriteClosed();
        });
        client.connect(server.address(), healthyConnections, 64, Duration.ofSeconds(30));
        checkHealthy();
    }

    public EchoServer server() { return server; }
    public long injected() { return injected; }
    public long healthyRoundTrips() { return healthyRoundTrips; }

    /**
     * Four checked round trips per healthy connection through both loops; the server has exactly the healthy
     * connections open (the faulty ones were cleaned up) and its loop is alive.
     */
    public void checkHealthy() throws IOException {
        long want = 4L * healthy;
        long done = client.run(want, Duration.ofSeconds(60), null, null);
        check(done == want, "healthy connections completed " + done + " of " + want + " round trips");
        client.checkAllAnswered();
        healthyRoundTrips += done;
        check(server.fatal() == null, "echo server loop died: " + server.fatal());
        long end = System.nanoTime() + WAIT.toNanos();
        while (server.active() != healthy && System.nanoTime() < end) sleep(5);
        check(server.active() == healthy, "echo server has " + server.active() + " connections, expected the "
                + healthy + " healthy ones");
    }

    // ---- server-side faults (the peer is a java.net.Socket or another process) ----------------------

    /** The peer resets an idle connection (SO_LINGER 0 then close): the server sees read-closed and ECONNRESET. */
    public String peerResetIdle() throws IOException, InterruptedException {
        injected++;
        int mark = server.closeCount();
        int port;
        try (Socket s = peer()) {
            port = s.getLocalPort();
            roundTrip(s, 10_000);
            s.setSoLinger(true, 0);
        }
        EchoServer.Closed c = server.awaitClose(port, mark, WAIT);
        check(c != null, "server never closed the reset connection");
        check(c.reason() == EchoServer.Reason.ERROR && c.error().contains("ECONNRESET"),
                "expected ERROR with ECONNRESET, got " + c);
        check(c.sawReadClosed(), "no read-closed event for a reset: " + c);
        checkHealthy();
        return "idle reset: server " + c.error() + ", events read-closed=" + c.sawReadClosed() + " error="
                + c.sawError() + " write-closed=" + c.sawWriteClosed();
    }

    /**
     * The peer resets mid-stream: it keeps sending without reading until both directions are backed up (the
     * server holds unsent echo data and waits for WRITABLE), then resets: ECONNRESET (or EPIPE) on the server.
     */
    public String peerResetMidStream() throws IOException, InterruptedException {
        injected++;
        int mark = server.closeCount();
        int port;
        long sent;
        long reregsBefore = server.writableReregistrations();
        try (Socket s = peer()) {
            port = s.getLocalPort();
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            // Blocking writes stall once the buffers are full: they run on their own thread, which the reset ends.
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 1024; i++) { // at most 64 MiB
                        out.write(Frames.pattern(), 0, 64 * 1024);
                        written.addAndGet(64 * 1024);
                    }
                } catch (IOException ignored) {
                    // the reset below
                }
            }, "reset-peer-writer");
            writer.setDaemon(true);
            writer.start();
            byte[] some = s.getInputStream().readNBytes(1000); // the server is echoing now
            check(some.length == 1000, "no echo before the reset");
            long last = -1;
            long end = System.nanoTime() + WAIT.toNanos();
            while (written.get() != last && System.nanoTime() < end) { // until the writer is stuck
                last = written.get();
                sleep(100);
            }
            sent = written.get();
            s.setSoLinger(true, 0);
        }
        EchoServer.Closed c = server.awaitClose(port, mark, WAIT);
        check(c != null, "server never closed the reset connection");
        check(c.reason() == EchoServer.Reason.ERROR
                && (c.error().contains("ECONNRESET") || c.error().contains("EPIPE")),
                "expected ERROR with ECONNRESET or EPIPE, got " + c);
        long reregs = server.writableReregistrations() - reregsBefore;
        checkHealthy();
        return "mid-stream reset: peer had sent " + sent + " bytes, server had echoed " + c.bytesEchoed()
                + " (server WRITABLE reregistrations meanwhile: " + reregs + "); server " + c.error();
    }

    /** The peer shuts down its write half: the server echoes everything, then the peer sees EOF. */
    public String peerHalfClosesWrite() throws IOException, InterruptedException {
        injected++;
        int mark = server.closeCount();
        int port;
        int n = 100_000;
        try (Socket s = peer()) {
            port = s.getLocalPort();
            s.getOutputStream().write(Frames.pattern(), 0, n);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(n);
            check(Arrays.equals(back, 0, back.length, Frames.pattern(), 0, n), "echo after half-close differs ("
                    + back.length + " of " + n + " bytes)");
            check(in.read() == -1, "no EOF after the echo of a half-closed stream");
        }
        EchoServer.Closed c = server.awaitClose(port, mark, WAIT);
        check(c != null && c.reason() == EchoServer.Reason.EOF, "server should close at EOF: " + c);
        checkHealthy();
        return "peer shutdown(WRITE): all " + n + " bytes echoed, then EOF; server closed at EOF";
    }

    /** A peer process is killed with SIGKILL while the server has echo data queued to it. */
    public String peerProcessKilled() throws IOException, InterruptedException {
        injected++;
        int mark = server.closeCount();
        try (Child child = Child.start(PeerChild.class, 0, "client",
                String.valueOf(server.address().getPort()), "50000")) {
            String ready = child.awaitLine("READY", Duration.ofSeconds(30));
            int port = Integer.parseInt(ready.substring(6).trim());
            child.kill();
            EchoServer.Closed c = server.awaitClose(port, mark, WAIT);
            check(c != null, "server never noticed the killed peer");
            check(c.reason() == EchoServer.Reason.EOF || c.error().contains("ECONNRESET") || c.error().contains("EPIPE"),
                    "expected EOF, ECONNRESET or EPIPE, got " + c);
            checkHealthy();
            return "peer JVM killed (SIGKILL): server saw " + (c.reason() == EchoServer.Reason.EOF ? "EOF" : c.error())
                    + ", read-closed=" + c.sawReadClosed();
        }
    }

    // ---- client-side faults (io.mio streams on the client's Poll, foreign tokens) -------------------

    /** A java.net peer resets a connected io.mio stream: read-closed event, read throws ECONNRESET. */
    public String resetSeenByMioStream() throws IOException, InterruptedException {
        injected++;
        try (ServerSocket ss = listener(); TcpStream s = TcpStream.connect(addr(ss)); Socket peer = ss.accept()) {
            Token t = foreignToken();
            client.poll().registry().register(s, t, Interest.READABLE);
            peer.getOutputStream().write(new byte[] {1, 2, 3});
            Flags f = awaitFlags(t, x -> x.readable);
            peer.setSoLinger(true, 0);
            peer.close();
            f = awaitFlags(t, x -> x.readClosed);
            String error = null;
            byte[] buf = new byte[16];
            try {
                for (int i = 0; i < 10; i++) {
                    int n = s.read(buf);
                    if (n < 0) break;
                }
            } catch (SocketException e) {
                error = e.getMessage();
            }
            check(error != null && error.contains("ECONNRESET"), "read after reset should throw ECONNRESET, got " + error);
            client.poll().registry().deregister(s);
            checkHealthy();
            return "io.mio stream reset by peer: events " + f + ", read: " + error;
        }
    }

    /**
     * Half-close from the io.mio side: shutdown(WRITE) delivers EOF to the peer, reading still works, and a
     * write after it fails with EPIPE.
     */
    public String mioStreamHalfClosesWrite() throws IOException, InterruptedException {
        injected++;
        try (ServerSocket ss = listener(); TcpStream s = TcpStream.connect(addr(ss)); Socket peer = ss.accept()) {
            peer.setSoTimeout(10_000);
            Token t = foreignToken();
            client.poll().registry().register(s, t, Interest.READABLE.add(Interest.WRITABLE));
            awaitFlags(t, x -> x.writable);
            check(s.write(new byte[] {'p', 'i', 'n', 'g'}) == 4, "write of 4 bytes was partial");
            s.shutdown(Shutdown.WRITE);
            byte[] got = peer.getInputStream().readNBytes(4);
            check(Arrays.equals(got, new byte[] {'p', 'i', 'n', 'g'}), "peer got " + Arrays.toString(got));
            check(peer.getInputStream().read() == -1, "peer did not see EOF after shutdown(WRITE)");
            peer.getOutputStream().write(new byte[] {'p', 'o', 'n', 'g'});
            awaitFlags(t, x -> x.readable);
            byte[] buf = new byte[8];
            int n = readSome(s, buf, t);
            check(n == 4 && Arrays.equals(buf, 0, 4, new byte[] {'p', 'o', 'n', 'g'}, 0, 4),
                    "read after own shutdown(WRITE) got " + n + " bytes");
            String error = null;
            try {
                s.write(new byte[] {1});
            } catch (SocketException e) {
                error = e.getMessage();
            }
            check(error != null && error.contains("EPIPE"), "write after own shutdown(WRITE) should fail with EPIPE, got " + error);
            peer.close();
            Flags f = awaitFlags(t, x -> x.readClosed);
            check(s.read(buf) == -1, "no EOF after the peer closed");
            client.poll().registry().deregister(s);
            checkHealthy();
            return "io.mio shutdown(WRITE): peer saw EOF, reply still read, later write: " + error + "; events " + f;
        }
    }

    /** Connecting to a port nobody listens on: ECONNREFUSED, at once or through takeError after an event. */
    public String connectionRefused() throws IOException, InterruptedException {
        injected++;
        InetSocketAddress dead;
        try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            dead = l.localAddr();
        }
        String result;
        TcpStream s;
        try {
            s = TcpStream.connect(dead);
        } catch (ConnectException e) {
            check(e.getMessage().contains("ECONNREFUSED"), "connect failed without ECONNREFUSED: " + e);
            checkHealthy();
            return "connect refused at once: " + e.getMessage();
        }
        try (s) {
            Token t = foreignToken();
            client.poll().registry().register(s, t, Interest.WRITABLE);
            Flags f = awaitFlags(t, x -> x.writable || x.error);
            IOException err = s.takeError();
            check(err instanceof ConnectException && err.getMessage().contains("ECONNREFUSED"),
                    "takeError should give ConnectException ECONNREFUSED, got " + err);
            boolean peerFails = false;
            try {
                s.peerAddr();
            } catch (SocketException e) {
                peerFails = true;
            }
            check(peerFails, "peerAddr of a refused connection should throw");
            result = "refused: events " + f + ", takeError: " + err.getMessage();
        }
        checkHealthy();
        return result;
    }

    /** Writing to a connection whose peer closed: EPIPE/ECONNRESET as SocketException, no SIGPIPE. */
    public String writeAfterPeerClosed() throws IOException, InterruptedException {
        injected++;
        try (ServerSocket ss = listener(); TcpStream s = TcpStream.connect(addr(ss))) {
            Socket peer = ss.accept();
            Token t = foreignToken();
            client.poll().registry().register(s, t, Interest.READABLE);
            peer.close();
            Flags f = awaitFlags(t, x -> x.readClosed);
            check(s.read(new byte[8]) == -1, "no EOF after the peer closed");
            String error = null;
            int okWrites = 0;
            byte[] chunk = new byte[1024];
            long end = System.nanoTime() + WAIT.toNanos();
            while (error == null && System.nanoTime() < end) {
                try {
                    s.write(chunk);
                    okWrites++;
                    sleep(10); // let the peer's RST come back
                } catch (SocketException e) {
                    error = e.getMessage();
                }
            }
            check(error != null && (error.contains("EPIPE") || error.contains("ECONNRESET")),
                    "write after the peer closed should fail with EPIPE or ECONNRESET, got " + error);
            client.poll().registry().deregister(s);
            checkHealthy();
            return "write after peer close: " + okWrites + " write(s) accepted, then " + error + "; events " + f;
        }
    }

    /** A peer process (a java.net echo server) killed with SIGKILL under an io.mio client stream. */
    public String peerServerProcessKilled() throws IOException, InterruptedException {
        injected++;
        try (Child child = Child.start(PeerChild.class, 0, "server")) {
            int port = Integer.parseInt(child.awaitLine("PORT", Duration.ofSeconds(30)).substring(5).trim());
            try (TcpStream s = TcpStream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                Token t = foreignToken();
                client.poll().registry().register(s, t, Interest.READABLE.add(Interest.WRITABLE));
                awaitFlags(t, x -> x.writable);
                check(s.write(new byte[] {7}) == 1, "write failed");
                child.awaitLine("ECHOING", Duration.ofSeconds(30));
                child.kill();
                Flags f = awaitFlags(t, x -> x.readClosed);
                byte[] buf = new byte[16];
                String outcome;
                try {
                    int total = 0;
                    int n;
                    while ((n = s.read(buf)) > 0) total += n;
                    outcome = n < 0 ? "EOF after " + total + " echoed byte(s)" : "would block";
                } catch (SocketException e) {
                    outcome = e.getMessage();
                }
                check(outcome.startsWith("EOF") || outcome.contains("ECONNRESET"),
                        "read after the peer process died: expected EOF or ECONNRESET, got " + outcome);
                client.poll().registry().deregister(s);
                checkHealthy();
                return "peer server JVM killed (SIGKILL): events " + f + ", read: " + outcome;
            }
        }
    }

    // ---- UDP and Unix-socket faults (client-side Poll, foreign tokens) ------------------------------

    /**
     * A connected UdpSocket sends to a port nobody listens on. The ICMP port-unreachable comes back as an
     * error event; the next recv throws PortUnreachableException carrying ECONNREFUSED, which clears the
     * error (takeError is then null); a second datagram brings a second refusal, this time read through
     * takeError.
     */
    public String udpToClosedPort() throws IOException, InterruptedException {
        injected++;
        InetSocketAddress dead;
        try (UdpSocket gone = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
            dead = gone.localAddr();
        }
        String result;
        try (UdpSocket u = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
            u.connect(dead);
            Token t = foreignToken();
            client.poll().registry().register(u, t, Interest.READABLE);
            check(u.send(new byte[] {1, 2, 3}) == 3, "first datagram not sent");
            Flags f = awaitFlags(t, x -> x.error);
            String first;
            try {
                int n = u.recv(new byte[16]);
                throw new AssertionError("recv after the ICMP error returned " + n + " instead of throwing");
            } catch (PortUnreachableException e) {
                check(e instanceof OsError os && os.osErrorName().equals("ECONNREFUSED"),
                        "PortUnreachableException without OsError ECONNREFUSED: " + e);
                first = e.getMessage();
            }
            check(u.takeError() == null, "the error should be consumed by the failing recv");
            check(u.recv(new byte[16]) == UdpSocket.WOULD_BLOCK, "recv after the error should would-block");
            // Second refusal, this time read through takeError (SO_ERROR) instead of a call failing.
            int before = f.events;
            check(u.send(new byte[] {4}) == 1, "second datagram not sent");
            awaitFlags(t, x -> x.events > before);
            IOException second = null;
            long end = System.nanoTime() + WAIT.toNanos();
            while (second == null && System.nanoTime() < end) {
                second = u.takeError();
                if (second == null) sleep(5);
            }
            check(second instanceof PortUnreachableException && second instanceof OsError os2
                            && os2.osErrorName().equals("ECONNREFUSED"),
                    "takeError after the second refusal should be a PortUnreachableException naming ECONNREFUSED, got "
                            + second);
            check(u.send(new byte[] {5}) == 1, "a send after takeError cleared the error should succeed");
            client.poll().registry().deregister(u);
            result = "UDP to closed port: events " + f + "; recv threw " + first.trim() + "; then takeError: "
                    + jdkType(second) + " " + second.getMessage();
        }
        checkHealthy();
        return result;
    }

    /**
     * A java.nio Unix-socket peer writes {@code bytes} and closes while most of it is still unread by the
     * io.mio UnixStream: the stream sees read-closed, still reads every byte intact, then EOF.
     */
    public String unixPeerClosesMidStream(int bytes) throws IOException, InterruptedException {
        injected++;
        Path dir = Files.createTempDirectory("mio-rel-unix");
        Path path = dir.resolve("s");
        String result;
        try (UnixListener l = UnixListener.bind(path);
             SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            peer.connect(UnixDomainSocketAddress.of(path));
            UnixStream s = null;
            long end = System.nanoTime() + WAIT.toNanos();
            while (s == null && System.nanoTime() < end) {
                s = l.accept();
                if (s == null) sleep(5);
            }
            check(s != null, "Unix accept did not return the peer");
            try (UnixStream st = s) {
                Token t = foreignToken();
                client.poll().registry().register(st, t, Interest.READABLE);
                byte[] pat = Frames.pattern();
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        ByteBuffer b = ByteBuffer.wrap(pat, 0, bytes);
                        while (b.hasRemaining()) peer.write(b);
                        peer.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                // Read only after the peer has closed, so the close arrives mid-stream (data still queued).
                writer.join(WAIT.toMillis());
                check(!writer.isAlive() && !peer.isOpen(), "peer did not write and close within " + WAIT);
                Flags f = awaitFlags(t, x -> x.readClosed);
                byte[] buf = new byte[8192];
                int total = 0;
                int n;
                end = System.nanoTime() + WAIT.toNanos();
                while ((n = st.read(buf)) != -1) {
                    if (n == 0) {
                        check(System.nanoTime() < end, "no EOF within " + WAIT + " after " + total + " bytes");
                        client.pollForeign(Duration.ofMillis(50));
                        continue;
                    }
                    check(total + n <= bytes && Arrays.equals(buf, 0, n, pat, total, total + n),
                            "Unix stream bytes differ at offset " + total);
                    total += n;
                }
                check(total == bytes, "read " + total + " of " + bytes + " bytes before EOF");
                check(st.read(buf) == -1, "EOF is not sticky");
                client.poll().registry().deregister(st);
                result = "Unix peer wrote " + bytes + " B and closed before any read: events " + f + ", read "
                        + total + " B intact, then EOF";
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        checkHealthy();
        return result;
    }

    /** Writing to a UnixStream whose peer closed: EPIPE as SocketException (MSG_NOSIGNAL: no SIGPIPE). */
    public String unixWriteAfterPeerClosed() throws IOException, InterruptedException {
        injected++;
        String result;
        UnixStream.Pair pair = UnixStream.pair();
        try (pair) {
            UnixStream s = pair.first();
            Token t = foreignToken();
            client.poll().registry().register(s, t, Interest.READABLE.add(Interest.WRITABLE));
            pair.second().close();
            Flags f = awaitFlags(t, x -> x.readClosed);
            check(s.read(new byte[8]) == -1, "no EOF after the Unix peer closed");
            String error = null;
            int okWrites = 0;
            for (int i = 0; i < 3 && error == null; i++) {
                try {
                    s.write(new byte[1024]);
                    okWrites++;
                } catch (SocketException e) {
                    // The SELECTOR backend's exceptions carry no OS error code: there the message names it.
                    check(e instanceof OsError os ? os.osErrorName().equals("EPIPE")
                                    : io.mio.Backend.current() == io.mio.Backend.SELECTOR && e.getMessage().contains("(EPIPE)"),
                            "write after the Unix peer closed should carry OsError EPIPE: " + e);
                    error = e.getMessage();
                }
            }
            check(error != null, "writes after the Unix peer closed kept succeeding (" + okWrites + ")");
            check(okWrites == 0, "a Unix socket has no RST in flight: the first write should fail, " + okWrites
                    + " succeeded");
            client.poll().registry().deregister(s);
            result = "Unix write after peer close: " + error + " on the first write; events " + f;
        }
        checkHealthy();
        return result;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private Socket peer() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static ServerSocket listener() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ss.setSoTimeout(10_000);
        return ss;
    }

    private static InetSocketAddress addr(ServerSocket ss) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
    }

    private static void roundTrip(Socket s, int n) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(Frames.pattern(), 0, n);
        out.flush();
        byte[] back = s.getInputStream().readNBytes(n);
        check(Arrays.equals(back, 0, back.length, Frames.pattern(), 0, n), "echo differs");
    }

    private Token foreignToken() {
        return new Token(nextForeign++);
    }

    /** Polls the client's Poll until the flags seen for {@code t} satisfy {@code done}. */
    private Flags awaitFlags(Token t, java.util.function.Predicate<Flags> done) throws IOException {
        long end = System.nanoTime() + WAIT.toNanos();
        for (;;) {
            Flags f = seen.get(t.value());
            if (f != null && done.test(f)) return f;
            if (System.nanoTime() > end) {
                throw new AssertionError("expected event for " + t + " did not come within " + WAIT + "; seen " + f);
            }
            client.pollForeign(Duration.ofMillis(50));
        }
    }

    /** Reads once data is there (polling for the next readable edge while it would block). */
    private int readSome(TcpStream s, byte[] buf, Token t) throws IOException {
        long end = System.nanoTime() + WAIT.toNanos();
        for (;;) {
            int n = s.read(buf);
            if (n != 0) return n;
            if (System.nanoTime() > end) throw new AssertionError("no data within " + WAIT);
            client.pollForeign(Duration.ofMillis(50));
        }
    }

    /** The JDK exception type behind one of io.mio's OsError subclasses (e.g. ConnectException). */
    private static String jdkType(Throwable t) {
        Class<?> c = t.getClass();
        while (!c.getName().startsWith("java.")) c = c.getSuperclass();
        return c.getSimpleName();
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        client.close();
        server.close();
    }
}
