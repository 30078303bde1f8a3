package io.mio.net;

import io.mio.internal.nio.NioDatagram;
import io.mio.internal.nio.NioErrors;
import io.mio.internal.nio.Unsupported;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

/** {@link UdpSocket} on the selector backend: a {@link DatagramChannel}. */
final class NioUdp {
    private NioUdp() {}

    private static final int WOULD_BLOCK = NioDatagram.WOULD_BLOCK;

    static NioDatagram bind(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        DatagramChannel ch = DatagramChannel.open(NioNet.family(address));
        try {
            NioDatagram d = new NioDatagram(ch, "UdpSocket");
            if (reuseAddr) {
                d.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (reusePort) {
                d.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (broadcast) {
                d.setOption(StandardSocketOptions.SO_BROADCAST, true);
            }
            if (onlyV6 != null && onlyV6) {
                throw Unsupported.option("IPV6_V6ONLY", "UdpSocket"); // the JDK's IPv6 sockets are dual-stack
            }
            if (recvBufferSize > 0) {
                d.setOption(StandardSocketOptions.SO_RCVBUF, recvBufferSize);
            }
            if (sendBufferSize > 0) {
                d.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferSize);
            }
            try {
                ch.bind(address);
            } catch (IOException e) {
                throw NioErrors.withErrno(e, "bind to " + address);
            }
            return d;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static boolean isV6(NioDatagram d) throws IOException {
        return localAddr(d).getAddress() instanceof Inet6Address;
    }

    private static void requireV6(NioDatagram d, String option) throws IOException {
        if (!isV6(d)) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this UdpSocket is IPv4");
        }
    }

    private static InetSocketAddress checkTarget(NioDatagram d, InetSocketAddress target) throws IOException {
        NioNet.family(target);
        if (target.getAddress() instanceof Inet6Address && !isV6(d)) {
            throw new IllegalArgumentException("cannot reach IPv6 address " + target + " from an IPv4 UdpSocket");
        }
        return target;
    }

    // ---- sending ----------------------------------------------------------------------------------

    static int sendTo(NioDatagram d, ByteBuffer src, InetSocketAddress target) throws IOException {
        return d.send(src, checkTarget(d, target));
    }

    static int sendTo(NioDatagram d, ByteBuffer src, SocketAddressHolder target) throws IOException {
        Objects.requireNonNull(target, "target");
        return d.send(src, checkTarget(d, target.toInetSocketAddress()));
    }

    static int sendTo(NioDatagram d, byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return sendTo(d, ByteBuffer.wrap(src, offset, length), target);
    }

    static int sendTo(NioDatagram d, byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return sendTo(d, ByteBuffer.wrap(src, offset, length), target);
    }

    static int sendTo(NioDatagram d, byte[] src, InetSocketAddress target) throws IOException {
        return sendTo(d, ByteBuffer.wrap(src), target);
    }

    static int send(NioDatagram d, ByteBuffer src) throws IOException {
        return d.send(src, null);
    }

    static int send(NioDatagram d, byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return d.send(ByteBuffer.wrap(src, offset, length), null);
    }

    static int send(NioDatagram d, byte[] src) throws IOException {
        return d.send(ByteBuffer.wrap(src), null);
    }

    // ---- receiving --------------------------------------------------------------------------------

    static InetSocketAddress recvFrom(NioDatagram d, ByteBuffer dst) throws IOException {
        return d.receive(dst, false) == WOULD_BLOCK ? null : d.lastSender();
    }

    static int recvFrom(NioDatagram d, ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = d.receive(dst, false);
        if (n != WOULD_BLOCK) {
            from.set(d.lastSender());
        }
        return n;
    }

    static int recvFrom(NioDatagram d, byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return recvFrom(d, ByteBuffer.wrap(dst, offset, length), from);
    }

    static InetSocketAddress peekFrom(NioDatagram d, ByteBuffer dst) throws IOException {
        return d.receive(dst, true) == WOULD_BLOCK ? null : d.lastSender();
    }

    static int peekFrom(NioDatagram d, ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = d.receive(dst, true);
        if (n != WOULD_BLOCK) {
            from.set(d.lastSender());
        }
        return n;
    }

    static int peekFrom(NioDatagram d, byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return peekFrom(d, ByteBuffer.wrap(dst, offset, length), from);
    }

    static int recv(NioDatagram d, ByteBuffer dst) throws IOException {
        return d.receive(dst, false);
    }

    static int recv(NioDatagram d, byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return d.receive(ByteBuffer.wrap(dst, offset, length), false);
    }

    static int recv(NioDatagram d, byte[] dst) throws IOException {
        return d.receive(ByteBuffer.wrap(dst), false);
    }

    static int peek(NioDatagram d, ByteBuffer dst) throws IOException {
        return d.receive(dst, true);
    }

    static int peek(NioDatagram d, byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return d.receive(ByteBuffer.wrap(dst, offset, length), true);
    }

    // ---- addresses and options --------------------------------------------------------------------

    static void connect(NioDatagram d, InetSocketAddress address) throws IOException {
        NioNet.family(address);
        if (address.getAddress() instanceof Inet6Address && !isV6(d)) {
            throw new IllegalArgumentException("cannot connect an IPv4 UdpSocket to IPv6 address " + address);
        }
        d.connect(address);
    }

    static InetSocketAddress localAddr(NioDatagram d) throws IOException {
        return (InetSocketAddress) NioNet.local(d.channel(), d);
    }

    static InetSocketAddress peerAddr(NioDatagram d) throws IOException {
        d.ensureOpen();
        InetSocketAddress a = (InetSocketAddress) d.channel().getRemoteAddress();
        if (a == null) {
            throw new SocketException("getpeername: UdpSocket is not connected (ENOTCONN)");
        }
        return a;
    }

    static void setBroadcast(NioDatagram d, boolean on) throws IOException {
        d.setOption(StandardSocketOptions.SO_BROADCAST, on);
    }

    static boolean broadcast(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.SO_BROADCAST);
    }

    static void setTtl(NioDatagram d, int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
        }
        d.ensureOpen();
        throw Unsupported.option("IP_TTL (unicast)", "UdpSocket");
    }

