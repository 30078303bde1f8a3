package io.mio.wasm;

import io.mio.Interest;
import io.mio.event.Source;
import io.mio.net.TcpListener;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;

import java.util.HashMap;
import java.util.Map;

/**
 * One guest socket and the io.mio object behind it, which changes as the guest goes through the socket's life.
 *
 * <p>TCP: {@code sock_open} creates a {@link TcpSocket} (an OS socket the guest can set options on and bind);
 * {@code sock_listen} turns it into a {@link TcpListener}, {@code sock_connect} into a {@link TcpStream};
 * {@code sock_accept} creates sockets that are streams from the start.
 *
 * <p>UDP: io.mio's {@link UdpSocket} is created bound, so a datagram socket has no OS socket until
 * {@code sock_bind}, or until a {@code sock_send_to} or {@code sock_connect} binds it to an ephemeral port (as
 * Linux does implicitly). Options set before that are kept here and applied when it is created.
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

    /** TCP before listen or connect. */
    TcpSocket tcp;
    /** The TcpSocket was bound. */
    boolean bound;
    TcpListener listener;
    TcpStream stream;
    /** A connect was started and its completion not yet observed. */
    boolean connecting;

    /** UDP once bound (explicitly or implicitly). */
    UdpSocket udp;
    boolean udpConnected;
    /** sock_shutdown on a datagram socket, which io.mio's UdpSocket has no call for: emulated here. */
    boolean shutRead;
    boolean shutWrite;

    /**
     * Socket option values kept host-side, by WASI option name: the ones io.mio cannot apply at the socket's
     * current stage (before a UDP socket exists; SO_REUSEADDR after bind; any option on a listener), read back
     * by getsockopt.
     */
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
    /** The registration was last armed by epoll_oneoff (which keeps it) rather than by poll_oneoff. */
    boolean edgeArmed;

    GuestSocket(int fd, int family, int type) {
        this.fd = fd;
        this.family = family;
        this.type = type;
    }

    boolean isUdp() {
        return type == SOCK_DGRAM;
    }

    /** What the Poll can wait on; null while there is nothing (TCP before listen/connect, UDP unbound). */
    Source source() {
        return stream != null ? stream : listener != null ? listener : udp;
    }

    /** This socket under another number (fd_renumber); the registration must be redone by the caller. */
    GuestSocket renumbered(int newFd) {
        GuestSocket m = new GuestSocket(newFd, family, type);
        m.nonblocking = nonblocking;
        m.tcp = tcp;
        m.bound = bound;
        m.listener = listener;
        m.stream = stream;
        m.connecting = connecting;
        m.udp = udp;
        m.udpConnected = udpConnected;
        m.shutRead = shutRead;
        m.shutWrite = shutWrite;
        m.options.putAll(options);
        m.rcvTimeoutNanos = rcvTimeoutNanos;
        m.sndTimeoutNanos = sndTimeoutNanos;
        return m;
    }

    void close() {
        if (tcp != null) {
            tcp.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (udp != null) {
            udp.close();
        }
        registered = null;
    }

    @Override
    public String toString() {
        return "GuestSocket[fd=" + fd + (isUdp() ? ", udp" : ", tcp") + (listener != null ? ", listener" : "")
                + (stream != null ? ", stream" : "") + (udp != null ? ", bound" : "")
                + (nonblocking ? ", nonblocking" : "") + "]";
    }
}
