package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;

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
 *
 * <h2>Errors</h2>
 * What every method may throw, besides what its own comment says: {@link java.nio.channels.ClosedChannelException}
 * once the stream is closed; a {@link java.net.SocketException} (or another of the JDK's {@link IOException}s)
 * when a system call fails, its message naming the call and the errno (ECONNRESET, EPIPE, ETIMEDOUT, ...), which
 * {@link io.mio.OsError} gives as a value on the EPOLL backend: the connection is then broken, close it; {@link NullPointerException} for a null argument;
 * {@link UnsupportedOperationException}, naming the limit, for what the {@link io.mio.Backend#SELECTOR} backend
 * cannot do. Would-block is never an exception.
 *
 * <h2>As a java.nio channel</h2>
 * It is a {@link java.nio.channels.ByteChannel ByteChannel}, {@link java.nio.channels.ScatteringByteChannel ScatteringByteChannel} and {@link java.nio.channels.GatheringByteChannel GatheringByteChannel}, so code written for channels (codecs, TLS wrappers,
 * {@link java.nio.channels.Channels#newOutputStream}) takes it as it is. The return values are the channel contract's
 * for a channel in non-blocking mode: the bytes moved, {@code 0} when nothing could be moved without blocking (or the
 * buffers had no room / nothing remaining), {@code -1} at end of stream. What differs from a JDK channel: the calls
 * are never interruptible (no {@link java.nio.channels.ClosedByInterruptException}; an interrupt is left set and
 * ignored); concurrent reads (or writes) on two threads are not queued behind each other but each moves its own
 * bytes (do not do it on a stream: the order of the bytes is then up to the scheduler); and being no
 * {@link java.nio.channels.SelectableChannel}, a stream is registered with a {@link io.mio.Poll}, not a
 * {@link java.nio.channels.Selector}. {@link java.nio.channels.Channels#newInputStream} works while bytes or end of
 * stream are already queued: an {@code InputStream} stops at a read that returns 0. {@code close()} is idempotent, and
 * after it every call throws {@link java.nio.channels.ClosedChannelException}.
 */
public final class TcpStream implements Source, ByteChannel, ScatteringByteChannel, GatheringByteChannel {
    /** This backend's connection: every method below delegates to it. */
    private final TcpStreamSpi impl;

    TcpStream(TcpStreamSpi impl) {
        this.impl = impl;
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
        return new TcpStream(Backends.provider().connectTcp(address));
    }

    /**
     * Takes ownership of {@code fd}, a connected (or connecting) TCP socket; makes it non-blocking and
     * close-on-exec. On failure the caller still owns {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is not a stream socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static TcpStream fromRawFd(int fd) throws IOException {
        return new TcpStream(Backends.provider().adoptTcpStream(fd));
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
        return impl.read(dst);
    }

    /**
     * Reads into {@code dst[offset, offset + length)}.
     *
     * @return bytes read, 0 if it would block (or {@code length} is 0), -1 at end of stream
     * @throws IndexOutOfBoundsException if the range is outside {@code dst}
     */
    public int read(byte[] dst, int offset, int length) throws IOException {
        return impl.read(dst, offset, length);
    }

    /** Reads into all of {@code dst}; see {@link #read(byte[], int, int)}. */
    public int read(byte[] dst) throws IOException {
        return impl.read(dst, 0, dst.length);
    }

    /**
     * Scatter read into {@code dsts[offset, offset + length)}, filling each before the next; the positions of
     * the buffers that received bytes move. One readv when every buffer is direct (up to 64 buffers per call);
     * otherwise one read per buffer, stopping at the first that is not filled.
     *
     * @return bytes read, 0 if it would block (or no buffer has room), -1 at end of stream
     * @throws IndexOutOfBoundsException if the range is outside {@code dsts}
     * @throws java.nio.ReadOnlyBufferException if one of the buffers is read-only
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return impl.read(dsts, offset, length);
    }

    /** Scatter read into all of {@code dsts}. */
    public long read(ByteBuffer[] dsts) throws IOException {
        return impl.read(dsts, 0, dsts.length);
    }

    /**
     * Copies received bytes into {@code dst} without consuming them ({@code MSG_PEEK}); {@code dst}'s position
     * does not move.
     *
     * @return bytes peeked, 0 if none are available, -1 at end of stream
     */
    public int peek(ByteBuffer dst) throws IOException {
        return impl.peek(dst);
    }

    /** Like {@link #peek(ByteBuffer)} into a byte range. */
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return impl.peek(dst, offset, length);
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
        return impl.write(src);
    }

    /**
     * Writes {@code src[offset, offset + length)}, as much as fits.
     *
     * @return bytes written, 0 if it would block (or {@code length} is 0)
     * @throws IndexOutOfBoundsException if the range is outside {@code src}
     */
    public int write(byte[] src, int offset, int length) throws IOException {
        return impl.write(src, offset, length);
    }

    /** Writes all of {@code src} that fits; see {@link #write(byte[], int, int)}. */
    public int write(byte[] src) throws IOException {
        return impl.write(src, 0, src.length);
    }

    /**
     * Gather write of {@code srcs[offset, offset + length)}, in order; the positions of the buffers written from
     * move. One sendmsg when every buffer is direct (up to 64 buffers per call); otherwise one write per buffer,
     * stopping at the first that is not written whole.
     *
     * @return bytes written, 0 if it would block (or nothing remained)
     * @throws IndexOutOfBoundsException if the range is outside {@code srcs}
     * @throws java.net.SocketException if the connection failed (EPIPE, ECONNRESET)
     * @throws java.nio.channels.ClosedChannelException if this stream is closed
     */
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return impl.write(srcs, offset, length);
    }

    /** Gather write of all of {@code srcs}. */
    public long write(ByteBuffer[] srcs) throws IOException {
        return impl.write(srcs, 0, srcs.length);
    }

    /**
     * Sends one byte of urgent data ({@code MSG_OOB}); the peer sees a priority event.
     *
     * @return 1 if the byte was sent, 0 if it would block
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int sendUrgent(byte b) throws IOException {
        return impl.sendUrgent(b);
    }

    // ---- state and options ---------------------------------------------------------------------

    /**
     * Shuts down the read half, the write half, or both.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        impl.shutdown(how);
    }

    /**
     * The peer's address.
     *
     * @throws java.net.SocketException while not connected (ENOTCONN): a connect in progress, or failed
     */
    public InetSocketAddress peerAddr() throws IOException {
        return impl.peerAddr();
    }

    /** The local address. */
    public InetSocketAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /** Sets TCP_NODELAY: true sends small writes at once instead of coalescing them (Nagle). */
    public void setNodelay(boolean nodelay) throws IOException {
        impl.setNodelay(nodelay);
    }

    /** Whether TCP_NODELAY is set. */
    public boolean nodelay() throws IOException {
        return impl.nodelay();
    }

    /**
     * Sets the IP time-to-live: IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6.
     *
     * @throws IllegalArgumentException unless {@code 1 <= ttl <= 255}
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public void setTtl(int ttl) throws IOException {
        impl.setTtl(ttl);
    }

    /**
     * The IP time-to-live.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int ttl() throws IOException {
        return impl.ttl();
    }

    /**
     * Sets SO_LINGER: null (the default) closes in the background; {@link java.time.Duration#ZERO} resets the
     * connection on close (RST, no TIME_WAIT); a positive time makes close wait for unsent data, blocking the
     * closing thread even though the socket is non-blocking.
     *
     * @throws IllegalArgumentException if {@code linger} is negative or not whole seconds
     */
    public void setLinger(java.time.Duration linger) throws IOException {
        impl.setLinger(linger);
    }

    /** The SO_LINGER time, or null when lingering is off. */
    public java.time.Duration linger() throws IOException {
        return impl.linger();
    }

    /** Sets SO_KEEPALIVE: probe the peer when the connection is idle. */
    public void setKeepalive(boolean on) throws IOException {
        impl.setKeepalive(on);
    }

    /** Whether SO_KEEPALIVE is set. */
    public boolean keepalive() throws IOException {
        return impl.keepalive();
    }

    /**
     * Sets TCP_KEEPIDLE, the idle time before the first keepalive probe (whole seconds, 1..32767).
     *
     * @throws IllegalArgumentException if {@code idle} is not whole seconds in 1..32767
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend where
     *         {@code jdk.net.ExtendedSocketOptions} lacks the option on this OS
     */
    public void setKeepaliveIdle(java.time.Duration idle) throws IOException {
        impl.setKeepaliveIdle(idle);
    }

    /** TCP_KEEPIDLE. */
    public java.time.Duration keepaliveIdle() throws IOException {
        return impl.keepaliveIdle();
    }

    /**
     * Sets TCP_KEEPINTVL, the time between keepalive probes (whole seconds, 1..32767).
     *
     * @throws IllegalArgumentException if {@code interval} is not whole seconds in 1..32767
     * @throws UnsupportedOperationException as for {@link #setKeepaliveIdle}
     */
    public void setKeepaliveInterval(java.time.Duration interval) throws IOException {
        impl.setKeepaliveInterval(interval);
    }

    /** TCP_KEEPINTVL. */
    public java.time.Duration keepaliveInterval() throws IOException {
        return impl.keepaliveInterval();
    }

    /**
     * Sets TCP_KEEPCNT, the unanswered probes before the connection is dropped (1..127).
     *
     * @throws IllegalArgumentException unless {@code 1 <= count <= 127}
     * @throws UnsupportedOperationException as for {@link #setKeepaliveIdle}
     */
    public void setKeepaliveRetries(int count) throws IOException {
        impl.setKeepaliveRetries(count);
    }

    /** TCP_KEEPCNT. */
    public int keepaliveRetries() throws IOException {
        return impl.keepaliveRetries();
    }

    /**
     * Sets TCP_QUICKACK: true acknowledges at once instead of delaying ACKs. Linux clears it again by itself
     * as the connection runs, so set it when it matters (for example after each read).
     */
    public void setQuickack(boolean on) throws IOException {
        impl.setQuickack(on);
    }

    /** Whether the connection is in quick-ack mode now (TCP_QUICKACK). */
    public boolean quickack() throws IOException {
        return impl.quickack();
    }

    /**
     * Sets SO_RCVBUF; Linux doubles the value and {@link #recvBufferSize()} reports the doubled size.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public void setRecvBufferSize(int bytes) throws IOException {
        impl.setRecvBufferSize(bytes);
    }

    /** SO_RCVBUF. */
    public int recvBufferSize() throws IOException {
        return impl.recvBufferSize();
    }

    /**
     * Sets SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public void setSendBufferSize(int bytes) throws IOException {
        impl.setSendBufferSize(bytes);
    }

    /** SO_SNDBUF. */
    public int sendBufferSize() throws IOException {
        return impl.sendBufferSize();
    }

    /**
     * Sets IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255.
     *
     * @throws IllegalArgumentException unless {@code 0 <= tos <= 255}
     */
    public void setTos(int tos) throws IOException {
        impl.setTos(tos);
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        return impl.tos();
    }

    /**
     * Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none.
     *
     * @return the error as the exception a failed call would have thrown (a {@link java.net.ConnectException}
     *         for a refused connect, ...), not thrown; null if there is none
     */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /**
     * The descriptor number, for interop. It stays owned by this stream: do not close it, and do not use it
     * after {@link #close()}.
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        return impl.rawFd();
    }

    /** False once {@link #close()} has been called. */
    @Override
    public boolean isOpen() {
        return impl.isOpen();
    }

    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        impl.register(registry, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        impl.reregister(registry, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        impl.deregister(registry);
    }

    /** Deregisters (if registered) and closes. Idempotent; thread-safe; see the class comment. */
    @Override
    public void close() {
        impl.close();
    }

    @Override
    public String toString() {
        return impl.toString();
    }
}
