package io.mio.internal.linux;

import io.mio.internal.Bridge;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/** The Unix-domain socket calls shared by the Unix stream, listener and datagram sockets; sockaddr_un coding. */
final class UnixSock {
    private UnixSock() {}

    private static final int LEN_OFFSET = 128; // after sockaddr_un (110 bytes) in the scratch
    /** offsetof(struct sockaddr_un, sun_path). */
    static final int PATH_OFFSET = 2;
    static final int SOCKADDR_UN_SIZE = PATH_OFFSET + UnixAddress.SUN_PATH_SIZE;

    /** Writes {@code address} as a sockaddr_un at the start of {@code out}; returns the length to pass the kernel. */
    static int encode(UnixAddress address, MemorySegment out) {
        out.asSlice(0, SOCKADDR_UN_SIZE).fill((byte) 0);
        out.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_UNIX);
        byte[] bytes = Bridge.unixAddresses().bytes(address);
        return switch (address.kind()) {
            case PATHNAME -> {
                MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, PATH_OFFSET, bytes.length);
                yield PATH_OFFSET + bytes.length + 1; // with the NUL
            }
            case ABSTRACT -> {
                MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, PATH_OFFSET + 1, bytes.length);
                yield PATH_OFFSET + 1 + bytes.length;
            }
            case UNNAMED -> PATH_OFFSET;
        };
    }

    /** Reads a sockaddr_un of {@code len} bytes. */
    static UnixAddress decode(MemorySegment in, int len) {
        if (len <= PATH_OFFSET) {
            return UnixAddress.unnamed();
        }
        len = Math.min(len, SOCKADDR_UN_SIZE);
        if (in.get(ValueLayout.JAVA_BYTE, PATH_OFFSET) == 0) {
            byte[] name = new byte[len - PATH_OFFSET - 1];
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, PATH_OFFSET + 1, name, 0, name.length);
            return Bridge.unixAddresses().abstractName(name);
        }
        int end = PATH_OFFSET;
        while (end < len && in.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] raw = new byte[end - PATH_OFFSET];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, PATH_OFFSET, raw, 0, raw.length);
        return Bridge.unixAddresses().pathname(raw);
    }

    static FileDesc open(int type, String kind) throws IOException {
        return SocketOps.open(AF_UNIX, type, kind);
    }

    /**
     * Adopts a caller-owned AF_UNIX socket of {@code type}; on failure the descriptor stays the caller's, its flags
     * unchanged (the family and type are checked before O_NONBLOCK and FD_CLOEXEC are set).
     */
    static FileDesc adopt(int fd, int type, String kind) throws IOException {
        int family = SockOpts.familyOfUnowned(fd, kind);
        if (family != AF_UNIX) {
            throw new IllegalArgumentException("descriptor " + fd + " is not a Unix domain socket (family " + family
                    + "), which a " + kind + " needs");
        }
        return SocketOps.adopt(fd, type, kind);
    }

    static void bind(FileDesc fd, UnixAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            int len = encode(address, s);
            int rc = Sys.bind(fd.fd(), s.address(), len);
            if (rc < 0) {
                throw Errno.exception("bind to " + address, -rc);
            }
        } finally {
            fd.release();
        }
    }

    /** A non-blocking connect: Unix sockets connect at once or fail (EAGAIN when the listener's backlog is full). */
    static void connect(FileDesc fd, UnixAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            int len = encode(address, s);
            int rc;
            do {
                rc = Sys.connect(fd.fd(), s.address(), len);
            } while (rc == -EINTR);
            if (rc < 0 && rc != -EINPROGRESS) {
                throw Errno.exception("connect to " + address, -rc);
            }
        } finally {
            fd.release();
        }
    }

    static UnixAddress localAddress(FileDesc fd) throws IOException {
        return name(fd, true);
    }

    static UnixAddress peerAddress(FileDesc fd) throws IOException {
        return name(fd, false);
    }

    private static UnixAddress name(FileDesc fd, boolean local) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            s.set(ValueLayout.JAVA_INT, LEN_OFFSET, SOCKADDR_UN_SIZE);
            int rc = local
                    ? Sys.getsockname(fd.fd(), s.address(), s.address() + LEN_OFFSET)
                    : Sys.getpeername(fd.fd(), s.address(), s.address() + LEN_OFFSET);
            if (rc < 0) {
                throw Errno.exception(local ? "getsockname" : "getpeername", -rc);
            }
            return decode(s, s.get(ValueLayout.JAVA_INT, LEN_OFFSET));
        } finally {
            fd.release();
        }
    }

    /** socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC). */
    static FileDesc[] pair(int type, String kind) throws IOException {
        MemorySegment s = Sys.scratch();
        int rc = Sys.socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s.address());
        if (rc < 0) {
            throw Errno.exception("socketpair", -rc);
        }
        return new FileDesc[] {
                new FileDesc(s.get(ValueLayout.JAVA_INT, 0), kind), new FileDesc(s.get(ValueLayout.JAVA_INT, 4), kind)};
    }

    /**
     * accept4: the new connection, owned at once, or null when none is pending. The peer's address is not asked
     * for (nothing uses it; {@code peerAddr()} of the stream gives it), so nothing can fail between the accept and
     * the new descriptor's owner.
     */
    static FileDesc accept(FileDesc fd, String kind) throws IOException {
        fd.acquire();
        try {
            for (;;) {
                int rc = Sys.accept4(fd.fd(), 0L, 0L, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (rc >= 0) {
                    return new FileDesc(rc, kind);
                }
                int errno = -rc;
                if (errno == EAGAIN) {
                    return null;
                }
                if (errno != EINTR && errno != ECONNABORTED) {
                    throw Errno.exception("accept", errno);
                }
            }
        } finally {
            fd.release();
        }
    }

    static int shutdownHow(Shutdown how) {
        Objects.requireNonNull(how, "how");
        return switch (how) {
            case READ -> SHUT_RD;
            case WRITE -> SHUT_WR;
            case BOTH -> SHUT_RDWR;
        };
    }

    static int rawFd(FileDesc fd) throws IOException {
        fd.acquire();
        try {
            return fd.fd();
        } finally {
            fd.release();
        }
    }
}
