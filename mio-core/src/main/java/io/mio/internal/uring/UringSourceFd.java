package io.mio.internal.uring;

import io.mio.internal.spi.SourceFdSpi;
import java.io.IOException;

/**
 * A borrowed descriptor ({@code SourceFd}) registered with a URING Poll.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringSourceFd extends UringSource implements SourceFdSpi {
    private final SourceFdSpi inner;

    UringSourceFd(SourceFdSpi inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public int fd() {
        return inner.fd();
    }
}
