package io.mio.internal.linux;

import io.mio.internal.spi.SourcePair;
import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.mio.internal.linux.LinuxConstants.*;

/** A Unix-domain stream of the epoll backend. */
final class LinuxUnixStream extends LinuxSource implements UnixStreamSpi {
    LinuxUnixStream(FileDesc fd) {
        super(fd, "UnixStream");
    }

    static LinuxUnixStream connect(UnixAddress address) throws IOException {
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to an unnamed Unix address");
        }
        FileDesc fd = UnixSock.open(SOCK_STREAM, "UnixStream");
        try {
            UnixSock.connect(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxUnixStream(fd);
    }

    static SourcePair<UnixStreamSpi> pair() throws IOException {
        FileDesc[] fds = UnixSock.pair(SOCK_STREAM, "UnixStream");
        return new SourcePair<>(new LinuxUnixStream(fds[0]), new LinuxUnixStream(fds[1]));
    }

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
    public void shutdown(Shutdown how) throws IOException {
        SocketOps.shutdown(fd, UnixSock.shutdownHow(how));
    }

    @Override
    public UnixAddress localAddr() throws IOException {
        return UnixSock.localAddress(fd);
    }

    @Override
    public UnixAddress peerAddr() throws IOException {
        return UnixSock.peerAddress(fd);
    }

    @Override
    public IOException takeError() throws IOException {
        return SocketOps.takeError(fd);
    }
}
