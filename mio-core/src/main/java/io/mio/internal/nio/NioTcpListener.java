package io.mio.internal.nio;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpStreamSpi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/** A TCP listener of the selector backend: a {@link NioListener} around a ServerSocketChannel. */
final class NioTcpListener extends NioSource implements TcpListenerSpi {
    private final NioListener nio;

    NioTcpListener(NioListener nio) {
        super(nio, "TcpListener");
        this.nio = nio;
    }

    @Override
    public TcpStreamSpi accept() throws IOException {
        SocketChannel c = nio.accept();
        return c == null ? null : new NioTcpStream(NioNet.stream(c, "TcpStream"));
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return NioNet.localAddr(nio);
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
        }
        nio.ensureOpen();
        throw Unsupported.option("IP_TTL", "TcpListener");
    }

    @Override
    public int ttl() throws IOException {
        nio.ensureOpen();
        throw Unsupported.option("IP_TTL", "TcpListener");
    }

    @Override
    public IOException takeError() throws IOException {
        nio.ensureOpen();
        return null;
    }
}
