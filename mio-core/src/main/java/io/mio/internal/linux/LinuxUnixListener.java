package io.mio.internal.linux;

import io.mio.internal.spi.UnixListenerSpi;
import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.UnixAddress;

import java.io.IOException;

import static io.mio.internal.linux.LinuxConstants.*;

/** A Unix-domain listener of the epoll backend. */
final class LinuxUnixListener extends LinuxSource implements UnixListenerSpi {
    LinuxUnixListener(FileDesc fd) {
        super(fd, "UnixListener");
    }

    static LinuxUnixListener bind(UnixAddress address, int backlog) throws IOException {
        FileDesc fd = UnixSock.open(SOCK_STREAM, "UnixListener");
        try {
            UnixSock.bind(fd, address);
            SocketOps.listen(fd, backlog);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxUnixListener(fd);
    }

    @Override
    public UnixStreamSpi accept() throws IOException {
        FileDesc accepted = UnixSock.accept(fd, "UnixStream");
        return accepted == null ? null : new LinuxUnixStream(accepted);
    }

    @Override
    public UnixAddress localAddr() throws IOException {
        return UnixSock.localAddress(fd);
    }

    @Override
    public IOException takeError() throws IOException {
        return SocketOps.takeError(fd);
    }
}
