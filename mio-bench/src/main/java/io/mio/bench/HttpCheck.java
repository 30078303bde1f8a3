package io.mio.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP smoke check, without wrk: over one connection, keep-alive requests one at a time, then pipelined ones in
 * one write; every answer read strictly (status line, headers, Content-Length body) and compared with what
 * TechEmpower's plaintext and JSON tests expect (status, Content-Type, body, Server and Date headers).
 */
final class HttpCheck {
    static final String PLAINTEXT = "Hello, World!";
    static final String JSON = "{\"message\":\"Hello, World!\"}";
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    /** Requests per pipelined write. */
    static final int PIPELINED = 16;

    private HttpCheck() {
    }

    /**
     * Runs the check against the server at {@code address}.
     *
     * @return the answers checked
     * @throws IOException naming the first answer that is wrong, or the connection's failure
     */
    static int run(InetSocketAddress address) throws IOException {
        int checked = 0;
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 6; i++) { // one at a time: keep-alive
                boolean json = i % 2 == 1;
                socket.getOutputStream().write(request(json));
                expect(in, json, "keep-alive request " + i);
                checked++;
            }
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < PIPELINED; i++) {
                batch.append(new String(request(i % 3 == 0), StandardCharsets.US_ASCII));
            }
            socket.getOutputStream().write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < PIPELINED; i++) {
                expect(in, i % 3 == 0, "pipelined request " + i);
                checked++;
            }
        }
        return checked;
    }

    private static byte[] request(boolean json) {
        return ("GET " + (json ? "/json" : "/plaintext") + " HTTP/1.1\r\nHost: bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void expect(InputStream in, boolean json, String what) throws IOException {
        String status = line(in, what);
        if (!status.startsWith("HTTP/1.1 200 ")) {
            throw new IOException(what + ": status line '" + status + "'");
        }
        Map<String, String> headers = new HashMap<>();
        for (String line = line(in, what); !line.isEmpty(); line = line(in, what)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException(what + ": header line '" + line + "'");
            }
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String type = headers.getOrDefault("content-type", "");
        if (!type.startsWith(json ? "application/json" : "text/plain")) {
            throw new IOException(what + ": Content-Type '" + type + "'");
        }
        if (headers.get("server") == null) {
            throw new IOException(what + ": no Server header in " + headers);
        }
        try {
            ZonedDateTime.parse(headers.getOrDefault("date", ""), IMF_FIXDATE);
        } catch (DateTimeParseException e) {
            throw new IOException(what + ": Date '" + headers.get("date") + "' is not an IMF-fixdate");
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new IOException(what + ": no Content-Length in " + headers);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        String expected = json ? JSON : PLAINTEXT;
        if (!new String(body, StandardCharsets.US_ASCII).equals(expected)) {
            throw new IOException(what + ": body '" + new String(body, StandardCharsets.US_ASCII) + "', expected '"
                    + expected + "'");
        }
    }

    private static String line(InputStream in, String what) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException(what + ": end of stream in the answer's head");
            }
            b.write(c);
        }
        String line = b.toString(StandardCharsets.ISO_8859_1);
        if (!line.endsWith("\r")) {
            throw new IOException(what + ": line without CR: '" + line + "'");
        }
        return line.substring(0, line.length() - 1);
    }
}
