package io.mio.internal.nio;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Gives the JDK's socket exceptions the errno name the epoll backend's messages carry (the JDK reports
 * strerror text only), keeping the exception type; plain {@link IOException}s of sockets become
 * {@link SocketException}s, as on the epoll backend.
 */
public final class NioErrors {
    private NioErrors() {}

    private static final String[][] NAMES = {
            {"address already in use", "EADDRINUSE"},
            {"cannot assign requested address", "EADDRNOTAVAIL"},
            {"broken pipe", "EPIPE"},
            {"connection reset", "ECONNRESET"},
            {"connection refused", "ECONNREFUSED"},
            {"network is unreachable", "ENETUNREACH"},
            {"no route to host", "EHOSTUNREACH"},
            {"permission denied", "EACCES"},
            {"no such file or directory", "ENOENT"},
            {"not a directory", "ENOTDIR"},
            {"message too long", "EMSGSIZE"},
            {"connection timed out", "ETIMEDOUT"},
            {"too many open files", "EMFILE"},
            {"invalid argument", "EINVAL"},
    };

    public static IOException withErrno(IOException e) {
        return withErrno(e, null);
    }

    public static IOException withErrno(IOException e, String operation) {
        if (e instanceof ClosedChannelException || e instanceof java.io.InterruptedIOException) {
            return e;
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String lower = msg.toLowerCase(Locale.ROOT);
        String errno = null;
        for (String[] n : NAMES) {
            if (lower.contains(n[0])) {
                errno = n[1];
                break;
            }
        }
        if (errno == null && operation == null && e instanceof SocketException) {
            return e;
        }
        String text = (operation != null ? operation + ": " : "") + msg + (errno != null && !msg.contains(errno) ? " (" + errno + ")" : "");
        IOException t;
        if (e instanceof BindException) {
            t = new BindException(text);
        } else if (e instanceof ConnectException) {
            t = new ConnectException(text);
        } else if (e instanceof PortUnreachableException) {
            t = new PortUnreachableException(text);
        } else if (e instanceof NoRouteToHostException) {
            t = new NoRouteToHostException(text);
        } else if (e instanceof SocketException || e.getClass() == IOException.class) {
            t = "ECONNREFUSED".equals(errno) ? new ConnectException(text) : new SocketException(text);
        } else {
            return e;
        }
        t.initCause(e);
        return t;
    }
}
