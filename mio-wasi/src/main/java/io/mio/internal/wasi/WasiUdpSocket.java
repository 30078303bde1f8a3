package io.mio.internal.wasi;

import io.mio.internal.Bridge;
import io.mio.internal.spi.UdpSocketSpi;
import io.mio.net.SocketAddressHolder;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A UDP socket in a WASI guest: {@code sock_send_to} / {@code sock_recv_from} (V2: the sender's family, IP and
 * port come back), and {@code sock_send} / {@code sock_recv} once connected. Would-block returns
 * {@link #WOULD_BLOCK} and re-arms the registration's readiness, as every datagram does not (a datagram
 * received or sent whole leaves readiness as reported: the next call says whether more is queued).
 */
final class WasiUdpSocket extends WasiSource implements UdpSocketSpi {
    private final boolean v6;
    private final WasiNet.Sender sender = new WasiNet.Sender();
    private final byte[] target = new byte[16];
    private boolean connected;

    private WasiUdpSocket(int fd, boolean v6) {
        super("UdpSocket", fd);
        this.v6 = v6;
    }

    static WasiUdpSocket bind(InetSocketAddress address, boolean reuseAddr, boolean broadcast, int recvBufferSize,
            int sendBufferSize) throws IOException {
        boolean v6 = WasiNet.isV6(address);
        int fd = WasiNet.open(address, Wasi.SOCK_DGRAM, "UdpSocket");
        try {
            if (reuseAddr) {
                WasiNet.setIntOption(fd, Wasi.SO_REUSEADDR, 1, "UdpSocket");
            }
            if (broadcast) {
                WasiNet.setIntOption(fd, Wasi.SO_BROADCAST, 1, "UdpSocket");
            }
            if (recvBufferSize > 0) {
                WasiNet.setIntOption(fd, Wasi.SO_RCVBUF, recvBufferSize, "UdpSocket");
            }
            if (sendBufferSize > 0) {
                WasiNet.setIntOption(fd, Wasi.SO_SNDBUF, sendBufferSize, "UdpSocket");
            }
            WasiNet.bind(fd, address, "UdpSocket");
        } catch (IOException | RuntimeException e) {
            WasiNet.close(fd);
            throw e;
        }
        return new WasiUdpSocket(fd, v6);
    }

