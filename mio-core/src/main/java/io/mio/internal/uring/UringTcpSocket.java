package io.mio.internal.uring;

import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpSocketSpi;
import io.mio.internal.spi.TcpStreamSpi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP socket before connect or listen, of the URING backend: what it becomes is a URING source.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringTcpSocket implements TcpSocketSpi {
    private final TcpSocketSpi inner;

    UringTcpSocket(TcpSocketSpi inner) {
        this.inner = inner;
    }

    @Override
    public void setReuseAddr(boolean on) throws IOException {
        inner.setReuseAddr(on);
    }

    @Override
    public boolean reuseAddr() throws IOException {
        return inner.reuseAddr();
    }

    @Override
    public void setReusePort(boolean on) throws IOException {
        inner.setReusePort(on);
    }

    @Override
    public boolean reusePort() throws IOException {
        return inner.reusePort();
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        inner.setOnlyV6(on);
    }

    @Override
    public boolean onlyV6() throws IOException {
        return inner.onlyV6();
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        inner.setKeepalive(on);
    }

    @Override
    public boolean keepalive() throws IOException {
        return inner.keepalive();
    }

    @Override
    public void setKeepaliveIdle(Duration idle) throws IOException {
        inner.setKeepaliveIdle(idle);
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        inner.setKeepaliveInterval(interval);
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        inner.setKeepaliveRetries(count);
    }

    @Override
    public void setLinger(Duration linger) throws IOException {
        inner.setLinger(linger);
    }

    @Override
    public Duration linger() throws IOException {
        return inner.linger();
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        inner.setRecvBufferSize(bytes);
    }

    @Override
    public int recvBufferSize() throws IOException {
        return inner.recvBufferSize();
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        inner.setSendBufferSize(bytes);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return inner.sendBufferSize();
    }

    @Override
    public void setNodelay(boolean on) throws IOException {
        inner.setNodelay(on);
    }

    @Override
    public boolean nodelay() throws IOException {
        return inner.nodelay();
    }

    @Override
    public void setTos(int tos) throws IOException {
        inner.setTos(tos);
    }

    @Override
    public int tos() throws IOException {
        return inner.tos();
    }

    @Override
    public void setFastOpen(int queueLength) throws IOException {
        inner.setFastOpen(queueLength);
    }

    @Override
    public int fastOpen() throws IOException {
        return inner.fastOpen();
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        inner.bind(address);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public TcpListenerSpi listen(int backlog) throws IOException {
        TcpListenerSpi s = inner.listen(backlog);
        return s == null ? null : new UringTcpListener(s);
    }

    @Override
    public TcpStreamSpi connect(InetSocketAddress address) throws IOException {
        TcpStreamSpi s = inner.connect(address);
        return s == null ? null : new UringTcpStream(s);
    }

    @Override
    public void close() {
        inner.close();
    }
}
