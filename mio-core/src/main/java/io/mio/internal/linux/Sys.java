package io.mio.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls of the Linux backend, as FFM downcalls.
 *
 * <p>Every wrapper returns the call's result when it succeeded and {@code -errno} when it failed,
 * so callers branch on the sign and nothing is allocated or thrown here. errno is captured into a
 * per-thread state segment: the JVM may clobber the thread's errno between two downcalls.
 *
 * <p>Calls that can never block (on non-blocking descriptors) are linked as critical: no thread
 * state transition, and the {@code *Heap} variants let the kernel read or write a Java array in
 * place. {@code epoll_wait} blocks and is linked normally.
 */
public final class Sys {
    private Sys() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);
    /**
     * MSG_DONTWAIT, added to every critical socket call: O_NONBLOCK belongs to the open file, which an adopted
     * or inherited descriptor may share with someone who clears it, and a critical call that blocks stops the
     * whole JVM at its next safepoint. The flag makes the call non-blocking whatever O_NONBLOCK says.
     */
    private static final int DONTWAIT = LinuxConstants.MSG_DONTWAIT;

    /** Bytes of per-thread scratch memory for small structs (sockaddr, epoll_event, option values). */
    public static final int SCRATCH_SIZE = 256;

    /** Bytes of the per-thread bounce buffer for heap I/O at a non-zero offset. */
    public static final int BOUNCE_SIZE = 64 * 1024;

    /** Direct buffers whose base address each thread remembers (a power of two). */
    private static final int ADDRESS_CACHE_SIZE = 4;

    /** Per-thread memory: the errno capture state plus scratch for small structs. */
    private static final class PerThread {
        final MemorySegment state;
        final MemorySegment scratch;
        // The direct buffers this thread used last (see BufferBase).
        final BufferBase[] buffers = new BufferBase[ADDRESS_CACHE_SIZE];
        int nextVictim;
        // The heap arrays this thread used last (see HeapArray), and the bounce buffer for offsets other than 0.
        final HeapArray[] arrays = new HeapArray[ADDRESS_CACHE_SIZE];
        int nextArrayVictim;
        MemorySegment bounce;

        PerThread() {
            // ofAuto: freed by the GC when the thread (and so its ThreadLocal value) is gone.
            Arena arena = Arena.ofAuto();
            state = arena.allocate(STATE_LAYOUT);
            scratch = arena.allocate(SCRATCH_SIZE, 16);
        }

        HeapArray arrayOf(byte[] array) {
            for (int i = 0; i < ADDRESS_CACHE_SIZE; i++) {
                HeapArray a = arrays[i];
                if (a != null && a.array == array) {
                    return a;
                }
            }
            HeapArray a = new HeapArray(array);
            int slot = nextArrayVictim;
            nextArrayVictim = (slot + 1) & (ADDRESS_CACHE_SIZE - 1);
            arrays[slot] = a;
            return a;
        }

        MemorySegment bounce() {
            MemorySegment b = bounce;
            if (b == null) {
                b = Arena.ofAuto().allocate(BOUNCE_SIZE, 64);
                bounce = b;
            }
            return b;
        }

        BufferBase baseOf(ByteBuffer direct) {
            for (int i = 0; i < ADDRESS_CACHE_SIZE; i++) {
                BufferBase b = buffers[i];
                if (b != null && b.refersTo(direct)) {
                    return b;
                }
            }
            BufferBase b = BufferBase.of(direct);
            int slot = nextVictim;
            nextVictim = (slot + 1) & (ADDRESS_CACHE_SIZE - 1);
            buffers[slot] = b;
            return b;
        }
    }

    private static final ThreadLocal<PerThread> PER_THREAD = ThreadLocal.withInitial(PerThread::new);

    static {
        Errno.preload(); // before any call can fail with EMFILE
    }

    private static MethodHandle link(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    // Not critical: an adopted listener's open file may be shared, and whoever shares it can clear O_NONBLOCK;
    // a critical call that blocks would hold every Java thread at the next safepoint.
    private static final MethodHandle ACCEPT4 = link("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle CONNECT = link("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle RECV = link("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL);
    private static final MethodHandle RECV_HEAP = link("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL_HEAP);
    private static final MethodHandle SEND = link("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL);
    private static final MethodHandle SEND_HEAP = link("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL_HEAP);
    private static final MethodHandle RECVFROM = link("recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT, CRITICAL);
    private static final MethodHandle RECVFROM_HEAP = link("recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT, CRITICAL_HEAP);
    private static final MethodHandle SENDTO = link("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL);
    private static final MethodHandle SENDTO_HEAP = link("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL_HEAP);
    /*
     * The hot calls (recv, send, recvfrom, sendto and epoll_wait) go through libc's syscall(2) rather than their
     * libc wrappers: glibc's wrappers are cancellation points and, in a multi-threaded process, enable and disable
     * asynchronous cancellation around every call (two atomic operations on the thread's cancel state, a few per
     * cent of a server's user time). The JVM never cancels threads, so that work buys nothing; syscall(2) is a plain
     * register shuffle that sets errno the same way. The numbers are per architecture (the epoll backend runs on
     * x86-64 and aarch64 only; elsewhere the wrappers are used). epoll_wait is epoll_pwait with no signal mask, the
     * same call (aarch64 has no epoll_wait).
     */
    private static final String ARCH = System.getProperty("os.arch", "");
    private static final boolean RAW = ARCH.equals("amd64") || ARCH.equals("x86_64") || ARCH.equals("aarch64");
    private static final boolean X86 = !ARCH.equals("aarch64");
    private static final long NR_RECVFROM = X86 ? 45 : 207;
    private static final long NR_SENDTO = X86 ? 44 : 206;
    private static final long NR_EPOLL_PWAIT = X86 ? 281 : 22;
    private static final FunctionDescriptor SYSCALL6 = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor SYSCALL6_HEAP = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Linker.Option VARIADIC = Linker.Option.firstVariadicArg(1);
    private static final MethodHandle SYSCALL = link("syscall", SYSCALL6, ERRNO_OPT, CRITICAL, VARIADIC);
    private static final MethodHandle SYSCALL_HEAP = link("syscall", SYSCALL6_HEAP, ERRNO_OPT, CRITICAL_HEAP, VARIADIC);
    /** Not critical: epoll_pwait blocks. */
    private static final MethodHandle SYSCALL_BLOCKING = link("syscall", SYSCALL6, ERRNO_OPT, VARIADIC);
    /**
     * epoll_pwait without errno capture, for the wait itself: it fails only when a signal cuts it short (the other
     * errors are misuse that the descriptor's ownership rules out, and repeat), so errno is fetched only then, by
     * asking again without waiting ({@link #epollWait}).
     */
    private static final MethodHandle SYSCALL_BLOCKING_NO_ERRNO = link("syscall", SYSCALL6, VARIADIC);
    private static final long SIGSET_SIZE = 8; // the kernel's sigset_t (ignored with a null mask, but checked)

    private static final MethodHandle SOCKETPAIR = link("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    // read/write/readv take no MSG_DONTWAIT: on a descriptor whose open file others may share (a pipe end given
    // to a child, an adopted socket) they may block, so they are not critical. The critical pair below is only
    // for eventfds this library created and never shares.
    private static final MethodHandle READ = link("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle WRITE = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle READ_OWN = link("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT, CRITICAL);
    private static final MethodHandle WRITE_OWN = link("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT, CRITICAL);
    private static final MethodHandle READV = link("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle WRITEV = link("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle SENDMSG = link("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT, CRITICAL);
    private static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle SETSOCKOPT = link("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle GETSOCKOPT = link("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle GETPEERNAME = link("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle EPOLL_CREATE1 = link("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle EPOLL_CTL = link("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle EPOLL_WAIT = link("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle FCNTL = link("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PIPE2 = link("pipe2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle DUP = link("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);

    /** This thread's scratch memory ({@link #SCRATCH_SIZE} bytes, 16-aligned). Not reentrant: one use at a time. */
    public static MemorySegment scratch() {
        return PER_THREAD.get().scratch;
    }

    private static MemorySegment state() {
        return PER_THREAD.get().state;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int checkInt(int r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    private static long checkLong(long r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    private static AssertionError linkageBug(Throwable t) {
        return new AssertionError("FFM downcall failed unexpectedly", t);
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = state();
        try {
            return checkInt((int) SOCKET.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int bind(int fd, long addr, int len) {
        MemorySegment st = state();
        try {
            return checkInt((int) BIND.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment st = state();
        try {
            return checkInt((int) LISTEN.invokeExact(st, fd, backlog), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int accept4(int fd, long addr, long lenPtr, int flags) {
        MemorySegment st = state();
        try {
            return checkInt((int) ACCEPT4.invokeExact(st, fd, addr, lenPtr, flags), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int connect(int fd, long addr, int len) {
        MemorySegment st = state();
        try {
            return checkInt((int) CONNECT.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static long recv(int fd, long addr, long len, int flags) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL.invokeExact(st, NR_RECVFROM, (long) fd, addr, len, (long) (flags | DONTWAIT), 0L, 0L), st)
                    : checkLong((long) RECV.invokeExact(st, fd, addr, len, flags | DONTWAIT), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** recv into the start of a whole-array heap segment (critical: the kernel writes the array in place). */
    public static long recvHeap(int fd, MemorySegment heap, long len, int flags) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL_HEAP.invokeExact(st, NR_RECVFROM, (long) fd, heap, len, (long) (flags | DONTWAIT), 0L, 0L), st)
                    : checkLong((long) RECV_HEAP.invokeExact(st, fd, heap, len, flags | DONTWAIT), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static long send(int fd, long addr, long len, int flags) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL.invokeExact(st, NR_SENDTO, (long) fd, addr, len, (long) (flags | DONTWAIT), 0L, 0L), st)
                    : checkLong((long) SEND.invokeExact(st, fd, addr, len, flags | DONTWAIT), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** send from the start of a whole-array heap segment (critical: the kernel reads the array in place). */
    public static long sendHeap(int fd, MemorySegment heap, long len, int flags) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL_HEAP.invokeExact(st, NR_SENDTO, (long) fd, heap, len, (long) (flags | DONTWAIT), 0L, 0L), st)
                    : checkLong((long) SEND_HEAP.invokeExact(st, fd, heap, len, flags | DONTWAIT), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /**
     * The whole-array segment of {@code array}, for I/O on {@code owner}; allocates nothing for one of the last
     * two arrays used with {@code owner} or the last four used by this thread (see {@link HeapArray}).
     */
    public static MemorySegment heapSegment(byte[] array, FileDesc owner) {
        HeapArray a = owner.recentArray0;
        if (a == null || a.array != array) {
            a = owner.recentArray1;
            if (a == null || a.array != array) {
                a = PER_THREAD.get().arrayOf(array);
                owner.rememberArray(a);
            }
        }
        return a.segment;
    }

    /** This thread's bounce buffer ({@link #BOUNCE_SIZE} bytes) for heap I/O at a non-zero offset. */
    public static MemorySegment bounce() {
        return PER_THREAD.get().bounce();
    }

    public static long read(int fd, long addr, long len) {
        MemorySegment st = state();
        try {
            return checkLong((long) READ.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static long write(int fd, long addr, long len) {
        MemorySegment st = state();
        try {
            return checkLong((long) WRITE.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** read(2) as a critical call: only for eventfds this library created and never shares. */
    public static long readOwned(int fd, long addr, long len) {
        MemorySegment st = state();
        try {
            return checkLong((long) READ_OWN.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** write(2) as a critical call: only for eventfds this library created and never shares. */
    public static long writeOwned(int fd, long addr, long len) {
        MemorySegment st = state();
        try {
            return checkLong((long) WRITE_OWN.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static long readv(int fd, long iov, int count) {
        MemorySegment st = state();
        try {
            return checkLong((long) READV.invokeExact(st, fd, iov, count), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** writev(2): for pipes, which take no send flags (the JVM ignores SIGPIPE, so EPIPE comes back as an error). */
    public static long writev(int fd, long iov, int count) {
        MemorySegment st = state();
        try {
            return checkLong((long) WRITEV.invokeExact(st, fd, iov, count), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static long sendmsg(int fd, long msghdr, int flags) {
        MemorySegment st = state();
        try {
            return checkLong((long) SENDMSG.invokeExact(st, fd, msghdr, flags | DONTWAIT), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment st = state();
        try {
            return checkInt((int) SHUTDOWN.invokeExact(st, fd, how), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, long value, int len) {
        MemorySegment st = state();
        try {
            return checkInt((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, len), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        MemorySegment st = state();
        try {
            return checkInt((int) GETSOCKOPT.invokeExact(st, fd, level, name, value, lenPtr), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int getsockname(int fd, long addr, long lenPtr) {
        MemorySegment st = state();
        try {
            return checkInt((int) GETSOCKNAME.invokeExact(st, fd, addr, lenPtr), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int getpeername(int fd, long addr, long lenPtr) {
        MemorySegment st = state();
        try {
            return checkInt((int) GETPEERNAME.invokeExact(st, fd, addr, lenPtr), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int close(int fd) {
        MemorySegment st = state();
        try {
            return checkInt((int) CLOSE.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int epollCreate1(int flags) {
        MemorySegment st = state();
        try {
            return checkInt((int) EPOLL_CREATE1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int epollCtl(int epfd, int op, int fd, long event) {
        MemorySegment st = state();
        try {
            return checkInt((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, event), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /**
     * epoll_wait. On a failure of the wait (a signal, in practice) it asks again with timeout 0 and errno captured:
     * a persistent error comes back as -errno, a transient one as that second call's events (a poll cut short by a
     * signal may return what is ready, as the EINTR rule allows); events are never dropped.
     */
    public static int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        try {
            if (RAW) {
                long n = (long) SYSCALL_BLOCKING_NO_ERRNO.invokeExact(NR_EPOLL_PWAIT, (long) epfd, events,
                        (long) maxEvents, (long) timeoutMillis, 0L, SIGSET_SIZE);
                if (n >= 0) {
                    return (int) n;
                }
                MemorySegment st = state();
                return (int) checkLong((long) SYSCALL_BLOCKING.invokeExact(st, NR_EPOLL_PWAIT, (long) epfd, events,
                        (long) maxEvents, 0L, 0L, SIGSET_SIZE), st);
            }
            MemorySegment st = state();
            return checkInt((int) EPOLL_WAIT.invokeExact(st, epfd, events, maxEvents, timeoutMillis), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment st = state();
        try {
            return checkInt((int) EVENTFD.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = state();
        try {
            return checkInt((int) FCNTL.invokeExact(st, fd, cmd, arg), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** pipe2 into {@code fds} (two ints: read end, write end). */
    public static int pipe2(long fds, int flags) {
        MemorySegment st = state();
        try {
            return checkInt((int) PIPE2.invokeExact(st, fds, flags), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    public static int dup(int fd) {
        MemorySegment st = state();
        try {
            return checkInt((int) DUP.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /**
     * Address of a direct buffer's byte at its position. Allocates nothing for a buffer this thread used
     * recently (see {@link BufferBase}).
     */
    public static long addressAtPosition(ByteBuffer direct) {
        return PER_THREAD.get().baseOf(direct).liveBase() + direct.position();
    }

    /**
     * Address of a direct buffer's byte at its position, for a read or write on {@code owner}. Allocates
     * nothing for one of the last two buffers used with {@code owner} or a buffer this thread used recently.
     */
    public static long addressAtPosition(ByteBuffer direct, FileDesc owner) {
        BufferBase b = owner.recentBuffer0;
        if (b == null || !b.refersTo(direct)) {
            b = owner.recentBuffer1;
            if (b == null || !b.refersTo(direct)) {
                b = PER_THREAD.get().baseOf(direct);
                owner.rememberBuffer(b);
            }
        }
        return b.liveBase() + direct.position();
    }

    /**
     * The segment of {@code array[offset, offset + len)}. The whole array needs no slice: one call level less,
     * which helps C2 inline the wrapper and scalar-replace the segment (so the call allocates nothing).
     */
    private static MemorySegment heapRange(byte[] array, int offset, int len) {
        MemorySegment whole = MemorySegment.ofArray(array);
        return offset == 0 && len == array.length ? whole : whole.asSlice(offset, len);
    }

    /** recvfrom into native memory; the sender's sockaddr goes to {@code addr} (0: not wanted), its length to {@code lenPtr}. */
    public static long recvfrom(int fd, long buf, long len, int flags, long addr, long lenPtr) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL.invokeExact(st, NR_RECVFROM, (long) fd, buf, len, (long) (flags | DONTWAIT), addr, lenPtr), st)
                    : checkLong((long) RECVFROM.invokeExact(st, fd, buf, len, flags | DONTWAIT, addr, lenPtr), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** recvfrom straight into a Java array (critical downcall; the descriptor must be non-blocking). */
    public static long recvfrom(int fd, byte[] array, int offset, int len, int flags, long addr, long lenPtr) {
        MemorySegment st = state();
        try {
            MemorySegment target = heapRange(array, offset, len);
            return RAW
                    ? checkLong((long) SYSCALL_HEAP.invokeExact(st, NR_RECVFROM, (long) fd, target, (long) len, (long) (flags | DONTWAIT), addr, lenPtr), st)
                    : checkLong((long) RECVFROM_HEAP.invokeExact(st, fd, target, (long) len, flags | DONTWAIT, addr, lenPtr), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** sendto from native memory to the sockaddr at {@code addr} ({@code addrLen} bytes; 0/0 for a connected socket). */
    public static long sendto(int fd, long buf, long len, int flags, long addr, int addrLen) {
        MemorySegment st = state();
        try {
            return RAW
                    ? checkLong((long) SYSCALL.invokeExact(st, NR_SENDTO, (long) fd, buf, len, (long) (flags | DONTWAIT), addr, (long) addrLen), st)
                    : checkLong((long) SENDTO.invokeExact(st, fd, buf, len, flags | DONTWAIT, addr, addrLen), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** sendto straight from a Java array (critical downcall; the descriptor must be non-blocking). */
    public static long sendto(int fd, byte[] array, int offset, int len, int flags, long addr, int addrLen) {
        MemorySegment st = state();
        try {
            MemorySegment source = heapRange(array, offset, len);
            return RAW
                    ? checkLong((long) SYSCALL_HEAP.invokeExact(st, NR_SENDTO, (long) fd, source, (long) len, (long) (flags | DONTWAIT), addr, (long) addrLen), st)
                    : checkLong((long) SENDTO_HEAP.invokeExact(st, fd, source, (long) len, flags | DONTWAIT, addr, addrLen), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

    /** socketpair into {@code fds} (two ints). */
    public static int socketpair(int domain, int type, int protocol, long fds) {
        MemorySegment st = state();
        try {
            return checkInt((int) SOCKETPAIR.invokeExact(st, domain, type, protocol, fds), st);
        } catch (Throwable t) {
            throw linkageBug(t);
        }
    }

}
