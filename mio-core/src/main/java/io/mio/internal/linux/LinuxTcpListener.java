package io.mio.internal.linux;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;

import static io.mio.internal.linux.LinuxConstants.*;

/** A TCP listener of the epoll backend. */
final class LinuxTcpListener extends LinuxSource implements TcpListenerSpi {
    LinuxTcpListener(FileDesc fd) {
        super(fd, "TcpListener");
    }

    /** Binds with SO_REUSEADDR and listens. */
    static LinuxTcpListener bind(InetSocketAddress address, int backlog) throws IOException {
        FileDesc fd = SocketOps.open(SockAddr.family(address), SOCK_STREAM, "TcpListener");
        try {
            SocketOps.setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            SocketOps.bind(fd, address);
            SocketOps.listen(fd, backlog);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxTcpListener(fd);
    }

    @Override
    public TcpStreamSpi accept() throws IOException {
        InetSocketAddress[] peer = new InetSocketAddress[1];
        int nfd = SocketOps.accept(fd, peer);
        return nfd < 0 ? null : new LinuxTcpStream(new FileDesc(nfd, "TcpStream"), peer[0]);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return SocketOps.localAddress(fd);
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
    public IOException takeError() throws IOException {
        return SocketOps.takeError(fd);
    }
}
