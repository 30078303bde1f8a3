package io.mio.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.Shutdown;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * One event loop of {@link HttpServer}: one {@link Poll}, one listener, and the HTTP/1.1 connections that listener
 * accepted, all served on the thread that calls {@link #run()}.
 *
 * <p>Nothing is allocated per request. Each connection gets two fixed arrays at accept: {@code in}, where requests
 * are parsed in place (no String, no header map), and {@code out}, where the answers to every complete request of
 * a read are gathered from preformatted bytes and sent with one write (that is what makes pipelining cheap). The
 * Date header is formatted into one array per loop, at most once a second.
 *
 * <p>Memory per connection is bounded by those two arrays: when {@code out} cannot be sent (the client does not
 * read), the loop stops parsing and stops reading that connection, and waits for {@link Interest#WRITABLE}; the
 * client's further requests wait in the kernel's socket buffers, and then the client's writes block.
 */
final class HttpLoop {
    static final Token LISTENER = new Token(0);
    /** Token of the Waker that ends {@link #run()}. */
    static final Token STOP = new Token(1);
    private static final int FIRST_CONNECTION = 2;

    /** Largest request head (request line and headers); a longer one gets 431. */
    static final int IN_SIZE = 8 * 1024;
    /** Answers gathered before a write; large enough for a batch of pipelined answers. */
    static final int OUT_SIZE = 8 * 1024;
    /** Room every answer fits in (the largest is an upload's, about 230 bytes): below it, flush first. */
    private static final int MAX_ANSWER = 512;

    // What a request asks for, once its head is parsed.
    private static final int PLAINTEXT = 0;
    private static final int JSON = 1;
    private static final int UPLOAD = 2;
    private static final int NOT_FOUND = 3;
    /** A path that only answers GET, asked with another method. */
    private static final int GET_ONLY = 4;
    /** {@code /upload}, asked with another method than POST. */
    private static final int POST_ONLY = 5;

    /** A preformatted answer: the status line and the headers that never change, then the body. */
    private record Canned(byte[] head, byte[] body) {
        static Canned of(String status, String contentType, String body, String extraHeaders) {
            String head = "HTTP/1.1 " + status + "\r\nServer: mio\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + body.length() + "\r\n" + extraHeaders;
            return new Canned(ascii(head), ascii(body));
        }
    }

    private static final Canned HELLO_TEXT = Canned.of("200 OK", "text/plain", "Hello, World!", "");
    private static final Canned HELLO_JSON = Canned.of("200 OK", "application/json", "{\"message\":\"Hello, World!\"}", "");
    private static final Canned NOT_FOUND_404 = Canned.of("404 Not Found", "text/plain",
            "Not found: try /plaintext, /json or POST /upload\n", "");
    private static final Canned NOT_ALLOWED_405 = Canned.of("405 Method Not Allowed", "text/plain",
            "Method not allowed\n", "Allow: GET\r\n");
    private static final Canned NOT_ALLOWED_UPLOAD_405 = Canned.of("405 Method Not Allowed", "text/plain",
            "Method not allowed\n", "Allow: POST\r\n");
    // Errors after which the connection is closed: the rest of its input cannot be trusted to start a request.
    private static final Canned BAD_REQUEST_400 = Canned.of("400 Bad Request", "text/plain", "Bad request\n", "");
    private static final Canned TOO_LARGE_431 = Canned.of("431 Request Header Fields Too Large", "text/plain",
            "Request head larger than " + IN_SIZE + " bytes\n", "");
    private static final Canned CHUNKED_501 = Canned.of("501 Not Implemented", "text/plain",
            "Transfer-Encoding is not supported: send Content-Length\n", "");
    private static final Canned VERSION_505 = Canned.of("505 HTTP Version Not Supported", "text/plain",
            "Only HTTP/1.0 and HTTP/1.1\n", "");
    /** Head of an upload's answer; the Content-Length line and the body are written per request. */
    private static final byte[] UPLOAD_HEAD = ascii("HTTP/1.1 200 OK\r\nServer: mio\r\nContent-Type: text/plain\r\n");
    private static final byte[] CONTINUE_100 = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] CRLF = ascii("\r\n");

    // Lower-case names and tokens, for matching without allocation.
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] EXPECT = ascii("expect");
    private static final byte[] HOST = ascii("host");
    private static final byte[] TOKEN_CLOSE = ascii("close");
    private static final byte[] TOKEN_KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] TOKEN_100_CONTINUE = ascii("100-continue");
    private static final byte[] GET = ascii("GET");
    private static final byte[] POST = ascii("POST");
    private static final byte[] PATH_PLAINTEXT = ascii("/plaintext");
    private static final byte[] PATH_JSON = ascii("/json");
    private static final byte[] PATH_UPLOAD = ascii("/upload");
    private static final byte[] HTTP_SLASH = ascii("HTTP/");

    /** One client: its socket, its two buffers, and the request being answered. */
    private static final class Connection {
        final TcpStream stream;
        final Token token;
        /** Received bytes; {@code [start, end)} is not yet parsed. */
        final byte[] in = new byte[IN_SIZE];
        int start;
        int end;
        /** Where the search for the end of the current head resumes: a trickling client is not rescanned. */
        int scanned;
        /** Answers; {@code [outStart, outEnd)} is not yet sent. */
        final byte[] out = new byte[OUT_SIZE];
        int outStart;
        int outEnd;
        /** Registered for WRITABLE (and not READABLE) because {@code out} could not be sent. */
        boolean writeBlocked;
        /** An answer said the connection ends: send what is in {@code out}, then close. */
        boolean closeAfterWrite;

        // The request whose body is being received (its answer comes once the body is in).
        int route;
        boolean keepAlive;
        boolean http10;
        long bodyLeft;
        long bodyLength;
        final CRC32 crc = new CRC32();

        Connection(TcpStream stream, Token token) {
            this.stream = stream;
            this.token = token;
        }
    }

    private final Poll poll;
    private final TcpListener listener;
    private final AtomicLong accepted = new AtomicLong();
    /** Connections by token value; free slots are reused. */
    private final List<Connection> connections = new ArrayList<>();
    private int[] freeSlots = new int[16];
    private int freeCount;
    /** {@code "Date: <IMF-fixdate>\r\n"}, rewritten when the second changes (TechEmpower: at most once a second). */
    private final byte[] dateLine = ascii("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
    private long dateSecond = Long.MIN_VALUE;
    /** An upload's answer body, formatted per request (its length varies). */
    private final byte[] scratch = new byte[64];

    /** A loop that will serve {@code listener}'s connections on {@code poll}; both stay the caller's to close. */
    HttpLoop(Poll poll, TcpListener listener) {
        this.poll = poll;
        this.listener = listener;
    }

    /** How many connections this loop has accepted so far; safe to call from any thread. */
    long accepted() {
        return accepted.get();
    }

    /** Serves until the Poll reports {@link #STOP}; then closes the connections it accepted and returns. */
    void run() throws IOException {
        Registry registry = poll.registry();
        registry.register(listener, LISTENER, Interest.READABLE);
        Events events = Events.withCapacity(1024);
        for (int i = 0; i < FIRST_CONNECTION; i++) {
            connections.add(null); // the slots of the reserved tokens
        }
        try {
            while (true) {
                poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
                refreshDate(System.currentTimeMillis() / 1000);
                for (int i = 0; i < events.size(); i++) {
                    Event event = events.get(i);
                    int id = (int) event.token().value();
                    if (id == STOP.value()) {
                        return;
                    }
                    if (id == LISTENER.value()) {
                        acceptAll(registry);
                        continue;
                    }
                    Connection c = connections.get(id);
                    if (c == null) {
                        continue; // closed earlier in this batch of events
                    }
                    boolean open;
                    try {
                        open = handle(registry, c, event);
                    } catch (IOException e) {
                        open = false; // reset by the peer and the like: drop this connection, serve the others
                    }
                    if (!open) {
                        c.stream.close();
                        connections.set(id, null);
                        if (freeCount == freeSlots.length) {
                            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
                        }
                        freeSlots[freeCount++] = id;
                    }
                }
            }
        } finally {
            for (Connection c : connections) {
                if (c != null) {
                    c.stream.close();
                }
            }
        }
    }

    private void acceptAll(Registry registry) throws IOException {
        TcpStream stream;
        while ((stream = listener.accept()) != null) { // edge-triggered: drain the accept queue
            accepted.incrementAndGet();
            // Answers are small writes that the client waits for: Nagle's delay would only add latency.
            stream.setNodelay(true);
            int slot = freeCount > 0 ? freeSlots[--freeCount] : connections.size();
            Connection c = new Connection(stream, new Token(slot));
            if (slot == connections.size()) {
                connections.add(c);
            } else {
                connections.set(slot, c);
            }
            registry.register(stream, c.token, Interest.READABLE);
        }
    }

    /** Serves one event of {@code c}; false when the connection is over and must be closed. */
    private boolean handle(Registry registry, Connection c, Event event) throws IOException {
        if (c.writeBlocked) {
            if (!flush(registry, c)) {
                return true; // still blocked: a spurious event, or room for only part of the output
            }
            if (c.closeAfterWrite) {
                return closeGracefully(c);
            }
            // Unblocked: answer what was left in c.in, then read what waited in the kernel meanwhile (no readable
            // edge was reported for it while only WRITABLE was registered).
        }
        return serve(registry, c, event.isReadClosed());
    }

    /**
     * Answers, writes and reads until the socket is drained or the output blocks. Edge-triggered: returning while
     * input remains unread is only safe when a new event is sure to come (a short read emptied the socket, or the
     * output blocked and WRITABLE is registered).
     */
    private boolean serve(Registry registry, Connection c, boolean readClosed) throws IOException {
        boolean drained = false;
        while (true) {
            while (!answer(c)) { // out is nearly full: send it, then go on answering
                if (!flush(registry, c)) {
                    return true; // blocked: stop here, parse and read no more until WRITABLE
                }
            }
            if (!flush(registry, c)) {
                return true;
            }
            if (c.closeAfterWrite) {
                return closeGracefully(c);
            }
            if (drained) {
                return true;
            }
            int room = IN_SIZE - c.end; // never 0 here: answer() made room, or gave 431 for a head that fills c.in
            int n = c.stream.read(c.in, c.end, room);
            if (n < 0) {
                return false; // the peer closed; everything it asked for has been sent
            }
            if (n == 0) {
                return true; // would block: wait for the next edge
            }
            c.end += n;
            // A short read emptied the socket, so the next byte raises a new edge: answer, then wait for it. Not
            // after a read-closed event: the peer's FIN is already queued and no new edge comes for it.
            drained = n < room && !readClosed;
        }
    }

    /**
     * Answers the complete requests in {@code c.in}, in order, appending to {@code c.out}; consumes request bodies
     * as they arrive. False if it stopped because {@code c.out} is nearly full.
     */
    private boolean answer(Connection c) {
        byte[] in = c.in;
        while (!c.closeAfterWrite) {
            if (OUT_SIZE - c.outEnd < MAX_ANSWER) {
                return false;
            }
            if (c.bodyLeft > 0) {
                int n = (int) Math.min(c.bodyLeft, c.end - c.start);
                if (c.route == UPLOAD) {
                    c.crc.update(in, c.start, n);
                }
                c.start += n;
                c.bodyLeft -= n;
                if (c.bodyLeft > 0) {
                    break; // the rest of the body is still to come
                }
                respond(c);
                continue;
            }
            // Ignore the empty lines a client may send between requests (RFC 9112, section 2.2).
            while (c.start < c.end && (in[c.start] == '\r' || in[c.start] == '\n')) {
                c.start++;
            }
            int headEnd = findHeadEnd(in, Math.max(c.start, c.scanned), c.end);
            if (headEnd < 0) {
                c.scanned = Math.max(c.start, c.end - 2); // a terminator may begin in the last two bytes
                if (c.start == 0 && c.end == IN_SIZE) {
                    put(c, TOO_LARGE_431, true);
                }
                break;
            }
            parseAndStart(c, headEnd);
            c.start = headEnd;
            c.scanned = headEnd;
            if (c.bodyLeft == 0 && !c.closeAfterWrite) {
                respond(c);
            }
        }
        if (c.closeAfterWrite) {
            c.start = c.end; // nothing after the last answer is served
        }
        // Move what is left (part of the next request) to the front, so the next read has the rest of c.in.
        int left = c.end - c.start;
        if (c.start > 0) {
            System.arraycopy(in, c.start, in, 0, left);
            c.scanned = Math.max(0, c.scanned - c.start);
            c.start = 0;
            c.end = left;
        }
        return true;
    }

    /** Index just past the empty line that ends a head in {@code in[from, end)}, or -1. */
    private static int findHeadEnd(byte[] in, int from, int end) {
        for (int i = from; i < end; i++) {
            if (in[i] == '\n') {
                if (i + 1 < end && in[i + 1] == '\n') {
                    return i + 2; // a bare LF, which RFC 9112 lets a server accept as a line end
                }
                if (i + 2 < end && in[i + 1] == '\r' && in[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * Parses the head in {@code c.in[c.start, headEnd)} in place and records what it asks for in {@code c}; a head
     * that breaks the grammar gets its error answer (and the connection closes after it).
     */
    private void parseAndStart(Connection c, int headEnd) {
        byte[] in = c.in;
        // Request line: method SP request-target SP HTTP-version, single spaces (RFC 9112, section 3).
        int lineEnd = lineEnd(in, c.start, headEnd);
        int method = c.start;
        int p = method;
        while (p < lineEnd && isTchar(in[p])) {
            p++;
        }
        int methodEnd = p;
        if (methodEnd == method || p >= lineEnd || in[p] != ' ') {
            put(c, BAD_REQUEST_400, true);
            return;
        }
        int target = ++p;
        while (p < lineEnd && in[p] > ' ' && in[p] != 0x7f) {
            p++;
        }
        int targetEnd = p;
        if (targetEnd == target || in[target] != '/' || p >= lineEnd || in[p] != ' ') {
            put(c, BAD_REQUEST_400, true);
            return;
        }
        int version = p + 1;
        if (lineEnd - version != 8 || !regionEquals(in, version, version + 5, HTTP_SLASH)
                || !isDigit(in[version + 5]) || in[version + 6] != '.' || !isDigit(in[version + 7])) {
            put(c, BAD_REQUEST_400, true);
            return;
        }
        if (in[version + 5] != '1') {
            put(c, VERSION_505, true);
            return;
        }
        boolean http10 = in[version + 7] == '0'; // 1.1 and any later 1.x are served as 1.1

        // Headers: name ":" OWS value OWS; only the few that change how the request is read or answered count.
        long contentLength = -1;
        boolean transferEncoding = false;
        boolean close = false;
        boolean keepAliveAsked = false;
        boolean expectContinue = false;
        boolean host = false;
        for (int line = nextLine(in, lineEnd, headEnd); line < headEnd; ) {
            int end = lineEnd(in, line, headEnd);
            if (end == line) {
                break; // the empty line that ends the head
            }
            int colon = line;
            while (colon < end && isTchar(in[colon])) {
                colon++;
            }
            // No name, or a space before the colon, or a continuation line (obsolete folding): all rejected.
            if (colon == line || colon >= end || in[colon] != ':') {
                put(c, BAD_REQUEST_400, true);
                return;
            }
            int value = colon + 1;
            int valueEnd = end;
            while (value < valueEnd && (in[value] == ' ' || in[value] == '\t')) {
                value++;
            }
            while (valueEnd > value && (in[valueEnd - 1] == ' ' || in[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            for (int i = value; i < valueEnd; i++) {
                int b = in[i] & 0xff; // bytes above 0x7f (obs-text) are allowed in values
                if ((b < ' ' && b != '\t') || b == 0x7f) { // a stray CR or other control byte
                    put(c, BAD_REQUEST_400, true);
                    return;
                }
            }
            if (equalsLowerCase(in, line, colon, CONTENT_LENGTH)) {
                long length = parseLength(in, value, valueEnd);
                if (length < 0 || (contentLength >= 0 && length != contentLength)) {
                    put(c, BAD_REQUEST_400, true); // not a number, or two that disagree
                    return;
                }
                contentLength = length;
            } else if (equalsLowerCase(in, line, colon, TRANSFER_ENCODING)) {
                transferEncoding = true; // chunked or not: this example reads Content-Length bodies only
            } else if (equalsLowerCase(in, line, colon, CONNECTION)) {
                close |= hasToken(in, value, valueEnd, TOKEN_CLOSE);
                keepAliveAsked |= hasToken(in, value, valueEnd, TOKEN_KEEP_ALIVE);
            } else if (equalsLowerCase(in, line, colon, EXPECT)) {
                expectContinue = equalsLowerCase(in, value, valueEnd, TOKEN_100_CONTINUE);
            } else if (equalsLowerCase(in, line, colon, HOST)) {
                host = true;
            }
            line = nextLine(in, end, headEnd);
        }
        if (transferEncoding) {
            // With Content-Length too, the two framings could disagree (request smuggling): reject outright.
            put(c, contentLength >= 0 ? BAD_REQUEST_400 : CHUNKED_501, true);
            return;
        }
        if (!http10 && !host) {
            put(c, BAD_REQUEST_400, true); // RFC 9112, section 3.2: an HTTP/1.1 request must carry Host
            return;
        }

        int pathEnd = target;
        while (pathEnd < targetEnd && in[pathEnd] != '?') {
            pathEnd++;
        }
        boolean get = regionEquals(in, method, methodEnd, GET);
        boolean post = regionEquals(in, method, methodEnd, POST);
        if (regionEquals(in, target, pathEnd, PATH_PLAINTEXT)) {
            c.route = get ? PLAINTEXT : GET_ONLY;
        } else if (regionEquals(in, target, pathEnd, PATH_JSON)) {
            c.route = get ? JSON : GET_ONLY;
        } else if (regionEquals(in, target, pathEnd, PATH_UPLOAD)) {
            c.route = post ? UPLOAD : POST_ONLY;
        } else {
            c.route = NOT_FOUND;
        }
        c.http10 = http10;
        c.keepAlive = !close && (!http10 || keepAliveAsked); // HTTP/1.0 closes unless asked to keep alive
        // Every request's body is read to its end (and dropped unless uploaded), so the next request is found.
        c.bodyLength = Math.max(contentLength, 0);
        c.bodyLeft = c.bodyLength;
        c.crc.reset();
        if (expectContinue && !http10 && c.bodyLeft > 0) {
            System.arraycopy(CONTINUE_100, 0, c.out, c.outEnd, CONTINUE_100.length); // the client waits for it
            c.outEnd += CONTINUE_100.length;
        }
    }

    /** Appends the answer to the request in {@code c}, whose body has been read. */
    private void respond(Connection c) {
        boolean close = !c.keepAlive;
        switch (c.route) {
            case PLAINTEXT -> put(c, HELLO_TEXT, close);
            case JSON -> put(c, HELLO_JSON, close);
            case NOT_FOUND -> put(c, NOT_FOUND_404, close);
            case GET_ONLY -> put(c, NOT_ALLOWED_405, close);
            case POST_ONLY -> put(c, NOT_ALLOWED_UPLOAD_405, close);
            case UPLOAD -> {
                // "<length> bytes, CRC-32 <8 hex digits>\n": the client can check every byte arrived, in order.
                int n = putDecimal(scratch, 0, c.bodyLength);
                n = putAscii(scratch, n, " bytes, CRC-32 ");
                n = putHex8(scratch, n, c.crc.getValue());
                scratch[n++] = '\n';
                int at = append(c.out, c.outEnd, UPLOAD_HEAD, UPLOAD_HEAD.length);
                at = putAscii(c.out, at, "Content-Length: ");
                at = putDecimal(c.out, at, n);
                at = append(c.out, at, CRLF, 2);
                c.outEnd = at;
                putRest(c, close, scratch, n);
            }
            default -> throw new IllegalStateException("route " + c.route);
        }
    }

    /** Appends {@code answer}; {@code close}: with {@code Connection: close}, and end the connection after it. */
    private void put(Connection c, Canned answer, boolean close) {
        c.outEnd = append(c.out, c.outEnd, answer.head(), answer.head().length);
        putRest(c, close, answer.body(), answer.body().length);
    }

    /** The headers every answer ends with (Date, Connection), the empty line, the body. */
    private void putRest(Connection c, boolean close, byte[] body, int bodyLength) {
        int at = append(c.out, c.outEnd, dateLine, dateLine.length);
        if (close) {
            at = append(c.out, at, CLOSE, CLOSE.length);
            c.closeAfterWrite = true;
        } else if (c.http10) {
            at = append(c.out, at, KEEP_ALIVE, KEEP_ALIVE.length); // a 1.0 client keeps the connection only if told
        }
        at = append(c.out, at, CRLF, 2);
        c.outEnd = append(c.out, at, body, bodyLength);
    }

    /**
     * Writes {@code c.out}; true when all of it is sent. While it cannot be, the connection is registered for
     * WRITABLE only: reading on would just fill {@code c.out}, or memory, with answers nobody collects.
     */
    private static boolean flush(Registry registry, Connection c) throws IOException {
        while (c.outStart < c.outEnd) {
            int n = c.stream.write(c.out, c.outStart, c.outEnd - c.outStart);
            if (n == 0) {
                if (c.outStart > 0) { // keep the unsent bytes at the front, to make room behind them
                    System.arraycopy(c.out, c.outStart, c.out, 0, c.outEnd - c.outStart);
                    c.outEnd -= c.outStart;
                    c.outStart = 0;
                }
                if (!c.writeBlocked) {
                    c.writeBlocked = true;
                    registry.reregister(c.stream, c.token, Interest.WRITABLE);
                }
                return false;
            }
            c.outStart += n;
        }
        c.outStart = 0;
        c.outEnd = 0;
        if (c.writeBlocked) {
            c.writeBlocked = false;
            registry.reregister(c.stream, c.token, Interest.READABLE);
        }
        return true;
    }

    /**
     * Ends a connection whose last answer is sent: FIN after the data, then drop what the client had already
     * sent. Closing with unread input would make the kernel send a reset, which can destroy the answer before
     * the client reads it. The drop is bounded: a client that keeps sending gets its reset.
     */
    private static boolean closeGracefully(Connection c) {
        try {
            c.stream.shutdown(Shutdown.WRITE);
            for (int i = 0; i < 64 && c.stream.read(c.in, 0, IN_SIZE) > 0; i++) {
                // discard
            }
        } catch (IOException e) {
            // the client is gone already: nothing to protect
        }
        return false;
    }

    /** Rewrites {@link #dateLine} when the second has changed: once a second at most, whatever the load. */
    private void refreshDate(long epochSecond) {
        if (epochSecond != dateSecond) {
            dateSecond = epochSecond;
            formatDate(epochSecond, dateLine, 6);
        }
    }

    private static final byte[] DAYS = ascii("SunMonTueWedThuFriSat");
    private static final byte[] MONTHS = ascii("JanFebMarAprMayJunJulAugSepOctNovDec");

    /**
     * Writes {@code epochSecond} as an IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}, 29 bytes) at
     * {@code dst[at]}, without allocating (java.time's formatters allocate a String each time). The calendar
     * arithmetic is Howard Hinnant's {@code civil_from_days}.
     */
    static void formatDate(long epochSecond, byte[] dst, int at) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = Math.floorMod(epochSecond, 86_400);
        int weekday = Math.floorMod(days + 4, 7); // 1970-01-01 was a Thursday; 0 is Sunday
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100); // from March 1st
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        System.arraycopy(DAYS, weekday * 3, dst, at, 3);
        dst[at + 3] = ',';
        dst[at + 4] = ' ';
        twoDigits(dst, at + 5, day);
        dst[at + 7] = ' ';
        System.arraycopy(MONTHS, (month - 1) * 3, dst, at + 8, 3);
        dst[at + 11] = ' ';
        int y = (int) year;
        twoDigits(dst, at + 12, y / 100);
        twoDigits(dst, at + 14, y % 100);
        dst[at + 16] = ' ';
        twoDigits(dst, at + 17, secondOfDay / 3600);
        dst[at + 19] = ':';
        twoDigits(dst, at + 20, secondOfDay / 60 % 60);
        dst[at + 22] = ':';
        twoDigits(dst, at + 23, secondOfDay % 60);
        dst[at + 25] = ' ';
        dst[at + 26] = 'G';
        dst[at + 27] = 'M';
        dst[at + 28] = 'T';
    }

    // ---- small byte helpers, none of which allocates -------------------------------------------------------

    private static void twoDigits(byte[] dst, int at, int value) {
        dst[at] = (byte) ('0' + value / 10);
        dst[at + 1] = (byte) ('0' + value % 10);
    }

    private static int append(byte[] dst, int at, byte[] src, int length) {
        System.arraycopy(src, 0, dst, at, length);
        return at + length;
    }

    /** Writes a constant ASCII string (a literal, so no String is created). */
    private static int putAscii(byte[] dst, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            dst[at++] = (byte) ascii.charAt(i);
        }
        return at;
    }

    private static int putDecimal(byte[] dst, int at, long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            dst[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + digits;
    }

    private static int putHex8(byte[] dst, int at, long value) {
        for (int i = 7; i >= 0; i--) {
            dst[at + i] = (byte) Character.forDigit((int) (value & 0xf), 16);
            value >>>= 4;
        }
        return at + 8;
    }

    /** End of the line starting at {@code from} (its LF, or the CR before it). */
    private static int lineEnd(byte[] in, int from, int limit) {
        int i = from;
        while (i < limit && in[i] != '\n') {
            i++;
        }
        return i > from && in[i - 1] == '\r' ? i - 1 : i;
    }

    /** Start of the line after the one whose end {@link #lineEnd} returned. */
    private static int nextLine(byte[] in, int lineEnd, int limit) {
        int i = lineEnd;
        while (i < limit && in[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    /** Content-Length's value: decimal digits only, at most 18 of them (no overflow); -1 if it is not that. */
    private static long parseLength(byte[] in, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (!isDigit(in[i])) {
                return -1;
            }
            value = value * 10 + (in[i] - '0');
        }
        return value;
    }

    /** Whether the comma-separated list in {@code in[from, to)} holds {@code token} (any case). */
    private static boolean hasToken(byte[] in, int from, int to, byte[] token) {
        int i = from;
        while (i < to) {
            while (i < to && (in[i] == ' ' || in[i] == '\t' || in[i] == ',')) {
                i++;
            }
            int start = i;
            while (i < to && in[i] != ',' && in[i] != ' ' && in[i] != '\t') {
                i++;
            }
            if (equalsLowerCase(in, start, i, token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] in, int from, int to, byte[] expected) {
        return Arrays.equals(in, from, to, expected, 0, expected.length);
    }

    /** Whether {@code in[from, to)} equals {@code lower} ignoring ASCII case ({@code lower} is lower-case). */
    private static boolean equalsLowerCase(byte[] in, int from, int to, byte[] lower) {
        if (to - from != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte b = in[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** A token character (RFC 9110, section 5.6.2): what methods and header names are made of. */
    private static boolean isTchar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || isDigit(b)
                || (b > ' ' && b < 0x7f && "!#$%&'*+-.^_`|~".indexOf(b) >= 0);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
