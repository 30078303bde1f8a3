package io.mio.internal.wasi;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A TCP listener in a WASI guest: {@code sock_open}, SO_REUSEADDR, {@code sock_bind}, {@code sock_listen}. */
final class WasiTcpListener extends WasiSource implements TcpListenerSpi {
    private WasiTcpListener(int fd) {
        super("TcpListener", fd);
    }

    static WasiTcpListener bind(InetSocketAddress address, int backlog) throws IOException {
        int fd = WasiNet.open(address, Wasi.SOCK_STREAM, "TcpListener");
        try {
            WasiNet.setIntOption(fd, Wasi.SO_REUSEADDR, 1, "TcpListener"); // as mio and std do
            WasiNet.bind(fd, address, "TcpListener");
            WasiNet.listen(fd, backlog, "TcpListener");
        } catch (IOException | RuntimeException e) {
            WasiNet.close(fd);
            throw e;
        }
        return new WasiTcpListener(fd);
    }

    @Override
    public TcpStreamSpi accept() throws IOException {
        int fd = WasiNet.accept(fd());
        if (fd < 0) {
            registration.armRead();
            return null;
        }
        return new WasiTcpStream(fd);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return WasiNet.localAddr(fd(), kind);
    }

    @Override
    public void setTtl(int ttl) {
        throw WasiUnsupported.option("TcpListener.setTtl", "IP_TTL");
    }

    @Override
    public int ttl() {
        throw WasiUnsupported.option("TcpListener.ttl", "IP_TTL");
    }

    @Override
    public IOException takeError() throws IOException {
        int errno = WasiNet.takeError(fd(), kind);
        return errno == 0 ? null : WasiNet.pendingError(kind, errno);
    }
}
