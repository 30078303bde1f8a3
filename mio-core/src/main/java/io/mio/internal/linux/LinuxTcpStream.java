package io.mio.internal.linux;

import io.mio.internal.spi.TcpStreamSpi;
import io.mio.net.Shutdown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.mio.internal.linux.LinuxConstants.*;

/** A TCP connection of the epoll backend: the socket syscalls on its descriptor. */
final class LinuxTcpStream extends LinuxSource implements TcpStreamSpi {
    private volatile InetSocketAddress peer;

    LinuxTcpStream(FileDesc fd, InetSocketAddress peer) {
        super(fd, "TcpStream");
        this.peer = peer;
    }

    /** Opens a socket and starts a non-blocking connect. */
    static LinuxTcpStream connect(InetSocketAddress address) throws IOException {
        FileDesc fd = SocketOps.open(SockAddr.family(address), SOCK_STREAM, "TcpStream");
        try {
            SocketOps.connect(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxTcpStream(fd, null);
    }

    // ---- reading ----------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return SocketOps.recv(fd, dst, 0);
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws IOException {
        return SocketOps.recv(fd, dst, offset, length, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return SocketOps.readv(fd, dsts, offset, length);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return SocketOps.recv(fd, dst, MSG_PEEK);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return SocketOps.recv(fd, dst, offset, length, MSG_PEEK);
    }

    // ---- writing ----------------------------------------------------------------------------------

    @Override
    public int write(ByteBuffer src) throws IOException {
        return SocketOps.send(fd, src, 0);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        return SocketOps.send(fd, src, offset, length, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return SocketOps.writev(fd, srcs, offset, length);
    }

    @Override
    public int sendUrgent(byte b) throws IOException {
        return SocketOps.send(fd, new byte[] {b}, 0, 1, MSG_OOB);
    }

    // ---- state and options ---------------------------------------------------------------------

    @Override
    public void shutdown(Shutdown how) throws IOException {
        SocketOps.shutdown(fd, UnixSock.shutdownHow(how));
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        InetSocketAddress p = peer;
        if (p == null) {
            p = SocketOps.peerAddress(fd);
            peer = p;
        } else {
            fd.acquire(); // still report a closed stream as closed
            fd.release();
        }
        return p;
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return SocketOps.localAddress(fd);
    }

    @Override
    public void setNodelay(boolean nodelay) throws IOException {
        SocketOps.setInt(fd, IPPROTO_TCP, TCP_NODELAY, nodelay ? 1 : 0, "TCP_NODELAY");
    }

    @Override
    public boolean nodelay() throws IOException {
        return SocketOps.getInt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY") != 0;
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        SockOpts.setTtl(fd, ttl);
    }

    @Override
    public int ttl() throws IOException {
        return SockOpts.ttl(fd);
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
    public Duration keepaliveIdle() throws IOException {
        return Duration.ofSeconds(SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"));
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        SockOpts.setKeepaliveInterval(fd, interval);
    }

    @Override
    public Duration keepaliveInterval() throws IOException {
        return Duration.ofSeconds(SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"));
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        SockOpts.setKeepaliveRetries(fd, count);
    }

    @Override
    public int keepaliveRetries() throws IOException {
        return SocketOps.getInt(fd, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT");
    }

    @Override
    public void setQuickack(boolean on) throws IOException {
        SockOpts.setBool(fd, IPPROTO_TCP, TCP_QUICKACK, on, "TCP_QUICKACK");
    }

    @Override
    public boolean quickack() throws IOException {
        return SockOpts.getBool(fd, IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK");
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
        return SocketOps.takeError(fd);
    }
}
