package io.mio.internal.spi;

import io.mio.net.SocketAddressHolder;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A backend's UDP socket, behind {@link io.mio.net.UdpSocket}; methods as the public ones of the same name. The
 * {@code int} results are a datagram's size or {@link #WOULD_BLOCK}; the address-returning forms return null when
 * they would block.
 */
public interface UdpSocketSpi extends SourceSpi {
    /** The result of a send or receive that would block ({@link io.mio.net.UdpSocket#WOULD_BLOCK}). */
    int WOULD_BLOCK = -1;

    int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException;

    int sendTo(ByteBuffer src, SocketAddressHolder target) throws IOException;

    int sendTo(byte[] src, int offset, int length, InetSocketAddress target) throws IOException;

    int sendTo(byte[] src, int offset, int length, SocketAddressHolder target) throws IOException;

    InetSocketAddress recvFrom(ByteBuffer dst) throws IOException;

    int recvFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException;

    int recvFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException;

    InetSocketAddress peekFrom(ByteBuffer dst) throws IOException;

    int peekFrom(ByteBuffer dst, SocketAddressHolder from) throws IOException;

    int peekFrom(byte[] dst, int offset, int length, SocketAddressHolder from) throws IOException;

    void connect(InetSocketAddress address) throws IOException;

    int send(ByteBuffer src) throws IOException;

    int send(byte[] src, int offset, int length) throws IOException;

    int recv(ByteBuffer dst) throws IOException;

    int recv(byte[] dst, int offset, int length) throws IOException;

    int peek(ByteBuffer dst) throws IOException;

    int peek(byte[] dst, int offset, int length) throws IOException;

    InetSocketAddress localAddr() throws IOException;

    InetSocketAddress peerAddr() throws IOException;

    /** Whether this is an IPv6 socket (fixed at creation). */
    boolean isIpv6();

    void setBroadcast(boolean on) throws IOException;

    boolean broadcast() throws IOException;

    void setTtl(int ttl) throws IOException;

    int ttl() throws IOException;

    void setMulticastLoopV4(boolean on) throws IOException;

    boolean multicastLoopV4() throws IOException;

    void setMulticastTtlV4(int ttl) throws IOException;

    int multicastTtlV4() throws IOException;

    void setMulticastLoopV6(boolean on) throws IOException;

    boolean multicastLoopV6() throws IOException;

    void setOnlyV6(boolean on) throws IOException;

    boolean onlyV6() throws IOException;

    void setMulticastInterfaceV4(Inet4Address iface) throws IOException;

    void setMulticastInterfaceV6(int ifIndex) throws IOException;

    void joinMulticastV4(Inet4Address group, Inet4Address iface) throws IOException;

    void leaveMulticastV4(Inet4Address group, Inet4Address iface) throws IOException;

    void joinMulticastV6(Inet6Address group, int ifIndex) throws IOException;

    void leaveMulticastV6(Inet6Address group, int ifIndex) throws IOException;

    void setRecvBufferSize(int bytes) throws IOException;

    int recvBufferSize() throws IOException;

    void setSendBufferSize(int bytes) throws IOException;

    int sendBufferSize() throws IOException;

    void setTos(int tos) throws IOException;

    int tos() throws IOException;

    IOException takeError() throws IOException;
}
