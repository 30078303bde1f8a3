package io.mio.internal.uring;

import io.mio.internal.spi.UnixListenerSpi;
import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.UnixAddress;
import java.io.IOException;

/**
 * A Unix listener of the URING backend; accepted streams are URING streams.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringUnixListener extends UringSource implements UnixListenerSpi {
    private final UnixListenerSpi inner;

    UringUnixListener(UnixListenerSpi inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public UnixStreamSpi accept() throws IOException {
        UnixStreamSpi s = inner.accept();
        return s == null ? null : new UringUnixStream(s);
    }

    @Override
    public UnixAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public IOException takeError() throws IOException {
        return inner.takeError();
    }
}
