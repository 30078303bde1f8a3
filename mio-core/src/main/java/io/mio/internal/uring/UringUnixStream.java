package io.mio.internal.uring;

import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Unix stream socket of the URING backend.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringUnixStream extends UringSource implements UnixStreamSpi {
    private final UnixStreamSpi inner;

    UringUnixStream(UnixStreamSpi inner) {
        super(inner);
        this.inner = inner;
        this.sendQueue = new UringSends.Queue(this);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return inner.read(dst);
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws IOException {
        return inner.read(dst, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return inner.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = sendQueue.write(src);
        return n >= 0 ? n : inner.write(src);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        int n = sendQueue.write(src, offset, length);
        return n >= 0 ? n : inner.write(src, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = sendQueue.write(srcs, offset, length);
        return n >= 0 ? n : inner.write(srcs, offset, length);
    }

    @Override
    public void shutdown(Shutdown how) throws IOException {
        sendQueue.shutdown(how, inner::shutdown);
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
        IOException e = sendQueue.takeError();
        return e != null ? e : inner.takeError();
    }
}
