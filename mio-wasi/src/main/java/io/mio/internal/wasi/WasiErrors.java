package io.mio.internal.wasi;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/** Turns a WASI errno into the exception the JVM backends throw for the same errno, named in the message. */
final class WasiErrors {
    private WasiErrors() {}

    private static final String[] NAMES = {
        "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY", "BADF",
        "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK",
        "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS",
        "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG",
        "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK",
        "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE",
        "NOTSOCK", "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
        "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT", "TXTBSY", "XDEV",
        "NOTCAPABLE",
    };

    /** The errno's WASI name, e.g. {@code CONNREFUSED}. */
    static String name(int errno) {
        return errno >= 0 && errno < NAMES.length ? NAMES[errno] : "errno " + errno;
    }

    /** {@code op: NAME (wasi errno N)}. */
    static String message(String op, int errno) {
        return op + ": " + name(errno) + " (wasi errno " + errno + ")";
    }

    /** The exception for {@code errno} from {@code op}, typed as the JVM backends type the same errno. */
    static IOException exception(String op, int errno) {
        String m = message(op, errno);
        return switch (errno) {
            case Wasi.CONNREFUSED, Wasi.TIMEDOUT -> new ConnectException(m);
            case Wasi.ADDRINUSE, Wasi.ADDRNOTAVAIL -> new BindException(m);
            case Wasi.HOSTUNREACH, Wasi.NETUNREACH -> new NoRouteToHostException(m);
            default -> new SocketException(m);
        };
    }

    /** For a connected datagram socket, where CONNREFUSED means an ICMP port unreachable came back. */
    static IOException datagramException(String op, int errno) {
        return errno == Wasi.CONNREFUSED ? new PortUnreachableException(message(op, errno)) : exception(op, errno);
    }
}
