package io.mio.net;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.Addresses;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.UdpSocketSpi;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

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
 *
 * <h2>Errors</h2>
 * Besides what each method's comment says: {@link java.nio.channels.ClosedChannelException} once the socket is
 * closed; for a failed system call one of the JDK's {@link IOException}s whose message names the call and the
 * errno ({@link io.mio.OsError} gives it as a value on the EPOLL backend), {@link java.net.PortUnreachableException}
 * for an ICMP error on a connected socket, which does not break the socket; {@link NullPointerException} for a
 * null argument; {@link UnsupportedOperationException}, naming the limit, for what the
 * {@link io.mio.Backend#SELECTOR} backend cannot do. Would-block is never an exception.
 */
public final class UdpSocket implements Source, AutoCloseable {
    /** The result of a send or receive that would block. */
    public static final int WOULD_BLOCK = UdpSocketSpi.WOULD_BLOCK;

    /** This backend's socket: every method below delegates to it. */
    private final UdpSocketSpi impl;

    private UdpSocket(UdpSocketSpi impl) {
        this.impl = impl;
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
        return new UdpSocket(Backends.provider().bindUdp(address));
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

        /**
         * SO_RCVBUF in bytes (positive; Linux doubles it).
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder recvBufferSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("SO_RCVBUF must be positive, was " + bytes);
            }
            recvBufferSize = bytes;
            return this;
        }

        /**
         * SO_SNDBUF in bytes (positive; Linux doubles it).
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
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
            boolean v6 = Addresses.isV6(address);
            if (onlyV6 != null && !v6) {
                throw new UnsupportedOperationException("IPV6_V6ONLY applies to IPv6 sockets; " + address + " is IPv4");
            }
            return new UdpSocket(Backends.provider().bindUdp(address, reuseAddr, reusePort, broadcast, onlyV6, recvBufferSize,
                    sendBufferSize));
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
        return new UdpSocket(Backends.provider().adoptUdp(fd));
    }

    // ---- unconnected ------------------------------------------------------------------------------

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}; on success {@code src}'s
     * position moves to its limit.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK}
     * @throws IllegalArgumentException if {@code target} is IPv6 and this socket IPv4
     * @throws java.net.SocketException if the datagram is too large (EMSGSIZE) or the network refuses it
     */
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return impl.sendTo(src, target);
    }

    /** Like {@link #sendTo(ByteBuffer, InetSocketAddress)}, allocation-free: the destination is read from {@code target}. */
    public int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException {
        return impl.sendTo(src, target);
    }

    /** Sends {@code src[offset, offset + length)} as one datagram to {@code target}; see {@link #sendTo(ByteBuffer, InetSocketAddress)}. */
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        return impl.sendTo(src, offset, length, target);
    }

    /** Allocation-free form of {@link #sendTo(byte[], int, int, InetSocketAddress)}. */
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        return impl.sendTo(src, offset, length, target);
    }

    /** Sends all of {@code src} as one datagram to {@code target}. */
    public int sendTo(byte[] src, InetSocketAddress target) throws IOException {
        return impl.sendTo(src, 0, src.length, target);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (truncating it if it does not fit); {@code dst}'s
     * position advances by the bytes stored, which is 0 for an empty datagram.
     *
     * @return the sender (allocated), or {@code null} if no datagram is waiting (would block)
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return impl.recvFrom(dst);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space and its sender into {@code from}, allocating
     * nothing. On would-block {@code from} is left as it was.
     *
     * @return the bytes stored ({@code 0} for an empty datagram), or {@link #WOULD_BLOCK}
     */
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        return impl.recvFrom(dst, from);
    }

    /** Like {@link #recvFrom(ByteBuffer, SocketAddressHolder)} into {@code dst[offset, offset + length)}. */
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        return impl.recvFrom(dst, offset, length, from);
    }

    /**
     * Like {@link #recvFrom(ByteBuffer)} but leaves the datagram queued ({@code MSG_PEEK}); {@code dst}'s
     * position does not move.
     *
     * @return the sender, or {@code null} if no datagram is waiting
     */
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return impl.peekFrom(dst);
    }

    /** Allocation-free form of {@link #peekFrom(ByteBuffer)}: bytes peeked or {@link #WOULD_BLOCK}. */
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        return impl.peekFrom(dst, from);
    }

    /** Like {@link #peekFrom(ByteBuffer, SocketAddressHolder)} into {@code dst[offset, offset + length)}. */
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        return impl.peekFrom(dst, offset, length, from);
    }

    // ---- connected --------------------------------------------------------------------------------

    /**
     * Sets the default peer: {@link #send} goes there and only its datagrams are received. Connecting again
     * replaces the peer. Completes at once (UDP has no handshake).
     *
     * @throws IllegalArgumentException if {@code address} is IPv6 and this socket IPv4
     */
    public void connect(InetSocketAddress address) throws IOException {
        impl.connect(address);
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to the connected peer.
     *
     * @return the datagram's size, or {@link #WOULD_BLOCK}
     * @throws java.net.SocketException if this socket is not connected (EDESTADDRREQ), or the datagram is too large
     * @throws java.net.PortUnreachableException if an earlier datagram was refused by the peer's host
     */
    public int send(ByteBuffer src) throws IOException {
        return impl.send(src);
    }

    /** Sends {@code src[offset, offset + length)} to the connected peer; see {@link #send(ByteBuffer)}. */
    public int send(byte[] src, int offset, int length) throws IOException {
        return impl.send(src, offset, length);
    }

    /** Sends all of {@code src} to the connected peer. */
    public int send(byte[] src) throws IOException {
        return impl.send(src, 0, src.length);
    }

    /**
     * Receives one datagram into {@code dst}'s remaining space (position advances). Works connected or not.
     *
     * @return the bytes stored ({@code 0} for an empty datagram), or {@link #WOULD_BLOCK}
     * @throws java.net.PortUnreachableException if a datagram sent to the connected peer was refused
     */
    public int recv(ByteBuffer dst) throws IOException {
        return impl.recv(dst);
    }

    /** Like {@link #recv(ByteBuffer)} into {@code dst[offset, offset + length)}. */
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return impl.recv(dst, offset, length);
    }

    /** Like {@link #recv(ByteBuffer)} into all of {@code dst}. */
    public int recv(byte[] dst) throws IOException {
        return impl.recv(dst, 0, dst.length);
    }

    /** Like {@link #recv(ByteBuffer)} but leaves the datagram queued; {@code dst}'s position does not move. */
    public int peek(ByteBuffer dst) throws IOException {
        return impl.peek(dst);
    }

    /** Like {@link #peek(ByteBuffer)} into {@code dst[offset, offset + length)}. */
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return impl.peek(dst, offset, length);
    }

    // ---- addresses and options --------------------------------------------------------------------

    /** The local address. */
    public InetSocketAddress localAddr() throws IOException {
        return impl.localAddr();
    }

    /**
     * The connected peer.
     *
     * @throws java.net.SocketException if not connected (ENOTCONN)
     */
    public InetSocketAddress peerAddr() throws IOException {
        return impl.peerAddr();
    }

    /** Whether this is an IPv6 socket. */
    public boolean isIpv6() {
        return impl.isIpv6();
    }

    /** Sets SO_BROADCAST: whether datagrams may go to a broadcast address. */
    public void setBroadcast(boolean on) throws IOException {
        impl.setBroadcast(on);
    }

    /** Whether SO_BROADCAST is set. */
    public boolean broadcast() throws IOException {
        return impl.broadcast();
    }

    /**
     * Sets the IP time-to-live of outgoing unicast datagrams: IP_TTL on IPv4, IPV6_UNICAST_HOPS on IPv6.
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

    /** Sets IP_MULTICAST_LOOP: whether this host receives its own IPv4 multicast datagrams (default true). */
    public void setMulticastLoopV4(boolean on) throws IOException {
        impl.setMulticastLoopV4(on);
    }

    /** Whether IP_MULTICAST_LOOP is set. */
    public boolean multicastLoopV4() throws IOException {
        return impl.multicastLoopV4();
    }

    /**
     * Sets IP_MULTICAST_TTL, the time-to-live of outgoing IPv4 multicast datagrams (default 1: this subnet).
     *
     * @throws IllegalArgumentException unless {@code 0 <= ttl <= 255}
     */
    public void setMulticastTtlV4(int ttl) throws IOException {
        impl.setMulticastTtlV4(ttl);
    }

    /** The IP_MULTICAST_TTL. */
    public int multicastTtlV4() throws IOException {
        return impl.multicastTtlV4();
    }

    /**
     * Sets IPV6_MULTICAST_LOOP: whether this host receives its own IPv6 multicast datagrams.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setMulticastLoopV6(boolean on) throws IOException {
        impl.setMulticastLoopV6(on);
    }

    /**
     * Whether IPV6_MULTICAST_LOOP is set.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public boolean multicastLoopV6() throws IOException {
        return impl.multicastLoopV6();
    }

    /**
     * Sets IPV6_V6ONLY: true refuses IPv4(-mapped) traffic on this IPv6 socket. Linux only accepts a change
     * before the socket is bound, so on a bound socket this throws (EINVAL): set it with
     * {@link #builder()}{@code .onlyV6(..)} instead. Binding to a specific IPv6 address sets it by itself.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setOnlyV6(boolean on) throws IOException {
        impl.setOnlyV6(on);
    }

    /**
     * Whether IPV6_V6ONLY is set.
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public boolean onlyV6() throws IOException {
        return impl.onlyV6();
    }

    /**
     * Sets IP_MULTICAST_IF: outgoing IPv4 multicast datagrams leave through the interface with address
     * {@code iface} ({@code 0.0.0.0}: the routing table decides).
     */
    public void setMulticastInterfaceV4(Inet4Address iface) throws IOException {
        impl.setMulticastInterfaceV4(iface);
    }

    /**
     * Sets IPV6_MULTICAST_IF: outgoing IPv6 multicast datagrams leave through the interface with index
     * {@code ifIndex} (0: the routing table decides).
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     */
    public void setMulticastInterfaceV6(int ifIndex) throws IOException {
        impl.setMulticastInterfaceV6(ifIndex);
    }

    /**
     * Joins the IPv4 multicast group {@code group} on the interface with address {@code iface}
     * ({@code 0.0.0.0}: the kernel picks one).
     *
     * @throws IllegalArgumentException if {@code group} is not a multicast address
     * @throws IOException if the kernel refuses (for example ENODEV: no multicast-capable interface)
     */
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        impl.joinMulticastV4(group, iface);
    }

    /** Leaves a group joined with {@link #joinMulticastV4}. */
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        impl.leaveMulticastV4(group, iface);
    }

    /**
     * Joins the IPv6 multicast group {@code group} on the interface with index {@code ifIndex} (0: the kernel
     * picks one).
     *
     * @throws UnsupportedOperationException on an IPv4 socket
     * @throws IllegalArgumentException if {@code group} is not a multicast address
     */
    public void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        impl.joinMulticastV6(group, ifIndex);
    }

    /** Leaves a group joined with {@link #joinMulticastV6}. */
    public void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        impl.leaveMulticastV6(group, ifIndex);
    }

    /** Sets SO_RCVBUF; Linux doubles the value and {@link #recvBufferSize()} reports the doubled size. */
    public void setRecvBufferSize(int bytes) throws IOException {
        impl.setRecvBufferSize(bytes);
    }

    /** SO_RCVBUF. */
    public int recvBufferSize() throws IOException {
        return impl.recvBufferSize();
    }

    /** Sets SO_SNDBUF; Linux doubles the value, as for {@link #setRecvBufferSize}. */
    public void setSendBufferSize(int bytes) throws IOException {
        impl.setSendBufferSize(bytes);
    }

    /** SO_SNDBUF. */
    public int sendBufferSize() throws IOException {
        return impl.sendBufferSize();
    }

    /** Sets IP_TOS (IPv4) or IPV6_TCLASS (IPv6), 0..255. */
    public void setTos(int tos) throws IOException {
        impl.setTos(tos);
    }

    /** IP_TOS (IPv4) or IPV6_TCLASS (IPv6). */
    public int tos() throws IOException {
        return impl.tos();
    }

    /** Reads and clears the pending socket error ({@code SO_ERROR}); null if there is none. */
    public IOException takeError() throws IOException {
        return impl.takeError();
    }

    /**
     * The descriptor number, for interop. It stays owned by this socket: do not close it, and do not use it
     * after {@link #close()}.
     *
     * @throws java.nio.channels.ClosedChannelException if closed
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public int rawFd() throws IOException {
        return impl.rawFd();
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
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
