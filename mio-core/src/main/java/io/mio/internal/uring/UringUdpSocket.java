package io.mio.internal.uring;

import io.mio.internal.spi.UdpSocketSpi;
import io.mio.net.SocketAddressHolder;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket of the URING backend.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringUdpSocket extends UringSource implements UdpSocketSpi {
    private final UdpSocketSpi inner;

    UringUdpSocket(UdpSocketSpi inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return inner.sendTo(src, target);
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException {
        return inner.sendTo(src, target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException {
        return inner.sendTo(src, offset, length, target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException {
        return inner.sendTo(src, offset, length, target);
    }

    @Override
    public InetSocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return inner.recvFrom(dst);
    }

    @Override
    public int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        return inner.recvFrom(dst, from);
    }

    @Override
    public int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        return inner.recvFrom(dst, offset, length, from);
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return inner.peekFrom(dst);
    }

    @Override
    public int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException {
        return inner.peekFrom(dst, from);
    }

    @Override
    public int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException {
        return inner.peekFrom(dst, offset, length, from);
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        inner.connect(address);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        return inner.send(src);
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        return inner.send(src, offset, length);
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        return inner.recv(dst);
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return inner.recv(dst, offset, length);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return inner.peek(dst);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return inner.peek(dst, offset, length);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return inner.peerAddr();
    }

    @Override
    public boolean isIpv6() {
        return inner.isIpv6();
    }

    @Override
    public void setBroadcast(boolean on) throws IOException {
        inner.setBroadcast(on);
    }

    @Override
    public boolean broadcast() throws IOException {
        return inner.broadcast();
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        inner.setTtl(ttl);
    }

    @Override
    public int ttl() throws IOException {
        return inner.ttl();
    }

    @Override
    public void setMulticastLoopV4(boolean on) throws IOException {
        inner.setMulticastLoopV4(on);
    }

    @Override
    public boolean multicastLoopV4() throws IOException {
        return inner.multicastLoopV4();
    }

    @Override
    public void setMulticastTtlV4(int ttl) throws IOException {
        inner.setMulticastTtlV4(ttl);
    }

    @Override
    public int multicastTtlV4() throws IOException {
        return inner.multicastTtlV4();
    }

    @Override
    public void setMulticastLoopV6(boolean on) throws IOException {
        inner.setMulticastLoopV6(on);
    }

    @Override
    public boolean multicastLoopV6() throws IOException {
        return inner.multicastLoopV6();
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        inner.setOnlyV6(on);
    }

    @Override
    public boolean onlyV6() throws IOException {
        return inner.onlyV6();
    }

    @Override
    public void setMulticastInterfaceV4(Inet4Address iface) throws IOException {
        inner.setMulticastInterfaceV4(iface);
    }

    @Override
    public void setMulticastInterfaceV6(int ifIndex) throws IOException {
        inner.setMulticastInterfaceV6(ifIndex);
    }

    @Override
    public void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        inner.joinMulticastV4(group, iface);
    }

    @Override
    public void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException {
        inner.leaveMulticastV4(group, iface);
    }

    @Override
    public void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        inner.joinMulticastV6(group, ifIndex);
    }

    @Override
    public void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException {
        inner.leaveMulticastV6(group, ifIndex);
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        inner.setRecvBufferSize(bytes);
    }

    @Override
    public int recvBufferSize() throws IOException {
        return inner.recvBufferSize();
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        inner.setSendBufferSize(bytes);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return inner.sendBufferSize();
    }

    @Override
    public void setTos(int tos) throws IOException {
        inner.setTos(tos);
    }

    @Override
    public int tos() throws IOException {
        return inner.tos();
    }

    @Override
    public IOException takeError() throws IOException {
        return inner.takeError();
    }
}
