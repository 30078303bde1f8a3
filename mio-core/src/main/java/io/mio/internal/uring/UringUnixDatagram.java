package io.mio.internal.uring;

import io.mio.internal.spi.UnixDatagramSpi;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Unix datagram socket of the URING backend.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringUnixDatagram extends UringSource implements UnixDatagramSpi {
    private final UnixDatagramSpi inner;

    UringUnixDatagram(UnixDatagramSpi inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public void connect(UnixAddress address) throws IOException {
        inner.connect(address);
    }

    @Override
    public int sendTo(ByteBuffer src, UnixAddress target) throws IOException {
        return inner.sendTo(src, target);
    }

    @Override
    public int sendTo(byte[] src, int offset, int length, UnixAddress target) throws IOException {
        return inner.sendTo(src, offset, length, target);
    }

    @Override
    public UnixAddress recvFrom(ByteBuffer dst) throws IOException {
        return inner.recvFrom(dst);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        return inner.send(src);
    }

    @Override
    public int send(byte[] src, int offset, int length) throws IOException {
        return inner.send(src, offset, length);
    }

    @Override
    public int recv(ByteBuffer dst) throws IOException {
        return inner.recv(dst);
    }

    @Override
    public int recv(byte[] dst, int offset, int length) throws IOException {
        return inner.recv(dst, offset, length);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return inner.peek(dst);
    }

    @Override
    public void shutdown(Shutdown how) throws IOException {
        inner.shutdown(how);
    }

    @Override
    public UnixAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public UnixAddress peerAddr() throws IOException {
        return inner.peerAddr();
    }

    @Override
    public IOException takeError() throws IOException {
        return inner.takeError();
    }
}
