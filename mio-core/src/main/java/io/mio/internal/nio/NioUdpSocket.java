package io.mio.internal.nio;

import io.mio.internal.spi.UdpSocketSpi;
import io.mio.net.SocketAddressHolder;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

/** A UDP socket of the selector backend: a {@link DatagramChannel}. */
final class NioUdpSocket extends NioSource implements UdpSocketSpi {
    private static final int WOULD_BLOCK = NioDatagram.WOULD_BLOCK;

    private final NioDatagram d;
    private final boolean v6;

    private NioUdpSocket(NioDatagram d, boolean v6) {
        super(d, "UdpSocket");
        this.d = d;
        this.v6 = v6;
    }

    static NioUdpSocket bind(InetSocketAddress address) throws IOException {
        return new NioUdpSocket(NioNet.udp(address), NioNet.family(address) == StandardProtocolFamily.INET6);
    }

    static NioUdpSocket bind(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
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
            return new NioUdpSocket(d, address.getAddress() instanceof Inet6Address);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public boolean isIpv6() {
        return v6;
    }

    private boolean isV6() throws IOException {
        return localAddr().getAddress() instanceof Inet6Address;
    }

    private void requireV6(String option) throws IOException {
        if (!isV6()) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this UdpSocket is IPv4");
        }
    }

    private InetSocketAddress checkTarget(InetSocketAddress target) throws IOException {
        NioNet.family(target);
        if (target.getAddress() instanceof Inet6Address && !isV6()) {
            throw new IllegalArgumentException("cannot reach IPv6 address " + target + " from an IPv4 UdpSocket");
        }
        return target;
    }

    // ---- sending ----------------------------------------------------------------------------------

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return d.send(src, checkTarget(target));
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException {
        Objects.requireNonNull(target, "target");
        return d.send(src, checkTarget(target.toInetSocketAddress()));
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return sendTo(ByteBuffer.wrap(src, offset, length), target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return sendTo(ByteBuffer.wrap(src, offset, length), target);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        return d.send(src, null);
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return d.send(ByteBuffer.wrap(src, offset, length), null);
    }

    // ---- receiving --------------------------------------------------------------------------------

    @Override
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return d.receive(dst, false) == WOULD_BLOCK ? null : d.lastSender();
    }

    @Override
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = d.receive(dst, false);
        if (n != WOULD_BLOCK) {
            from.set(d.lastSender());
        }
        return n;
    }

    @Override
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return recvFrom(ByteBuffer.wrap(dst, offset, length), from);
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return d.receive(dst, true) == WOULD_BLOCK ? null : d.lastSender();
    }

    @Override
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = d.receive(dst, true);
        if (n != WOULD_BLOCK) {
            from.set(d.lastSender());
        }
        return n;
    }

    @Override
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return peekFrom(ByteBuffer.wrap(dst, offset, length), from);
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        return d.receive(dst, false);
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return d.receive(ByteBuffer.wrap(dst, offset, length), false);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return d.receive(dst, true);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return d.receive(ByteBuffer.wrap(dst, offset, length), true);
    }

    // ---- addresses and options --------------------------------------------------------------------

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        NioNet.family(address);
        if (address.getAddress() instanceof Inet6Address && !isV6()) {
            throw new IllegalArgumentException("cannot connect an IPv4 UdpSocket to IPv6 address " + address);
        }
        d.connect(address);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return (InetSocketAddress) NioNet.local(d.channel(), d);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        d.ensureOpen();
        InetSocketAddress a = (InetSocketAddress) d.channel().getRemoteAddress();
        if (a == null) {
            throw new SocketException("getpeername: UdpSocket is not connected (ENOTCONN)");
        }
        return a;
    }

    @Override
    public void setBroadcast(boolean on) throws IOException {
        d.setOption(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean broadcast() throws IOException {
        return d.getOption(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
        }
        d.ensureOpen();
        throw Unsupported.option("IP_TTL (unicast)", "UdpSocket");
    }

    @Override
    public int ttl() throws IOException {
        d.ensureOpen();
        throw Unsupported.option("IP_TTL (unicast)", "UdpSocket");
    }

    @Override
    public void setMulticastLoopV4(boolean on) throws IOException {
        d.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
    }

    @Override
    public boolean multicastLoopV4() throws IOException {
        return d.getOption(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    @Override
    public void setMulticastTtlV4(int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast ttl must be in 0..255, was " + ttl);
        }
        d.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
    }

    @Override
    public int multicastTtlV4() throws IOException {
        return d.getOption(StandardSocketOptions.IP_MULTICAST_TTL);
    }

    @Override
    public void setMulticastLoopV6(boolean on) throws IOException {
        requireV6("IPV6_MULTICAST_LOOP");
        d.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
    }

    @Override
    public boolean multicastLoopV6() throws IOException {
        requireV6("IPV6_MULTICAST_LOOP");
        return d.getOption(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        requireV6("IPV6_V6ONLY");
        throw Unsupported.option("IPV6_V6ONLY", "UdpSocket");
    }

    @Override
    public boolean onlyV6() throws IOException {
        requireV6("IPV6_V6ONLY");
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

    @Override
    public void setMulticastInterfaceV4(Inet4Address iface) throws IOException {
        d.setOption(StandardSocketOptions.IP_MULTICAST_IF, byAddress(iface));
    }

    @Override
    public void setMulticastInterfaceV6(int ifIndex) throws IOException {
        requireV6("IPV6_MULTICAST_IF");
        d.setOption(StandardSocketOptions.IP_MULTICAST_IF, byIndex(ifIndex));
    }

    private static void checkGroup(InetAddress group, String name) {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(name + ": " + group.getHostAddress() + " is not a multicast address");
        }
    }

    @Override
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        checkGroup(group, "IP_ADD_MEMBERSHIP");
        join(group, byAddress(iface), "IP_ADD_MEMBERSHIP");
    }

    @Override
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        checkGroup(group, "IP_DROP_MEMBERSHIP");
        leave(group, byAddress(iface), "IP_DROP_MEMBERSHIP");
    }

    @Override
    public void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        Objects.requireNonNull(group, "group");
        requireV6("IPV6_ADD_MEMBERSHIP");
        checkGroup(group, "IPV6_ADD_MEMBERSHIP");
        join(group, byIndex(ifIndex), "IPV6_ADD_MEMBERSHIP");
    }

    @Override
    public void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        Objects.requireNonNull(group, "group");
        requireV6("IPV6_DROP_MEMBERSHIP");
        checkGroup(group, "IPV6_DROP_MEMBERSHIP");
        leave(group, byIndex(ifIndex), "IPV6_DROP_MEMBERSHIP");
    }

    private void join(InetAddress group, NetworkInterface ni, String name) throws IOException {
        d.join(group, ni, name);
    }

    private void leave(InetAddress group, NetworkInterface ni, String name) throws IOException {
        d.leave(group, ni, name);
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        d.setOption(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
    }

    @Override
    public int recvBufferSize() throws IOException {
        return d.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        d.setOption(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
    }

    @Override
    public int sendBufferSize() throws IOException {
        return d.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setTos(int tos) throws IOException {
        d.setOption(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
    }

    @Override
    public int tos() throws IOException {
        return d.getOption(StandardSocketOptions.IP_TOS);
    }

    @Override
    public IOException takeError() throws IOException {
        d.ensureOpen();
        return null;
    }

}