    private int afterRecv(int n) {
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return WOULD_BLOCK;
        }
        return n;
    }

    private int afterSend(int n) {
        if (n == WasiNet.AGAIN) {
            registration.armWrite();
            return WOULD_BLOCK;
        }
        return n;
    }

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return afterSend(WasiNet.sendTo(fd(), src, target, kind));
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddressHolder to) throws IOException {
        int length = to.addressBytes(target, 0);
        return afterSend(WasiNet.sendTo(fd(), src, target, length, to.port(), kind));
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        return sendTo(ByteBuffer.wrap(src, offset, length), target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder to) throws IOException {
        return sendTo(ByteBuffer.wrap(src, offset, length), to);
    }

    @Override
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        int n = afterRecv(WasiNet.recvFrom(fd(), dst, sender, kind));
        return n == WOULD_BLOCK ? null : senderAddress();
    }

    @Override
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        int n = afterRecv(WasiNet.recvFrom(fd(), dst, sender, kind));
        if (n != WOULD_BLOCK) {
            // Straight into the holder's own array: a datagram server allocates nothing per datagram.
            byte[] address = Bridge.holders().address(from);
            System.arraycopy(sender.ip, 0, address, 0, 16);
            if (!sender.v6) {
                java.util.Arrays.fill(address, 4, 16, (byte) 0);
            }
            Bridge.holders().set(from, sender.v6, sender.port, 0);
        }
        return n;
    }

    @Override
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        return recvFrom(ByteBuffer.wrap(dst, offset, length), from);
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) {
        throw peekUnsupported("UdpSocket.peekFrom");
    }

    @Override
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) {
        throw peekUnsupported("UdpSocket.peekFrom");
    }

    @Override
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) {
        throw peekUnsupported("UdpSocket.peekFrom");
    }

    private static UnsupportedOperationException peekUnsupported(String call) {
        return new UnsupportedOperationException(call + ": WasmEdge's sock_recv_from takes no PEEK flag "
                + "in a WASI guest (use peek on a connected socket)");
    }

    private InetSocketAddress senderAddress() throws SocketException {
        byte[] ip = new byte[sender.v6 ? 16 : 4];
        System.arraycopy(sender.ip, 0, ip, 0, ip.length);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), sender.port);
        } catch (UnknownHostException e) {
            throw new SocketException("UdpSocket recv_from: the host returned a malformed address");
        }
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        WasiNet.connect(fd(), address, kind);
        connected = true;
    }

    private void requireConnected() {
        if (!connected) {
            throw new java.nio.channels.NotYetConnectedException();
        }
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        requireConnected();
        try {
            return afterSend(WasiNet.send(fd(), src, kind));
        } catch (java.net.ConnectException e) {
            throw new java.net.PortUnreachableException(e.getMessage()); // CONNREFUSED: an ICMP error came back
        }
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        return send(ByteBuffer.wrap(src, offset, length));
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        requireConnected();
        int room = dst.remaining();
        int n;
        try {
            n = WasiNet.recv(fd(), dst, 0, kind);
        } catch (java.net.ConnectException e) {
            throw new java.net.PortUnreachableException(e.getMessage());
        }
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return WOULD_BLOCK;
        }
        return n < 0 ? 0 : Math.min(n, room); // a datagram read, never "end of stream"
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return recv(ByteBuffer.wrap(dst, offset, length));
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        requireConnected();
        int n = WasiNet.recv(fd(), dst, Wasi.RIFLAGS_PEEK, kind);
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return WOULD_BLOCK;
        }
        return Math.max(n, 0);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return peek(ByteBuffer.wrap(dst, offset, length));
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return WasiNet.localAddr(fd(), kind);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return WasiNet.peerAddr(fd(), kind);
    }

    @Override
    public boolean isIpv6() {
        return v6;
    }

    @Override
    public void setBroadcast(boolean on) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_BROADCAST, on ? 1 : 0, kind);
    }

    @Override
    public boolean broadcast() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_BROADCAST, kind) != 0;
    }

    @Override
    public void setTtl(int ttl) {
        throw WasiUnsupported.option("UdpSocket.setTtl", "IP_TTL");
    }

    @Override
    public int ttl() {
        throw WasiUnsupported.option("UdpSocket.ttl", "IP_TTL");
    }

    @Override
    public void setMulticastLoopV4(boolean on) {
        throw WasiUnsupported.option("UdpSocket.setMulticastLoopV4", "IP_MULTICAST_LOOP");
    }

    @Override
    public boolean multicastLoopV4() {
        throw WasiUnsupported.option("UdpSocket.multicastLoopV4", "IP_MULTICAST_LOOP");
    }

    @Override
    public void setMulticastTtlV4(int ttl) {
        throw WasiUnsupported.option("UdpSocket.setMulticastTtlV4", "IP_MULTICAST_TTL");
    }

    @Override
    public int multicastTtlV4() {
        throw WasiUnsupported.option("UdpSocket.multicastTtlV4", "IP_MULTICAST_TTL");
    }

    @Override
    public void setMulticastLoopV6(boolean on) {
        throw WasiUnsupported.option("UdpSocket.setMulticastLoopV6", "IPV6_MULTICAST_LOOP");
    }

    @Override
    public boolean multicastLoopV6() {
        throw WasiUnsupported.option("UdpSocket.multicastLoopV6", "IPV6_MULTICAST_LOOP");
    }

    @Override
    public void setOnlyV6(boolean on) {
        throw WasiUnsupported.option("UdpSocket.setOnlyV6", "IPV6_V6ONLY");
    }

    @Override
    public boolean onlyV6() {
        throw WasiUnsupported.option("UdpSocket.onlyV6", "IPV6_V6ONLY");
    }

    @Override
    public void setMulticastInterfaceV4(Inet4Address iface) {
        throw WasiUnsupported.option("UdpSocket.setMulticastInterfaceV4", "IP_MULTICAST_IF");
    }

    @Override
    public void setMulticastInterfaceV6(int ifIndex) {
        throw WasiUnsupported.option("UdpSocket.setMulticastInterfaceV6", "IPV6_MULTICAST_IF");
    }

    @Override
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) {
        throw WasiUnsupported.option("UdpSocket.joinMulticastV4", "IP_ADD_MEMBERSHIP");
    }

    @Override
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) {
        throw WasiUnsupported.option("UdpSocket.leaveMulticastV4", "IP_DROP_MEMBERSHIP");
    }

    @Override
    public void joinMulticastV6(Inet6Address group, int ifIndex) {
        throw WasiUnsupported.option("UdpSocket.joinMulticastV6", "IPV6_JOIN_GROUP");
    }

    @Override
    public void leaveMulticastV6(Inet6Address group, int ifIndex) {
        throw WasiUnsupported.option("UdpSocket.leaveMulticastV6", "IPV6_LEAVE_GROUP");
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_RCVBUF, bytes, kind);
    }

    @Override
    public int recvBufferSize() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_RCVBUF, kind);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_SNDBUF, bytes, kind);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_SNDBUF, kind);
    }

    @Override
    public void setTos(int tos) {
        throw WasiUnsupported.option("UdpSocket.setTos", "IP_TOS");
    }

    @Override
    public int tos() {
        throw WasiUnsupported.option("UdpSocket.tos", "IP_TOS");
    }

    @Override
    public IOException takeError() throws IOException {
        int errno = WasiNet.takeError(fd(), kind);
        return errno == 0 ? null : WasiErrors.datagramException(kind, errno);
    }
}
