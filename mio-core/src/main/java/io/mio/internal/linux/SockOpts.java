package io.mio.internal.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import static io.mio.internal.linux.LinuxConstants.*;

/** Socket options shared by the socket types (issue 3): buffers, keepalive, linger, TOS, TTL, quickack, v6only. */
final class SockOpts {
    private SockOpts() {}

    /**
     * The address family (SO_DOMAIN) of {@code fd}, a descriptor the caller still owns, read through a wrapper
     * that never closes it: the family check of an adopt runs before anything about the descriptor changes.
     */
    static int familyOfUnowned(int fd, String kind) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + fd);
        }
        FileDesc probe = FileDesc.borrowed(fd, kind);
        try {
            return SocketOps.getInt(probe, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN of descriptor " + fd);
        } finally {
            probe.close(); // borrowed: never close(2)
        }
    }

    static boolean isV6(FileDesc fd) throws IOException {
        return SocketOps.getInt(fd, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN") == AF_INET6;
    }

    static void setBool(FileDesc fd, int level, int name, boolean on, String option) throws IOException {
        SocketOps.setInt(fd, level, name, on ? 1 : 0, option);
    }

    static boolean getBool(FileDesc fd, int level, int name, String option) throws IOException {
        return SocketOps.getInt(fd, level, name, option) != 0;
    }

    static void setBufferSize(FileDesc fd, int name, int bytes, String option) throws IOException {
        if (bytes <= 0) {
            throw new IllegalArgumentException(option + " must be positive, was " + bytes);
        }
        SocketOps.setInt(fd, SOL_SOCKET, name, bytes, option);
    }

    /** Whole seconds of {@code d} for the TCP_KEEP* options: 1..{@code max}. */
    static int seconds(Duration d, int max, String option) {
        if (d == null) {
            throw new NullPointerException(option);
        }
        long s = d.toSeconds();
        if (s < 1 || s > max || d.toNanosPart() != 0) {
            throw new IllegalArgumentException(option + " takes whole seconds in 1.." + max + ", was " + d);
        }
        return (int) s;
    }

    static void setKeepaliveIdle(FileDesc fd, Duration idle) throws IOException {
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, seconds(idle, 32767, "TCP_KEEPIDLE"), "TCP_KEEPIDLE");
    }

    static void setKeepaliveInterval(FileDesc fd, Duration interval) throws IOException {
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, seconds(interval, 32767, "TCP_KEEPINTVL"), "TCP_KEEPINTVL");
    }

    static void setKeepaliveRetries(FileDesc fd, int count) throws IOException {
        if (count < 1 || count > 127) {
            throw new IllegalArgumentException("TCP_KEEPCNT must be in 1..127, was " + count);
        }
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_KEEPCNT, count, "TCP_KEEPCNT");
    }

    /** SO_LINGER: null switches lingering off; otherwise on with the given whole seconds (0: reset on close). */
    static void setLinger(FileDesc fd, Duration linger) throws IOException {
        int onoff = linger == null ? 0 : 1;
        int secs = 0;
        if (linger != null) {
            long s = linger.toSeconds();
            if (linger.isNegative() || s > Integer.MAX_VALUE || linger.toNanosPart() != 0) {
                throw new IllegalArgumentException("SO_LINGER takes whole non-negative seconds, was " + linger);
            }
            secs = (int) s;
        }
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            s.set(ValueLayout.JAVA_INT, 0, onoff);
            s.set(ValueLayout.JAVA_INT, 4, secs);
            int rc = Sys.setsockopt(fd.fd(), SOL_SOCKET, SO_LINGER, s.address(), 8);
            if (rc < 0) {
                throw Errno.exception("setsockopt(SO_LINGER)", -rc);
            }
        } finally {
            fd.release();
        }
    }

    static Duration linger(FileDesc fd) throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            s.set(ValueLayout.JAVA_LONG, 0, 0L);
            s.set(ValueLayout.JAVA_INT, 8, 8);
            int rc = Sys.getsockopt(fd.fd(), SOL_SOCKET, SO_LINGER, s.address(), s.address() + 8);
            if (rc < 0) {
                throw Errno.exception("getsockopt(SO_LINGER)", -rc);
            }
            return s.get(ValueLayout.JAVA_INT, 0) == 0 ? null : Duration.ofSeconds(s.get(ValueLayout.JAVA_INT, 4));
        } finally {
            fd.release();
        }
    }

    /** IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6. */
    static void setTtl(FileDesc fd, int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
        }
        if (isV6(fd)) {
            SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
        } else {
            SocketOps.setInt(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
        }
    }

    static int ttl(FileDesc fd) throws IOException {
        return isV6(fd)
                ? SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS")
                : SocketOps.getInt(fd, IPPROTO_IP, IP_TTL, "IP_TTL");
    }

    /** IP_TOS on IPv4, IPV6_TCLASS on IPv6. */
    static void setTos(FileDesc fd, int tos) throws IOException {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("IP_TOS / IPV6_TCLASS must be in 0..255, was " + tos);
        }
        if (isV6(fd)) {
            SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_TCLASS, tos, "IPV6_TCLASS");
        } else {
            SocketOps.setInt(fd, IPPROTO_IP, IP_TOS, tos, "IP_TOS");
        }
    }

    static int tos(FileDesc fd) throws IOException {
        return isV6(fd)
                ? SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS")
                : SocketOps.getInt(fd, IPPROTO_IP, IP_TOS, "IP_TOS");
    }
}
