package io.mio.internal.uring;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpStreamSpi;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A TCP listener of the URING backend; accepted streams are URING streams.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringTcpListener extends UringSource implements TcpListenerSpi {
    private final TcpListenerSpi inner;

    UringTcpListener(TcpListenerSpi inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public TcpStreamSpi accept() throws IOException {
        TcpStreamSpi s = inner.accept();
        return s == null ? null : new UringTcpStream(s);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        inner.setTtl(ttl);
    }

    @Override
    public int ttl() throws IOException {
        return inner.ttl();
    }

    @Override
    public IOException takeError() throws IOException {
        return inner.takeError();
    }
}
