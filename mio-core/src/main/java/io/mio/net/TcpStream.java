package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SockAddr;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.nio.NioStream;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.net.StandardSocketOptions;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking TCP connection: mio's {@code net::TcpStream}.
 *
 * <h2>Reading and writing</h2>
 * The byte-moving methods follow java.nio's convention: they return the number of bytes moved, {@code 0}
 * when the operation would block (or there was nothing to move), and reads return {@code -1} at end of
 * stream. Would-block neither throws nor allocates. Registrations are edge-triggered: after an event, read
 * (or write) until the call returns 0 or less bytes than asked, then wait for the next event. A read that
 * returns less than the room it was given has emptied the socket's receive queue, so on this backend the
 * next byte to arrive raises a new readable event: stopping there saves the would-block call (tokio relies
 * on the same rule). Except after an event that said {@link io.mio.Event#isReadClosed() read-closed}: the
 * peer's end of stream is then already queued behind the data, no new event will announce it, and the short
 * read does not consume it, so read on until {@code -1} (tokio keeps the read-closed state for this reason).
 *
 * <p>Direct buffers, and heap buffers and {@code byte[]} ranges that start at index 0 of their array, reach the
 * kernel without a copy (critical downcalls with {@code MSG_DONTWAIT}); a heap range at another offset goes
 * through a per-thread 64 KiB bounce buffer (one copy). None of them allocates. A stream remembers the last two
 * arrays it used (so it keeps them reachable until replaced or closed). Writes use {@code MSG_NOSIGNAL}: a write to a closed peer throws
 * {@link java.net.SocketException} (EPIPE), never raises SIGPIPE.
 *
 * <h2>Connecting</h2>
 * {@link #connect} returns at once. Register for {@link Interest#WRITABLE}; when the event comes, check
 * {@link #takeError()} (non-null: the connect failed) or {@link #peerAddr()} (throws while not connected).
 *
 * <h2>Threads and closing</h2>
 * Thread-safe. {@link #close()} may race with reads, writes and registry calls on other threads: calls in
 * flight finish on the descriptor they started with, later calls throw
 * {@link java.nio.channels.ClosedChannelException}, no event is reported for the stream after close returns,
 * and the descriptor number never reaches a syscall again.
 */
public final class TcpStream implements Source, AutoCloseable {
    private final FileDesc fd;
    /** The selector backend's stream; null on the epoll backend (then {@link #fd} is set). */
    private final NioStream nio;
    private volatile InetSocketAddress peer;

    private TcpStream(FileDesc fd, InetSocketAddress peer) {
        this.fd = fd;
        this.nio = null;
        this.peer = peer;
    }

    private TcpStream(NioStream nio, InetSocketAddress peer) {
        this.fd = null;
        this.nio = nio;
        this.peer = peer;
    }

    static TcpStream of(NioStream nio, InetSocketAddress peer) {
        return new TcpStream(nio, peer);
    }

    static TcpStream accepted(FileDesc fd, InetSocketAddress peer) {
        return new TcpStream(fd, peer);
    }

    /**
     * Opens a socket and starts a non-blocking connect to {@code address}. See the class comment for how to
     * learn that it completed.
     *
     * @throws java.net.ConnectException if the kernel refuses at once (most failures show up later instead)
     * @throws java.nio.channels.UnresolvedAddressException if {@code address} is unresolved
     * @throws IOException if the socket cannot be created
     */
    public static TcpStream connect(InetSocketAddress address) throws IOException {
        if (Backends.selector()) {
            return new TcpStream(NioNet.connect(address), null);
        }
        FileDesc fd = SocketOps.open(SockAddr.family(address), SOCK_STREAM, "TcpStream");
        try {
            SocketOps.connect(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new TcpStream(fd, null);
    }

    /**
     * Takes ownership of {@code fd}, a connected (or connecting) TCP socket; makes it non-blocking and
     * close-on-exec. On failure the caller still owns {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is not a stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static TcpStream fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw Unsupported.rawFd("TcpStream.fromRawFd");
        }
        return new TcpStream(SocketOps.adopt(fd, SOCK_STREAM, "TcpStream"), null);
    }

    // ---- reading ----------------------------------------------------------------------------------

    /**
     * Reads into {@code dst}'s remaining space.
     *
     * @return bytes read, 0 if it would block (or {@code dst} is full), -1 at end of stream
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws java.net.SocketException if the connection failed (for example ECONNRESET)
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    public int read(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return nio.read(dst);
        }
        return SocketOps.recv(fd, dst, 0);
    }

    /**
     * Reads into {@code dst[offset, offset + length)}.
     *
     * @return bytes read, 0 if it would block (or {@code length} is 0), -1 at end of stream
     * @throws IndexOutOfBoundsException if the range is outside {@code dst}
     */
    public int read(byte[] dst, int offset, int length) throws IOException {
        if (nio != null) {
            java.util.Objects.checkFromIndexSize(offset, length, dst.length);
            return nio.read(ByteBuffer.wrap(dst, offset, length));
        }
        return SocketOps.recv(fd, dst, offset, length, 0);
    }

    /** Reads into all of {@code dst}; see {@link #read(byte[], int, int)}. */
    public int read(byte[] dst) throws IOException {
        if (nio != null) {
            return nio.read(ByteBuffer.wrap(dst));
        }
        return SocketOps.recv(fd, dst, 0, dst.length, 0);
    }

    /**
     * Scatter read into {@code dsts[offset, offset + length)}, filling each before the next. One readv when
     * every buffer is direct (up to 64 buffers per call); otherwise one read per buffer.
     *
     * @return bytes read, 0 if it would block, -1 at end of stream
     */
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (nio != null) {
            return nio.read(dsts, offset, length);
        }
        return SocketOps.readv(fd, dsts, offset, length);
    }

    /** Scatter read into all of {@code dsts}. */
    public long read(ByteBuffer[] dsts) throws IOException {
        if (nio != null) {
            return nio.read(dsts, 0, dsts.length);
        }
        return SocketOps.readv(fd, dsts, 0, dsts.length);
    }

    /**
     * Copies received bytes into {@code dst} without consuming them ({@code MSG_PEEK}); {@code dst}'s position
     * does not move.
     *
     * @return bytes peeked, 0 if none are available, -1 at end of stream
     */
    public int peek(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return nio.peek(dst);
        }
        return SocketOps.recv(fd, dst, MSG_PEEK);
    }

    /** Like {@link #peek(ByteBuffer)} into a byte range. */
    public int peek(byte[] dst, int offset, int length) throws IOException {
        if (nio != null) {
            java.util.Objects.checkFromIndexSize(offset, length, dst.length);
            return nio.peek(ByteBuffer.wrap(dst, offset, length));
        }
        return SocketOps.recv(fd, dst, offset, length, MSG_PEEK);
    }

    // ---- writing ----------------------------------------------------------------------------------

    /**
     * Writes {@code src}'s remaining bytes, as many as fit.
     *
     * @return bytes written, 0 if it would block (or nothing remained)
     * @throws java.net.SocketException if the connection failed (EPIPE, ECONNRESET)
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    public int write(ByteBuffer src) throws IOException {
        if (nio != null) {
            return nio.write(src);
        }
        return SocketOps.send(fd, src, 0);
    }

    /**
     * Writes {@code src[offset, offset + length)}, as much as fits.
     *
     * @return bytes written, 0 if it would block (or {@code length} is 0)
     * @throws IndexOutOfBoundsException if the range is outside {@code src}
     */
    public int write(byte[] src, int offset, int length) throws IOException {
        if (nio != null) {
            java.util.Objects.checkFromIndexSize(offset, length, src.length);
            return nio.write(ByteBuffer.wrap(src, offset, length));
        }
        return SocketOps.send(fd, src, offset, length, 0);
    }

    /** Writes all of {@code src} that fits; see {@link #write(byte[], int, int)}. */
    public int write(byte[] src) throws IOException {
        if (nio != null) {
            return nio.write(ByteBuffer.wrap(src));
        }
        return SocketOps.send(fd, src, 0, src.length, 0);
    }

    /**
     * Gather write of {@code srcs[offset, offset + length)}. One sendmsg when every buffer is direct (up to
     * 64 buffers per call); otherwise one write per buffer.
     *
     * @return bytes written, 0 if it would block
     */
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (nio != null) {
            return nio.write(srcs, offset, length);
        }
        return SocketOps.writev(fd, srcs, offset, length);
    }

    /** Gather write of all of {@code srcs}. */
    public long write(ByteBuffer[] srcs) throws IOException {
        if (nio != null) {
            return nio.write(srcs, 0, srcs.length);
        }
        return SocketOps.writev(fd, srcs, 0, srcs.length);
    }

    /**
     * Sends one byte of urgent data ({@code MSG_OOB}); the peer sees a priority event.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int sendUrgent(byte b) throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.feature("TcpStream.sendUrgent (MSG_OOB)", "java.nio has no out-of-band data");
        }
        return SocketOps.send(fd, new byte[] {b}, 0, 1, MSG_OOB);
    }

    // ---- state and options ---------------------------------------------------------------------

    /**
     * Shuts down the read half, the write half, or both.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        if (nio != null) {
            switch (how) {
                case READ -> nio.shutdownInput();
                case WRITE -> nio.shutdownOutput();
                case BOTH -> {
                    nio.shutdownInput();
                    nio.shutdownOutput();
                }
            }
            return;
        }
        SocketOps.shutdown(fd, switch (how) {
            case READ -> SHUT_RD;
            case WRITE -> SHUT_WR;
            case BOTH -> SHUT_RDWR;
        });
    }

    /**
     * The peer's address.
     *
     * @throws java.net.SocketException while not connected (ENOTCONN): a connect in progress, or failed
     */
    public InetSocketAddress peerAddr() throws IOException {
        if (nio != null) {
            if (peer == null) {
                peer = (InetSocketAddress) nio.remoteAddress();
            } else {
                nio.ensureOpen();
            }
            return peer;
        }
        InetSocketAddress p = peer;
        if (p == null) {
            p = SocketOps.peerAddress(fd);
            peer = p;
        } else {
            fd.acquire(); // still report a closed stream as closed
            fd.release();
        }
        return p;
    }

    /** The local address. */
    public InetSocketAddress localAddr() throws IOException {
        if (nio != null) {
            return (InetSocketAddress) nio.localAddress();
        }
        return SocketOps.localAddress(fd);
    }

    /** Sets TCP_NODELAY: true sends small writes at once instead of coalescing them (Nagle). */
    public void setNodelay(boolean nodelay) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.TCP_NODELAY, nodelay);
            return;
        }
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_NODELAY, nodelay ? 1 : 0, "TCP_NODELAY");
    }

    /** Whether TCP_NODELAY is set. */
    public boolean nodelay() throws IOException {
        if (nio != null) {
            return nio.getOption(StandardSocketOptions.TCP_NODELAY);
        }
        return SocketOps.getInt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY") != 0;
    }

    /**
     * Sets the IP time-to-live: IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6.
     *
     * @throws IllegalArgumentException unless {@code 1 <= ttl <= 255}
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public void setTtl(int ttl) throws IOException {
        if (nio != null) {
            if (ttl < 1 || ttl > 255) {
                throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
            }
            nio.ensureOpen();
            throw Unsupported.option("IP_TTL", "TcpStream");
        }
        setTtl(fd, ttl);
    }

    /**
     * The IP time-to-live.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int ttl() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.option("IP_TTL", "TcpStream");
        }
        return ttl(fd);
    }

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

    private static boolean isV6(FileDesc fd) throws IOException {
        return SocketOps.getInt(fd, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN") == AF_INET6;
    }

    /**
     * Sets SO_LINGER: null (the default) closes in the background; {@link java.time.Duration#ZERO} resets the
     * connection on close (RST, no TIME_WAIT); a positive time makes close wait for unsent data, blocking the
     * closing thread even though the socket is non-blocking.
     *
     * @throws IllegalArgumentException if {@code linger} is negative or not whole seconds
     */
    public void setLinger(java.time.Duration linger) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.SO_LINGER, NioOpts.lingerSeconds(linger));
            return;
        }
        SockOpts.setLinger(fd, linger);
    }

    /** The SO_LINGER time, or null when lingering is off. */
    public java.time.Duration linger() throws IOException {
        if (nio != null) {
            int secs = nio.getOption(StandardSocketOptions.SO_LINGER);
            return secs < 0 ? null : java.time.Duration.ofSeconds(secs);
        }
        return SockOpts.linger(fd);
    }

    /** Sets SO_KEEPALIVE: probe the peer when the connection is idle. */
    public void setKeepalive(boolean on) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
            return;
        }
        SockOpts.setBool(fd, SOL_SOCKET, SO_KEEPALIVE, on, "SO_KEEPALIVE");
    }

    /** Whether SO_KEEPALIVE is set. */
    public boolean keepalive() throws IOException {
        if (nio != null) {
            return nio.getOption(StandardSocketOptions.SO_KEEPALIVE);
        }
        return SockOpts.getBool(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    }

    /** Sets TCP_KEEPIDLE, the idle time before the first keepalive probe (whole seconds, 1..32767). */
    public void setKeepaliveIdle(java.time.Duration idle) throws IOException {
        if (nio != null) {
            nio.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, SockOpts.seconds(idle, 32767, "TCP_KEEPIDLE"));
            return;
        }
        SockOpts.setKeepaliveIdle(fd, idle);
    }

    /** TCP_KEEPIDLE. */
    public java.time.Duration keepaliveIdle() throws IOException {
        if (nio != null) {
            return java.time.Duration.ofSeconds(nio.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
        return java.time.Duration.ofSeconds(SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"));
    }

    /** Sets TCP_KEEPINTVL, the time between keepalive probes (whole seconds, 1..32767). */
    public void setKeepaliveInterval(java.time.Duration interval) throws IOException {
        if (nio != null) {
            nio.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, SockOpts.seconds(interval, 32767, "TCP_KEEPINTVL"));
            return;
        }
        SockOpts.setKeepaliveInterval(fd, interval);
    }

    /** TCP_KEEPINTVL. */
    public java.time.Duration keepaliveInterval() throws IOException {
        if (nio != null) {
            return java.time.Duration.ofSeconds(nio.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
        }
        return java.time.Duration.ofSeconds(SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"));
    }

    /** Sets TCP_KEEPCNT, the unanswered probes before the connection is dropped (1..127). */
    public void setKeepaliveRetries(int count) throws IOException {
        if (nio != null) {
            NioOpts.checkRetries(count);
            nio.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
            return;
        }
        SockOpts.setKeepaliveRetries(fd, count);
    }

    /** TCP_KEEPCNT. */
    public int keepaliveRetries() throws IOException {
        if (nio != null) {
            return nio.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT);
        }
        return SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT");
    }

    /**
     * Sets TCP_QUICKACK: true acknowledges at once instead of delaying ACKs. Linux clears it again by itself
     * as the connection runs, so set it when it matters (for example after each read).
     */
    public void setQuickack(boolean on) throws IOException {
        if (nio != null) {
            nio.setOption(ExtendedSocketOptions.TCP_QUICKACK, on);
            return;
        }
        SockOpts.setBool(fd, IPPROTO_TCP, TCP_QUICKACK, on, "TCP_QUICKACK");
    }

    /** Whether the connection is in quick-ack mode now (TCP_QUICKACK). */
    public boolean quickack() throws IOException {
        if (nio != null) {
            return nio.getOption(ExtendedSocketOptions.TCP_QUICKACK);
        }
        return SockOpts.getBool(fd, IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK");
    }

    /** Sets SO_RCVBUF; Linux doubles the value and {@link #recvBufferSize()} reports the doubled size. */
    public void setRecvBufferSize(int bytes) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
            return;
        }
        SockOpts.setBufferSize(fd, SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** SO_RCVBUF. */
    public int recvBufferSize() throws IOException {
        if (nio != null) {
            return nio.getOption(StandardSocketOptions.SO_RCVBUF);
        }
        return SocketOps.getInt(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    }

    /** Sets SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}. */
    public void setSendBufferSize(int bytes) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
            return;
        }
        SockOpts.setBufferSize(fd, SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    /** SO_SNDBUF. */
    public int sendBufferSize() throws IOException {
        if (nio != null) {
            return nio.getOption(StandardSocketOptions.SO_SNDBUF);
        }
        return SocketOps.getInt(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    }

    /** Sets IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255. */
    public void setTos(int tos) throws IOException {
        if (nio != null) {
            nio.setOption(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
            return;
        }
        SockOpts.setTos(fd, tos);
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        if (nio != null) {
            return nio.getOption(StandardSocketOptions.IP_TOS);
        }
        return SockOpts.tos(fd);
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        if (nio != null) {
            return nio.takeError();
        }
        return SocketOps.takeError(fd);
    }

    /**
     * The descriptor number, for interop. It stays owned by this stream: do not close it, and do not use it
     * after {@link #close()}.
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        if (nio != null) {
            nio.ensureOpen();
            throw Unsupported.rawFd("TcpStream.rawFd");
        }
        fd.acquire();
        try {
            return fd.fd();
        } finally {
            fd.release();
        }
    }

    /** False once {@link #close()} has been called. */
    public boolean isOpen() {
        return nio != null ? nio.isOpen() : fd.isOpen();
    }

    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.register(registry, this, fd, nio, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.reregister(registry, this, fd, nio, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        Bridge.deregister(registry, this, fd, nio);
    }

    /** Deregisters (if registered) and closes. Idempotent; thread-safe; see the class comment. */
    @Override
    public void close() {
        if (nio != null) {
            nio.close();
            return;
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "TcpStream[" + (nio != null ? nio : fd) + "]";
    }
}
