package io.mio.internal.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * Socket system calls on an owned descriptor, shared by the socket types.
 *
 * <p>Conventions of the byte-moving calls (java.nio's): a positive count is bytes moved; 0 is
 * "would block" (or nothing to move); -1 is end of stream. Would-block neither throws nor allocates.
 */
public final class SocketOps {
    private SocketOps() {}

    private static final int SCRATCH_LEN_OFFSET = SockAddr.STORAGE_SIZE;
    private static final int MAX_IOV = 64;
    /** struct msghdr on LP64: name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
    private static final int MSGHDR_SIZE = 56;
    private static final ThreadLocal<MemorySegment> IOVECS =
            ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(16L * MAX_IOV + MSGHDR_SIZE, 8));

    /** Opens a non-blocking, close-on-exec socket. */
    public static FileDesc open(int family, int type, String kind) throws IOException {
        int fd = Sys.socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.exception("socket", -fd);
        }
        return new FileDesc(fd, kind);
    }

    /**
     * Adopts a descriptor the caller owns: checks that it is a socket of {@code type}, makes it
     * non-blocking and close-on-exec. On failure the descriptor is left open and still the caller's.
     */
    public static FileDesc adopt(int fd, int type, String kind) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + fd);
        }
        int actual = getIntRaw(fd, SOL_SOCKET, SO_TYPE, "getsockopt(SO_TYPE) of adopted descriptor " + fd);
        if (actual != type) {
            throw new IllegalArgumentException("descriptor " + fd + " is a socket of type " + actual
                    + ", not the type " + type + " a " + kind + " needs");
        }
        int flags = Sys.fcntl(fd, F_GETFL, 0);
        if (flags < 0 || Sys.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || Sys.fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
            throw Errno.exception("fcntl of adopted descriptor " + fd, flags < 0 ? -flags : EINVAL);
        }
        return new FileDesc(fd, kind);
    }

    private static int getIntRaw(int fd, int level, int name, String what) throws IOException {
        MemorySegment s = Sys.scratch();
        s.set(ValueLayout.JAVA_INT, 0, 0);
        s.set(ValueLayout.JAVA_INT, 8, 4);
        int rc = Sys.getsockopt(fd, level, name, s.address(), s.address() + 8);
        if (rc < 0) {
            throw Errno.exception(what, -rc);
        }
        return s.get(ValueLayout.JAVA_INT, 0);
    }

    public static void bind(FileDesc fd, InetSocketAddress address) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            int len = SockAddr.encode(address, s);
            int rc = Sys.bind(fd.fd(), s.address(), len);
            if (rc < 0) {
                throw Errno.exception("bind to " + address, -rc);
            }
        } finally {
            fd.release();
        }
    }

    public static void listen(FileDesc fd, int backlog) throws IOException {
        fd.acquire();
        try {
            int rc = Sys.listen(fd.fd(), backlog);
            if (rc < 0) {
                throw Errno.exception("listen", -rc);
            }
        } finally {
            fd.release();
        }
    }

    /** Starts a non-blocking connect; true if it completed at once, false if it is in progress. */
    public static boolean connect(FileDesc fd, InetSocketAddress address) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            int len = SockAddr.encode(address, s);
            for (;;) {
                int rc = Sys.connect(fd.fd(), s.address(), len);
                if (rc == 0) {
                    return true;
                }
                if (-rc == EINPROGRESS) {
                    return false;
                }
                if (-rc != EINTR) {
                    throw Errno.exception("connect to " + address, -rc);
                }
                // EINTR: the connect goes on asynchronously, exactly as EINPROGRESS.
                return false;
            }
        } finally {
            fd.release();
        }
    }

    /** accept4; the new descriptor, or -1 if none is pending. Writes the peer's address to {@code peer[0]}. */
    public static int accept(FileDesc fd, InetSocketAddress[] peer) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            for (;;) {
                s.set(ValueLayout.JAVA_INT, SCRATCH_LEN_OFFSET, SockAddr.STORAGE_SIZE);
                int rc = Sys.accept4(fd.fd(), s.address(), s.address() + SCRATCH_LEN_OFFSET, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (rc >= 0) {
                    peer[0] = SockAddr.decode(s, s.get(ValueLayout.JAVA_INT, SCRATCH_LEN_OFFSET));
                    return rc;
                }
                int errno = -rc;
                if (errno == EAGAIN) {
                    return -1;
                }
                if (errno == EINTR || errno == ECONNABORTED) {
                    continue; // the connection went away before we took it: try the next one
                }
                throw Errno.exception("accept", errno);
            }
        } finally {
            fd.release();
        }
    }

    public static InetSocketAddress localAddress(FileDesc fd) throws IOException {
        return name(fd, true);
    }

    public static InetSocketAddress peerAddress(FileDesc fd) throws IOException {
        return name(fd, false);
    }

    private static InetSocketAddress name(FileDesc fd, boolean local) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            s.set(ValueLayout.JAVA_INT, SCRATCH_LEN_OFFSET, SockAddr.STORAGE_SIZE);
            int rc = local
                    ? Sys.getsockname(fd.fd(), s.address(), s.address() + SCRATCH_LEN_OFFSET)
                    : Sys.getpeername(fd.fd(), s.address(), s.address() + SCRATCH_LEN_OFFSET);
            if (rc < 0) {
                throw Errno.exception(local ? "getsockname" : "getpeername", -rc);
            }
            InetSocketAddress a = SockAddr.decode(s, s.get(ValueLayout.JAVA_INT, SCRATCH_LEN_OFFSET));
            if (a == null) {
                throw new SocketException("socket has no internet address");
            }
            return a;
        } finally {
            fd.release();
        }
    }

    public static void setInt(FileDesc fd, int level, int name, int value, String option) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            s.set(ValueLayout.JAVA_INT, 0, value);
            int rc = Sys.setsockopt(fd.fd(), level, name, s.address(), 4);
            if (rc < 0) {
                throw Errno.exception("setsockopt(" + option + ")", -rc);
            }
        } finally {
            fd.release();
        }
    }

    public static int getInt(FileDesc fd, int level, int name, String option) throws IOException {
        fd.acquire();
        try {
            return getIntRaw(fd.fd(), level, name, "getsockopt(" + option + ")");
        } finally {
            fd.release();
        }
    }

    /** SO_ERROR, cleared by reading it: the pending error, or null. */
    public static IOException takeError(FileDesc fd) throws IOException {
        int errno = getInt(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR");
        return errno == 0 ? null : Errno.exception("pending socket error", errno);
    }

    public static void shutdown(FileDesc fd, int how) throws IOException {
        fd.acquire();
        try {
            int rc = Sys.shutdown(fd.fd(), how);
            if (rc < 0) {
                throw Errno.exception("shutdown", -rc);
            }
        } finally {
            fd.release();
        }
    }

    // ---- moving bytes ---------------------------------------------------------------------------

    /** Throws if {@code fd} is closed: a call with nothing to move still reports a closed socket, as java.nio does. */
    private static void checkOpen(FileDesc fd) throws java.nio.channels.ClosedChannelException {
        fd.acquire();
        fd.release();
    }

    private static int wouldBlockOr(long rc, String operation) throws IOException {
        int errno = (int) -rc;
        if (errno == EAGAIN) {
            return 0;
        }
        throw Errno.exception(operation, errno);
    }

    /**
     * recv into {@code array[offset, offset + len)}: in place at offset 0 (critical downcall on the array's
     * remembered segment), through the thread's bounce buffer elsewhere. Neither allocates (see HeapArray).
     * Returns what recv would: bytes, 0 at end of stream, or -errno.
     */
    private static long recvArray(FileDesc fd, byte[] array, int offset, int len, int flags) {
        if (offset == 0) {
            return Sys.recvHeap(fd.fd(), Sys.heapSegment(array, fd), len, flags);
        }
        MemorySegment bounce = Sys.bounce();
        long total = 0;
        while (total < len) {
            int chunk = (int) Math.min(len - total, Sys.BOUNCE_SIZE);
            long n = Sys.recv(fd.fd(), bounce.address(), chunk, flags);
            if (n <= 0) {
                return total > 0 ? total : n;
            }
            MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, 0, array, offset + (int) total, (int) n);
            total += n;
            // A short chunk emptied the socket; keep the short-read rule true for the caller's whole range.
            if (n < chunk || (flags & MSG_PEEK) != 0) {
                break;
            }
        }
        return total;
    }

    /** send from {@code array[offset, offset + len)}; in place at offset 0, else through the bounce buffer. */
    private static long sendArray(FileDesc fd, byte[] array, int offset, int len, int flags) {
        if (offset == 0) {
            return Sys.sendHeap(fd.fd(), Sys.heapSegment(array, fd), len, flags);
        }
        MemorySegment bounce = Sys.bounce();
        long total = 0;
        while (total < len) {
            int chunk = (int) Math.min(len - total, Sys.BOUNCE_SIZE);
            MemorySegment.copy(array, offset + (int) total, bounce, ValueLayout.JAVA_BYTE, 0, chunk);
            long n = Sys.send(fd.fd(), bounce.address(), chunk, flags);
            if (n < 0) {
                return total > 0 ? total : n;
            }
            total += n;
            if (n < chunk) {
                break;
            }
        }
        return total;
    }

    /** recv into {@code dst}'s remaining bytes. */
    public static int recv(FileDesc fd, ByteBuffer dst, int flags) throws IOException {
        int pos = dst.position();
        int len = dst.limit() - pos;
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (len == 0) {
            checkOpen(fd);
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = dst.isDirect()
                        ? Sys.recv(fd.fd(), Sys.addressAtPosition(dst, fd), len, flags)
                        : recvArray(fd, dst.array(), dst.arrayOffset() + pos, len, flags);
            } while (n == -EINTR);
            if (n > 0) {
                if ((flags & MSG_PEEK) == 0) {
                    dst.position(pos + (int) n);
                }
                return (int) n;
            }
            return n == 0 ? -1 : wouldBlockOr(n, "recv");
        } finally {
            fd.release();
        }
    }

    public static int recv(FileDesc fd, byte[] dst, int offset, int length, int flags) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        if (length == 0) {
            checkOpen(fd);
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = recvArray(fd, dst, offset, length, flags);
            } while (n == -EINTR);
            if (n > 0) {
                return (int) n;
            }
            return n == 0 ? -1 : wouldBlockOr(n, "recv");
        } finally {
            fd.release();
        }
    }

    /** send of {@code src}'s remaining bytes, with MSG_NOSIGNAL so a closed peer gives EPIPE, not SIGPIPE. */
    public static int send(FileDesc fd, ByteBuffer src, int flags) throws IOException {
        int pos = src.position();
        int len = src.limit() - pos;
        if (len == 0) {
            checkOpen(fd);
            return 0;
        }
        if (!src.isDirect() && !src.hasArray()) {
            return sendReadOnlyHeap(fd, src, flags);
        }
        fd.acquire();
        try {
            long n;
            do {
                n = src.isDirect()
                        ? Sys.send(fd.fd(), Sys.addressAtPosition(src, fd), len, flags | MSG_NOSIGNAL)
                        : sendArray(fd, src.array(), src.arrayOffset() + pos, len, flags | MSG_NOSIGNAL);
            } while (n == -EINTR);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            return wouldBlockOr(n, "send");
        } finally {
            fd.release();
        }
    }

    // A read-only heap buffer hides its array: copy (this path allocates; use a writable or direct buffer).
    private static int sendReadOnlyHeap(FileDesc fd, ByteBuffer src, int flags) throws IOException {
        byte[] copy = new byte[Math.min(src.remaining(), 1 << 16)];
        src.duplicate().get(copy);
        int n = send(fd, copy, 0, copy.length, flags);
        src.position(src.position() + n);
        return n;
    }

    public static int send(FileDesc fd, byte[] src, int offset, int length, int flags) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        if (length == 0) {
            checkOpen(fd);
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = sendArray(fd, src, offset, length, flags | MSG_NOSIGNAL);
            } while (n == -EINTR);
            return n >= 0 ? (int) n : wouldBlockOr(n, "send");
        } finally {
            fd.release();
        }
    }

    private static boolean allDirect(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!buffers[i].isDirect()) {
                return false;
            }
        }
        return true;
    }

    /** readv into the buffers' remaining bytes: one syscall when all are direct, else one per buffer. */
    public static long readv(FileDesc fd, ByteBuffer[] dsts, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
        if (!allDirect(dsts, offset, length)) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = dsts[i];
                int want = b.remaining();
                if (want == 0) {
                    continue;
                }
                int n = recv(fd, b, 0);
                if (n < 0) {
                    return total > 0 ? total : -1;
                }
                total += n;
                if (n < want) {
                    break;
                }
            }
            if (total == 0) {
                checkOpen(fd); // also when every buffer was full
            }
            return total;
        }
        int count = Math.min(length, MAX_IOV);
        long want = 0;
        MemorySegment iov = IOVECS.get();
        for (int i = 0; i < count; i++) {
            ByteBuffer b = dsts[offset + i];
            iov.set(ValueLayout.JAVA_LONG, 16L * i, Sys.addressAtPosition(b, fd));
            iov.set(ValueLayout.JAVA_LONG, 16L * i + 8, b.remaining());
            want += b.remaining();
        }
        if (want == 0) {
            checkOpen(fd);
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = Sys.readv(fd.fd(), iov.address(), count);
            } while (n == -EINTR);
            if (n == 0) {
                return -1;
            }
            if (n < 0) {
                return wouldBlockOr(n, "readv");
            }
            advance(dsts, offset, count, n);
            return n;
        } finally {
            fd.release();
        }
    }

    /** writev of the buffers' remaining bytes: one syscall when all are direct, else one per buffer. */
    public static long writev(FileDesc fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, srcs.length);
        if (!allDirect(srcs, offset, length)) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = srcs[i];
                int want = b.remaining();
                if (want == 0) {
                    continue;
                }
                int n = send(fd, b, 0);
                total += n;
                if (n < want) {
                    break;
                }
            }
            if (total == 0) {
                checkOpen(fd); // also when every buffer was empty
            }
            return total;
        }
        int count = Math.min(length, MAX_IOV);
        long want = 0;
        MemorySegment iov = IOVECS.get();
        for (int i = 0; i < count; i++) {
            ByteBuffer b = srcs[offset + i];
            iov.set(ValueLayout.JAVA_LONG, 16L * i, Sys.addressAtPosition(b, fd));
            iov.set(ValueLayout.JAVA_LONG, 16L * i + 8, b.remaining());
            want += b.remaining();
        }
        if (want == 0) {
            checkOpen(fd);
            return 0;
        }
        fd.acquire();
        try {
            long n;
            // sendmsg rather than writev: only it takes MSG_NOSIGNAL.
            long hdr = 16L * MAX_IOV;
            for (long at = hdr; at < hdr + MSGHDR_SIZE; at += 8) {
                iov.set(ValueLayout.JAVA_LONG, at, 0L);
            }
            iov.set(ValueLayout.JAVA_LONG, hdr + 16, iov.address());
            iov.set(ValueLayout.JAVA_LONG, hdr + 24, count);
            do {
                n = Sys.sendmsg(fd.fd(), iov.address() + hdr, MSG_NOSIGNAL);
            } while (n == -EINTR);
            if (n < 0) {
                return wouldBlockOr(n, "sendmsg");
            }
            advance(srcs, offset, count, n);
            return n;
        } finally {
            fd.release();
        }
    }

    private static void advance(ByteBuffer[] buffers, int offset, int count, long n) {
        for (int i = offset; i < offset + count && n > 0; i++) {
            ByteBuffer b = buffers[i];
            int step = (int) Math.min(n, b.remaining());
            b.position(b.position() + step);
            n -= step;
        }
    }
}
