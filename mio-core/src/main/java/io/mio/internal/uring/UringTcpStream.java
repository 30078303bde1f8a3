package io.mio.internal.uring;

import io.mio.internal.spi.TcpStreamSpi;
import io.mio.net.Shutdown;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A TCP stream of the URING backend: the epoll backend's stream, registered through the ring.
 *
 * <p>Generated delegation: every method but registration and close goes to the epoll backend's own class,
 * so I/O is that backend's syscall code, unchanged. Thread-safety, blocking and errors are those of the delegate.
 */
final class UringTcpStream extends UringSource implements TcpStreamSpi {
    private final TcpStreamSpi inner;

    UringTcpStream(TcpStreamSpi inner) {
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
    public int peek(ByteBuffer dst) throws IOException {
        return inner.peek(dst);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        return inner.peek(dst, offset, length);
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
    public int sendUrgent(byte b) throws IOException {
        return inner.sendUrgent(b);
    }

    @Override
    public void shutdown(Shutdown how) throws IOException {
        if (how != Shutdown.READ && sendQueue.deferShutdown()) {
            if (how == Shutdown.BOTH) {
                inner.shutdown(Shutdown.READ);
            }
            return; // the FIN goes after the queued bytes
        }
        inner.shutdown(how);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return inner.peerAddr();
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return inner.localAddr();
    }

    @Override
    public void setNodelay(boolean nodelay) throws IOException {
        inner.setNodelay(nodelay);
    }

    @Override
    public boolean nodelay() throws IOException {
        return inner.nodelay();
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
    public void setLinger(Duration linger) throws IOException {
        inner.setLinger(linger);
    }

    @Override
    public Duration linger() throws IOException {
        return inner.linger();
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
    public Duration keepaliveIdle() throws IOException {
        return inner.keepaliveIdle();
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        inner.setKeepaliveInterval(interval);
    }

    @Override
    public Duration keepaliveInterval() throws IOException {
        return inner.keepaliveInterval();
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        inner.setKeepaliveRetries(count);
    }

    @Override
    public int keepaliveRetries() throws IOException {
        return inner.keepaliveRetries();
    }

    @Override
    public void setQuickack(boolean on) throws IOException {
        inner.setQuickack(on);
    }

    @Override
    public boolean quickack() throws IOException {
        return inner.quickack();
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
    public void setTos(int tos) throws IOException {
        inner.setTos(tos);
    }

    @Override
    public int tos() throws IOException {
        return inner.tos();
    }

    @Override
    public IOException takeError() throws IOException {
        IOException e = sendQueue.takeError();
        return e != null ? e : inner.takeError();
    }
}
