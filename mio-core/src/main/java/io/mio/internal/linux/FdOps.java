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
