package io.mio.internal.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;

/**
 * A UDP socket of the selector backend. The JDK has no MSG_PEEK: a peek receives the datagram into an internal
 * buffer (up to 64 KiB, allocated on first peek) that the next receive returns.
 */
public final class NioDatagram extends NioHandle {
    /** The result of a send or receive that would block. */
    public static final int WOULD_BLOCK = -1;
    private static final int MAX_DATAGRAM = 65_536;

    private final DatagramChannel ch;
    private final Object recvLock = new Object();
    // Guarded by recvLock: a peeked datagram, not yet received.
    private ByteBuffer peeked;
    private InetSocketAddress peekedFrom;
    private volatile boolean hasPeeked; // volatile: read without the lock by holdsBytes
    /** The sender of the last datagram received (valid after a receive that did not would-block). */
    private InetSocketAddress lastSender;

    public NioDatagram(DatagramChannel ch, String kind) throws IOException {
        super(ch, kind);
        this.ch = ch;
    }

    public DatagramChannel channel() {
        return ch;
    }

    @Override
    int readOp() {
        return SelectionKey.OP_READ;
    }

    @Override
    int writeOp() {
        return SelectionKey.OP_WRITE;
    }

    /** The sender of the datagram the last successful receive or peek returned (same thread). */
    public InetSocketAddress lastSender() {
        return lastSender;
    }

    /**
     * Receives one datagram into {@code dst} (truncating it; {@code dst}'s position advances), connected or not,
     * like recv(2); with {@code peek} it stays queued and {@code dst}'s position does not move.
     *
     * @return its size stored, or {@link #WOULD_BLOCK}
     */
    public int receive(ByteBuffer dst, boolean peek) throws IOException {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        ensureOpen();
        int n = receiveLocked(dst, peek);
        if (peek && n != WOULD_BLOCK) {
            reportHeld(); // the Selector no longer sees the datagram the peek took: report it from here
        }
        return n;
    }

    @Override
    boolean holdsBytes() {
        return hasPeeked;
    }

    private int receiveLocked(ByteBuffer dst, boolean peek) throws IOException {
        synchronized (recvLock) {
            if (!hasPeeked) {
                ByteBuffer target = peek ? peekBuffer() : dst;
                int start = target.position();
                InetSocketAddress from;
                try {
                    from = (InetSocketAddress) ch.receive(target);
                } catch (IOException e) {
                    throw translate(e);
                }
                if (from == null) {
                    rearm(R);
                    return WOULD_BLOCK;
                }
                lastSender = from;
                if (!peek) {
                    return target.position() - start;
                }
                peekedFrom = from;
                hasPeeked = true;
                target.flip();
            }
            ByteBuffer p = peeked;
            int n = Math.min(p.remaining(), dst.remaining());
            lastSender = peekedFrom;
            if (peek) {
                dst.put(dst.position(), p, p.position(), n);
            } else {
                dst.put(dst.position(), p, p.position(), n);
                dst.position(dst.position() + n);
                hasPeeked = false;
                peekedFrom = null;
            }
            return n;
        }
    }

    private ByteBuffer peekBuffer() {
        if (peeked == null) {
            peeked = ByteBuffer.allocate(MAX_DATAGRAM);
        }
        peeked.clear();
        return peeked;
    }

    /** Sends {@code src} as one datagram to {@code target} (null: the connected peer). */
    public int send(ByteBuffer src, InetSocketAddress target) throws IOException {
        ensureOpen();
        int size = src.remaining();
        int n;
        try {
            if (target == null) {
                if (!ch.isConnected()) {
                    throw new SocketException("send on an unconnected socket (EDESTADDRREQ)");
                }
                n = ch.write(src);
            } else {
                n = ch.send(src, target);
            }
        } catch (NotYetConnectedException e) {
            throw new SocketException("send on an unconnected socket (EDESTADDRREQ)");
        } catch (IOException e) {
            IOException t = translate(e);
            if (t.getMessage() != null && t.getMessage().contains("EMSGSIZE")) {
                SocketException s = new SocketException((target == null ? "send" : "sendto") + " of a " + size
                        + "-byte datagram (too large for this socket): " + t.getMessage());
                s.initCause(e);
                throw s;
            }
            throw t;
        }
        if (n == 0 && size > 0) {
            rearm(W);
            return WOULD_BLOCK;
        }
        return n;
    }

    /** Joined groups: the JDK hands out one key per (group, interface) and no error for a repeated join or leave. */
    private final java.util.Map<java.util.List<Object>, java.nio.channels.MembershipKey> groups = new java.util.HashMap<>();

    public void join(java.net.InetAddress group, java.net.NetworkInterface ni, String option) throws IOException {
        ensureOpen();
        synchronized (groups) {
            java.util.List<Object> k = java.util.List.of(group, ni);
            java.nio.channels.MembershipKey m = groups.get(k);
            if (m != null && m.isValid()) {
                throw new SocketException("setsockopt(" + option + "): already a member of " + group.getHostAddress()
                        + " on " + ni.getName() + " (EADDRINUSE)");
            }
            try {
                groups.put(k, ch.join(group, ni));
            } catch (IOException e) {
                throw NioErrors.withErrno(translate(e), "setsockopt(" + option + ")");
            }
        }
    }

    public void leave(java.net.InetAddress group, java.net.NetworkInterface ni, String option) throws IOException {
        ensureOpen();
        synchronized (groups) {
            java.nio.channels.MembershipKey m = groups.remove(java.util.List.of(group, ni));
            if (m == null || !m.isValid()) {
                throw new SocketException("setsockopt(" + option + "): not a member of " + group.getHostAddress()
                        + " on " + ni.getName() + " (EADDRNOTAVAIL)");
            }
            m.drop();
        }
    }

    public void connect(InetSocketAddress address) throws IOException {
        ensureOpen();
        try {
            if (ch.isConnected()) {
                ch.disconnect();
            }
            ch.connect(address);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen();
        Options.set(ch, option, value, kind);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen();
        return Options.get(ch, option, kind);
    }
}
