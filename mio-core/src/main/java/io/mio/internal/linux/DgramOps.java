package io.mio.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * Datagram system calls (recvfrom / sendto) shared by the UDP and Unix datagram sockets.
 *
 * <p>Convention (unlike the stream calls): a result {@code >= 0} is the size of the datagram moved, so an
 * empty datagram gives 0; {@link #WOULD_BLOCK} ({@code -1}) means nothing was moved because the call would
 * block. Would-block neither throws nor allocates.
 *
 * <p>Socket addresses travel through a per-thread buffer of this class ({@link #addressBuffer()}), not through
 * {@link Sys#scratch()}: a close that races with the call may run epoll_ctl on this thread when the call
 * releases its descriptor, and that must not clobber the sender's address before the caller decoded it.
 */
public final class DgramOps {
    private DgramOps() {}

    /** The result of a datagram call that would block. */
    public static final int WOULD_BLOCK = -1;
    /** Offset of the socklen_t in the address buffer. */
    public static final int LEN_OFFSET = SockAddr.STORAGE_SIZE;
    /** Heap datagrams up to this size go through the per-thread staging buffer; see {@link PerThread}. */
    static final int STAGING_SIZE = 64 * 1024;

    /**
     * Per-thread memory: the socket-address buffer, and a direct staging buffer for heap arrays.
     *
     * <p>Why staging, when {@link Sys} can hand a Java array to the kernel in place (critical downcall)? Because
     * that path allocates its {@code MemorySegment} wrapper unless C2 inlines the whole call chain and
     * scalar-replaces it, and measurements on JDK 25 (UdpAllocationTest) showed C2 giving up in some runs,
     * depending on compilation order: 64 to 112 bytes per call. Copying a datagram of at most
     * {@value #STAGING_SIZE} bytes through a direct buffer costs one memcpy, small next to the syscall, and
     * allocates nothing whatever the JIT decides. Larger ones (Unix datagrams) still go in place.
     */
    private static final class PerThread {
        final MemorySegment address = Arena.ofAuto().allocate(SockAddr.STORAGE_SIZE + 8L, 8);
        final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_SIZE);
        final long stagingAddress = MemorySegment.ofBuffer(staging).address();
    }

    private static final ThreadLocal<PerThread> PER_THREAD = ThreadLocal.withInitial(PerThread::new);

    /** This thread's socket-address buffer: a sockaddr_storage, then its length (int) at {@link #LEN_OFFSET}. */
    public static MemorySegment addressBuffer() {
        return PER_THREAD.get().address;
    }

    private static boolean inPlace(int length) {
        return length > STAGING_SIZE;
    }

    private static long recvfromHeap(PerThread t, int fd, byte[] array, int offset, int length, int flags, long addr,
            long lenPtr) {
        if (inPlace(length)) {
            return Sys.recvfrom(fd, array, offset, length, flags, addr, lenPtr);
        }
        long n = Sys.recvfrom(fd, t.stagingAddress, length, flags, addr, lenPtr);
        if (n > 0) {
            t.staging.get(0, array, offset, (int) n);
        }
        return n;
    }

    private static long sendtoHeap(PerThread t, int fd, byte[] array, int offset, int length, int flags, long addr,
            int addrLen) {
        if (inPlace(length)) {
            return Sys.sendto(fd, array, offset, length, flags, addr, addrLen);
        }
        t.staging.put(0, array, offset, length);
        return Sys.sendto(fd, t.stagingAddress, length, flags, addr, addrLen);
    }

    /** Length of the address the last {@code recvFrom} on this thread stored in {@link #addressBuffer()}. */
    public static int addressLength(MemorySegment buffer) {
        return buffer.get(ValueLayout.JAVA_INT, LEN_OFFSET);
    }

    private static int result(long n, String operation, int size) throws IOException {
        if (n >= 0) {
            return (int) n;
        }
        int errno = (int) -n;
        if (errno == EAGAIN) {
            return WOULD_BLOCK;
        }
        throw failure(operation, errno, size);
    }

    private static IOException failure(String operation, int errno, int size) {
        return switch (errno) {
            case ECONNREFUSED -> Errno.portUnreachable(operation);
            case EMSGSIZE -> Errno.exception(operation + " of a " + size + "-byte datagram (too large for this socket)", errno);
            case EDESTADDRREQ, ENOTCONN -> Errno.exception(operation + " on an unconnected socket"
                    + " (connect it first, or name the destination with sendTo)", errno);
            default -> Errno.exception(operation, errno);
        };
    }

    /**
     * recvfrom into {@code dst}'s remaining space; a datagram larger than that is truncated (the rest is
     * discarded, or kept for the next call with MSG_PEEK). With {@code wantAddress}, the sender's sockaddr is
     * left in {@link #addressBuffer()}.
     *
     * @return the bytes stored (0 for an empty datagram), or {@link #WOULD_BLOCK}
     */
    public static int recvFrom(FileDesc fd, ByteBuffer dst, int flags, boolean wantAddress, String operation)
            throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = dst.position();
        int len = dst.limit() - pos;
        PerThread t = PER_THREAD.get();
        MemorySegment a = t.address;
        long addr = 0, lenPtr = 0;
        if (wantAddress) {
            a.set(ValueLayout.JAVA_INT, LEN_OFFSET, SockAddr.STORAGE_SIZE);
            addr = a.address();
            lenPtr = addr + LEN_OFFSET;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = dst.isDirect()
                        ? Sys.recvfrom(fd.fd(), Sys.addressAtPosition(dst), len, flags, addr, lenPtr)
                        : recvfromHeap(t, fd.fd(), dst.array(), dst.arrayOffset() + pos, len, flags, addr, lenPtr);
            } while (n == -EINTR);
            int r = result(n, operation, len);
            if (r > 0 && (flags & MSG_PEEK) == 0) {
                dst.position(pos + r);
            }
            return r;
        } finally {
            fd.release();
        }
    }

    /** Like {@link #recvFrom(FileDesc, ByteBuffer, int, boolean, String)} into {@code dst[offset, offset + length)}. */
    public static int recvFrom(FileDesc fd, byte[] dst, int offset, int length, int flags, boolean wantAddress,
            String operation) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        PerThread t = PER_THREAD.get();
        MemorySegment a = t.address;
        long addr = 0, lenPtr = 0;
        if (wantAddress) {
            a.set(ValueLayout.JAVA_INT, LEN_OFFSET, SockAddr.STORAGE_SIZE);
            addr = a.address();
            lenPtr = addr + LEN_OFFSET;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = recvfromHeap(t, fd.fd(), dst, offset, length, flags, addr, lenPtr);
            } while (n == -EINTR);
            return result(n, operation, length);
        } finally {
            fd.release();
        }
    }

    /**
     * sendto of {@code src}'s remaining bytes as one datagram (an empty one if nothing remains), to the
     * sockaddr of {@code addrLen} bytes already written to {@link #addressBuffer()} ({@code addrLen} 0: the
     * connected peer). MSG_NOSIGNAL is added.
     *
     * @return the bytes sent (all of them), or {@link #WOULD_BLOCK}
     */
    public static int sendTo(FileDesc fd, ByteBuffer src, int flags, int addrLen, String operation) throws IOException {
        int pos = src.position();
        int len = src.limit() - pos;
        if (!src.isDirect() && !src.hasArray()) {
            // A read-only heap buffer hides its array: copy (this path allocates).
            byte[] copy = new byte[len];
            src.duplicate().get(copy);
            int n = sendTo(fd, copy, 0, len, flags, addrLen, operation);
            if (n > 0) {
                src.position(pos + n);
            }
            return n;
        }
        PerThread t = PER_THREAD.get();
        long addr = addrLen == 0 ? 0 : t.address.address();
        fd.acquire();
        try {
            long n;
            do {
                n = src.isDirect()
                        ? Sys.sendto(fd.fd(), Sys.addressAtPosition(src), len, flags | MSG_NOSIGNAL, addr, addrLen)
                        : sendtoHeap(t, fd.fd(), src.array(), src.arrayOffset() + pos, len, flags | MSG_NOSIGNAL, addr, addrLen);
            } while (n == -EINTR);
            int r = result(n, operation, len);
            if (r > 0) {
                src.position(pos + r);
            }
            return r;
        } finally {
            fd.release();
        }
    }

    /** Like {@link #sendTo(FileDesc, ByteBuffer, int, int, String)} from {@code src[offset, offset + length)}. */
    public static int sendTo(FileDesc fd, byte[] src, int offset, int length, int flags, int addrLen, String operation)
            throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        PerThread t = PER_THREAD.get();
        long addr = addrLen == 0 ? 0 : t.address.address();
        fd.acquire();
        try {
            long n;
            do {
                n = sendtoHeap(t, fd.fd(), src, offset, length, flags | MSG_NOSIGNAL, addr, addrLen);
            } while (n == -EINTR);
            return result(n, operation, length);
        } finally {
            fd.release();
        }
    }
}
