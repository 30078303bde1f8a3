package io.mio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A signal that cuts a blocked poll short (EINTR) ends it early with no events, as java.nio's Selector does, and
 * leaves the Poll usable: signals are routine on the JVM (profilers, the flight recorder, an attached tracer)
 * and must not cost an exception. A thread whose interrupt status is set gets {@link InterruptedIOException}.
 *
 * <p>The signal is a real-time one (the JVM uses SIGUSR2, SIGSEGV, SIGQUIT and friends, not these) with a
 * handler installed by {@code sigaction} without {@code SA_RESTART}; the handler is an FFM upcall that counts
 * deliveries. It is sent with {@code pthread_kill} only once the polling thread is inside epoll_wait (read from
 * {@code /proc/self/task/<tid>/syscall}): an upcall is only legal on a thread that is in native code.
 */
class InterruptTest {

    @org.junit.jupiter.api.BeforeAll
    static void epollBackendOnly() {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.FFM + " (signals through pthread_kill and an FFM upcall handler)");
    }
    private static final Linker LINKER = Linker.nativeLinker();
    private static final AtomicInteger SIGNALS = new AtomicInteger();

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    private static final MethodHandle PTHREAD_SELF = libc("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = libc("pthread_kill", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETTID = libc("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGRTMIN = libc("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGACTION = libc("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** struct sigaction (glibc, x86-64 and aarch64): handler, 128-byte mask, int flags (+pad), restorer. */
    private static final long SIGACTION_SIZE = 152;
    private static final long SA_FLAGS_OFFSET = 136;

    /** epoll_wait, epoll_pwait, epoll_pwait2 on x86-64; epoll_pwait, epoll_pwait2 on aarch64. */
    private static final Set<Integer> EPOLL_WAIT_SYSCALLS =
            System.getProperty("os.arch").equals("aarch64") ? Set.of(22, 441, 426) : Set.of(232, 281, 441, 426); // 426: io_uring_enter (URING)

    @SuppressWarnings("unused") // called from native code as the signal handler
    private static void onSignal(int signal) {
        SIGNALS.incrementAndGet();
    }

    private static boolean inEpollWait(int tid) {
        try {
            String line = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim();
            String first = line.split(" ")[0];
            return !first.equals("running") && EPOLL_WAIT_SYSCALLS.contains(Integer.parseInt(first));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void a_signal_during_a_blocked_poll_ends_it_with_no_events_and_the_poll_stays_usable() throws Throwable {
        int signal = (int) SIGRTMIN.invokeExact() + 5;
        MethodHandle handler = MethodHandles.lookup().findStatic(InterruptTest.class, "onSignal",
                MethodType.methodType(void.class, int.class));
        // The global arena keeps the stub alive for good: a late signal must never find it freed.
        MemorySegment stub = LINKER.upcallStub(handler, FunctionDescriptor.ofVoid(JAVA_INT), Arena.global());
        try (Arena arena = Arena.ofConfined();
             Poll poll = Poll.open()) {
            MemorySegment action = arena.allocate(SIGACTION_SIZE, 8); // zeroed: empty mask, flags 0 (no SA_RESTART)
            action.set(ADDRESS, 0, stub);
            action.set(JAVA_INT, SA_FLAGS_OFFSET, 0);
            MemorySegment previous = arena.allocate(SIGACTION_SIZE, 8);
            assertThat((int) SIGACTION.invokeExact(signal, action, previous)).as("sigaction").isZero();
            try {
                Token wakerToken = new Token(9);
                Waker waker = new Waker(poll.registry(), wakerToken);
                CompletableFuture<long[]> ids = new CompletableFuture<>();
                CompletableFuture<Object> firstPoll = new CompletableFuture<>();
                CompletableFuture<Void> woken = new CompletableFuture<>();
                CompletableFuture<String> secondPoll = new CompletableFuture<>();
                Thread poller = Thread.ofPlatform().name("poller").daemon().start(() -> {
                    try {
                        ids.complete(new long[] {(long) PTHREAD_SELF.invokeExact(), (int) GETTID.invokeExact()});
                        Events events = Events.withCapacity(8);
                        try {
                            poll.poll(events, null); // nothing is ready: only the signal ends this wait
                            firstPoll.complete(events.size());
                        } catch (Throwable t) {
                            firstPoll.complete(t);
                        }
                        woken.get(10, TimeUnit.SECONDS);
                        poll.poll(events, Duration.ofSeconds(10));
                        secondPoll.complete(events.size() + " event(s), first: "
                                + (events.isEmpty() ? "none" : events.get(0)));
                    } catch (Throwable t) {
                        ids.completeExceptionally(t);
                        secondPoll.completeExceptionally(t);
                    }
                });
                long[] id = ids.get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!inEpollWait((int) id[1])) {
                    assertThat(System.nanoTime()).as("poller blocked in epoll_wait").isLessThan(deadline);
                    Thread.sleep(5);
                }
                int before = SIGNALS.get();
                assertThat((int) PTHREAD_KILL.invokeExact(id[0], signal)).as("pthread_kill").isZero();

                Object outcome = firstPoll.get(10, TimeUnit.SECONDS);
                assertThat(outcome).as("outcome of the poll a signal cut short: returned, with no events").isEqualTo(0);
                assertThat(SIGNALS.get()).as("signal handler runs").isEqualTo(before + 1);

                // The Poll is still usable: the same thread polls again and gets the waker's event.
                waker.wake();
                woken.complete(null);
                assertThat(secondPoll.get(10, TimeUnit.SECONDS)).startsWith("1 event(s)").contains("Token(9)");
                poller.join(5_000);
                waker.close();
            } finally {
                assertThat((int) SIGACTION.invokeExact(signal, previous, MemorySegment.NULL)).isZero();
            }
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void a_poll_by_an_interrupted_thread_throws_InterruptedIOException_without_blocking() throws IOException {
        try (Poll poll = Poll.open(); Waker waker = new Waker(poll.registry(), new Token(1))) {
            Events events = Events.withCapacity(8);
            Thread.currentThread().interrupt();
            try {
                // Without the check, this poll would block for good (nothing is ready, no timeout).
                assertThatThrownBy(() -> poll.poll(events, null)).isInstanceOf(InterruptedIOException.class);
                assertThat(events.isEmpty()).isTrue();
            } finally {
                Thread.interrupted();
            }
            waker.wake();
            poll.poll(events, Duration.ofSeconds(5));
            assertThat(events.size()).isEqualTo(1);
            assertThat(events.get(0).token()).isEqualTo(new Token(1));
        }
    }
}
