package io.mio.internal.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * read(2) / write(2) on any owned non-blocking descriptor (pipes), with the stream convention: bytes moved,
 * 0 for would-block (or nothing to move), -1 at end of file. Heap arrays reach the kernel in place.
 */
public final class FdOps {
    private FdOps() {}

    private static int wouldBlockOr(long rc, String operation) throws IOException {
        int errno = (int) -rc;
        if (errno == EAGAIN) {
            return 0;
        }
        throw Errno.exception(operation, errno);
    }

    /**
     * read into {@code array[offset, offset + len)} through the thread's bounce buffer: read(2) has no
     * MSG_DONTWAIT, and a pipe end may be shared with a child that clears O_NONBLOCK, so it cannot be a critical
     * call on the array itself (see Sys). One copy, no allocation.
     */
    private static long readArray(FileDesc fd, byte[] array, int offset, int len) {
        java.lang.foreign.MemorySegment bounce = Sys.bounce();
        long total = 0;
        while (total < len) {
            int chunk = (int) Math.min(len - total, Sys.BOUNCE_SIZE);
            long n = Sys.read(fd.fd(), bounce.address(), chunk);
            if (n <= 0) {
                return total > 0 ? total : n;
            }
            java.lang.foreign.MemorySegment.copy(bounce, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, array,
                    offset + (int) total, (int) n);
            total += n;
            if (n < chunk) {
                break; // the pipe is empty: keep the short-read rule true for the whole range
            }
        }
        return total;
    }

    /** write from {@code array[offset, offset + len)} through the thread's bounce buffer (see readArray). */
    private static long writeArray(FileDesc fd, byte[] array, int offset, int len) {
        java.lang.foreign.MemorySegment bounce = Sys.bounce();
        long total = 0;
        while (total < len) {
            int chunk = (int) Math.min(len - total, Sys.BOUNCE_SIZE);
            java.lang.foreign.MemorySegment.copy(array, offset + (int) total, bounce,
                    java.lang.foreign.ValueLayout.JAVA_BYTE, 0, chunk);
            long n = Sys.write(fd.fd(), bounce.address(), chunk);
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

    public static int read(FileDesc fd, ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = dst.position();
        int len = dst.limit() - pos;
        if (len == 0) {
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = dst.isDirect()
                        ? Sys.read(fd.fd(), Sys.addressAtPosition(dst), len)
                        : readArray(fd, dst.array(), dst.arrayOffset() + pos, len);
            } while (n == -EINTR);
            if (n > 0) {
                dst.position(pos + (int) n);
                return (int) n;
            }
            return n == 0 ? -1 : wouldBlockOr(n, "read");
        } finally {
            fd.release();
        }
    }

    public static int read(FileDesc fd, byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        if (length == 0) {
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = readArray(fd, dst, offset, length);
            } while (n == -EINTR);
            if (n > 0) {
                return (int) n;
            }
            return n == 0 ? -1 : wouldBlockOr(n, "read");
        } finally {
            fd.release();
        }
    }

