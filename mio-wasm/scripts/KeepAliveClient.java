import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection, one request at a time for SECONDS: prints the requests per second. Run as a
 * source file: {@code java KeepAliveClient.java HOST PORT SECONDS} (bench-nodelay.sh does).
 */
public class KeepAliveClient {
    public static void main(String[] args) throws IOException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        long nanos = (long) (Double.parseDouble(args[2]) * 1e9);
        byte[] request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(host, port)) {
            s.setTcpNoDelay(true); // the client's own writes are whole requests: only the server's side is measured
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < nanos) {
                out.write(request);
                int length = contentLength(readHead(in));
                if (in.readNBytes(length).length != length) {
                    throw new IOException("connection closed in a response body");
                }
                n++;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d requests in %.1f s: %.0f requests/s%n", n, secs, n / secs);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        throw new IOException("no Content-Length in " + head);
    }
}
