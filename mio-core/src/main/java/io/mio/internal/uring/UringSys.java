package io.mio.internal.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The system calls of the io_uring layer that {@code io.mio.internal.linux.Sys} does not offer: the three
 * io_uring calls through libc's {@code syscall(2)} (glibc has no wrappers for them), {@code mmap}/{@code munmap}
 * for the rings, {@code poll} (to check a priority wake-up) and {@code prctl} (tests install seccomp filters with it).
 *
 * <p>Same conventions as {@code Sys}: each wrapper returns the result, or {@code -errno} on failure, allocates
 * nothing and throws nothing; errno is captured into a per-thread state segment. Nothing here is linked as a
 * critical call: {@code io_uring_enter} may sleep in the wait, {@code io_uring_register} in a synchronous cancel.
 * Thread-safe.
 */
final class UringSys {
    private UringSys() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    // syscall(long nr, ...): every argument after the number is variadic, passed as a long (the kernel truncates
    // each to the type it declares), so one handle serves the three calls.
    private static final MethodHandle SYSCALL6 = link("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPT, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = link("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle PRCTL = link("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPT, Linker.Option.firstVariadicArg(1));

    /** Critical: with a zero timeout poll(2) never sleeps. */
    private static final MethodHandle POLL = link("poll",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPT, Linker.Option.critical(false));

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_POPULATE = 0x8000;

    // ofAuto: the state goes with the thread (its ThreadLocal value); one per thread because the JVM may clobber
    // errno between two downcalls, and a shared one would mix threads' values.
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static AssertionError linkageBug(Throwable t) {
        return new AssertionError("FFM downcall failed unexpectedly", t);
    }

    private static long check(long r, MemorySegment st) {
        return r >= 0 ? r : -(int) ERRNO.get(st, 0L);
    }

    /** io_uring_setup(entries, params): the ring's descriptor, or -errno. */
    static int ioUringSetup(int entries, long params) {
        MemorySegment st = STATE.get();
        try {
            return (int) check((long) SYSCALL6.invokeExact(st, (long) UringConstants.SYS_IO_URING_SETUP,
                    (long) entries, params, 0L, 0L, 0L, 0L), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize): SQEs consumed, or -errno. */
    static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        MemorySegment st = STATE.get();
        try {
            return (int) check((long) SYSCALL6.invokeExact(st, (long) UringConstants.SYS_IO_URING_ENTER,
                    (long) fd, (long) toSubmit, (long) minComplete, (long) flags, arg, argSize), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** io_uring_register(fd, opcode, arg, nrArgs): the opcode's result, or -errno. */
    static int ioUringRegister(int fd, int opcode, long arg, int nrArgs) {
        MemorySegment st = STATE.get();
        try {
            return (int) check((long) SYSCALL6.invokeExact(st, (long) UringConstants.SYS_IO_URING_REGISTER,
                    (long) fd, (long) opcode, arg, (long) nrArgs, 0L, 0L), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** mmap of a descriptor: the address, or -errno (MAP_FAILED is -1, which a valid address never is). */
    static long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment st = STATE.get();
        try {
            return check((long) MMAP.invokeExact(st, 0L, length, prot, flags, fd, offset), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    static int munmap(long address, long length) {
        MemorySegment st = STATE.get();
        try {
            return (int) check((int) MUNMAP.invokeExact(st, address, length), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /**
     * poll(2) of one descriptor without waiting: {@code pollFd} (a {@code struct pollfd}, 8 bytes) is filled with
     * {@code fd} and {@code events}; returns its {@code revents}, or -errno.
     */
    static int pollNow(MemorySegment pollFd, int fd, int events) {
        MemorySegment st = STATE.get();
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, (short) events);
        pollFd.set(JAVA_SHORT, 6, (short) 0);
        try {
            int n = (int) check((int) POLL.invokeExact(st, pollFd.address(), 1L, 0), st);
            return n < 0 ? n : pollFd.get(JAVA_SHORT, 6) & 0xffff;
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    static int prctl(int option, long a2, long a3, long a4, long a5) {
        MemorySegment st = STATE.get();
        try {
            return (int) check((int) PRCTL.invokeExact(st, option, a2, a3, a4, a5), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }
}
