package io.mio.net;

import io.mio.internal.linux.Errno;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.linux.Sys;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/** The Unix-domain socket calls shared by {@link UnixStream}, {@link UnixListener} and {@link UnixDatagram}. */
final class UnixSock {
    private UnixSock() {}

    private static final int LEN_OFFSET = 128; // after sockaddr_un (110 bytes) in the scratch

    static UnixAddress address(Path path) {
        return UnixAddress.of(path);
    }

    static UnixAddress address(UnixDomainSocketAddress address) {
        return UnixAddress.of(address);
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
            int len = address.encode(s);
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
            int len = address.encode(s);
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
            s.set(ValueLayout.JAVA_INT, LEN_OFFSET, UnixAddress.SOCKADDR_UN_SIZE);
            int rc = local
                    ? Sys.getsockname(fd.fd(), s.address(), s.address() + LEN_OFFSET)
                    : Sys.getpeername(fd.fd(), s.address(), s.address() + LEN_OFFSET);
            if (rc < 0) {
                throw Errno.exception(local ? "getsockname" : "getpeername", -rc);
            }
            return UnixAddress.decode(s, s.get(ValueLayout.JAVA_INT, LEN_OFFSET));
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
