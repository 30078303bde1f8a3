package io.mio.internal.linux;

import java.io.IOException;

import static io.mio.internal.linux.LinuxConstants.*;

/** errno names and their mapping to the JDK's exception types, with the failing call in the message. */
public final class Errno {
    private Errno() {}

    // Loaded up front, with this class: at EMFILE the class loader cannot open a class file, and the
    // exception that reports EMFILE must not be the one class that fails to load.
    private static final Class<?>[] EXCEPTION_TYPES = {
        ErrnoExceptions.Io.class, ErrnoExceptions.Socket.class, ErrnoExceptions.Bind.class,
        ErrnoExceptions.Connect.class, ErrnoExceptions.NoRoute.class, ErrnoExceptions.Timeout.class,
        ErrnoExceptions.Interrupted.class, ErrnoExceptions.PortUnreachable.class, ErrnoExceptions.class,
        io.mio.internal.ClosedException.class,
    };

    /** Loads this class and the exception types it creates (see EXCEPTION_TYPES). */
    static void preload() {
        if (EXCEPTION_TYPES.length == 0) {
            throw new AssertionError();
        }
    }

    /** The symbolic name and description of an errno value, e.g. {@code "ECONNRESET (Connection reset by peer)"}. */
    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (Operation not permitted)";
            case ENOENT -> "ENOENT (No such file or directory)";
            case EINTR -> "EINTR (Interrupted system call)";
            case EBADF -> "EBADF (Bad file descriptor)";
            case EAGAIN -> "EAGAIN (Resource temporarily unavailable)";
            case ENOMEM -> "ENOMEM (Cannot allocate memory)";
            case EACCES -> "EACCES (Permission denied)";
            case EFAULT -> "EFAULT (Bad address)";
            case EEXIST -> "EEXIST (File exists)";
            case ENODEV -> "ENODEV (No such device)";
            case ENOTDIR -> "ENOTDIR (Not a directory)";
            case ENAMETOOLONG -> "ENAMETOOLONG (File name too long)";
            case EINVAL -> "EINVAL (Invalid argument)";
            case ENFILE -> "ENFILE (Too many open files in system)";
            case EMFILE -> "EMFILE (Too many open files)";
            case EPIPE -> "EPIPE (Broken pipe)";
            case ENOTSOCK -> "ENOTSOCK (Socket operation on non-socket)";
            case EDESTADDRREQ -> "EDESTADDRREQ (Destination address required)";
            case EMSGSIZE -> "EMSGSIZE (Message too long)";
            case ENOPROTOOPT -> "ENOPROTOOPT (Protocol not available)";
            case EOPNOTSUPP -> "EOPNOTSUPP (Operation not supported)";
            case EAFNOSUPPORT -> "EAFNOSUPPORT (Address family not supported by protocol)";
            case EADDRINUSE -> "EADDRINUSE (Address already in use)";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL (Cannot assign requested address)";
            case ENETDOWN -> "ENETDOWN (Network is down)";
            case ENETUNREACH -> "ENETUNREACH (Network is unreachable)";
            case ECONNABORTED -> "ECONNABORTED (Software caused connection abort)";
            case ECONNRESET -> "ECONNRESET (Connection reset by peer)";
            case ENOBUFS -> "ENOBUFS (No buffer space available)";
            case EISCONN -> "EISCONN (Transport endpoint is already connected)";
            case ENOTCONN -> "ENOTCONN (Transport endpoint is not connected)";
            case ESHUTDOWN -> "ESHUTDOWN (Cannot send after transport endpoint shutdown)";
            case ETIMEDOUT -> "ETIMEDOUT (Connection timed out)";
            case ECONNREFUSED -> "ECONNREFUSED (Connection refused)";
            case EHOSTUNREACH -> "EHOSTUNREACH (No route to host)";
            case EALREADY -> "EALREADY (Operation already in progress)";
            case EINPROGRESS -> "EINPROGRESS (Operation now in progress)";
            default -> "errno " + errno;
        };
    }

    /**
     * The exception for a failed call: {@code operation} names the call (for example {@code "connect"}),
     * the message carries the errno's name, and the type is the JDK's closest one.
     */
    public static IOException exception(String operation, int errno) {
        String message = operation + " failed: " + describe(errno);
        return switch (errno) {
            case EADDRINUSE, EADDRNOTAVAIL -> new ErrnoExceptions.Bind(message, errno);
            case ECONNREFUSED -> new ErrnoExceptions.Connect(message, errno);
            case EHOSTUNREACH, ENETUNREACH -> new ErrnoExceptions.NoRoute(message, errno);
            case ETIMEDOUT -> new ErrnoExceptions.Timeout(message, errno);
            case EINTR -> new ErrnoExceptions.Interrupted(message, errno);
            case ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED, ESHUTDOWN, EISCONN, EMSGSIZE, ENOPROTOOPT,
                 EOPNOTSUPP, EAFNOSUPPORT, ENOTSOCK, EDESTADDRREQ, ENETDOWN -> new ErrnoExceptions.Socket(message, errno);
            default -> new ErrnoExceptions.Io(message, errno);
        };
    }

    /** An ICMP port-unreachable surfaced on a datagram socket. */
    public static IOException portUnreachable(String operation) {
        return new ErrnoExceptions.PortUnreachable(operation + " failed: " + describe(ECONNREFUSED), ECONNREFUSED);
    }
}
