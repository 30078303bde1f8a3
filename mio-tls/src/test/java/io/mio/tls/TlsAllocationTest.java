package io.mio.tls;

import io.mio.Backend;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a 64-byte TLS echo round trip allocates once the JIT has compiled it, and whose allocation it is.
 *
 * <p>Measured with {@code ThreadMXBean#getCurrentThreadAllocatedBytes} over rounds of {@value #MEASURED} round trips
 * after {@value #WARMUP} of warm-up, on one thread that runs both the client and the server through one Poll (the
 * round trip: client write, poll, server reads until 0 and echoes, poll, client reads until 0). It runs in a JVM of its
 * own with foreground compilation (see the POM), on the epoll backend, whose Poll and TcpStream allocate nothing
 * (mio-core's AllocationTest): whatever is allocated comes from TlsStream or the SSLEngine.
 *
 * <p>Two questions, two proofs:
 * <ol>
 * <li>Does TlsStream's own code allocate per record? With a pass-through engine that allocates nothing (no
 *     cryptography, TLS-shaped records), the round trip must allocate exactly 0 bytes: everything left is TlsStream.
 * <li>What does a round trip cost with the JDK's real engine (TLS 1.3, AES-GCM), and is all of it the engine's? The
 *     same round trip is measured through TlsStream and sockets, and through two bare SSLEngines passing the same
 *     records in memory with the very same wrap/unwrap calls (the baseline: the engine alone). TlsStream's figure
 *     may exceed the baseline by less than one 16-byte object per round trip (room for a different inlining at its
 *     call sites). The engine's own allocation is reported, not judged.
 * </ol>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 100_000;
    private static final int MEASURED = 50_000;
    private static final int MAX_ROUNDS = 5;
    private static final int MESSAGE = 64;
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Token CLIENT = new Token(1);
    private static final Token SERVER = new Token(2);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void epollBackendOnly() throws IOException {
        try (Poll p = Poll.open()) {
            assumeTrue(p.backend() == Backend.EPOLL,
                    "needs the epoll backend (native access): the Selector backend's own sockets allocate");
        }
        assertThat(THREADS.isThreadAllocatedMemorySupported()).as("allocated-bytes counter supported").isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @FunctionalInterface
    private interface Op {
        void run() throws IOException;
    }

    /**
     * Bytes per operation: the smallest of {@code rounds} rounds of {@value #MEASURED} (with {@code stopAtZero}, the
     * first round with none allocated ends it). Rounds, not one long run: a compilation may land in one.
     */
    private static double bytesPerOp(String what, int warmup, Op op, boolean stopAtZero, int rounds)
            throws IOException {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                op.run();
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            double perOp = (double) bytes / MEASURED;
            System.out.printf("[allocation] %s: round %d, %d round trips, %d bytes (%.2f bytes per round trip)%n",
                    what, round + 1, MEASURED, bytes, perOp);
            best = Math.min(best, perOp);
            if (bytes == 0 && stopAtZero) {
                break;
            }
        }
        return best;
    }

    // ---- 1. TlsStream alone -------------------------------------------------------------------------

    @Test
    void tls_stream_itself_allocates_nothing_per_round_trip_with_an_engine_that_allocates_nothing() throws IOException {
        Echo echo = echo(TlsConfig.builder(PassThroughEngine.context()).hostnameVerification(false).build(),
                TlsConfig.of(PassThroughEngine.context()));
        double perRoundTrip = bytesPerOp("TlsStream with a pass-through engine", WARMUP, echo::roundTrip, true,
                MAX_ROUNDS);
        assertThat(perRoundTrip).as("bytes TlsStream allocates per 64-byte round trip (best round)").isZero();
    }

    // ---- 2. the JDK's engine, through TlsStream and alone --------------------------------------------

    @Test
    void with_the_jdk_engine_a_round_trip_allocates_no_more_than_the_bare_engine_does() throws IOException {
        TestPki pki = TestPki.get();
        TlsConfig server = TlsConfig.builder(pki.serverContext()).protocols("TLSv1.3").build();
        TlsConfig client = TlsConfig.builder(pki.clientContext()).protocols("TLSv1.3").build();
        Echo echo = echo(server, client);
        BareEngines bare = new BareEngines(pki.clientContext(), pki.serverContext(),
                echo.client.session().getCipherSuite());
        for (int i = 0; i < WARMUP; i++) {
            echo.roundTrip();
            bare.roundTrip();
        }
        // Alternate rounds, so that neither side is measured only before (or after) the other's compilations.
        double ours = Double.MAX_VALUE;
        double engine = Double.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            ours = Math.min(ours, bytesPerOp("TlsStream with the JDK's SSLEngine (TLS 1.3)", 0, echo::roundTrip, false, 1));
            engine = Math.min(engine, bytesPerOp("two bare SSLEngines in memory (TLS 1.3), the same calls", 0,
                    bare::roundTrip, false, 1));
        }
        System.out.printf("[allocation] per 64-byte round trip (4 records: 2 wraps, 2 unwraps, %s), best round: JDK "
                + "engine alone %.1f bytes, through TlsStream and sockets %.1f bytes, difference %.1f bytes%n",
                echo.client.session().getCipherSuite(), engine, ours, ours - engine);
        // Both loops run the same compiled engine code (alternate rounds, one JVM): measured equal to the byte. The
        // bound allows less than one 16-byte object per round trip for a different inlining at TlsStream's call sites;
        // that TlsStream itself adds exactly nothing is the first test's proof.
        assertThat(ours).as("bytes per round trip through TlsStream (the bare engine's: %.1f)", engine)
                .isLessThan(engine + 16);
    }

    // ---- the echo over loopback ----------------------------------------------------------------------

    /** A client and a server TlsStream in one Poll, handshaken, with the buffers of the echo. */
    private final class Echo {
        final Poll poll;
        final TlsStream client;
        final TlsStream server;
        final Events events = Events.withCapacity(8);
        final ByteBuffer message = ByteBuffer.allocate(MESSAGE);
        final ByteBuffer serverBuffer = ByteBuffer.allocate(16 * 1024);
        final ByteBuffer clientBuffer = ByteBuffer.allocate(16 * 1024);

        Echo(Poll poll, TlsStream client, TlsStream server) {
            this.poll = poll;
            this.client = client;
            this.server = server;
            Arrays.fill(message.array(), (byte) 'x');
        }

        /** One echo: client writes 64 bytes, server reads them (until 0) and writes them back, client reads them. */
        void roundTrip() throws IOException {
            message.clear();
            if (client.write(message) != MESSAGE) {
                throw new AssertionError("client write took " + message.position());
            }
            awaitEvent(SERVER);
            serverBuffer.clear();
            drain(server, serverBuffer);
            serverBuffer.flip();
            if (server.write(serverBuffer) != MESSAGE) {
                throw new AssertionError("server echo write failed");
            }
            awaitEvent(CLIENT);
            clientBuffer.clear();
            drain(client, clientBuffer);
            if (clientBuffer.position() != MESSAGE) {
                throw new AssertionError("client got " + clientBuffer.position() + " bytes back");
            }
        }

        /** Reads until 0, as the edge-triggered rule says; all of one message must arrive. */
        private void drain(TlsStream tls, ByteBuffer dst) throws IOException {
            int n;
            while ((n = tls.read(dst)) > 0) {
                // keep reading until 0
            }
            if (n < 0) {
                throw new AssertionError("unexpected close_notify");
            }
            while (dst.position() < MESSAGE) { // a message split across events: wait for the rest
                awaitEvent(tls == server ? SERVER : CLIENT);
                while (tls.read(dst) > 0) {
                    // until 0
                }
            }
        }

        private void awaitEvent(Token token) throws IOException {
            while (true) {
                poll.poll(events, SECOND);
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).token() == token) {
                        return;
                    }
                }
                if (events.isEmpty()) {
                    throw new AssertionError("no event for " + token + " within " + SECOND);
                }
            }
        }
    }

    private Echo echo(TlsConfig serverConfig, TlsConfig clientConfig) throws IOException {
        Poll poll = keep(Poll.open());
        TcpListener listener = keep(TcpListener.bind(new InetSocketAddress("127.0.0.1", 0)));
        TcpStream connecting = keep(TcpStream.connect(listener.localAddr()));
        TcpStream accepted;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((accepted = listener.accept()) == null) {
            assertThat(System.nanoTime()).as("accepted within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
        keep(accepted);
        connecting.setNodelay(true);
        accepted.setNodelay(true);
        TlsStream client = keep(TlsStream.client(connecting, clientConfig, "localhost"));
        TlsStream server = keep(TlsStream.server(accepted, serverConfig));
        poll.registry().register(client, CLIENT, Interest.READABLE);
        poll.registry().register(server, SERVER, Interest.READABLE);
        // Handshake by hand (both on this thread), then swallow what follows it (TLS 1.3 session tickets).
        ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(client.handshake() & server.handshake())) {
            assertThat(System.nanoTime()).as("handshake within 20 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
        for (int i = 0; i < 100; i++) {
            client.read(scratch.clear());
            server.read(scratch.clear());
            client.flush();
            server.flush();
        }
        Events events = Events.withCapacity(8);
        poll.poll(events, Duration.ZERO); // consume the edges of the handshake
        return new Echo(poll, client, server);
    }

    /**
     * Two SSLEngines that have completed a handshake in memory, passing records through heap buffers with the calls
     * TlsStream makes: {@code wrap(ByteBuffer[], int, int, ByteBuffer)} and {@code unwrap(ByteBuffer, ByteBuffer[],
     * int, int)} with reused arrays.
     */
    private static final class BareEngines {
        final SSLEngine client;
        final SSLEngine server;
        final ByteBuffer toServer = ByteBuffer.allocate(1 << 15);
        final ByteBuffer toClient = ByteBuffer.allocate(1 << 15);
        final ByteBuffer message = ByteBuffer.allocate(MESSAGE);
        final ByteBuffer serverApp = ByteBuffer.allocate(16 * 1024);
        final ByteBuffer clientApp = ByteBuffer.allocate(16 * 1024);
        final ByteBuffer[] one = new ByteBuffer[1];

        BareEngines(SSLContext clientContext, SSLContext serverContext, String suite) throws IOException {
            client = clientContext.createSSLEngine("localhost", -1);
            client.setUseClientMode(true);
            client.setEnabledProtocols(new String[] {"TLSv1.3"});
            client.setEnabledCipherSuites(new String[] {suite});
            server = serverContext.createSSLEngine();
            server.setUseClientMode(false);
            server.setEnabledProtocols(new String[] {"TLSv1.3"});
            client.beginHandshake();
            server.beginHandshake();
            ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
            for (int i = 0; i < 1000 && (busy(client) || busy(server)); i++) {
                step(client, toServer, toClient, scratch);
                step(server, toClient, toServer, scratch);
            }
            assertThat(busy(client) || busy(server)).as("in-memory handshake done").isFalse();
            // Session tickets and the like, after the handshake.
            unwrapAll(client, toClient, scratch);
            unwrapAll(server, toServer, scratch);
            Arrays.fill(message.array(), (byte) 'x');
        }

        private static boolean busy(SSLEngine e) {
            HandshakeStatus hs = e.getHandshakeStatus();
            return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
        }

        private static void step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer scratch) throws IOException {
            switch (e.getHandshakeStatus()) {
                case NEED_WRAP -> e.wrap(ByteBuffer.allocate(0), out);
                case NEED_TASK -> {
                    Runnable t;
                    while ((t = e.getDelegatedTask()) != null) {
                        t.run();
                    }
                }
                case NEED_UNWRAP -> {
                    in.flip();
                    e.unwrap(in, scratch.clear());
                    in.compact();
                }
                default -> { }
            }
        }

        private static void unwrapAll(SSLEngine e, ByteBuffer in, ByteBuffer scratch) throws IOException {
            in.flip();
            while (in.hasRemaining()) {
                SSLEngineResult r = e.unwrap(in, scratch.clear());
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
            in.compact();
        }

        void roundTrip() throws IOException {
            message.clear();
            wrap(client, message, toServer);
            serverApp.clear();
            unwrap(server, toServer, serverApp);
            serverApp.flip();
            wrap(server, serverApp, toClient);
            clientApp.clear();
            unwrap(client, toClient, clientApp);
            if (clientApp.position() != MESSAGE) {
                throw new AssertionError("bare engines echoed " + clientApp.position() + " bytes");
            }
        }

        private void wrap(SSLEngine e, ByteBuffer src, ByteBuffer net) throws IOException {
            net.clear();
            one[0] = src;
            e.wrap(one, 0, 1, net);
            one[0] = null;
            net.flip();
        }

        private void unwrap(SSLEngine e, ByteBuffer net, ByteBuffer dst) throws IOException {
            one[0] = dst;
            e.unwrap(net, one, 0, 1);
            one[0] = null;
        }
    }
}
