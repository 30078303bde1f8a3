package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Bridge;
import io.mio.internal.linux.DgramOps;
import io.mio.internal.linux.Errno;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.SockAddr;
import io.mio.internal.linux.SocketOps;
import io.mio.internal.linux.Sys;
import io.mio.internal.nio.NioDatagram;
import io.mio.internal.nio.Unsupported;
import io.mio.internal.spi.Backends;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/**
 * A non-blocking UDP socket: mio's {@code net::UdpSocket}.
 *
 * <h2>Results: an empty datagram is not "would block"</h2>
 * The {@code int} results of the sending and receiving methods are the size of the datagram moved, {@code >= 0}:
 * an empty datagram gives {@code 0}. When the call would block they return {@link #WOULD_BLOCK} ({@code -1});
 * a datagram socket has no end of stream, so {@code -1} never means EOF here. The {@code recvFrom} /
 * {@code peekFrom} forms that return an {@link InetSocketAddress} return the sender, or {@code null} when they
 * would block. Would-block neither throws nor allocates.
 *
 * <p>Receiving into a buffer smaller than the datagram truncates it: the rest is discarded (the result is the
 * number of bytes stored). Sending sends {@code src}'s remaining bytes as one datagram, all or nothing; one
 * larger than the socket allows throws {@link java.net.SocketException} (EMSGSIZE) naming its size.
 *
 * <h2>Allocation</h2>
 * Direct buffers reach the kernel in place; heap buffers and {@code byte[]} ranges are copied through a
 * per-thread direct buffer (one memcpy of the datagram; this keeps them allocation-free whatever the JIT decides,
 * see {@code DgramOps}). To stay allocation-free, learn the sender with
 * {@link #recvFrom(ByteBuffer, SocketAddressHolder)} and name a repeated destination with
 * {@link #sendTo(ByteBuffer, SocketAddressHolder)}; the {@link InetSocketAddress} forms allocate the address
 * object (sendTo with an {@code InetSocketAddress} also copies its address bytes).
 *
 * <h2>Connected use</h2>
 * After {@link #connect}, {@link #send} / {@link #recv} / {@link #peek} talk to that peer only; {@code send} on
 * an unconnected socket throws {@link java.net.SocketException} (EDESTADDRREQ). An ICMP "port unreachable"
 * for a connected socket surfaces as {@link java.net.PortUnreachableException} from a later call.
 *
 * <h2>Threads and closing</h2>
 * Thread-safe. {@link #close()} may race with calls on other threads: calls in flight finish on the descriptor
 * they started with, later calls throw {@link java.nio.channels.ClosedChannelException}, no event is reported
 * after close returns, and the descriptor number never reaches a syscall again.
 */
public final class UdpSocket implements Source, AutoCloseable {
    /** The result of a send or receive that would block. */
    public static final int WOULD_BLOCK = DgramOps.WOULD_BLOCK;

    private final FileDesc fd;
    /** The selector backend's socket; null on the epoll backend (then {@link #fd} is set). */
    private final NioDatagram nio;
    private final boolean v6;

    private UdpSocket(FileDesc fd, boolean v6) {
        this.fd = fd;
        this.nio = null;
        this.v6 = v6;
    }

    private UdpSocket(NioDatagram nio, boolean v6) {
        this.fd = null;
        this.nio = nio;
        this.v6 = v6;
    }

