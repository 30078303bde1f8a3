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
    private static final ThreadLocal<MemorySegment> ADDRESS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SockAddr.STORAGE_SIZE + 8L, 8));

    /** This thread's socket-address buffer: a sockaddr_storage, then its length (int) at {@link #LEN_OFFSET}. */
    public static MemorySegment addressBuffer() {
        return ADDRESS.get();
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
        MemorySegment a = ADDRESS.get();
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
                        : Sys.recvfrom(fd.fd(), dst.array(), dst.arrayOffset() + pos, len, flags, addr, lenPtr);
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
        MemorySegment a = ADDRESS.get();
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
                n = Sys.recvfrom(fd.fd(), dst, offset, length, flags, addr, lenPtr);
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
        long addr = addrLen == 0 ? 0 : ADDRESS.get().address();
        fd.acquire();
        try {
            long n;
            do {
                n = src.isDirect()
                        ? Sys.sendto(fd.fd(), Sys.addressAtPosition(src), len, flags | MSG_NOSIGNAL, addr, addrLen)
                        : Sys.sendto(fd.fd(), src.array(), src.arrayOffset() + pos, len, flags | MSG_NOSIGNAL, addr, addrLen);
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
        long addr = addrLen == 0 ? 0 : ADDRESS.get().address();
        fd.acquire();
        try {
            long n;
            do {
                n = Sys.sendto(fd.fd(), src, offset, length, flags | MSG_NOSIGNAL, addr, addrLen);
            } while (n == -EINTR);
            return result(n, operation, length);
        } finally {
            fd.release();
        }
    }
}
