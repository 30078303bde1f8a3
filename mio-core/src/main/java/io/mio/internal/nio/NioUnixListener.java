package io.mio.internal.nio;

import io.mio.internal.spi.UnixListenerSpi;
import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/** A Unix-domain listener of the selector backend: a {@link NioListener} around a UNIX-family ServerSocketChannel. */
final class NioUnixListener extends NioSource implements UnixListenerSpi {
    private final NioListener nio;

    NioUnixListener(NioListener nio) {
        super(nio, "UnixListener");
        this.nio = nio;
    }

    @Override
    public UnixStreamSpi accept() throws IOException {
        SocketChannel c = nio.accept();
        return c == null ? null : new NioUnixStream(NioUnix.stream(c), false);
    }

    @Override
    public UnixAddress localAddr() throws IOException {
        return NioUnix.address(NioNet.local(nio.server(), nio));
    }

    @Override
    public IOException takeError() throws IOException {
        nio.ensureOpen();
        return null;
    }
}
