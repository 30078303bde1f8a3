package io.mio.internal.linux;

import io.mio.internal.spi.SourcePair;
import io.mio.internal.spi.UnixDatagramSpi;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.*;

/** A Unix-domain datagram socket of the epoll backend. */
final class LinuxUnixDatagram extends LinuxSource implements UnixDatagramSpi {
    private static final int WOULD_BLOCK = DgramOps.WOULD_BLOCK;

    LinuxUnixDatagram(FileDesc fd) {
        super(fd, "UnixDatagram");
    }

    static LinuxUnixDatagram bind(UnixAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        FileDesc fd = UnixSock.open(SOCK_DGRAM, "UnixDatagram");
        try {
            UnixSock.bind(fd, address);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return new LinuxUnixDatagram(fd);
    }

    static LinuxUnixDatagram unbound() throws IOException {
        return new LinuxUnixDatagram(UnixSock.open(SOCK_DGRAM, "UnixDatagram"));
    }

    static SourcePair<UnixDatagramSpi> pair() throws IOException {
        FileDesc[] fds = UnixSock.pair(SOCK_DGRAM, "UnixDatagram");
        return new SourcePair<>(new LinuxUnixDatagram(fds[0]), new LinuxUnixDatagram(fds[1]));
    }

    @Override
    public void connect(UnixAddress address) throws IOException {
        UnixSock.connect(fd, address);
    }

    private static int encode(UnixAddress target) {
        Objects.requireNonNull(target, "target");
        if (target.isUnnamed()) {
            throw new IllegalArgumentException("cannot send to an unnamed Unix address");
        }
        return UnixSock.encode(target, DgramOps.addressBuffer());
    }

    @Override
    public int sendTo(ByteBuffer src, UnixAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, 0, encode(target), "sendto " + target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, UnixAddress target) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, encode(target), "sendto " + target);
    }

    @Override
    public UnixAddress recvFrom(ByteBuffer dst) throws IOException {
        if (DgramOps.recvFrom(fd, dst, 0, true, "recvfrom") == WOULD_BLOCK) {
            return null;
        }
        MemorySegment a = DgramOps.addressBuffer();
        return UnixSock.decode(a, DgramOps.addressLength(a));
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        return DgramOps.sendTo(fd, src, 0, 0, "send");
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        return DgramOps.sendTo(fd, src, offset, length, 0, 0, "send");
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, 0, false, "recv");
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return DgramOps.recvFrom(fd, dst, offset, length, 0, false, "recv");
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return DgramOps.recvFrom(fd, dst, MSG_PEEK, false, "recv(MSG_PEEK)");
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
