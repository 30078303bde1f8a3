package io.mio.reliability;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Runs in a child JVM under a low open-file limit (see {@link FdExhaustion}): an {@link EchoServer} that
 * reports on stdout, one line per fact: {@code ACCEPT <peerPort>}, {@code ACCEPT_ERROR <exception>},
 * {@code CLOSE <peerPort> <reason>}, after start-up {@code FDS <open> LIMIT <limit>} and {@code PORT <port>},
 * and {@code BYE <accepted> <acceptErrors> <fatal>} once stdin reaches EOF.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class FdExhaustionChild {
    private FdExhaustionChild() {}

    public static void main(String[] args) throws Exception {
        // Load now what the error report needs: at EMFILE the class loader cannot open a jar to load it.
        Class<?> reportedThrough = io.mio.OsError.class;
        if (reportedThrough.getName().isEmpty()) {
            throw new AssertionError();
        }
        warmUp();
        EchoServer server = EchoServer.start(128, new EchoServer.Listener() {
            @Override
            public void accepted(TcpStream stream, int peerPort) {
                say("ACCEPT " + peerPort);
            }

            @Override
            public void acceptFailed(IOException e) {
                // The errno name from io.mio.OsError, then the message a user would see.
                say("ACCEPT_ERROR " + (e instanceof io.mio.OsError os ? os.osErrorName() : "no-errno") + " " + e.getMessage());
            }

            @Override
            public void closed(EchoServer.Closed c) {
                say("CLOSE " + c.peerPort() + " " + c.reason() + (c.error() == null ? "" : " " + c.error()));
            }
        });
        say("FDS " + Footprint.openFds() + " LIMIT " + Footprint.openFileLimit());
        say("PORT " + server.address().getPort());
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        Throwable fatal = server.fatal();
        long accepted = server.accepted();
        long errors = server.acceptErrors();
        server.close();
        say("BYE " + accepted + " " + errors + " " + (fatal == null ? "none" : fatal.toString().replace(' ', '_')));
    }

    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /**
     * Runs every code path the exhausted server will need (accept, echo, close, an errno exception) while
     * descriptors are still available: with none left, even loading a class from a directory fails.
     */
    private static void warmUp() throws Exception {
        try (EchoServer s = EchoServer.start(128, new EchoServer.Listener() {
            @Override
            public void accepted(TcpStream stream, int peerPort) {}

            @Override
            public void acceptFailed(IOException e) {}

            @Override
            public void closed(EchoServer.Closed c) {}
        })) {
            for (int i = 0; i < 2; i++) {
                try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.address().getPort())) {
                    OutputStream out = sock.getOutputStream();
                    out.write(new byte[] {1, 2, 3});
                    if (sock.getInputStream().readNBytes(3).length != 3) throw new IllegalStateException("warm-up echo");
                }
            }
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s.closes().size() < 2 && System.nanoTime() < end) Thread.sleep(5);
        }
        // An errno exception (the path an EMFILE from accept takes): a refused connect.
        InetSocketAddress dead;
        try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            dead = l.localAddr();
        }
        try (Poll poll = Poll.open(); TcpStream st = TcpStream.connect(dead)) {
            poll.registry().register(st, new Token(1), Interest.WRITABLE);
            poll.poll(Events.withCapacity(4), Duration.ofSeconds(5));
            IOException e = st.takeError();
            if (e == null) throw new IllegalStateException("warm-up: no error for a refused connect");
            new IOException("warm-up", e).toString();
        } catch (java.net.ConnectException immediate) {
            immediate.toString();
        }
        Footprint.openFds();
        Footprint.openFileLimit();
    }
}