    public static int write(FileDesc fd, ByteBuffer src) throws IOException {
        int pos = src.position();
        int len = src.limit() - pos;
        if (len == 0) {
            return 0;
        }
        if (!src.isDirect() && !src.hasArray()) {
            byte[] copy = new byte[Math.min(len, 1 << 16)]; // read-only heap buffer: copy (allocates)
            src.duplicate().get(copy);
            int n = write(fd, copy, 0, copy.length);
            src.position(pos + n);
            return n;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = src.isDirect()
                        ? Sys.write(fd.fd(), Sys.addressAtPosition(src), len)
                        : writeArray(fd, src.array(), src.arrayOffset() + pos, len);
            } while (n == -EINTR);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            return wouldBlockOr(n, "write");
        } finally {
            fd.release();
        }
    }

    public static int write(FileDesc fd, byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (length == 0) {
            return 0;
        }
        fd.acquire();
        try {
            long n;
            do {
                n = writeArray(fd, src, offset, length);
            } while (n == -EINTR);
            return n >= 0 ? (int) n : wouldBlockOr(n, "write");
        } finally {
            fd.release();
        }
    }

    private static final int MAX_IOV = 64;
    private static final ThreadLocal<java.lang.foreign.MemorySegment> IOVECS =
            ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(16L * MAX_IOV, 8));

    private static boolean allDirect(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!buffers[i].isDirect()) {
                return false;
            }
        }
        return true;
    }

    /** Fills this thread's iovec array from the buffers' remaining bytes (at most 64); the total asked. */
    private static long fillIov(java.lang.foreign.MemorySegment iov, FileDesc fd, ByteBuffer[] buffers, int offset, int count) {
        long want = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[offset + i];
            iov.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16L * i, Sys.addressAtPosition(b, fd));
            iov.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16L * i + 8, b.remaining());
            want += b.remaining();
        }
        return want;
    }

    private static void advance(ByteBuffer[] buffers, int offset, int count, long n) {
        for (int i = offset; i < offset + count && n > 0; i++) {
            ByteBuffer b = buffers[i];
            int step = (int) Math.min(n, b.remaining());
            b.position(b.position() + step);
            n -= step;
        }
    }

    /**
     * Scatter read into {@code dsts[offset, offset + length)}: one readv when every buffer is direct (the first 64
     * buffers), otherwise one read per buffer until one comes back short. Bytes read, 0 if it would block, -1 at end
     * of file.
     */
    public static long readv(FileDesc fd, ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new ReadOnlyBufferException();
            }
        }
        if (!allDirect(dsts, offset, length)) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int want = dsts[i].remaining();
                if (want == 0) {
                    continue;
                }
                int n = read(fd, dsts[i]);
                if (n < 0) {
                    return total > 0 ? total : -1;
                }
                total += n;
                if (n < want) {
                    break;
                }
            }
            if (total == 0) {
                fd.acquire(); // a closed end throws ClosedChannelException here, also when nothing was asked
                fd.release();
            }
            return total;
        }
        int count = Math.min(length, MAX_IOV);
        fd.acquire();
        try {
            java.lang.foreign.MemorySegment iov = IOVECS.get();
            if (fillIov(iov, fd, dsts, offset, count) == 0) {
                return 0;
            }
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

    /**
     * Gather write of {@code srcs[offset, offset + length)}: one writev when every buffer is direct (the first 64
     * buffers), otherwise one write per buffer until one comes back short. Bytes written, 0 if it would block.
     */
    public static long writev(FileDesc fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        if (!allDirect(srcs, offset, length)) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int want = srcs[i].remaining();
                if (want == 0) {
                    continue;
                }
                int n = write(fd, srcs[i]);
                total += n;
                if (n < want) {
                    break;
                }
            }
            if (total == 0) {
                fd.acquire();
                fd.release();
            }
            return total;
        }
        int count = Math.min(length, MAX_IOV);
        fd.acquire();
        try {
            java.lang.foreign.MemorySegment iov = IOVECS.get();
            if (fillIov(iov, fd, srcs, offset, count) == 0) {
                return 0;
            }
            long n;
            do {
                n = Sys.writev(fd.fd(), iov.address(), count);
            } while (n == -EINTR);
            if (n < 0) {
                return wouldBlockOr(n, "writev");
            }
            advance(srcs, offset, count, n);
            return n;
        } finally {
            fd.release();
        }
    }

    /**
     * Adopts a caller-owned descriptor: checks its access mode ({@code O_RDONLY} 0 / {@code O_WRONLY} 1, or
     * {@code O_RDWR} 2 for either), makes it non-blocking and close-on-exec. On failure it stays the caller's.
     */
    public static FileDesc adopt(int fd, boolean forWriting, String kind) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + fd);
        }
        int flags = Sys.fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            throw Errno.exception("fcntl(F_GETFL) of adopted descriptor " + fd, -flags);
        }
        int mode = flags & 3;
        if (mode != 2 && mode != (forWriting ? 1 : 0)) {
            throw new IllegalArgumentException("descriptor " + fd + " is open for " + (mode == 0 ? "reading" : "writing")
                    + " only; a " + kind + " needs it open for " + (forWriting ? "writing" : "reading"));
        }
        int rc = Sys.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        if (rc >= 0) {
            rc = Sys.fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        if (rc < 0) {
            throw Errno.exception("fcntl of adopted descriptor " + fd, -rc);
        }
        return new FileDesc(fd, kind);
    }
}
