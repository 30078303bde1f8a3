package io.mio.bench;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds idle connections for the scale part, in a process of its own (the server under test must not share its
 * open-file limit with them). It opens connections on command and never sends a byte on them. Commands, one a
 * line on standard input, each answered by one line on standard output:
 * <ul>
 *   <li>{@code connect HOST PORT N}: opens N more connections, at most {@value #WINDOW} connecting at once;
 *       answers {@code OK <connections held>} once all are established, or {@code ERR <reason>};</li>
 *   <li>{@code close}: closes every connection with a reset (SO_LINGER 0); answers {@code OK 0}.</li>
 * </ul>
 * It first prints {@code READY <open-file limit> <descriptors open>}, and exits at the end of its standard
 * input, closing what it holds.
 *
 * <p>Every connection is bound to the holder's own loopback source address (127.0.0.10 for the first holder,
 * .11 for the next...) and to a source port the holder picks itself, counting up from {@value #FIRST_PORT}
 * past ports in use: left to the kernel, connect() searches the ephemeral port range for a free port, and once
 * about half of it is taken (some 14000 connections to one server) every search walks the used half, and
 * connecting slows down a hundredfold.
 *
 * <p>Usage: {@code IdleHolder SOURCE-ADDRESS}.
 */
public final class IdleHolder {
    /** Connections in flight at once: the server's accept queue (4096) is never the bottleneck. */
    static final int WINDOW = 128;
    /** Source ports go from here to 65535, then around again (a port still in use is skipped). */
    static final int FIRST_PORT = 10000;

    private final List<TcpStream> held = new ArrayList<>();
    private final java.net.InetAddress source;
    private int nextPort = FIRST_PORT;

    private IdleHolder(java.net.InetAddress source) {
        this.source = source;
    }

    public static void main(String[] args) throws IOException {
        long pid = ProcessHandle.current().pid();
        IdleHolder holder = new IdleHolder(java.net.InetAddress.getByName(args.length > 0 ? args[0] : "127.0.0.10"));
        System.out.println("READY " + ProcStat.openFileLimit(pid).soft() + " " + ProcStat.openFds(pid));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            String reply;
            try {
                reply = switch (f[0]) {
                    case "connect" -> {
                        holder.connect(new InetSocketAddress(f[1], Integer.parseInt(f[2])), Integer.parseInt(f[3]));
                        yield "OK " + holder.held.size();
                    }
                    case "close" -> {
                        holder.closeAll();
                        yield "OK 0";
                    }
                    default -> "ERR unknown command: " + line;
                };
            } catch (IOException | RuntimeException e) {
                reply = "ERR " + String.valueOf(e.getMessage()).replace('\n', ' ')
                        + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "");
            }
            System.out.println(reply);
            System.out.flush();
        }
        holder.closeAll();
    }

    /** Opens {@code n} connections to {@code server}; returns once every one is established. */
    private void connect(InetSocketAddress server, int n) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Poll poll = Poll.open()) {
            Registry registry = poll.registry();
            Events events = Events.withCapacity(WINDOW);
            TcpStream[] connecting = new TcpStream[n];
            int next = 0;
            int inFlight = 0;
            int established = 0;
            while (established < n) {
                while (next < n && inFlight < WINDOW) {
                    TcpStream s = connectFromOwnPort(server);
                    held.add(s); // closed by closeAll() even if it never connects
                    connecting[next] = s;
                    registry.register(s, new Token(next), Interest.WRITABLE);
                    next++;
                    inFlight++;
                }
                poll.poll(events, Duration.ofMillis(100));
                for (int i = 0; i < events.size(); i++) {
                    Event e = events.get(i);
                    int id = (int) e.token().value();
                    TcpStream s = connecting[id];
                    if (s == null) {
                        continue;
                    }
                    IOException error = s.takeError();
                    if (error != null) {
                        throw new IOException("connection " + (held.size() - next + id) + " to " + server
                                + " failed after " + established + " of " + n + ": " + error.getMessage(), error);
                    }
                    registry.deregister(s);
                    connecting[id] = null;
                    inFlight--;
                    established++;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + established + " of " + n + " connections to " + server
                            + " established in 60 s");
                }
            }
        }
    }

    /** Starts a connect from the holder's source address and the next free port of its own. */
    private TcpStream connectFromOwnPort(InetSocketAddress server) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = nextPort;
            nextPort = port == 65535 ? FIRST_PORT : port + 1;
            TcpSocket socket = TcpSocket.newV4();
            try {
                socket.setReuseAddr(true); // a port whose last connection lingers in TIME_WAIT is fine for a new peer
                socket.bind(new InetSocketAddress(source, port));
            } catch (IOException e) {
                socket.close(); // in use: try the next one
                last = e;
                continue;
            }
            try {
                return socket.connect(server);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        throw new IOException("no free source port on " + source.getHostAddress() + " after 1000 tries", last);
    }

    private void closeAll() {
        for (TcpStream s : held) {
            try {
                // A reset: no TIME_WAIT socket left on either side, whose expiry during the next server's steps
                // would show as that server's kernel memory shrinking.
                s.setLinger(Duration.ZERO);
            } catch (IOException | RuntimeException ignored) {
                // never connected, or already reset by the server: an ordinary close does
            }
            s.close();
        }
        held.clear();
    }
}
