package io.mio.internal.linux;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpSocketSpi;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static io.mio.internal.linux.LinuxConstants.*;

/** A TCP socket of the epoll backend being configured: setsockopt before bind, listen or connect. */
final class LinuxTcpSocket implements TcpSocketSpi {
    private final FileDesc fd;

    LinuxTcpSocket(boolean v6) throws IOException {
        this.fd = SocketOps.open(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, "TcpSocket");
    }

    @Override
    public void setReuseAddr(boolean on) throws IOException {
        SockOpts.setBool(fd, SOL_SOCKET, SO_REUSEADDR, on, "SO_REUSEADDR");
    }

    @Override
    public boolean reuseAddr() throws IOException {
        return SockOpts.getBool(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    }

    @Override
    public void setReusePort(boolean on) throws IOException {
        SockOpts.setBool(fd, SOL_SOCKET, SO_REUSEPORT, on, "SO_REUSEPORT");
    }

    @Override
    public boolean reusePort() throws IOException {
        return SockOpts.getBool(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT");
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        SockOpts.setBool(fd, IPPROTO_IPV6, IPV6_V6ONLY, on, "IPV6_V6ONLY");
    }

    @Override
    public boolean onlyV6() throws IOException {
        return SockOpts.getBool(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        SockOpts.setBool(fd, SOL_SOCKET, SO_KEEPALIVE, on, "SO_KEEPALIVE");
    }

    @Override
    public boolean keepalive() throws IOException {
        return SockOpts.getBool(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    }

    @Override
    public void setKeepaliveIdle(Duration idle) throws IOException {
        SockOpts.setKeepaliveIdle(fd, idle);
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        SockOpts.setKeepaliveInterval(fd, interval);
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        SockOpts.setKeepaliveRetries(fd, count);
    }

    @Override
    public void setLinger(Duration linger) throws IOException {
        SockOpts.setLinger(fd, linger);
    }

    @Override
    public Duration linger() throws IOException {
        return SockOpts.linger(fd);
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
    public void setNodelay(boolean on) throws IOException {
        SockOpts.setBool(fd, IPPROTO_TCP, TCP_NODELAY, on, "TCP_NODELAY");
    }

    @Override
    public boolean nodelay() throws IOException {
        return SockOpts.getBool(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
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
    public void setFastOpen(int queueLength) throws IOException {
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_FASTOPEN, queueLength, "TCP_FASTOPEN");
    }

    @Override
    public int fastOpen() throws IOException {
        return SocketOps.getInt(fd, IPPROTO_TCP, TCP_FASTOPEN, "TCP_FASTOPEN");
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        SocketOps.bind(fd, address);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return SocketOps.localAddress(fd);
    }

    @Override
    public TcpListenerSpi listen(int backlog) throws IOException {
        SocketOps.listen(fd, backlog);
        return new LinuxTcpListener(fd);
    }

    @Override
    public TcpStreamSpi connect(InetSocketAddress address) throws IOException {
        SocketOps.connect(fd, address);
        return new LinuxTcpStream(fd, null);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
