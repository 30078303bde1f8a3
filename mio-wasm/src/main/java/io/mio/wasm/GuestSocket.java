package io.mio.wasm;

import io.mio.Interest;
import io.mio.event.Source;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.util.HashMap;
import java.util.Map;

/**
 * One guest socket. io.mio's public API creates sockets already bound or connecting, so a guest socket has no
 * OS socket until {@code sock_bind} (which binds and listens at once: {@link TcpListener#bind}) or
 * {@code sock_connect} ({@link TcpStream#connect}).
 */
final class GuestSocket {
    static final int AF_INET4 = 1;
    static final int AF_INET6 = 2;
    static final int SOCK_DGRAM = 1;
    static final int SOCK_STREAM = 2;

    final int fd;
    final int family;
    final int type;
    boolean nonblocking;

    TcpListener listener;
    boolean listening;
    TcpStream stream;
    /** A connect was started and its completion not yet observed. */
    boolean connecting;

    /** Socket options kept host-side (io.mio's public API has no setter for them), by WASI option name. */
    final Map<Integer, byte[]> options = new HashMap<>();
    long rcvTimeoutNanos;
    long sndTimeoutNanos;

    /** The interest it is registered with in the host's Poll, or null if not registered. */
    Interest registered;
    /**
     * Readiness an epoll event reported while nobody waited for it (a blocking call waiting on another socket, or a
     * poll that did not subscribe it): epoll_oneoff, being edge-triggered, reports it on its next call.
     */
    boolean pendingRead;
    boolean pendingWrite;

    GuestSocket(int fd, int family, int type) {
        this.fd = fd;
        this.family = family;
        this.type = type;
    }

    Source source() {
        return stream != null ? stream : listener;
    }

    void close() {
        if (stream != null) {
            stream.close();
        }
        if (listener != null) {
            listener.close();
        }
        registered = null;
    }

    @Override
    public String toString() {
        return "GuestSocket[fd=" + fd + (listener != null ? ", listener" : "") + (stream != null ? ", stream" : "")
                + (nonblocking ? ", nonblocking" : "") + "]";
    }
}
