package io.mio.reliability;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts how often {@link Poll#poll} returns early, with no events and before its timeout, because a signal cut the
 * wait short (EINTR from epoll_wait; issue 14). Not a test: a harness whose figures go into docs/reliability.md.
 *
 * <p>The main thread polls a Poll holding one idle listener, with a fixed timeout, for a fixed time; a return with no
 * events more than 1 ms before the timeout is an early return. Options:
 * <ul>
 *   <li>{@code --seconds S} (default 10), {@code --timeout-ms T} (default 100);</li>
 *   <li>{@code --signal-hz N}: a second thread sends SIGPROF to the polling thread (tgkill) N times a second, the way a
 *       wall-clock sampling profiler signals threads (async-profiler's wall mode signals each thread it samples);
 *       SIGPROF gets a handler that does nothing, installed here, as a profiler installs its own;</li>
 *   <li>{@code --strace S}: after one second attaches {@code strace -f -p} to this JVM for S seconds (its output to
 *       /dev/null), then detaches;</li>
 *   <li>JFR's profile settings come from the command line: {@code -XX:StartFlightRecording:settings=profile}.</li>
 * </ul>
 * Prints one line: {@code polls=... early=... events=... signals=... seconds=...}. Linux only (tgkill, gettid).
 */
public final class SignalWakeups {
    private SignalWakeups() {}

    private static final int SIGPROF = 27; // x86-64 and aarch64

    public static void main(String[] args) throws Throwable {
        int seconds = 10;
        int timeoutMs = 100;
        int signalHz = 0;
        int straceSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = positive(args, ++i);
                case "--timeout-ms" -> timeoutMs = positive(args, ++i);
                case "--signal-hz" -> signalHz = positive(args, ++i);
                case "--strace" -> straceSeconds = positive(args, ++i);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --seconds S, --timeout-ms T, --signal-hz N, --strace S)");
            }
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MethodHandle gettid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        int pid = (int) ProcessHandle.current().pid();
        int tid = (int) gettid.invokeExact();

        AtomicLong sent = new AtomicLong();
        Thread sender = null;
        if (signalHz > 0) {
            MethodHandle signal = linker.downcallHandle(libc.find("signal").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            // A do-nothing handler without an upcall: getpid is async-signal-safe and ignores its argument.
            MemorySegment noop = libc.find("getpid").orElseThrow();
            MemorySegment old = (MemorySegment) signal.invokeExact(SIGPROF, noop);
            if (old.address() == -1L) {
                throw new IllegalStateException("signal(SIGPROF) failed");
            }
            MethodHandle tgkill = linker.downcallHandle(libc.find("tgkill").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            long period = 1_000_000_000L / signalHz;
            sender = Thread.ofPlatform().daemon().name("sigprof-sender").start(() -> {
                long next = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    next += period;
                    LockSupport.parkNanos(next - System.nanoTime());
                    try {
                        if ((int) tgkill.invokeExact(pid, tid, SIGPROF) == 0) {
                            sent.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                }
            });
        }
        Process strace = null;

        long polls = 0, early = 0, events = 0;
        Duration timeout = Duration.ofMillis(timeoutMs);
        long earlyBelow = (timeoutMs - 1) * 1_000_000L;
        try (Poll poll = Poll.open(); TcpListener idle = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            poll.registry().register(idle, new Token(0), Interest.READABLE);
            Events ready = Events.withCapacity(16);
            long start = System.nanoTime();
            long sentBefore = sent.get(); // only the signals sent while polling count
            long end = start + seconds * 1_000_000_000L;
            long straceAt = straceSeconds > 0 ? start + 1_000_000_000L : Long.MAX_VALUE;
            long straceEnd = straceAt + straceSeconds * 1_000_000_000L;
            long now;
            while ((now = System.nanoTime()) < end) {
                if (strace == null && now >= straceAt) {
                    strace = new ProcessBuilder("strace", "-f", "-p", Integer.toString(pid), "-o", "/dev/null")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                } else if (strace != null && strace.isAlive() && now >= straceEnd) {
                    strace.destroy(); // SIGTERM: strace detaches
                }
                poll.poll(ready, timeout);
                long took = System.nanoTime() - now;
                polls++;
                if (ready.isEmpty()) {
                    if (took < earlyBelow) {
                        early++;
                    }
                } else {
                    events += ready.size();
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long signals = sent.get() - sentBefore;
            if (sender != null) {
                sender.interrupt();
                sender.join(1000);
            }
            String straceNote = "";
            if (strace != null) {
                strace.destroy();
                strace.waitFor();
                straceNote = " strace-exit=" + strace.exitValue();
            }
            System.out.printf("polls=%d early=%d events=%d signals=%d seconds=%.1f backend=%s%s%n", polls, early, events,
                    signals, elapsed, poll.backend(), straceNote);
        }
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        int v = Integer.parseInt(args[i]);
        if (v <= 0) {
            throw new IllegalArgumentException(args[i - 1] + " must be positive, was " + v);
        }
        return v;
    }
}
