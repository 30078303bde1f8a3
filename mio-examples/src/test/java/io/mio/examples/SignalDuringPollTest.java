package io.mio.examples;

import io.mio.Backend;
import io.mio.Poll;
import io.mio.Waker;
import io.mio.net.TcpListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A signal that cuts the echo loop's {@code epoll_wait} short (EINTR: a debugger, a profiler, valgrind's
 * {@code callgrind_control}) makes {@code Poll.poll} throw {@link java.io.InterruptedIOException}; the example
 * polls again, as mio's examples do, and keeps serving.
 *
 * <p>The signal is a real-time one with a handler (an FFM upcall) installed without {@code SA_RESTART}, sent
 * with {@code pthread_kill} once the loop's thread is inside epoll_wait ({@code /proc/self/task/TID/syscall}).
 */
class SignalDuringPollTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final AtomicInteger SIGNALS = new AtomicInteger();
    private static final long SIGACTION_SIZE = 152; // glibc's struct sigaction on x86-64 and aarch64
    private static final Set<Integer> EPOLL_WAIT_SYSCALLS =
            System.getProperty("os.arch").equals("aarch64") ? Set.of(22, 441) : Set.of(232, 281, 441);

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    @SuppressWarnings("unused") // the signal handler, called from native code
    private static void onSignal(int signal) {
        SIGNALS.incrementAndGet();
    }

    private static boolean inEpollWait(int tid) {
        try {
            String first = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim().split(" ")[0];
            return !first.equals("running") && EPOLL_WAIT_SYSCALLS.contains(Integer.parseInt(first));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static String echo(InetSocketAddress address, String text) throws IOException {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            byte[] back = new byte[text.length()];
            InputStream in = s.getInputStream();
            for (int got = 0; got < back.length; ) {
                int n = in.read(back, got, back.length - got);
                assertThat(n).as("echo of " + text).isPositive();
                got += n;
            }
            return new String(back, StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void the_echo_loop_keeps_serving_after_a_signal_interrupts_its_poll() throws Throwable {
        assumeTrue(Backend.current() == Backend.EPOLL, "the signal must land in epoll_wait (Linux backend)");
        MethodHandle pthreadSelf = libc("pthread_self", FunctionDescriptor.of(JAVA_LONG));
        MethodHandle pthreadKill = libc("pthread_kill", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        MethodHandle gettid = libc("gettid", FunctionDescriptor.of(JAVA_INT));
        MethodHandle sigaction = libc("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        int signal = (int) libc("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT)).invokeExact() + 6;
        MethodHandle handler = MethodHandles.lookup().findStatic(SignalDuringPollTest.class, "onSignal",
                MethodType.methodType(void.class, int.class));
        // the global arena: a late signal must never find the stub freed
        MemorySegment stub = LINKER.upcallStub(handler, FunctionDescriptor.ofVoid(JAVA_INT), Arena.global());
        try (Arena arena = Arena.ofConfined();
             Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            MemorySegment action = arena.allocate(SIGACTION_SIZE, 8); // empty mask, flags 0: no SA_RESTART
            action.set(ADDRESS, 0, stub);
            MemorySegment previous = arena.allocate(SIGACTION_SIZE, 8);
            assertThat((int) sigaction.invokeExact(signal, action, previous)).as("sigaction").isZero();
            try {
                Waker stop = new Waker(poll.registry(), EchoLoop.STOP);
                EchoLoop loop = new EchoLoop(poll, listener);
                CompletableFuture<long[]> ids = new CompletableFuture<>();
                CompletableFuture<Throwable> ended = new CompletableFuture<>();
                Thread.ofPlatform().name("echo-loop").daemon().start(() -> {
                    try {
                        ids.complete(new long[] {(long) pthreadSelf.invokeExact(), (int) gettid.invokeExact()});
                        loop.run();
                        ended.complete(null);
                    } catch (Throwable t) {
                        ids.completeExceptionally(t);
                        ended.complete(t);
                    }
                });
                long[] id = ids.get(10, TimeUnit.SECONDS);
                InetSocketAddress address = listener.localAddr();
                assertThat(echo(address, "before")).isEqualTo("before");

                for (int i = 0; i < 3; i++) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!inEpollWait((int) id[1])) {
                        assertThat(System.nanoTime()).as("loop blocked in epoll_wait").isLessThan(deadline);
                        Thread.sleep(5);
                    }
                    int before = SIGNALS.get();
                    assertThat((int) pthreadKill.invokeExact(id[0], signal)).as("pthread_kill").isZero();
                    while (SIGNALS.get() == before) {
                        assertThat(System.nanoTime()).as("signal handled").isLessThan(deadline);
                        Thread.sleep(1);
                    }
                    assertThat(ended).as("the loop survives signal " + (i + 1)).isNotDone();
                    assertThat(echo(address, "after " + i)).isEqualTo("after " + i);
                }

                stop.wake();
                assertThat(ended.get(10, TimeUnit.SECONDS)).as("the loop ends by its Waker, not by an error").isNull();
                stop.close();
            } finally {
                MemorySegment ignored = MemorySegment.NULL;
                assertThat((int) sigaction.invokeExact(signal, previous, ignored)).as("restore sigaction").isZero();
            }
        }
    }
}
