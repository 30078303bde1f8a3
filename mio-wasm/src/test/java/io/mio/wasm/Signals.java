package io.mio.wasm;

import io.mio.Backend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real signals for a thread blocked in {@code epoll_wait}, as a debugger, a profiler or {@code strace} sends them:
 * a real-time signal with a handler installed without {@code SA_RESTART}, so that it cuts the wait short (EINTR),
 * sent with {@code pthread_kill} once the thread is inside epoll_wait ({@code /proc/self/task/TID/syscall}).
 *
 * <p>The handler is libc's {@code abs}: a native function that touches no state (not even errno), so the signal is
 * safe whatever the thread is doing when it lands. (mio-core's signal tests use a Java upcall to count deliveries;
 * an upcall is only safe on a thread in native code, and a guest thread leaves epoll_wait every wait slice, so a
 * signal could land in Java code.) Delivery is seen in the thread's pending set emptying
 * ({@code /proc/self/task/TID/status}, SigPnd).
 */
final class Signals implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    /** glibc's struct sigaction on x86-64 and aarch64: handler, 128-byte mask, int flags (+pad), restorer. */
    private static final long SIGACTION_SIZE = 152;
    private static final long SA_FLAGS_OFFSET = 136;
    /** epoll_wait, epoll_pwait, epoll_pwait2 on x86-64; epoll_pwait, epoll_pwait2 on aarch64. */
    private static final Set<Integer> EPOLL_WAIT_SYSCALLS =
            System.getProperty("os.arch").equals("aarch64") ? Set.of(22, 441) : Set.of(232, 281, 441);

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    private static final MethodHandle PTHREAD_SELF = libc("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL =
            libc("pthread_kill", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETTID = libc("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGRTMIN = libc("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SIGACTION =
            libc("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** A thread's ids: its pthread_t (to signal it) and its kernel tid (to watch it in /proc). */
    record ThreadIds(long pthread, int tid) {}

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment previous = arena.allocate(SIGACTION_SIZE, 8);
    private final int signal;

    /** Whether io.mio waits in epoll_wait here (the signal must land there). */
    static boolean epollBackend() {
        return Backend.current() == Backend.EPOLL;
    }

    /** Installs the no-op handler (no SA_RESTART) for a real-time signal; {@link #close()} restores the old one. */
    Signals() throws Throwable {
        signal = (int) SIGRTMIN.invokeExact() + 7;
        MemorySegment action = arena.allocate(SIGACTION_SIZE, 8); // zeroed: empty mask
        action.set(ADDRESS, 0, LINKER.defaultLookup().find("abs").orElseThrow());
        action.set(JAVA_INT, SA_FLAGS_OFFSET, 0); // no SA_RESTART: the wait returns EINTR
        assertThat((int) SIGACTION.invokeExact(signal, action, previous)).as("sigaction").isZero();
    }

    /** The calling thread's ids. */
    static ThreadIds current() {
        try {
            return new ThreadIds((long) PTHREAD_SELF.invokeExact(), (int) GETTID.invokeExact());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static boolean inEpollWait(int tid) {
        try {
            String first = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim().split(" ")[0];
            return !first.equals("running") && EPOLL_WAIT_SYSCALLS.contains(Integer.parseInt(first));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether the signal is pending for thread {@code tid} (false once the thread has ended). */
    private boolean pending(int tid) throws IOException {
        List<String> status;
        try {
            status = Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"));
        } catch (NoSuchFileException e) {
            return false;
        }
        for (String line : status) {
            if (line.startsWith("SigPnd:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigPnd:".length()).trim(), 16);
                return (mask & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    /**
     * Waits (up to 10 s) until {@code thread} is blocked in epoll_wait, signals it there and waits until the signal
     * was delivered.
     */
    void interruptEpollWait(ThreadIds thread) throws Throwable {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Path task = Path.of("/proc/self/task/" + thread.tid());
        while (!inEpollWait(thread.tid())) {
            assertThat(task).as("thread %d still running (the guest or host call it ran ended)", thread.tid())
                    .exists();
            assertThat(System.nanoTime()).as("thread %d blocked in epoll_wait", thread.tid()).isLessThan(deadline);
            Thread.sleep(2);
        }
        assertThat((int) PTHREAD_KILL.invokeExact(thread.pthread(), signal)).as("pthread_kill").isZero();
        while (pending(thread.tid())) {
            assertThat(System.nanoTime()).as("signal delivered").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Override
    public void close() {
        try {
            assertThat((int) SIGACTION.invokeExact(signal, previous, MemorySegment.NULL)).as("restore sigaction")
                    .isZero();
        } catch (Throwable t) {
            throw new AssertionError("restoring the signal's action", t);
        } finally {
            arena.close();
        }
    }
}
