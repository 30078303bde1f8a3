package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.DgramOps;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.spi.Backends;
import io.mio.internal.linux.SocketOps;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking Unix domain datagram socket: mio's {@code net::UnixDatagram}.
 *
 * <p>Results follow {@link UdpSocket}'s convention: the size of the datagram moved ({@code 0} for an empty
 * one), or {@link #WOULD_BLOCK} ({@code -1}) when the call would block; {@link #recvFrom(ByteBuffer)} returns the
 * sender, or {@code null} when it would block. A receive buffer smaller than the datagram truncates it. Sends go
 * out whole or not at all; one larger than the socket's send buffer throws {@link java.net.SocketException}
 * (EMSGSIZE). {@code send} on an unconnected socket throws {@link java.net.SocketException} (ENOTCONN).
 *
 * <p>Thread-safe. {@link #close()} may race with calls on other threads: calls in flight finish on the
 * descriptor they started with, later calls throw {@link java.nio.channels.ClosedChannelException}.
 *
 * <p>Not available on the {@link io.mio.Backend#SELECTOR} backend (the JDK has no Unix-domain datagram channel):
 * the factories throw {@link UnsupportedOperationException}.
 */
public final class UnixDatagram implements Source, AutoCloseable {
    /** The result of a send or receive that would block. */
    public static final int WOULD_BLOCK = DgramOps.WOULD_BLOCK;

    private final FileDesc fd;

    /** Both ends of a connected pair ({@link #pair()}); closing the pair closes both. */
    public record Pair(UnixDatagram first, UnixDatagram second) implements AutoCloseable {
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    private UnixDatagram(FileDesc fd) {
        this.fd = fd;
    }

    /**
     * A datagram socket bound to {@code path}.
     *
     * @throws IllegalArgumentException if the path does not fit in sun_path (108 bytes)
     * @throws java.net.BindException if the path exists (EADDRINUSE)
     */
    public static UnixDatagram bind(Path path) throws IOException {
        return bind(UnixSock.address(path));
    }

    /** A datagram socket bound to {@code address}; see {@link #bind(Path)}. */
    public static UnixDatagram bind(UnixDomainSocketAddress address) throws IOException {
        return bind(UnixSock.address(address));
    }

    /** A datagram socket bound to {@code address}, a path name or an abstract name. */
    public static UnixDatagram bind(UnixAddress address) throws IOException {
        if (Backends.selector()) {
            throw NioUnix.noDatagram();
        }
        Objects.requireNonNull(address, "address");
        FileDesc fd = UnixSock.open(SOCK_DGRAM, "UnixDatagram");
        try {
            UnixSock.bind(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new UnixDatagram(fd);
    }

    /**
     * A datagram socket bound to no address: it can send (with {@link #sendTo} or after {@link #connect}), but
     * nobody can address a reply to it; its {@link #localAddr()} is unnamed.
     */
    public static UnixDatagram unbound() throws IOException {
        if (Backends.selector()) {
            throw NioUnix.noDatagram();
        }
        return new UnixDatagram(UnixSock.open(SOCK_DGRAM, "UnixDatagram"));
    }

    /** Two connected, unnamed datagram sockets ({@code socketpair}), non-blocking and close-on-exec. */
    public static Pair pair() throws IOException {
        if (Backends.selector()) {
            throw NioUnix.noDatagram();
        }
        FileDesc[] fds = UnixSock.pair(SOCK_DGRAM, "UnixDatagram");
        return new Pair(new UnixDatagram(fds[0]), new UnixDatagram(fds[1]));
    }

    /**
     * Takes ownership of {@code fd}, a Unix domain datagram socket; makes it non-blocking and close-on-exec. On
     * failure the caller still owns {@code fd}, its flags unchanged.
     */
    public static UnixDatagram fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw NioUnix.noDatagram();
        }
        return new UnixDatagram(UnixSock.adopt(fd, SOCK_DGRAM, "UnixDatagram"));
    }

    /** Sets the default peer for {@link #send} and the only sender {@link #recv} accepts. */
    public void connect(Path path) throws IOException {
        connect(UnixSock.address(path));
    }

    /** See {@link #connect(Path)}. */
    public void connect(UnixDomainSocketAddress address) throws IOException {
        connect(UnixSock.address(address));
    }

    /**
     * See {@link #connect(Path)}.
     *
     * @throws IllegalArgumentException if {@code address} is unnamed
     */
    public void connect(UnixAddress address) throws IOException {
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to an unnamed Unix address");
        }
        UnixSock.connect(fd, address);
    }

    private static int encode(UnixAddress target) {
        Objects.requireNonNull(target, "target");
        if (target.isUnnamed()) {
            throw new IllegalArgumentException("cannot send to an unnamed Unix address");
        }
        return target.encode(DgramOps.addressBuffer());
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK} (the receiver's queue is full)
     * @throws IOException if nobody is bound there (ECONNREFUSED surfaces as PortUnreachableException, ENOENT as IOException)
     */
    public int sendTo(ByteBuffer src, UnixAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto " + target);
    }

    /** See {@link #sendTo(ByteBuffer, UnixAddress)}. */
    public int sendTo(ByteBuffer src, Path target) throws IOException {
        return sendTo(src, UnixSock.address(target));
    }

    /** Sends {@code src[offset, offset + length)} as one datagram to {@code target}. */
    public int sendTo(byte[] src, int offset, int length, UnixAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto " + target);
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, Path target) throws IOException {
        return sendTo(src, 0, src.length, UnixSock.address(target));
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, UnixAddress target) throws IOException {
        return sendTo(src, 0, src.length, target);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (position advances; 0 bytes for an empty one).
     *
     * @return the sender (unnamed if it is not bound), or {@code null} if none is waiting
     */
    public UnixAddress recvFrom(ByteBuffer dst) throws IOException {
        if (DgramOps.recvFrom(fd, dst, 0, true, "recvfrom") == WOULD_BLOCK) {
            return null;
        }
        MemorySegment a = DgramOps.addressBuffer();
        return UnixAddress.decode(a, DgramOps.addressLength(a));
    }

    /** Sends {@code src}'s remaining bytes to the connected peer: its size, or {@link #WOULD_BLOCK}. */
    public int send(ByteBuffer src) throws IOException {
        return DgramOps.sendTo(fd, src, 0, 0, "send");
    }

    /** Sends {@code src[offset, offset + length)} to the connected peer. */
    public int send(byte[] src, int offset, int length) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, 0, "send");
    }

    /** Sends all of {@code src} to the connected peer. */
    public int send(byte[] src) throws IOException {
        return send(src, 0, src.length);
    }

    /** Receives one datagram into {@code dst}'s remaining space: bytes stored, or {@link #WOULD_BLOCK}. */
    public int recv(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, 0, false, "recv");
    }

    /** Receives one datagram into {@code dst[offset, offset + length)}: bytes stored, or {@link #WOULD_BLOCK}. */
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return DgramOps.recvFrom(fd, dst, offset, length, 0, false, "recv");
    }

    /** Receives one datagram into {@code dst}. */
    public int recv(byte[] dst) throws IOException {
        return recv(dst, 0, dst.length);
    }

    /** Like {@link #recv(ByteBuffer)} but leaves the datagram queued; position does not move. */
    public int peek(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, false, "recv(MSG_PEEK)");
    }

    /** Shuts down reading, writing, or both (read-closed / write-closed events follow). */
    public void shutdown(Shutdown how) throws IOException {
        SocketOps.shutdown(fd, UnixSock.shutdownHow(how));
    }

    /** The local address (unnamed if not bound). */
    public UnixAddress localAddr() throws IOException {
        return UnixSock.localAddress(fd);
    }

    /**
     * The connected peer's address.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public UnixAddress peerAddr() throws IOException {
        return UnixSock.peerAddress(fd);
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return SocketOps.takeError(fd);
    }

    /** The descriptor number, for interop; still owned by this socket. */
    public int rawFd() throws IOException {
        return UnixSock.rawFd(fd);
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.epoll(registry, this).register(fd, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        Bridge.epoll(registry, this).reregister(fd, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        Bridge.epoll(registry, this).deregister(fd);
    }

    /** Deregisters (if registered) and closes; does not remove a path's socket file. Idempotent; thread-safe. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "UnixDatagram[" + fd + "]";
    }
}
