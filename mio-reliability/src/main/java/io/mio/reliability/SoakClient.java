package io.mio.reliability;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The soak's client: one io.mio event loop (on the calling thread) driving many TCP connections to an echo
 * server. Each connection has one frame in flight: it writes a frame (header + payload, see {@link Frames}),
 * reads the echo back, checks every byte of it, and starts the next. Writes that the socket cannot take at
 * once are continued on the next writable event after a reregistration with {@code READABLE | WRITABLE};
 * reads are processed as they come, however the stream is cut.
 *
 * <p>Any mismatch (magic, connection, sequence, length, CRC, a payload byte, an unexpected EOF or error)
 * throws {@link IntegrityException} at once. Tokens below {@link #FOREIGN_BASE} belong to the soak
 * connections; events for other tokens (fault scenarios share this Poll) go to the foreign-event handler.
 */
public final class SoakClient implements AutoCloseable {
    /** Tokens at or above this value are not the soak's; their events go to the foreign handler. */
    public static final long FOREIGN_BASE = 1L << 40;

    /** A failed end-to-end check. */
    public static final class IntegrityException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public IntegrityException(String message) {
            super(message);
        }
    }

    private final Poll poll;
    private final Events events = Events.withCapacity(1024);
    private final List<Conn> conns = new ArrayList<>();
    private final byte[] scratch = new byte[64 * 1024];
    private final byte[] pattern = Frames.pattern();
    private final SplittableRandom random;
    private Consumer<Event> foreign = e -> {
        throw new IllegalStateException("unexpected event for a foreign token: " + e);
    };

    // Counters (client thread).
    private long budget; // frames still to start
    private long inFlight;
    private long roundTrips;
    private long bytesChecked;
    private long partialWrites;
    private long fragmentedFrames;
    private long writableReregistrations;
    private long maxPayloadSeen;
    private long minPayloadSeen = Long.MAX_VALUE;

    private static final class Conn {
        final int id;
        final TcpStream stream;
        final Token token;
        boolean connected;
        boolean writeInterest;
        boolean readClosed;
        long nextSendSeq;
        long nextRecvSeq;
        // outgoing frame
        final byte[] hdr = new byte[Frames.HEADER];
        int hdrSent = Frames.HEADER;
        int payOff, payLen, paySent;
        // expected incoming frame
        boolean awaiting;
        int expOff, expLen, expCrc;
        final byte[] rhdr = new byte[Frames.HEADER];
        int rhdrGot;
        int payGot;
        int reads;
        final CRC32 crc = new CRC32();

        Conn(int id, TcpStream stream) {
            this.id = id;
            this.stream = stream;
            this.token = new Token(id);
        }

        boolean sending() {
            return hdrSent < Frames.HEADER || paySent < payLen;
        }
    }

    private final int smallBufferEvery;

    /**
     * @param smallBufferEvery every n-th connection gets a 4 KiB send buffer (0: none), so that large frames
     *        are cut into many partial writes and reads whatever the kernel's autotuning would do
     */
    public SoakClient(long seed, int smallBufferEvery) throws IOException {
        this.poll = Poll.open();
        this.random = new SplittableRandom(seed);
        this.smallBufferEvery = smallBufferEvery;
    }

    public Poll poll() {
        return poll;
    }

    /** Where events for tokens at or above {@link #FOREIGN_BASE} go while this client polls. */
    public void onForeignEvent(Consumer<Event> handler) {
        this.foreign = handler;
    }

    public int connections() {
        return conns.size();
    }

    public long roundTrips() { return roundTrips; }
    public long bytesChecked() { return bytesChecked; }
    public long partialWrites() { return partialWrites; }
    /** Frames whose echo arrived in more than one read. */
    public long fragmentedFrames() { return fragmentedFrames; }
    public long writableReregistrations() { return writableReregistrations; }
    public long minPayload() { return minPayloadSeen; }
    public long maxPayload() { return maxPayloadSeen; }

    /**
     * Opens {@code count} more connections to {@code server}, at most {@code maxConnecting} handshakes at a
     * time, and waits until all are connected.
     */
    public void connect(InetSocketAddress server, int count, int maxConnecting, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        int target = conns.size() + count;
        int connecting = 0;
        int connected = 0;
        int base = conns.size();
        while (connected < count) {
            while (conns.size() < target && connecting < maxConnecting) {
                Conn c = new Conn(conns.size(), TcpStream.connect(server));
                conns.add(c);
                poll.registry().register(c.stream, c.token, Interest.WRITABLE);
                connecting++;
            }
            if (System.nanoTime() > end) {
                throw new IOException("connected only " + connected + " of " + count + " within " + timeout);
            }
            poll.poll(events, Duration.ofMillis(100));
            for (int i = 0, n = events.size(); i < n; i++) {
                Event e = events.get(i);
                long t = e.token().value();
                if (t >= FOREIGN_BASE) {
                    foreign.accept(e);
                    continue;
                }
                Conn c = conns.get((int) t);
                if (c.connected || !(e.isWritable() || e.isError())) {
                    continue;
                }
                IOException err = c.stream.takeError();
                if (err != null) {
                    throw new IOException("connect of connection " + c.id + " failed", err);
                }
                c.stream.peerAddr(); // throws if not connected
                c.connected = true;
                c.stream.setNodelay(true);
                if (smallBufferEvery > 0 && c.id % smallBufferEvery == 0) {
                    c.stream.setSendBufferSize(4096); // portable: SO_SNDBUF on every backend
                }
                poll.registry().reregister(c.stream, c.token, Interest.READABLE);
                connecting--;
                connected++;
            }
        }
        for (int i = base; i < conns.size(); i++) {
            if (!conns.get(i).connected) throw new IllegalStateException("connection " + i + " not connected");
        }
    }

    /**
     * Runs {@code frames} more round trips spread over all connections (each keeps one frame in flight), or
     * fewer if {@code timeBound} passes first: then no new frame starts and the ones in flight are finished.
     * Calls {@code sampler} (on this thread, if it is not null) about every {@code sampleEvery} and every
     * {@code frames / 10} round trips, whichever comes first.
     *
     * @return the round trips completed by this call
     * @throws IntegrityException on any mismatch
     */
    public long run(long frames, Duration timeBound, Duration sampleEvery, Runnable sampler) throws IOException {
        long start = roundTrips;
        long t0 = System.nanoTime();
        long deadline = t0 + timeBound.toNanos();
        long nextSample = sampleEvery == null ? Long.MAX_VALUE : t0 + sampleEvery.toNanos();
        long sampleStep = Math.max(1, frames / 10);
        long nextSampleAt = sampler == null ? Long.MAX_VALUE : roundTrips + sampleStep;
        budget = frames;
        for (Conn c : conns) {
            if (budget == 0) break;
            if (!c.awaiting) startFrame(c);
        }
        boolean draining = false;
        long drainEnd = Long.MAX_VALUE;
        while (inFlight > 0) {
            long now = System.nanoTime();
            if (!draining && now > deadline) {
                draining = true;
                budget = 0;
                drainEnd = now + Duration.ofSeconds(60).toNanos();
            }
            if (now > drainEnd) {
                throw new IntegrityException(inFlight + " frames still unanswered 60 s after the time bound: lost");
            }
            if (now >= nextSample || roundTrips >= nextSampleAt) {
                sampler.run();
                if (sampleEvery != null) nextSample = System.nanoTime() + sampleEvery.toNanos();
                nextSampleAt = roundTrips + sampleStep;
            }
            poll.poll(events, Duration.ofMillis(200));
            for (int i = 0, n = events.size(); i < n; i++) {
                Event e = events.get(i);
                long t = e.token().value();
                if (t >= FOREIGN_BASE) {
                    foreign.accept(e);
                    continue;
                }
                Conn c = conns.get((int) t);
                if (c.token != e.token()) {
                    throw new IntegrityException("event token " + e.token() + " is not connection " + c.id + "'s");
                }
                c.readClosed |= e.isReadClosed();
                if (e.isWritable() && c.sending()) {
                    send(c);
                }
                receive(c);
            }
        }
        return roundTrips - start;
    }

    /** Polls once for foreign events (soak connections are idle between runs). */
    public void pollForeign(Duration timeout) throws IOException {
        poll.poll(events, timeout);
        for (int i = 0, n = events.size(); i < n; i++) {
            Event e = events.get(i);
            long t = e.token().value();
            if (t >= FOREIGN_BASE) {
                foreign.accept(e);
            } else {
                Conn c = conns.get((int) t);
                if (c.awaiting) throw new IllegalStateException("connection " + t + " has a frame in flight");
                c.readClosed |= e.isReadClosed();
                receive(c); // an idle connection must have nothing to read: receive() checks that
            }
        }
    }

    private void startFrame(Conn c) throws IOException {
        budget--;
        inFlight++;
        long seq = c.nextSendSeq++;
        int len = Frames.payloadSize(random);
        int off = Frames.patternOffset(c.id, seq);
        int crc = Frames.crc(off, len);
        Frames.writeHeader(c.hdr, c.id, seq, len, crc);
        c.hdrSent = 0;
        c.payOff = off;
        c.payLen = len;
        c.paySent = 0;
        c.awaiting = true;
        c.expOff = off;
        c.expLen = len;
        c.expCrc = crc;
        c.rhdrGot = 0;
        c.payGot = 0;
        c.reads = 0;
        c.crc.reset();
        send(c);
    }

    private void send(Conn c) throws IOException {
        while (c.sending()) {
            int w;
            if (c.hdrSent < Frames.HEADER) {
                w = c.stream.write(c.hdr, c.hdrSent, Frames.HEADER - c.hdrSent);
                c.hdrSent += w;
            } else {
                w = c.stream.write(pattern, c.payOff + c.paySent, c.payLen - c.paySent);
                c.paySent += w;
            }
            if (w == 0) {
                partialWrites++;
                if (!c.writeInterest) {
                    poll.registry().reregister(c.stream, c.token, Interest.READABLE.add(Interest.WRITABLE));
                    c.writeInterest = true;
                    writableReregistrations++;
                }
                return;
            }
        }
        if (c.writeInterest) {
            poll.registry().reregister(c.stream, c.token, Interest.READABLE);
            c.writeInterest = false;
        }
    }

    private void receive(Conn c) throws IOException {
        for (;;) {
            int want = c.awaiting ? (Frames.HEADER - c.rhdrGot) + (c.expLen - c.payGot) : scratch.length;
            int ask = Math.min(want, scratch.length);
            int n;
            try {
                n = c.stream.read(scratch, 0, ask);
            } catch (IOException e) {
                throw new IntegrityException("connection " + c.id + ": read failed: " + e);
            }
            if (n < 0) {
                throw new IntegrityException("connection " + c.id + ": unexpected EOF"
                        + (c.awaiting ? " with frame " + c.nextRecvSeq + " in flight" : ""));
            }
            if (n == 0) return;
            if (!c.awaiting) {
                throw new IntegrityException("connection " + c.id + ": " + n + " bytes arrived with no frame in flight"
                        + " (duplicated data)");
            }
            consume(c, n);
            // Short read: drained, a new edge will come; not after read-closed (the FIN is already queued and
            // no edge comes for it): then read on so that an unexpected EOF is reported as such.
            if (n < ask && !c.readClosed) return;
        }
    }

    private void consume(Conn c, int n) throws IOException {
        c.reads++;
        int pos = 0;
        if (c.rhdrGot < Frames.HEADER) {
            int h = Math.min(n, Frames.HEADER - c.rhdrGot);
            System.arraycopy(scratch, 0, c.rhdr, c.rhdrGot, h);
            c.rhdrGot += h;
            pos = h;
            if (c.rhdrGot == Frames.HEADER) checkHeader(c);
        }
        int p = n - pos;
        if (p > 0) {
            int from = c.expOff + c.payGot;
            int mismatch = Arrays.mismatch(scratch, pos, pos + p, pattern, from, from + p);
            if (mismatch >= 0) {
                throw new IntegrityException("connection " + c.id + " frame " + c.nextRecvSeq + ": payload byte "
                        + (c.payGot + mismatch) + " of " + c.expLen + " corrupted");
            }
            c.crc.update(scratch, pos, p);
            c.payGot += p;
        }
        if (c.rhdrGot == Frames.HEADER && c.payGot == c.expLen) {
            if ((int) c.crc.getValue() != c.expCrc) {
                throw new IntegrityException("connection " + c.id + " frame " + c.nextRecvSeq + ": CRC mismatch");
            }
            c.awaiting = false;
            c.nextRecvSeq++;
            roundTrips++;
            inFlight--;
            if (c.reads > 1) fragmentedFrames++;
            bytesChecked += Frames.HEADER + c.expLen;
            minPayloadSeen = Math.min(minPayloadSeen, c.expLen);
            maxPayloadSeen = Math.max(maxPayloadSeen, c.expLen);
            if (budget > 0) startFrame(c);
        }
    }

    private void checkHeader(Conn c) {
        byte[] h = c.rhdr;
        String where = "connection " + c.id + " expecting frame " + c.nextRecvSeq + ": ";
        if (Frames.magic(h) != Frames.MAGIC) throw new IntegrityException(where + "bad magic (corrupted framing)");
        if (Frames.connection(h) != c.id) {
            throw new IntegrityException(where + "got connection " + Frames.connection(h) + "'s frame (crossed streams)");
        }
        long seq = Frames.sequence(h);
        if (seq != c.nextRecvSeq) {
            throw new IntegrityException(where + "got frame " + seq + (seq < c.nextRecvSeq ? " (duplicate)" : " (lost or reordered)"));
        }
        if (Frames.length(h) != c.expLen) throw new IntegrityException(where + "length " + Frames.length(h) + " != " + c.expLen);
        if (Frames.crcField(h) != c.expCrc) throw new IntegrityException(where + "CRC field corrupted");
    }

    /** Checks that every connection sent and received the same number of frames, in order. */
    public void checkAllAnswered() {
        for (Conn c : conns) {
            if (c.awaiting || c.nextSendSeq != c.nextRecvSeq) {
                throw new IntegrityException("connection " + c.id + ": sent " + c.nextSendSeq + " frames, got "
                        + c.nextRecvSeq + " back");
            }
        }
    }

    @Override
    public void close() {
        for (Conn c : conns) c.stream.close();
        conns.clear();
        poll.close();
    }
}
