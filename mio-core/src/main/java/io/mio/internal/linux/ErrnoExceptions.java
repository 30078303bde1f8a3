package io.mio.internal.linux;

import io.mio.OsError;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** The JDK's exception types, each carrying the errno behind it (see {@link OsError}). */
final class ErrnoExceptions {
    private ErrnoExceptions() {}

    static String name(int errno) {
        String d = Errno.describe(errno);
        int space = d.indexOf(' ');
        return d.startsWith("errno ") || space < 0 ? d : d.substring(0, space);
    }

    static final class Io extends IOException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Io(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class Socket extends SocketException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Socket(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class Bind extends BindException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Bind(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class Connect extends ConnectException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Connect(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class NoRoute extends NoRouteToHostException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        NoRoute(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class Timeout extends SocketTimeoutException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Timeout(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class Interrupted extends InterruptedIOException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        Interrupted(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }

    static final class PortUnreachable extends PortUnreachableException implements OsError {
        @Serial private static final long serialVersionUID = 1L;
        private final int errno;
        PortUnreachable(String m, int errno) { super(m); this.errno = errno; }
        @Override public int rawOsError() { return errno; }
        @Override public String osErrorName() { return name(errno); }
    }
}
