package io.mio;

import io.mio.internal.linux.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Raw descriptors for tests that need to look below the API: socketpairs and bare epoll instances. */
final class RawFds {
    private RawFds() {}

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EAGAIN = 11;

    private static final MethodHandle SOCKETPAIR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("socketpair").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    /** A non-blocking AF_UNIX stream socketpair: two descriptor numbers. */
    static int[] socketpair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int rc = (int) SOCKETPAIR.invokeExact(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
            if (rc != 0) {
                throw new IllegalStateException("socketpair failed");
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A bare epoll instance with nothing registered. */
    static int epoll() {
        int ep = Sys.epollCreate1(EPOLL_CLOEXEC);
        if (ep < 0) {
            throw new IllegalStateException("epoll_create1 failed: errno " + -ep);
        }
        return ep;
    }

    /** How many events a bare epoll instance has ready right now. */
    static int epollReady(int ep) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(16L * 8, 8);
            int n = Sys.epollWait(ep, buffer.address(), 8, 0);
            if (n < 0) {
                throw new IllegalStateException("epoll_wait on sentinel failed: errno " + -n);
            }
            return n;
        }
    }

    /** Sends all of {@code bytes} on a socket that has room for them. */
    static void send(int fd, byte[] bytes) {
        long n = Sys.sendHeap(fd, java.lang.foreign.MemorySegment.ofArray(bytes), bytes.length, 0x4000 /* MSG_NOSIGNAL */);
        if (n != bytes.length) {
            throw new IllegalStateException("send on sentinel " + fd + " returned " + n);
        }
    }

    /** Everything readable on a non-blocking socket right now. */
    static byte[] drain(int fd) {
        byte[] all = new byte[0];
        byte[] chunk = new byte[4096];
        while (true) {
            long n = Sys.recvHeap(fd, java.lang.foreign.MemorySegment.ofArray(chunk), chunk.length, 0);
            if (n == -EAGAIN || n == 0) {
                return all;
            }
            if (n < 0) {
                throw new IllegalStateException("recv on sentinel " + fd + " failed: errno " + -n);
            }
            int old = all.length;
            all = Arrays.copyOf(all, old + (int) n);
            System.arraycopy(chunk, 0, all, old, (int) n);
        }
    }

    static void close(int fd) {
        Sys.close(fd);
    }

    /** The flags of a descriptor: fcntl(F_GETFD) or fcntl(F_GETFL). */
    static int fcntl(int fd, int cmd) {
        int r = Sys.fcntl(fd, cmd, 0);
        if (r < 0) {
            throw new IllegalStateException("fcntl(" + fd + ", " + cmd + ") failed: errno " + -r);
        }
        return r;
    }
}
