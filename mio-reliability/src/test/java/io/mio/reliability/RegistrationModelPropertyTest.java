package io.mio.reliability;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random sequences of registry calls on three connected TCP streams and two Polls, checked against a model
 * of the registration state: which calls succeed, which throw IllegalStateException (misuse) or
 * ClosedChannelException (closed source), which events a poll may report (only current tokens, readiness
 * within the current interest), and which it must report (a fresh WRITABLE registration of a connected,
 * empty stream is writable at once).
 *
 * <p>jqwik properties are not JUnit Jupiter tests, so {@code @Timeout} does not apply: every wait here is
 * bounded (poll timeouts, socket timeouts), and surefire's forkedProcessTimeoutInSeconds bounds the run.
 */
class RegistrationModelPropertyTest {
    private static final int SOURCES = 3;
    private static final Interest[] INTERESTS = {Interest.READABLE, Interest.WRITABLE, Interest.READABLE.add(Interest.WRITABLE)};

    sealed interface Action permits Register, Reregister, Deregister, Close, RegisterOther, DeregisterOther,
            PeerWrite, PollNow {}
    record Register(int src, int token, int interest) implements Action {}
    record Reregister(int src, int token, int interest) implements Action {}
    record Deregister(int src) implements Action {}
    record Close(int src) implements Action {}
    record RegisterOther(int src) implements Action {}
    record DeregisterOther(int src) implements Action {}
    record PeerWrite(int src) implements Action {}
    record PollNow() implements Action {}

    enum State { UNREGISTERED, MAIN, OTHER, CLOSED }

