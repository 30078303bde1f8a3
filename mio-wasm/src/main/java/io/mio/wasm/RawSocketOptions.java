package io.mio.wasm;

import io.mio.Backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The SOL_SOCKET options io.mio's public API has no setter or getter for (SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT,
 * SO_BINDTODEVICE), set with {@code setsockopt(2)} on the descriptor io.mio hands out for interop
 * ({@code rawFd()} of {@code TcpStream}, {@code TcpListener}, {@code UdpSocket}; io.mio's {@code TcpSocket} has
 * none). Needs Linux, io.mio's epoll backend (the selector backend has no raw descriptors) and native access for
 * this module ({@code --enable-native-access=io.mio.wasm}, which the launcher passes); {@link #available()} says
 * whether all three hold. Stateless and thread-safe; the calls do not block.
 */
final class RawSocketOptions {
    private RawSocketOptions() {}

    // Linux's values (asm-generic, the same on x86-64 and aarch64)
    static final int SOL_SOCKET = 1;
    static final int SO_DONTROUTE = 5;
    static final int SO_OOBINLINE = 10;
    static final int SO_RCVLOWAT = 18;
    static final int SO_BINDTODEVICE = 25;
    /** Linux's IFNAMSIZ: a device name and its NUL. */
    static final int IFNAMSIZ = 16;

    private static final boolean AVAILABLE = System.getProperty("os.name", "").equals("Linux")
            && RawSocketOptions.class.getModule().isNativeAccessEnabled() && backendIsEpoll();

    /** The downcalls, linked on first use (linking allocates, and most guests never set these options). */
    private static final class Native {
        static final StructLayout STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SETSOCKOPT = link("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKOPT = link("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static boolean backendIsEpoll() {
        try {
            return Backend.current() == Backend.EPOLL;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @SuppressWarnings("restricted") // only linked when native access is enabled for this module (AVAILABLE)
    private static MethodHandle link(String name, FunctionDescriptor fd) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    /** Whether options can be set on raw descriptors here (Linux, epoll backend, native access). */
    static boolean available() {
        return AVAILABLE;
    }

    /** The Linux name of a WASI option this class serves, or -1. */
    static int linuxName(int wasiName) {
        return switch (wasiName) {
            case SocketHost.SO_DONTROUTE -> SO_DONTROUTE;
            case SocketHost.SO_OOBINLINE -> SO_OOBINLINE;
            case SocketHost.SO_RCVLOWAT -> SO_RCVLOWAT;
            case SocketHost.SO_BINDTODEVICE -> SO_BINDTODEVICE;
            default -> -1;
        };
    }

    /**
     * {@code setsockopt(fd, SOL_SOCKET, name, value, value.length)}.
     *
     * @return 0, or the WASI errno of the failure
     */
    static int set(int fd, int name, byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(value.length, 1));
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            MemorySegment state = arena.allocate(Native.STATE);
            int rc = (int) Native.SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, name, v, value.length);
            return rc == 0 ? 0 : wasiErrno((int) Native.ERRNO.get(state, 0L));
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt through FFM", t);
        }
    }

    /**
     * {@code getsockopt(fd, SOL_SOCKET, name, buf, &len)} with a buffer of {@code max} bytes.
     *
     * @return the value, as long as the kernel made it
     * @throws ErrnoException with the WASI errno of a failure
     */
    static byte[] get(int fd, int name, int max) {
        return get(fd, SOL_SOCKET, name, max);
    }

    /** {@code getsockopt(fd, level, name, buf, &len)}: as {@link #get(int, int, int)} at another level. */
    static byte[] get(int fd, int level, int name, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(max, 1));
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, max);
            MemorySegment state = arena.allocate(Native.STATE);
            int rc = (int) Native.GETSOCKOPT.invokeExact(state, fd, level, name, v, len);
            if (rc != 0) {
                throw new ErrnoException(wasiErrno((int) Native.ERRNO.get(state, 0L)));
            }
            return v.asSlice(0, Math.min(len.get(JAVA_INT, 0), max)).toArray(JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("getsockopt through FFM", t);
        }
    }

    /** The WASI errno of a Linux errno setsockopt/getsockopt may return. */
    static int wasiErrno(int linux) {
        return switch (linux) {
            case 1 -> WasiErrno.PERM;           // EPERM: e.g. re-binding a device without CAP_NET_RAW
            case 9 -> WasiErrno.BADF;           // EBADF
            case 14 -> WasiErrno.FAULT;         // EFAULT
            case 19 -> WasiErrno.NODEV;         // ENODEV: no such device
            case 22 -> WasiErrno.INVAL;         // EINVAL
            case 88 -> WasiErrno.NOTSOCK;       // ENOTSOCK
            case 92 -> WasiErrno.NOPROTOOPT;    // ENOPROTOOPT
            default -> WasiErrno.IO;
        };
    }
}
