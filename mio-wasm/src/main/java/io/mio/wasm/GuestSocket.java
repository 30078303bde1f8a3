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

    /** The guest's number for it, also its Poll token; only fd_renumber changes it. */
    int fd;
    /** The Poll token for {@link #fd}, kept so that re-arming allocates nothing (see Readiness.token). */
    io.mio.Token token;
    final int family;
    final int type;
    boolean nonblocking;
    /** fd_fdstat_set_flags' APPEND, which a socket keeps and ignores (as Linux's O_APPEND on a socket). */
    boolean append;

    /** TCP before listen or connect. */
    TcpSocket tcp;
    /** The TcpSocket was bound. */
    boolean bound;
    TcpListener listener;
    TcpStream stream;
    /** A connect was started and its completion not yet observed. */
    boolean connecting;
    /**
     * That connect failed and the guest has seen its error (SO_ERROR, a recv or a send): a connect now answers
     * CONNABORTED, as Linux does, and the next one starts afresh.
     */
    boolean connectFailed;

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

    // ---- Readiness, kept across host calls (see SocketHost's class comment)

    /** Nothing observed since the registration (the registration itself reports a level that is up). */
    static final byte UNKNOWN = 0;
    /** An event said ready, and no host call has seen the operation would block since. */
    static final byte READY = 1;
    /**
     * A host call saw the operation would block (or a short stream read or write, which empties the queue or
     * fills the buffer): not ready until a new event says so. Any later change raises a new edge.
     */
    static final byte EMPTY = 2;
    /**
     * A read took what it asked for without showing the queue empty (a full stream read, a datagram, an accepted
     * connection): more may be there or not. A level-triggered poll re-arms the registration to learn which.
     */
    static final byte MAYBE = 3;

    /** The source is registered in the host's Poll, once for its life, under the token of {@link #fd}. */
    boolean registered;
    byte readState;
    byte writeState;
    /** Sticky: the read side is closed (EOF or read-closed seen); a read never blocks again. */
    boolean readClosed;
    /** Sticky: the write side is closed (write-closed seen); a write never blocks again. */
    boolean writeClosed;
    /**
     * An edge (readiness an event reported) not yet reported by epoll_oneoff, which is edge-triggered: each is
     * reported once. Cleared when reported, and when a host call sees the operation would block.
     */
    boolean pendingRead;
    boolean pendingWrite;
    /** What epoll_oneoff subscribed on its last call that named this socket (bits 1 read, 2 write); 0 none. */
    int edgeInterest;
    /** The subscriptions of the current epoll_oneoff call (valid while {@link #edgeStamp} is that call's). */
    int edgeCallInterest;
    int edgeStamp;
    /** The poll_oneoff call that last subscribed FD_READ / FD_WRITE on this socket (a repeat is EXIST). */
    int readStamp;
    int writeStamp;
    /** The poll epoch in which a call last answered AGAIN from {@link #EMPTY} without asking the OS. */
    long readShortcutEpoch = -1;
    long writeShortcutEpoch = -1;

    /** Forgets all readiness, for a new registration. */
    void resetReadiness() {
        readState = UNKNOWN;
        writeState = UNKNOWN;
        readClosed = false;
        writeClosed = false;
        pendingRead = false;
        pendingWrite = false;
        edgeInterest = 0;
    }

    /** Level-triggered readable: an event said so and no call saw it would block since, or the read side closed. */
    boolean readable() {
        return readState == READY || readClosed;
    }

    boolean writable() {
        return writeState == READY || writeClosed;
    }

    /**
     * A host call saw a read (or accept) would block ({@code wouldBlock}), or a stream read came back short: the
     * receive queue was empty then, so any data after it raises a new edge. A short read leaves {@link #readClosed}
     * alone: a FIN queued behind the data raises no further edge.
     */
    void readDrained(boolean wouldBlock) {
        readState = EMPTY;
        pendingRead = false;
        if (wouldBlock) {
            readClosed = false;
        }
    }

    /** A host call saw a write would block ({@code wouldBlock}), or a stream write came back short. */
    void writeDrained(boolean wouldBlock) {
        writeState = EMPTY;
        pendingWrite = false;
        if (wouldBlock) {
            writeClosed = false;
        }
    }

    /** A read (or accept) succeeded without showing whether more is queued. */
    void readConsumed() {
        readState = MAYBE;
    }

    /**
     * Whether a non-blocking read may answer AGAIN without asking the OS: it is known empty, and no call did so
     * yet in this poll epoch (a guest that calls again without polling gets a real read, so it makes progress).
     */
    boolean readShortcut(long epoch) {
        if (!registered || readState != EMPTY || readClosed || readShortcutEpoch == epoch) {
            return false;
        }
        readShortcutEpoch = epoch;
        return true;
    }

    boolean writeShortcut(long epoch) {
        if (!registered || writeState != EMPTY || writeClosed || writeShortcutEpoch == epoch) {
            return false;
        }
        writeShortcutEpoch = epoch;
        return true;
    }

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

    /** What its registration asks for: a listener only accepts; streams and datagram sockets read and write. */
    Interest interest() {
        return listener != null ? Interest.READABLE : READ_WRITE;
    }

    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

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
        registered = false;
    }

    @Override
    public String toString() {
        return "GuestSocket[fd=" + fd + (isUdp() ? ", udp" : ", tcp") + (listener != null ? ", listener" : "")
                + (stream != null ? ", stream" : "") + (udp != null ? ", bound" : "")
                + (nonblocking ? ", nonblocking" : "") + "]";
    }
}
