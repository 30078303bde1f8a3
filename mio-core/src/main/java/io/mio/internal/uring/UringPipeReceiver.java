package io.mio.internal.uring;

import io.mio.internal.spi.PipeSpi;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A pipe's read end of the URING backend.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringPipeReceiver extends UringSource implements PipeSpi.Receiver {
    private final PipeSpi.Receiver inner;

    UringPipeReceiver(PipeSpi.Receiver inner) {
        super(inner);
        this.inner = inner;
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
}
