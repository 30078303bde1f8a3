package io.mio.bench.jmh;

import io.mio.Events;
import io.mio.Poll;
import io.mio.Token;
import io.mio.Waker;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * Wake to event, on one thread: wake, then the poll that reports it (io.mio's Waker is an eventfd; the
 * JDK's {@code Selector.wakeup} an eventfd or pipe and a flag). Measures the syscalls and the event
 * delivery, not a cross-thread hand-off.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class WakeBenchmark {
    private Poll poll;
    private Waker waker;
    private Events events;
    private Selector selector;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        poll = Poll.open();
        waker = new Waker(poll.registry(), new Token(7));
        events = Events.withCapacity(16);
        selector = Selector.open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Loopback.closeAll(waker, poll, selector);
    }

    @Benchmark
    public long mio_wake_then_poll() throws IOException {
        waker.wake();
        poll.poll(events, null);
        if (events.size() != 1) {
            throw new IllegalStateException("expected the waker's event, got " + events.size());
        }
        return events.get(0).token().value();
    }

    @Benchmark
    public int jdk_wakeup_then_select() throws IOException {
        selector.wakeup();
        return selector.select();
    }
}
