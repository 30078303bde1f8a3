package io.mio.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Descriptor exhaustion: an {@link FdExhaustionChild} under {@code ulimit -n <limit>}; this side connects
 * more clients than it has descriptors for, so its accept hits EMFILE. Checks: the accept error carries
 * errno EMFILE (io.mio.OsError) and names it in its message; every accepted connection still echoes; after some clients disconnect, accepting
 * resumes and the newly accepted connections echo too; the child exits cleanly with no loop failure.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: these wait for threads and processes
public final class FdExhaustion {
    private FdExhaustion() {}

    public record Result(int limit, String childFds, int clients, int acceptedBeforeError, String acceptError,
                         int freed, int acceptedAfterFreeing, int echoChecks, String bye) {}

    public static Result run(int fdLimit, int clients, int free) throws IOException, InterruptedException {
        Duration wait = Duration.ofSeconds(20);
        Map<Integer, Socket> sockets = new LinkedHashMap<>();
        try (Child child = Child.start(FdExhaustionChild.class, fdLimit)) {
            String fds = child.awaitLine("FDS", Duration.ofSeconds(60));
            int port = Integer.parseInt(child.awaitLine("PORT", wait).substring(5).trim());
            try {
                for (int i = 0; i < clients; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    s.setSoTimeout(10_000);
                    sockets.put(s.getLocalPort(), s);
                }
                Set<Integer> accepted = new LinkedHashSet<>();
                String error = null;
                while (error == null) {
                    String line = child.awaitLine("", wait);
                    if (line.startsWith("ACCEPT ")) accepted.add(Integer.parseInt(line.substring(7).trim()));
                    else if (line.startsWith("ACCEPT_ERROR ")) error = line.substring(13);
                }
                // On the SELECTOR backend the JDK's exception carries no OS error code; io.mio names it in the message.
                check(io.mio.Backend.current() == io.mio.Backend.SELECTOR
                                ? error.startsWith("no-errno ") && error.contains("(EMFILE)")
                                : error.startsWith("EMFILE ") && error.contains("accept failed: EMFILE"),
                        "accept error should carry errno EMFILE and name it in its message: " + error);
                Thread.sleep(200);
                for (String l; (l = child.pollLine()) != null; ) {
                    if (l.startsWith("ACCEPT ")) accepted.add(Integer.parseInt(l.substring(7).trim()));
                }
                int before = accepted.size();
                check(before > 0 && before < clients, "accepted " + before + " of " + clients + " before EMFILE");
                int echoes = 0;
                for (int p : accepted) {
                    echo(sockets.get(p), p);
                    echoes++;
                }
                // Free descriptors: close some accepted clients; the server closes its ends at EOF.
                List<Integer> closing = new ArrayList<>(accepted).subList(0, Math.min(free, before));
                for (int p : List.copyOf(closing)) sockets.remove(p).close();
                Set<Integer> fresh = new LinkedHashSet<>();
                long end = System.nanoTime() + wait.toNanos();
                while (fresh.size() < closing.size() && System.nanoTime() < end) {
                    String l = child.awaitLine("", wait);
                    if (l.startsWith("ACCEPT ")) {
                        int p = Integer.parseInt(l.substring(7).trim());
                        if (!accepted.contains(p)) fresh.add(p);
                    }
                }
                check(fresh.size() >= closing.size(), "after freeing " + closing.size()
                        + " descriptors only " + fresh.size() + " new connections were accepted");
                for (int p : fresh) {
                    check(sockets.containsKey(p), "accepted an unknown peer port " + p);
                    echo(sockets.get(p), p);
                    echoes++;
                }
                for (int p : accepted) {
                    if (sockets.containsKey(p)) {
                        echo(sockets.get(p), p);
                        echoes++;
                    }
                }
                for (Socket s : sockets.values()) s.close();
                sockets.clear();
                child.stdin().close();
                String bye = child.awaitLine("BYE", wait);
                check(bye.endsWith(" none"), "child's server loop failed: " + bye);
                check(child.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)
                        && child.process().exitValue() == 0, "child did not exit cleanly: " + child.stderr());
                return new Result(fdLimit, fds, clients, before, error, closing.size(), fresh.size(), echoes, bye);
            } finally {
                for (Socket s : sockets.values()) s.close();
            }
        }
    }

    private static void echo(Socket s, int port) throws IOException {
        byte[] msg = Arrays.copyOf(Frames.pattern(), 100);
        msg[0] = (byte) port;
        OutputStream out = s.getOutputStream();
        out.write(msg);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] back = in.readNBytes(msg.length);
        check(Arrays.equals(back, msg), "connection from port " + port + " did not echo");
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }
}
