package io.mio.internal.uring;

import io.mio.internal.spi.PipeSpi;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A pipe's write end of the URING backend.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringPipeSender extends UringSource implements PipeSpi.Sender {
    private final PipeSpi.Sender inner;

    UringPipeSender(PipeSpi.Sender inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return inner.write(src);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        return inner.write(src, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return inner.write(srcs, offset, length);
    }
}
