package io.mio.internal.linux;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.spi.SourceSpi;

import java.io.IOException;

/**
 * What every source of the epoll backend shares, as mio's {@code IoSource}: the descriptor, its registration with
 * the Poll's epoll set, close and the raw number.
 */
abstract class LinuxSource implements SourceSpi {
    final FileDesc fd;
    /** The public type, for {@link #toString()}: "TcpStream". */
    private final String name;

    LinuxSource(FileDesc fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    @Override
    public final void register(Registry registry, Token token, Interest interests) throws IOException {
        EpollSelector.of(registry, this).register(fd, token, interests);
    }

    @Override
    public final void reregister(Registry registry, Token token, Interest interests) throws IOException {
        EpollSelector.of(registry, this).reregister(fd, token, interests);
    }

    @Override
    public final void deregister(Registry registry) throws IOException {
        EpollSelector.of(registry, this).deregister(fd);
    }

    @Override
    public int rawFd() throws IOException {
        fd.acquire();
        try {
            return fd.fd();
        } finally {
            fd.release();
        }
    }

    @Override
    public final boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public final void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return name + "[" + fd + "]";
    }
}
