package io.mio.reliability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * setsockopt/getsockopt on a raw descriptor through FFM, for the options io.mio does not expose that the
 * suite needs: small SO_SNDBUF/SO_RCVBUF (so that large frames really are cut into partial reads and writes)
 * and SO_LINGER 0 (so that close sends a reset). Linux values.
 */
public final class SockOpt {
    private SockOpt() {}

    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_LINGER = 13;

    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKOPT;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        SETSOCKOPT = linker.downcallHandle(libc.find("setsockopt").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        GETSOCKOPT = linker.downcallHandle(libc.find("getsockopt").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    public static void setInt(int fd, int level, int name, int value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            check((int) SETSOCKOPT.invokeExact(fd, level, name, v, 4), "setsockopt(" + name + ")");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int getInt(int fd, int level, int name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 4);
            check((int) GETSOCKOPT.invokeExact(fd, level, name, v, len), "getsockopt(" + name + ")");
            return v.get(ValueLayout.JAVA_INT, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** SO_LINGER on with a zero timeout: close(2) then discards unsent data and sends RST. */
    public static void lingerZero(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(8, 4);
            v.set(ValueLayout.JAVA_INT, 0, 1);
            v.set(ValueLayout.JAVA_INT, 4, 0);
            check((int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_LINGER, v, 8), "setsockopt(SO_LINGER)");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Small send and receive buffers (the kernel doubles the value and enforces its own minimum). */
    public static void smallBuffers(int fd, int bytes) throws IOException {
        setInt(fd, SOL_SOCKET, SO_SNDBUF, bytes);
        setInt(fd, SOL_SOCKET, SO_RCVBUF, bytes);
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) throw new IOException(what + " failed");
    }
}
