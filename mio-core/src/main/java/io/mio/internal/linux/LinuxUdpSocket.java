package io.mio.internal.linux;

import io.mio.OsError;
import io.mio.internal.spi.UdpSocketSpi;
import io.mio.net.SocketAddressHolder;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/** A UDP socket of the epoll backend: sendto / recvfrom through {@link DgramOps}, options by setsockopt. */
final class LinuxUdpSocket extends LinuxSource implements UdpSocketSpi {
    private static final int WOULD_BLOCK = DgramOps.WOULD_BLOCK;

    private final boolean v6;

    private LinuxUdpSocket(FileDesc fd, boolean v6) {
        super(fd, "UdpSocket");
        this.v6 = v6;
    }

    static LinuxUdpSocket bind(InetSocketAddress address) throws IOException {
        int family = SockAddr.family(address);
        FileDesc fd = SocketOps.open(family, SOCK_DGRAM, "UdpSocket");
        try {
            SocketOps.bind(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxUdpSocket(fd, family == AF_INET6);
    }

    static LinuxUdpSocket bind(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        int family = SockAddr.family(address);
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
        return new LinuxUdpSocket(fd, family == AF_INET6);
    }

    static LinuxUdpSocket adopt(int fd) throws IOException {
        // Check before SocketOps.adopt changes the flags: on failure the caller's descriptor stays as it was.
        int family = SockOpts.familyOfUnowned(fd, "UdpSocket");
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("descriptor " + fd + " is not an IPv4 or IPv6 socket (family " + family + ")");
        }
        return new LinuxUdpSocket(SocketOps.adopt(fd, SOCK_DGRAM, "UdpSocket"), family == AF_INET6);
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
        return SockAddr.store(target, DgramOps.addressBuffer());
    }

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto");
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException {
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto");
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto");
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto");
    }

    private static InetSocketAddress sender() {
        MemorySegment a = DgramOps.addressBuffer();
        return SockAddr.decode(a, DgramOps.addressLength(a));
    }

    private static void sender(SocketAddressHolder from) {
        MemorySegment a = DgramOps.addressBuffer();
        SockAddr.load(from, a, DgramOps.addressLength(a));
    }

    @Override
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, 0, true, "recvfrom") == WOULD_BLOCK ? null : sender();
    }

    @Override
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, 0, true, "recvfrom");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    @Override
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, offset, length, 0, true, "recvfrom");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, true, "recvfrom(MSG_PEEK)") == WOULD_BLOCK ? null : sender();
    }

    @Override
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, MSG_PEEK, true, "recvfrom(MSG_PEEK)");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    @Override
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        Objects.requireNonNull(from, "from");
        int n = DgramOps.recvFrom(fd, dst, offset, length, MSG_PEEK, true, "recvfrom(MSG_PEEK)");
        if (n != WOULD_BLOCK) {
            sender(from);
        }
        return n;
    }

    // ---- connected --------------------------------------------------------------------------------

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        if (SockAddr.family(address) == AF_INET6 && !v6) {
            throw new IllegalArgumentException("cannot connect an IPv4 UdpSocket to IPv6 address " + address);
        }
        SocketOps.connect(fd, address);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        return DgramOps.sendTo(fd, src, 0, 0, "send");
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, 0, "send");
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, 0, false, "recv");
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return DgramOps.recvFrom(fd, dst, offset, length, 0, false, "recv");
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, false, "recv(MSG_PEEK)");
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return DgramOps.recvFrom(fd, dst, offset, length, MSG_PEEK, false, "recv(MSG_PEEK)");
    }

    // ---- addresses and options --------------------------------------------------------------------

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return SocketOps.localAddress(fd);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return SocketOps.peerAddress(fd);
    }

    @Override
    public boolean isIpv6() {
        return v6;
    }

    @Override
    public void setBroadcast(boolean on) throws IOException {
        SocketOps.setInt(fd, SOL_SOCKET, SO_BROADCAST, on ? 1 : 0, "SO_BROADCAST");
    }

    @Override
    public boolean broadcast() throws IOException {
        return SocketOps.getInt(fd, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST") != 0;
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        SockOpts.setTtl(fd, ttl);
    }

    @Override
    public int ttl() throws IOException {
        return SockOpts.ttl(fd);
    }

    private void requireV6(String option) {
        if (!v6) {
            throw new UnsupportedOperationException(option + " applies to IPv6 sockets; this UdpSocket is IPv4");
        }
    }

    @Override
    public void setMulticastLoopV4(boolean on) throws IOException {
        SocketOps.setInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0, "IP_MULTICAST_LOOP");
    }

    @Override
    public boolean multicastLoopV4() throws IOException {
        return SocketOps.getInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP") != 0;
    }

    @Override
    public void setMulticastTtlV4(int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("multicast ttl must be in 0..255, was " + ttl);
        }
        SocketOps.setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
    }

    @Override
    public int multicastTtlV4() throws IOException {
        return SocketOps.getInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL");
    }

    @Override
    public void setMulticastLoopV6(boolean on) throws IOException {
        requireV6("IPV6_MULTICAST_LOOP");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0, "IPV6_MULTICAST_LOOP");
    }

    @Override
    public boolean multicastLoopV6() throws IOException {
        requireV6("IPV6_MULTICAST_LOOP");
        return SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP") != 0;
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        requireV6("IPV6_V6ONLY");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, on ? 1 : 0, "IPV6_V6ONLY");
    }

    @Override
    public boolean onlyV6() throws IOException {
        requireV6("IPV6_V6ONLY");
        return SocketOps.getInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY") != 0;
    }

    @Override
    public void setMulticastInterfaceV4(Inet4Address iface) throws IOException {
        Objects.requireNonNull(iface, "iface");
        byte[] i = iface.getAddress();
        setBytes(IP_MULTICAST_IF, "IP_MULTICAST_IF", IPPROTO_IP, 4,
                seg -> MemorySegment.copy(i, 0, seg, ValueLayout.JAVA_BYTE, 0, 4));
    }

    @Override
    public void setMulticastInterfaceV6(int ifIndex) throws IOException {
        requireV6("IPV6_MULTICAST_IF");
        SocketOps.setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF");
    }

    @Override
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        membershipV4(group, iface, IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP");
    }

    @Override
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        membershipV4(group, iface, IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP");
    }

    @Override
    public void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        membershipV6(group, ifIndex, IPV6_ADD_MEMBERSHIP, "IPV6_ADD_MEMBERSHIP");
    }

    @Override
    public void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException {
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

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        SockOpts.setBufferSize(fd, SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    @Override
    public int recvBufferSize() throws IOException {
        return SocketOps.getInt(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        SockOpts.setBufferSize(fd, SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    @Override
    public int sendBufferSize() throws IOException {
        return SocketOps.getInt(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    }

    @Override
    public void setTos(int tos) throws IOException {
        SockOpts.setTos(fd, tos);
    }

    @Override
    public int tos() throws IOException {
        return SockOpts.tos(fd);
    }

    @Override
    public IOException takeError() throws IOException {
        IOException e = SocketOps.takeError(fd);
        // On a datagram socket ECONNREFUSED is an ICMP port-unreachable: the same type recv and send throw.
        return e instanceof OsError os && os.rawOsError() == ECONNREFUSED ? Errno.portUnreachable("pending socket error") : e;
    }
}