    /**
     * Opens a UDP socket bound to {@code address} (port 0 picks a free port: see {@link #localAddr()}).
     * Like mio, it sets no SO_REUSEADDR.
     *
     * @throws java.net.BindException if the address is in use or not local
     * @throws java.nio.channels.UnresolvedAddressException if {@code address} is unresolved
     * @throws IOException if the socket cannot be created
     */
    public static UdpSocket bind(InetSocketAddress address) throws IOException {
        if (Backends.selector()) {
            return new UdpSocket(NioNet.udp(address), NioNet.family(address) == java.net.StandardProtocolFamily.INET6);
        }
        int family = SockAddr.family(address);
        FileDesc fd = SocketOps.open(family, SOCK_DGRAM, "UdpSocket");
        try {
            SocketOps.bind(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new UdpSocket(fd, family == AF_INET6);
    }

    /**
     * A builder for the options that must be set before {@code bind} (SO_REUSEADDR and SO_REUSEPORT for several
     * receivers on one port, IPV6_V6ONLY, buffer sizes):
     * {@code UdpSocket.builder().reuseAddr(true).reusePort(true).bind(address)}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options applied between {@code socket} and {@code bind}; see {@link UdpSocket#builder()}. Holds plain values
     * until {@link #bind}, so it can be reused; not thread-safe.
     */
    public static final class Builder {
        private boolean reuseAddr, reusePort, broadcast;
        private Boolean onlyV6;
        private int recvBufferSize, sendBufferSize;

        private Builder() {}

        /** SO_REUSEADDR (for multicast receivers: several sockets may bind the same group port). */
        public Builder reuseAddr(boolean on) {
            reuseAddr = on;
            return this;
        }

        /** SO_REUSEPORT: several sockets that all set it share the port; the kernel spreads datagrams among them. */
        public Builder reusePort(boolean on) {
            reusePort = on;
            return this;
        }

        /** SO_BROADCAST. */
        public Builder broadcast(boolean on) {
            broadcast = on;
            return this;
        }

        /** IPV6_V6ONLY for an IPv6 address; {@link #bind} rejects it for an IPv4 one. */
        public Builder onlyV6(boolean on) {
            onlyV6 = on;
            return this;
        }

        /** SO_RCVBUF in bytes (positive; Linux doubles it). */
        public Builder recvBufferSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("SO_RCVBUF must be positive, was " + bytes);
            }
            recvBufferSize = bytes;
            return this;
        }

        /** SO_SNDBUF in bytes (positive; Linux doubles it). */
        public Builder sendBufferSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("SO_SNDBUF must be positive, was " + bytes);
            }
            sendBufferSize = bytes;
            return this;
        }

        /**
         * Opens a socket of {@code address}'s family, applies the options, and binds.
         *
         * @throws UnsupportedOperationException if {@link #onlyV6} was set and {@code address} is IPv4
         * @throws java.net.BindException if the address is in use (without the reuse options) or not local
         */
        public UdpSocket bind(InetSocketAddress address) throws IOException {
            int family = SockAddr.family(address);
            if (onlyV6 != null && family != AF_INET6) {
                throw new UnsupportedOperationException("IPV6_V6ONLY applies to IPv6 sockets; " + address + " is IPv4");
            }
            if (Backends.selector()) {
                return new UdpSocket(NioUdp.bind(address, reuseAddr, reusePort, broadcast, onlyV6, recvBufferSize,
                        sendBufferSize), family == AF_INET6);
            }
            FileDesc fd = SocketOps.open(family, SOCK_DGRAM, "UdpSocket");
            try {
                if (reuseAddr) {
                    SocketOps.setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
                }
                if (reusePort) {
                    SocketOps.setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
                }
                if (broadcast) {
                    SocketOps.setInt(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
                }
                if (onlyV6 != null) {
                    SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, onlyV6 ? 1 : 0, "IPV6_V6ONLY");
                }
                if (recvBufferSize > 0) {
                    SockOpts.setBufferSize(fd, SO_RCVBUF, recvBufferSize, "SO_RCVBUF");
                }
                if (sendBufferSize > 0) {
                    SockOpts.setBufferSize(fd, SO_SNDBUF, sendBufferSize, "SO_SNDBUF");
                }
                SocketOps.bind(fd, address);
            } catch (IOException | RuntimeException e) {
                fd.close();
                throw e;
            }
            return new UdpSocket(fd, family == AF_INET6);
        }
    }

    /**
     * Takes ownership of {@code fd}, a UDP (datagram) socket; makes it non-blocking and close-on-exec. On
     * failure the caller still owns {@code fd}, its flags unchanged.
     *
     * @throws IllegalArgumentException if {@code fd} is not a datagram socket
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public static UdpSocket fromRawFd(int fd) throws IOException {
        if (Backends.selector()) {
            throw Unsupported.rawFd("UdpSocket.fromRawFd");
        }
        // Check before SocketOps.adopt changes the flags: on failure the caller's descriptor stays as it was.
        int family = SockOpts.familyOfUnowned(fd, "UdpSocket");
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("descriptor " + fd + " is not an IPv4 or IPv6 socket (family " + family + ")");
        }
        return new UdpSocket(SocketOps.adopt(fd, SOCK_DGRAM, "UdpSocket"), family == AF_INET6);
    }

    // ---- unconnected ------------------------------------------------------------------------------

    private int encode(InetSocketAddress target) {
        if (SockAddr.family(target) == AF_INET6 && !v6) {
            throw new IllegalArgumentException("cannot reach IPv6 address " + target + " from an IPv4 UdpSocket");
        }
        return SockAddr.encode(target, DgramOps.addressBuffer());
    }

    private int encode(SocketAddressHolder target) {
        Objects.requireNonNull(target, "target");
        if (target.isIpv6() && !v6) {
            throw new IllegalArgumentException("cannot reach IPv6 address " + target + " from an IPv4 UdpSocket");
        }
        return target.store(DgramOps.addressBuffer());
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}; on success {@code src}'s
     * position moves to its limit.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK}
     * @throws IllegalArgumentException if {@code target} is IPv6 and this socket IPv4
     * @throws java.net.SocketException if the datagram is too large (EMSGSIZE) or the network refuses it
     */
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        if (nio != null) {
            return NioUdp.sendTo(nio, src, target);
        }
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto");
    }

    /** Like {@link #sendTo(ByteBuffer, InetSocketAddress)}, allocation-free: the destination is read from {@code target}. */
    public int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException {
        if (nio != null) {
            return NioUdp.sendTo(nio, src, target);
        }
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto");
    }

    /** Sends {@code src[offset, offset + length)} as one datagram to {@code target}; see {@link #sendTo(ByteBuffer, InetSocketAddress)}. */
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        if (nio != null) {
            return NioUdp.sendTo(nio, src, offset, length, target);
        }
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto");
    }

    /** Allocation-free form of {@link #sendTo(byte[], int, int, InetSocketAddress)}. */
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        if (nio != null) {
            return NioUdp.sendTo(nio, src, offset, length, target);
        }
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto");
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, InetSocketAddress target) throws IOException {
        if (nio != null) {
            return NioUdp.sendTo(nio, src, target);
        }
        return sendTo(src, 0, src.length, target);
    }

    private static InetSocketAddress sender() {
        MemorySegment a = DgramOps.addressBuffer();
        return SockAddr.decode(a, DgramOps.addressLength(a));
    }

    private static void sender(SocketAddressHolder from) {
        MemorySegment a = DgramOps.addressBuffer();
        from.load(a, DgramOps.addressLength(a));
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (truncating it if it does not fit); {@code dst}'s
     * position advances by the bytes stored, which is 0 for an empty datagram.
     *
     * @return the sender (allocated), or {@code null} if no datagram is waiting (would block)
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return NioUdp.recvFrom(nio, dst);
        }
        return DgramOps.recvFrom(fd, dst, 0, true, "recvfrom") == WOULD_BLOCK ? null : sender();
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space and its sender into {@code from}, allocating
     * nothing. On would-block {@code from} is left as it was.
     *
     * @return the bytes stored ({@code 0} for an empty datagram), or {@link #WOULD_BLOCK}
     */
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        if (nio != null) {
            return NioUdp.recvFrom(nio, dst, from);
        }
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, 0, true, "recvfrom");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    /** Like {@link #recvFrom(ByteBuffer, SocketAddressHolder)} into {@code dst[offset, offset + length)}. */
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        if (nio != null) {
            return NioUdp.recvFrom(nio, dst, offset, length, from);
        }
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, offset, length, 0, true, "recvfrom");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    /**
     * Like {@link #recvFrom(ByteBuffer)} but leaves the datagram queued ({@code MSG_PEEK}); {@code dst}'s
     * position does not move.
     *
     * @return the sender, or {@code null} if no datagram is waiting
     */
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return NioUdp.peekFrom(nio, dst);
        }
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, true, "recvfrom(MSG_PEEK)") == WOULD_BLOCK ? null : sender();
    }

    /** Allocation-free form of {@link #peekFrom(ByteBuffer)}: bytes peeked or {@link #WOULD_BLOCK}. */
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        if (nio != null) {
            return NioUdp.peekFrom(nio, dst, from);
        }
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, MSG_PEEK, true, "recvfrom(MSG_PEEK)");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    /** Like {@link #peekFrom(ByteBuffer, SocketAddressHolder)} into {@code dst[offset, offset + length)}. */
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        if (nio != null) {
            return NioUdp.peekFrom(nio, dst, offset, length, from);
        }
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, offset, length, MSG_PEEK, true, "recvfrom(MSG_PEEK)");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    // ---- connected --------------------------------------------------------------------------------

    /**
     * Sets the default peer: {@link #send} goes there and only its datagrams are received. Connecting again
     * replaces the peer. Completes at once (UDP has no handshake).
     *
     * @throws IllegalArgumentException if {@code address} is IPv6 and this socket IPv4
     */
    public void connect(InetSocketAddress address) throws IOException {
        if (nio != null) {
            NioUdp.connect(nio, address);
            return;
        }
        if (SockAddr.family(address) == AF_INET6 && !v6) {
            throw new IllegalArgumentException("cannot connect an IPv4 UdpSocket to IPv6 address " + address);
        }
        SocketOps.connect(fd, address);
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to the connected peer.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK}
     * @throws java.net.SocketException if this socket is not connected (EDESTADDRREQ), or the datagram is too large
     * @throws java.net.PortUnreachableException if an earlier datagram was refused by the peer's host
     */
    public int send(ByteBuffer src) throws IOException {
        if (nio != null) {
            return NioUdp.send(nio, src);
        }
        return DgramOps.sendTo(fd, src, 0, 0, "send");
    }

    /** Sends {@code src[offset, offset + length)} to the connected peer; see {@link #send(ByteBuffer)}. */
    public int send(byte[] src, int offset, int length) throws IOException {
        if (nio != null) {
            return NioUdp.send(nio, src, offset, length);
        }
        return DgramOps.sendTo(fd, src, offset, length, 0, 0, "send");
    }

    /** Sends all of {@code src} to the connected peer. */
    public int send(byte[] src) throws IOException {
        if (nio != null) {
            return NioUdp.send(nio, src);
        }
        return send(src, 0, src.length);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (position advances). Works connected or not.
     *
     * @return the bytes stored ({@code 0} for an empty datagram), or {@link #WOULD_BLOCK}
     * @throws java.net.PortUnreachableException if a datagram sent to the connected peer was refused
     */
    public int recv(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return NioUdp.recv(nio, dst);
        }
        return DgramOps.recvFrom(fd, dst, 0, false, "recv");
    }

    /** Like {@link #recv(ByteBuffer)} into {@code dst[offset, offset + length)}. */
    public int recv(byte[] dst, int offset, int length) throws IOException {
        if (nio != null) {
            return NioUdp.recv(nio, dst, offset, length);
        }
        return DgramOps.recvFrom(fd, dst, offset, length, 0, false, "recv");
    }

    /** Like {@link #recv(ByteBuffer)} into all of {@code dst}. */
    public int recv(byte[] dst) throws IOException {
        if (nio != null) {
            return NioUdp.recv(nio, dst);
        }
        return recv(dst, 0, dst.length);
    }

    /** Like {@link #recv(ByteBuffer)} but leaves the datagram queued; {@code dst}'s position does not move. */
    public int peek(ByteBuffer dst) throws IOException {
        if (nio != null) {
            return NioUdp.peek(nio, dst);
        }
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, false, "recv(MSG_PEEK)");
    }

    /** Like {@link #peek(ByteBuffer)} into {@code dst[offset, offset + length)}. */
    public int peek(byte[] dst, int offset, int length) throws IOException {
        if (nio != null) {
            return NioUdp.peek(nio, dst, offset, length);
        }
        return DgramOps.recvFrom(fd, dst, offset, length, MSG_PEEK, false, "recv(MSG_PEEK)");
    }

    // ---- addresses and options --------------------------------------------------------------------

    /** The local address. */
    public InetSocketAddress localAddr() throws IOException {
        if (nio != null) {
            return NioUdp.localAddr(nio);
        }
        return SocketOps.localAddress(fd);
    }

    /**
     * The connected peer.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public InetSocketAddress peerAddr() throws IOException {
        if (nio != null) {
            return NioUdp.peerAddr(nio);
        }
        return SocketOps.peerAddress(fd);
    }

    /** Whether this is an IPv6 socket. */
    public boolean isIpv6() {
        return v6;
    }

    /** Sets SO_BROADCAST: whether datagrams may go to a broadcast address. */
    public void setBroadcast(boolean on) throws IOException {
        if (nio != null) {
            NioUdp.setBroadcast(nio, on);
            return;
        }
        SocketOps.setInt(fd, SOL_SOCKET, SO_BROADCAST, on ? 1 : 0, "SO_BROADCAST");
    }

    /** Whether SO_BROADCAST is set. */
    public boolean broadcast() throws IOException {
        if (nio != null) {
            return NioUdp.broadcast(nio);
        }
        return SocketOps.getInt(fd, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST") != 0;
    }

    /**
     * Sets the IP time-to-live of outgoing unicast datagrams: IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6.
     *
     * @throws IllegalArgumentException unless {@code 1 <= ttl <= 255}
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public void setTtl(int ttl) throws IOException {
        if (nio != null) {
            NioUdp.setTtl(nio, ttl);
            return;
        }
        TcpStream.setTtl(fd, ttl);
    }

    /**
     * The IP time-to-live.
     *
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int ttl() throws IOException {
        if (nio != null) {
            return NioUdp.ttl(nio);
        }
        return TcpStream.ttl(fd);
    }

    private void requireV6(String option) {
        if (!v6) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this UdpSocket is IPv4");
        }
    }

    /** Sets IP_MULTICAST_LOOP: whether this host receives its own IPv4 multicast datagrams (default true). */
    public void setMulticastLoopV4(boolean on) throws IOException {
        if (nio != null) {
            NioUdp.setMulticastLoopV4(nio, on);
            return;
        }
        SocketOps.setInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0, "IP_MULTICAST_LOOP");
    }

    /** Whether IP_MULTICAST_LOOP is set. */
    public boolean multicastLoopV4() throws IOException {
        if (nio != null) {
            return NioUdp.multicastLoopV4(nio);
        }
        return SocketOps.getInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP") != 0;
    }

    /**
     * Sets IP_MULTICAST_TTL, the time-to-live of outgoing IPv4 multicast datagrams (default 1: this subnet).
     *
     * @throws IllegalArgumentException unless {@code 0 <= ttl <= 255}
     */
    public void setMulticastTtlV4(int ttl) throws IOException {
        if (nio != null) {
            NioUdp.setMulticastTtlV4(nio, ttl);
            return;
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast ttl must be in 0..255, was " + ttl);
        }
        SocketOps.setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
    }

    /** The IP_MULTICAST_TTL. */
    public int multicastTtlV4() throws IOException {
        if (nio != null) {
            return NioUdp.multicastTtlV4(nio);
        }
        return SocketOps.getInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL");
    }

    /**
     * Sets IPV6_MULTICAST_LOOP: whether this host receives its own IPv6 multicast datagrams.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setMulticastLoopV6(boolean on) throws IOException {
        if (nio != null) {
            NioUdp.setMulticastLoopV6(nio, on);
            return;
        }
        requireV6("IPV6_MULTICAST_LOOP");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0, "IPV6_MULTICAST_LOOP");
    }

    /**
     * Whether IPV6_MULTICAST_LOOP is set.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public boolean multicastLoopV6() throws IOException {
        if (nio != null) {
            return NioUdp.multicastLoopV6(nio);
        }
        requireV6("IPV6_MULTICAST_LOOP");
        return SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP") != 0;
    }

    /**
     * Sets IPV6_V6ONLY: true refuses IPv4(-mapped) traffic on this IPv6 socket. Linux only accepts a change
     * before the socket is bound, so on a bound socket this throws (EINVAL): set it with
     * {@link #builder()}{@code .onlyV6(..)} instead. Binding to a specific IPv6 address sets it by itself.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setOnlyV6(boolean on) throws IOException {
        if (nio != null) {
            NioUdp.setOnlyV6(nio, on);
            return;
        }
        requireV6("IPV6_V6ONLY");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, on ? 1 : 0, "IPV6_V6ONLY");
    }

    /**
     * Whether IPV6_V6ONLY is set.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public boolean onlyV6() throws IOException {
        if (nio != null) {
            return NioUdp.onlyV6(nio);
        }
        requireV6("IPV6_V6ONLY");
        return SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY") != 0;
    }

    /**
     * Sets IP_MULTICAST_IF: outgoing IPv4 multicast datagrams leave through the interface with address
     * {@code iface} ({@code 0.0.0.0}: the routing table decides).
     */
    public void setMulticastInterfaceV4(Inet4Address iface) throws IOException {
        if (nio != null) {
            NioUdp.setMulticastInterfaceV4(nio, iface);
            return;
        }
        Objects.requireNonNull(iface, "iface");
        byte[] i = iface.getAddress();
        setBytes(IP_MULTICAST_IF, "IP_MULTICAST_IF", IPPROTO_IP, 4,
                seg -> MemorySegment.copy(i, 0, seg, ValueLayout.JAVA_BYTE, 0, 4));
    }

    /**
     * Sets IPV6_MULTICAST_IF: outgoing IPv6 multicast datagrams leave through the interface with index
     * {@code ifIndex} (0: the routing table decides).
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setMulticastInterfaceV6(int ifIndex) throws IOException {
        if (nio != null) {
            NioUdp.setMulticastInterfaceV6(nio, ifIndex);
            return;
        }
        requireV6("IPV6_MULTICAST_IF");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF");
    }

    /**
     * Joins the IPv4 multicast group {@code group} on the interface with address {@code iface}
     * ({@code 0.0.0.0}: the kernel picks one).
     *
     * @throws IllegalArgumentException if {@code group} is not a multicast address
     * @throws IOException if the kernel refuses (for example ENODEV: no multicast-capable interface)
     */
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        if (nio != null) {
            NioUdp.joinMulticastV4(nio, group, iface);
            return;
        }
        membershipV4(group, iface, IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP");
    }

    /** Leaves a group joined with {@link #joinMulticastV4}. */
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        if (nio != null) {
            NioUdp.leaveMulticastV4(nio, group, iface);
            return;
        }
        membershipV4(group, iface, IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP");
    }

    /**
     * Joins the IPv6 multicast group {@code group} on the interface with index {@code ifIndex} (0: the kernel
     * picks one).
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     * @throws IllegalArgumentException if {@code group} is not a multicast address
     */
    public void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        if (nio != null) {
            NioUdp.joinMulticastV6(nio, group, ifIndex);
            return;
        }
        membershipV6(group, ifIndex, IPV6_ADD_MEMBERSHIP, "IPV6_ADD_MEMBERSHIP");
    }

    /** Leaves a group joined with {@link #joinMulticastV6}. */
    public void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        if (nio != null) {
            NioUdp.leaveMulticastV6(nio, group, ifIndex);
            return;
        }
        membershipV6(group, ifIndex, IPV6_DROP_MEMBERSHIP, "IPV6_DROP_MEMBERSHIP");
    }

    private void membershipV4(Inet4Address group, Inet4Address iface, int option, String name) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(iface, "iface");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(name + ": " + group.getHostAddress() + " is not a multicast address");
        }
        byte[] g = group.getAddress(), i = iface.getAddress();
        setBytes(option, name, IPPROTO_IP, 8, seg -> {
            MemorySegment.copy(g, 0, seg, ValueLayout.JAVA_BYTE, 0, 4);
            MemorySegment.copy(i, 0, seg, ValueLayout.JAVA_BYTE, 4, 4);
        });
    }

    private void membershipV6(Inet6Address group, int ifIndex, int option, String name) throws IOException {
        Objects.requireNonNull(group, "group");
        requireV6(name);
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(name + ": " + group.getHostAddress() + " is not a multicast address");
        }
        if (ifIndex < 0) {
            throw new IllegalArgumentException(name + ": interface index must not be negative: " + ifIndex);
        }
        byte[] g = group.getAddress();
        setBytes(option, name, IPPROTO_IPV6, 20, seg -> {
            MemorySegment.copy(g, 0, seg, ValueLayout.JAVA_BYTE, 0, 16);
            seg.set(ValueLayout.JAVA_INT, 16, ifIndex);
        });
    }

    private void setBytes(int option, String name, int level, int len, java.util.function.Consumer<MemorySegment> fill)
            throws IOException {
        fd.acquire();
        try {
            MemorySegment s = Sys.scratch();
            fill.accept(s);
            int rc = Sys.setsockopt(fd.fd(), level, option, s.address(), len);
            if (rc < 0) {
                throw Errno.exception("setsockopt(" + name + ")", -rc);
            }
        } finally {
            fd.release();
        }
    }

    /** Sets SO_RCVBUF; Linux doubles the value and {@link #recvBufferSize()} reports the doubled size. */
    public void setRecvBufferSize(int bytes) throws IOException {
        if (nio != null) {
            NioUdp.setRecvBufferSize(nio, bytes);
            return;
        }
        SockOpts.setBufferSize(fd, SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** SO_RCVBUF. */
    public int recvBufferSize() throws IOException {
        if (nio != null) {
            return NioUdp.recvBufferSize(nio);
        }
        return SocketOps.getInt(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    }

    /** Sets SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}. */
    public void setSendBufferSize(int bytes) throws IOException {
        if (nio != null) {
            NioUdp.setSendBufferSize(nio, bytes);
            return;
        }
        SockOpts.setBufferSize(fd, SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    /** SO_SNDBUF. */
    public int sendBufferSize() throws IOException {
        if (nio != null) {
            return NioUdp.sendBufferSize(nio);
        }
        return SocketOps.getInt(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    }

    /** Sets IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255. */
    public void setTos(int tos) throws IOException {
        if (nio != null) {
            NioUdp.setTos(nio, tos);
            return;
        }
        SockOpts.setTos(fd, tos);
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        if (nio != null) {
            return NioUdp.tos(nio);
        }
        return SockOpts.tos(fd);
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        if (nio != null) {
            return NioUdp.takeError(nio);
        }
        IOException e = SocketOps.takeError(fd);
        // On a datagram socket ECONNREFUSED is an ICMP port-unreachable: the same type recv and send throw.
        return e instanceof io.mio.OsError os && os.rawOsError() == io.mio.internal.linux.LinuxConstants.ECONNREFUSED
                ? io.mio.internal.linux.Errno.portUnreachable("pending socket error") : e;
    }

    /**
     * The descriptor number, for interop. It stays owned by this socket: do not close it, and do not use it
     * after {@link #close()}.
     *
     * @throws java.nio.channels.ClosedChannelException if closed
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        if (nio != null) {
            return NioUdp.rawFd(nio);
        }
        fd.acquire();
        try {
            return fd.fd();
        } finally {
            fd.release();
        }
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
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
        return "UdpSocket[" + (nio != null ? nio : fd) + "]";
    }
}
