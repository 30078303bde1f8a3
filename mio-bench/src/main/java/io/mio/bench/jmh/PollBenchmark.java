package io.mio.bench.jmh;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.TcpStream;

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
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One non-blocking poll with 0, 1 or 64 ready events, io.mio against the JDK's Selector. 64 writable
 * streams are registered in both. io.mio registrations are edge-triggered, so an event is made ready again
 * by re-arming the stream ({@code reregister}, one epoll_ctl each) before the poll: {@code mio_rearm_only}
 * measures that part alone, so poll's own cost is {@code mio_poll} minus it. The JDK's selector is
 * level-triggered: the same channels are simply ready on every {@code selectNow}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PollBenchmark {
    private static final int STREAMS = 64;

    @Param({"0", "1", "64"})
    public int ready;

    private TcpStream[] pairs;
    private Poll poll;
    private Registry registry;
    private Events events;
    private Token[] tokens;

    private SocketChannel[] channels;
    private Selector selector;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        pairs = Loopback.pairs(STREAMS);
        poll = Poll.open();
        registry = poll.registry();
        events = Events.withCapacity(1024);
        tokens = new Token[STREAMS];
        for (int i = 0; i < STREAMS; i++) {
            tokens[i] = new Token(i);
            registry.register(pairs[2 * i], tokens[i], Interest.WRITABLE);
        }
        poll.poll(events, Duration.ZERO); // consume the initial edges: nothing is ready until re-armed

        selector = Selector.open();
        channels = new SocketChannel[2 * STREAMS];
        var listener = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        for (int i = 0; i < STREAMS; i++) {
            SocketChannel c = SocketChannel.open(listener.getLocalAddress());
            SocketChannel s = listener.accept();
            c.configureBlocking(false);
            // only `ready` of them have an interest that is met; the others wait for input that never comes
            c.register(selector, i < ready ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            channels[2 * i] = c;
            channels[2 * i + 1] = s;
        }
        listener.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Loopback.closeAll(poll);
        Loopback.closeAll(pairs);
        selector.close();
        Loopback.closeAll(channels);
    }

    @Benchmark
    public int mio_poll() throws IOException {
        for (int i = 0; i < ready; i++) {
            registry.reregister(pairs[2 * i], tokens[i], Interest.WRITABLE);
        }
        poll.poll(events, Duration.ZERO);
        int sum = 0;
        for (int i = 0, n = events.size(); i < n; i++) {
            sum += (int) events.get(i).token().value();
        }
        if (events.size() != ready) {
            throw new IllegalStateException("expected " + ready + " events, got " + events.size());
        }
        return sum;
    }

    @Benchmark
    public int mio_rearm_only() throws IOException {
        for (int i = 0; i < ready; i++) {
            registry.reregister(pairs[2 * i], tokens[i], Interest.WRITABLE);
        }
        return ready;
    }

    @Benchmark
    public int jdk_selectNow() throws IOException {
        int n = selector.selectNow();
        var selected = selector.selectedKeys();
        int sum = 0;
        for (SelectionKey k : selected) {
            sum += k.readyOps();
        }
        selected.clear();
        if (n != ready) {
            throw new IllegalStateException("expected " + ready + " ready keys, got " + n);
        }
        return sum;
    }

    @Benchmark
    public int jdk_selectNow_consumer() throws IOException {
        int n = selector.selectNow(k -> { });
        if (n != ready) {
            throw new IllegalStateException("expected " + ready + " ready keys, got " + n);
        }
        return n;
    }
}