    static int ttl(NioDatagram d) throws IOException {
        d.ensureOpen();
        throw Unsupported.option("IP_TTL (unicast)", "UdpSocket");
    }

    static void setMulticastLoopV4(NioDatagram d, boolean on) throws IOException {
        d.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
    }

    static boolean multicastLoopV4(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    static void setMulticastTtlV4(NioDatagram d, int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast ttl must be in 0..255, was " + ttl);
        }
        d.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
    }

    static int multicastTtlV4(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.IP_MULTICAST_TTL);
    }

    static void setMulticastLoopV6(NioDatagram d, boolean on) throws IOException {
        requireV6(d, "IPV6_MULTICAST_LOOP");
        d.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
    }

    static boolean multicastLoopV6(NioDatagram d) throws IOException {
        requireV6(d, "IPV6_MULTICAST_LOOP");
        return d.getOption(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    static void setOnlyV6(NioDatagram d, boolean on) throws IOException {
        requireV6(d, "IPV6_V6ONLY");
        throw Unsupported.option("IPV6_V6ONLY", "UdpSocket");
    }

    static boolean onlyV6(NioDatagram d) throws IOException {
        requireV6(d, "IPV6_V6ONLY");
        throw Unsupported.option("IPV6_V6ONLY", "UdpSocket");
    }

    private static NetworkInterface byAddress(Inet4Address iface) throws IOException {
        Objects.requireNonNull(iface, "iface");
        if (iface.isAnyLocalAddress()) {
            return anyInterface();
        }
        NetworkInterface ni = NetworkInterface.getByInetAddress(iface);
        if (ni == null) {
            throw new SocketException("no network interface has address " + iface.getHostAddress() + " (ENODEV)");
        }
        return ni;
    }

    private static NetworkInterface byIndex(int ifIndex) throws IOException {
        if (ifIndex < 0) {
            throw new IllegalArgumentException("interface index must not be negative: " + ifIndex);
        }
        if (ifIndex == 0) {
            return anyInterface();
        }
        NetworkInterface ni = NetworkInterface.getByIndex(ifIndex);
        if (ni == null) {
            throw new SocketException("no network interface has index " + ifIndex + " (ENODEV)");
        }
        return ni;
    }

    /** "Let the kernel choose" has no java.nio form: the first multicast-capable interface that is up, else loopback. */
    private static NetworkInterface anyInterface() throws IOException {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (ni.isUp() && ni.supportsMulticast() && !ni.isLoopback()) {
                return ni;
            }
        }
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        if (lo == null) {
            throw new SocketException("no multicast-capable network interface (ENODEV)");
        }
        return lo;
    }

    static void setMulticastInterfaceV4(NioDatagram d, Inet4Address iface) throws IOException {
        d.setOption(StandardSocketOptions.IP_MULTICAST_IF, byAddress(iface));
    }

    static void setMulticastInterfaceV6(NioDatagram d, int ifIndex) throws IOException {
        requireV6(d, "IPV6_MULTICAST_IF");
        d.setOption(StandardSocketOptions.IP_MULTICAST_IF, byIndex(ifIndex));
    }

    private static void checkGroup(InetAddress group, String name) {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(name + ": " + group.getHostAddress() + " is not a multicast address");
        }
    }

    static void joinMulticastV4(NioDatagram d, Inet4Address group, Inet4Address iface) throws IOException {
        checkGroup(group, "IP_ADD_MEMBERSHIP");
        join(d, group, byAddress(iface), "IP_ADD_MEMBERSHIP");
    }

    static void leaveMulticastV4(NioDatagram d, Inet4Address group, Inet4Address iface) throws IOException {
        checkGroup(group, "IP_DROP_MEMBERSHIP");
        leave(d, group, byAddress(iface), "IP_DROP_MEMBERSHIP");
    }

    static void joinMulticastV6(NioDatagram d, Inet6Address group, int ifIndex) throws IOException {
        Objects.requireNonNull(group, "group");
        requireV6(d, "IPV6_ADD_MEMBERSHIP");
        checkGroup(group, "IPV6_ADD_MEMBERSHIP");
        join(d, group, byIndex(ifIndex), "IPV6_ADD_MEMBERSHIP");
    }

    static void leaveMulticastV6(NioDatagram d, Inet6Address group, int ifIndex) throws IOException {
        Objects.requireNonNull(group, "group");
        requireV6(d, "IPV6_DROP_MEMBERSHIP");
        checkGroup(group, "IPV6_DROP_MEMBERSHIP");
        leave(d, group, byIndex(ifIndex), "IPV6_DROP_MEMBERSHIP");
    }

    private static void join(NioDatagram d, InetAddress group, NetworkInterface ni, String name) throws IOException {
        d.join(group, ni, name);
    }

    private static void leave(NioDatagram d, InetAddress group, NetworkInterface ni, String name) throws IOException {
        d.leave(group, ni, name);
    }

    static void setRecvBufferSize(NioDatagram d, int bytes) throws IOException {
        d.setOption(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
    }

    static int recvBufferSize(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    static void setSendBufferSize(NioDatagram d, int bytes) throws IOException {
        d.setOption(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
    }

    static int sendBufferSize(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    static void setTos(NioDatagram d, int tos) throws IOException {
        d.setOption(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
    }

    static int tos(NioDatagram d) throws IOException {
        return d.getOption(StandardSocketOptions.IP_TOS);
    }

    static IOException takeError(NioDatagram d) throws IOException {
        d.ensureOpen();
        return null;
    }

    static int rawFd(NioDatagram d) throws IOException {
        d.ensureOpen();
        throw Unsupported.rawFd("UdpSocket.rawFd");
    }
}
