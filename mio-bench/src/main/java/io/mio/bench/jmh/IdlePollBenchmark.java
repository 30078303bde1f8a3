package io.mio.bench.jmh;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking poll that finds nothing ready while {@code idle} sockets are registered: does waiting cost more
 * as idle registrations accumulate? The idle sockets are listeners nobody connects to (one descriptor each, never
 * ready; to epoll any registered socket that is not ready costs the same). io.mio on its epoll backend and on its
 * Selector backend (a fork with {@code -Dio.mio.backend=selector}) against the JDK's {@code Selector.selectNow}.
 * Each benchmark's state opens only its own sockets, so 10000 fit under an open-file limit of 20000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class IdlePollBenchmark {

    @State(Scope.Thread)
    public static class MioState {
        @Param({"0", "1000", "10000"})
        public int idle;

        Poll poll;
        Events events;
        final List<TcpListener> listeners = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() throws IOException {
            poll = Poll.open();
            events = Events.withCapacity(1024);
            InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
            for (int i = 0; i < idle; i++) {
                TcpListener l = TcpListener.bind(any);
                listeners.add(l);
                poll.registry().register(l, new Token(i), Interest.READABLE);
            }
            poll.poll(events, Duration.ZERO);
            if (!events.isEmpty()) {
                throw new IllegalStateException(events.size() + " idle listeners reported ready");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (TcpListener l : listeners) {
                l.close();
            }
            Loopback.closeAll(poll);
        }
    }

    @State(Scope.Thread)
    public static class NioState {
        @Param({"0", "1000", "10000"})
        public int idle;

        Selector selector;
        final List<ServerSocketChannel> listeners = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() throws IOException {
            selector = Selector.open();
            for (int i = 0; i < idle; i++) {
                ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                l.configureBlocking(false);
                l.register(selector, SelectionKey.OP_ACCEPT);
                listeners.add(l);
            }
            if (selector.selectNow() != 0) {
                throw new IllegalStateException("idle listeners reported ready");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Loopback.closeAll(listeners.toArray(new AutoCloseable[0]));
            Loopback.closeAll(selector);
        }
    }

    @Benchmark
    public int mio_poll_nothing_ready(MioState s) throws IOException {
        s.poll.poll(s.events, Duration.ZERO);
        return s.events.size();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dio.mio.backend=selector"})
    public int mio_selector_backend_poll_nothing_ready(MioState s) throws IOException {
        s.poll.poll(s.events, Duration.ZERO);
        return s.events.size();
    }

    @Benchmark
    public int nio_selectNow_nothing_ready(NioState s) throws IOException {
        return s.selector.selectNow();
    }
}
