package io.mio.reliability;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A small peer process for the "peer killed with SIGKILL" faults, on plain java.net (no io.mio).
 *
 * <ul>
 * <li>{@code client <port> <bytes>}: connects to 127.0.0.1:port, writes {@code bytes} pattern bytes, reads
 *     their echo back, writes {@code bytes} more without reading the echo, prints {@code READY <localPort>} and
 *     waits on stdin (to be killed).</li>
 * <li>{@code server}: listens on 127.0.0.1, prints {@code PORT <port>}, accepts one connection, echoes it
 *     (after the first byte it prints {@code ECHOING}), and waits to be killed.</li>
 * </ul>
 */
public final class PeerChild {
    private PeerChild() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("client")) {
            int port = Integer.parseInt(args[1]);
            int bytes = Integer.parseInt(args[2]);
            byte[] p = Frames.pattern();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(20_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(p, 0, bytes);
                out.flush();
                byte[] back = in.readNBytes(bytes);
                if (back.length != bytes || !java.util.Arrays.equals(back, 0, bytes, p, 0, bytes)) {
                    System.out.println("BAD_ECHO");
                    System.exit(2);
                }
                out.write(p, 0, bytes);
                out.flush();
                System.out.println("READY " + s.getLocalPort());
                System.out.flush();
                System.in.read(); // until killed
            }
        } else {
            try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                System.out.println("PORT " + ss.getLocalPort());
                System.out.flush();
                try (Socket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[8192];
                    boolean told = false;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        out.flush();
                        if (!told) {
                            System.out.println("ECHOING");
                            System.out.flush();
                            told = true;
                        }
                    }
                    System.in.read();
                }
            }
        }
    }
}
