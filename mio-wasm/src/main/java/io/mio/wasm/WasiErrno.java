package io.mio.wasm;

import io.mio.OsError;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;

/**
 * WASI preview 1 errno values ({@code __wasi_errno_t}) plus WasmEdge's getaddrinfo additions, and the mapping
 * from the exceptions io.mio throws to them.
 */
public final class WasiErrno {
    private WasiErrno() {}

    public static final int SUCCESS = 0;
    public static final int ACCES = 2;
    public static final int ADDRINUSE = 3;
    public static final int ADDRNOTAVAIL = 4;
    public static final int AFNOSUPPORT = 5;
    public static final int AGAIN = 6;
    public static final int ALREADY = 7;
    public static final int BADF = 8;
    public static final int CONNABORTED = 13;
    public static final int CONNREFUSED = 14;
    public static final int CONNRESET = 15;
    public static final int DESTADDRREQ = 17;
    public static final int DOM = 18;
    public static final int EXIST = 20;
    public static final int FAULT = 21;
    public static final int HOSTUNREACH = 23;
    public static final int INPROGRESS = 26;
    public static final int INTR = 27;
    public static final int INVAL = 28;
    public static final int IO = 29;
    public static final int ISCONN = 30;
    public static final int MFILE = 33;
    public static final int MSGSIZE = 35;
    public static final int NETDOWN = 38;
    public static final int NETUNREACH = 40;
    public static final int NFILE = 41;
    public static final int NOBUFS = 42;
    public static final int NODEV = 43;
    public static final int NOENT = 44;
    public static final int NOMEM = 48;
    public static final int NOPROTOOPT = 50;
    public static final int NOSYS = 52;
    public static final int NOTCONN = 53;
    public static final int NOTSOCK = 57;
    public static final int NOTSUP = 58;
    public static final int PERM = 63;
    public static final int PIPE = 64;
    public static final int PROTONOSUPPORT = 66;
    public static final int PROTOTYPE = 67;
    public static final int TIMEDOUT = 73;
    public static final int NOTCAPABLE = 76;
    // WasmEdge's getaddrinfo errors
    public static final int AIADDRFAMILY = 77;
    public static final int AIAGAIN = 78;
    public static final int AIBADFLAG = 79;
    public static final int AIFAIL = 80;
    public static final int AIFAMILY = 81;
    public static final int AIMEMORY = 82;
    public static final int AINODATA = 83;
    public static final int AINONAME = 84;
    public static final int AISERVICE = 85;
    public static final int AISOCKTYPE = 86;
    public static final int AISYSTEM = 87;

    /** Linux errno names ({@link OsError#osErrorName()}) to WASI errno values. */
    private static final Map<String, Integer> BY_LINUX_NAME = Map.ofEntries(
            Map.entry("EPERM", PERM), Map.entry("EACCES", ACCES), Map.entry("EAGAIN", AGAIN),
            Map.entry("EWOULDBLOCK", AGAIN), Map.entry("ENOENT", NOENT),
            Map.entry("EBADF", BADF), Map.entry("EINTR", INTR), Map.entry("EINVAL", INVAL),
            Map.entry("ENFILE", NFILE), Map.entry("EMFILE", MFILE), Map.entry("EPIPE", PIPE),
            Map.entry("ENOTSOCK", NOTSOCK), Map.entry("EDESTADDRREQ", DESTADDRREQ), Map.entry("EMSGSIZE", MSGSIZE),
            Map.entry("EPROTOTYPE", PROTOTYPE), Map.entry("EPROTONOSUPPORT", PROTONOSUPPORT),
            Map.entry("ENOPROTOOPT", NOPROTOOPT), Map.entry("EOPNOTSUPP", NOTSUP), Map.entry("ENOTSUP", NOTSUP),
            Map.entry("EAFNOSUPPORT", AFNOSUPPORT), Map.entry("EADDRINUSE", ADDRINUSE),
            Map.entry("EADDRNOTAVAIL", ADDRNOTAVAIL), Map.entry("ENETDOWN", NETDOWN),
            Map.entry("ENETUNREACH", NETUNREACH), Map.entry("ECONNABORTED", CONNABORTED),
            Map.entry("ECONNRESET", CONNRESET), Map.entry("ENOBUFS", NOBUFS), Map.entry("EISCONN", ISCONN),
            Map.entry("ENOTCONN", NOTCONN), Map.entry("ESHUTDOWN", PIPE), Map.entry("ETIMEDOUT", TIMEDOUT),
            Map.entry("ECONNREFUSED", CONNREFUSED), Map.entry("EHOSTUNREACH", HOSTUNREACH),
            Map.entry("EALREADY", ALREADY), Map.entry("EINPROGRESS", INPROGRESS), Map.entry("ENOMEM", NOMEM),
            Map.entry("EFAULT", FAULT), Map.entry("EEXIST", EXIST), Map.entry("EDOM", DOM),
            Map.entry("ENOSYS", NOSYS), Map.entry("ENODEV", NODEV));

    /**
     * The WASI errno for an exception thrown by io.mio: a failed system call carries its Linux errno
     * ({@link OsError}), which maps one to one; otherwise the exception type decides (a closed socket is BADF, a
     * bad argument INVAL).
     */
    public static int of(Throwable e) {
        if (e instanceof ErrnoException x) {
            return x.errno;
        }
        if (e instanceof OsError os) {
            Integer v = BY_LINUX_NAME.get(os.osErrorName());
            return v != null ? v : IO;
        }
        if (e instanceof ClosedChannelException) {
            return BADF;
        }
        if (e instanceof BindException) {
            return ADDRINUSE;
        }
        if (e instanceof ConnectException) {
            return CONNREFUSED;
        }
        if (e instanceof NoRouteToHostException) {
            return HOSTUNREACH;
        }
        if (e instanceof SocketTimeoutException) {
            return TIMEDOUT;
        }
        if (e instanceof InterruptedIOException) {
            return INTR;
        }
        if (e instanceof IOException) {
            return IO;
        }
        if (e instanceof IllegalArgumentException) {
            return INVAL;
        }
        return IO;
    }
}