    static final class Model {
        State state = State.UNREGISTERED;
        Token token;      // while MAIN
        Interest interest; // while MAIN
        boolean mustBeWritable;
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> src = Arbitraries.integers().between(0, SOURCES - 1);
        Arbitrary<Integer> token = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> interest = Arbitraries.integers().between(0, INTERESTS.length - 1);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Combinators.combine(src, token, interest).as(Register::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(src, token, interest).as(Reregister::new)),
                net.jqwik.api.Tuple.of(2, src.map(Deregister::new)),
                net.jqwik.api.Tuple.of(1, src.map(Close::new)),
                net.jqwik.api.Tuple.of(1, src.map(RegisterOther::new)),
                net.jqwik.api.Tuple.of(1, src.map(DeregisterOther::new)),
                net.jqwik.api.Tuple.of(2, src.map(PeerWrite::new)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(new PollNow())));
        return action.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300)
    void registry_calls_and_events_follow_the_registration_model(@ForAll("actions") List<Action> actions)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (ServerSocket ss = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             Poll main = Poll.open(); Poll other = Poll.open()) {
            ss.setSoTimeout(5000);
            TcpStream[] streams = new TcpStream[SOURCES];
            Socket[] peers = new Socket[SOURCES];
            Model[] model = new Model[SOURCES];
            try {
                for (int i = 0; i < SOURCES; i++) {
                    streams[i] = TcpStream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()));
                    peers[i] = ss.accept(); // the client side is established before the server side can accept
                    model[i] = new Model();
                }
                // One Token object per (value): identity tells a current token from an equal retired one.
                for (Action a : actions) {
                    assertThat(System.nanoTime()).as("try took over 20 s").isLessThan(deadline);
                    apply(a, main, other, streams, peers, model);
                }
                apply(new PollNow(), main, other, streams, peers, model);
            } finally {
                for (TcpStream s : streams) if (s != null) s.close();
                for (Socket p : peers) if (p != null) p.close();
            }
        }
    }

    private static void apply(Action a, Poll main, Poll other, TcpStream[] streams, Socket[] peers, Model[] model)
            throws IOException {
        switch (a) {
            case Register r -> {
                Model m = model[r.src()];
                Token t = new Token(r.token());
                Interest in = INTERESTS[r.interest()];
                switch (m.state) {
                    case UNREGISTERED -> {
                        main.registry().register(streams[r.src()], t, in);
                        m.state = State.MAIN;
                        m.token = t;
                        m.interest = in;
                        m.mustBeWritable = in.isWritable();
                    }
                    case MAIN, OTHER -> assertThatThrownBy(() -> main.registry().register(streams[r.src()], t, in))
                            .isInstanceOf(IllegalStateException.class);
                    case CLOSED -> assertThatThrownBy(() -> main.registry().register(streams[r.src()], t, in))
                            .isInstanceOf(ClosedChannelException.class);
                }
            }
            case Reregister r -> {
                Model m = model[r.src()];
                Token t = new Token(r.token());
                Interest in = INTERESTS[r.interest()];
                switch (m.state) {
                    case MAIN -> {
                        main.registry().reregister(streams[r.src()], t, in);
                        m.token = t;
                        m.interest = in;
                        m.mustBeWritable = in.isWritable();
                    }
                    case UNREGISTERED, OTHER -> assertThatThrownBy(() -> main.registry().reregister(streams[r.src()], t, in))
                            .isInstanceOf(IllegalStateException.class);
                    case CLOSED -> assertThatThrownBy(() -> main.registry().reregister(streams[r.src()], t, in))
                            .isInstanceOf(ClosedChannelException.class);
                }
            }
            case Deregister d -> {
                Model m = model[d.src()];
                switch (m.state) {
                    case MAIN -> {
                        main.registry().deregister(streams[d.src()]);
                        m.state = State.UNREGISTERED;
                        m.token = null;
                        m.interest = null;
                        m.mustBeWritable = false;
                    }
                    case UNREGISTERED, OTHER -> assertThatThrownBy(() -> main.registry().deregister(streams[d.src()]))
                            .isInstanceOf(IllegalStateException.class);
                    case CLOSED -> assertThatThrownBy(() -> main.registry().deregister(streams[d.src()]))
                            .isInstanceOf(ClosedChannelException.class);
                }
            }
            case Close c -> {
                streams[c.src()].close(); // idempotent: never throws
                Model m = model[c.src()];
                m.state = State.CLOSED;
                m.token = null;
                m.interest = null;
                m.mustBeWritable = false;
            }
            case RegisterOther r -> {
                Model m = model[r.src()];
                Token t = new Token(100 + r.src());
                switch (m.state) {
                    case UNREGISTERED -> {
                        other.registry().register(streams[r.src()], t, Interest.READABLE);
                        m.state = State.OTHER;
                    }
                    case MAIN, OTHER -> assertThatThrownBy(() -> other.registry().register(streams[r.src()], t, Interest.READABLE))
                            .isInstanceOf(IllegalStateException.class);
                    case CLOSED -> assertThatThrownBy(() -> other.registry().register(streams[r.src()], t, Interest.READABLE))
                            .isInstanceOf(ClosedChannelException.class);
                }
            }
            case DeregisterOther d -> {
                Model m = model[d.src()];
                switch (m.state) {
                    case OTHER -> {
                        other.registry().deregister(streams[d.src()]);
                        m.state = State.UNREGISTERED;
                    }
                    case UNREGISTERED, MAIN -> assertThatThrownBy(() -> other.registry().deregister(streams[d.src()]))
                            .isInstanceOf(IllegalStateException.class);
                    case CLOSED -> assertThatThrownBy(() -> other.registry().deregister(streams[d.src()]))
                            .isInstanceOf(ClosedChannelException.class);
                }
            }
            case PeerWrite w -> {
                if (model[w.src()].state != State.CLOSED) {
                    peers[w.src()].getOutputStream().write(42);
                }
            }
            case PollNow p -> pollAndCheck(main, model);
        }
    }

    /**
     * Polls (zero timeout, then short waits while a required event is missing) and checks every event
     * against the model.
     */
    private static void pollAndCheck(Poll main, Model[] model) throws IOException {
        Events events = Events.withCapacity(16);
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        Duration timeout = Duration.ZERO;
        for (;;) {
            main.poll(events, timeout);
            List<String> seen = new ArrayList<>();
            for (Event e : events) {
                seen.add(e.toString());
                int owner = -1;
                for (int i = 0; i < model.length; i++) {
                    if (model[i].state == State.MAIN && model[i].token == e.token()) owner = i;
                }
                if (owner < 0) {
                    fail("event for a token that is not a current registration: " + e + " (model: " + describe(model) + ")");
                }
                Model m = model[owner];
                if (e.isReadable()) {
                    assertThat(m.interest.isReadable()).as("readable event without READABLE interest: " + e).isTrue();
                }
                if (e.isWritable()) {
                    assertThat(m.interest.isWritable()).as("writable event without WRITABLE interest: " + e).isTrue();
                    m.mustBeWritable = false;
                }
            }
            boolean missing = false;
            for (Model m : model) missing |= m.mustBeWritable;
            if (!missing) return;
            if (System.nanoTime() > end) {
                fail("a fresh WRITABLE registration of a connected stream was not reported within 2 s; model: "
                        + describe(model) + "; last events " + seen);
            }
            timeout = Duration.ofMillis(20);
        }
    }

    private static String describe(Model[] model) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < model.length; i++) {
            Model m = model[i];
            sb.append(i).append('=').append(m.state);
            if (m.state == State.MAIN) sb.append('(').append(m.token).append(", ").append(m.interest).append(')');
            sb.append(' ');
        }
        return sb.toString().trim();
    }
}
