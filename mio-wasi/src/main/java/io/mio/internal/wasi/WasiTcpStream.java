package io.mio.internal.wasi;

import io.mio.internal.spi.TcpStreamSpi;
import io.mio.net.Shutdown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A TCP connection in a WASI guest, over {@code sock_recv} / {@code sock_send}. A call that would block, or
 * moves less than asked, re-arms the readiness its registration reports (the edge emulation of
 * {@link WasiRegistration}). Options WasmEdge's ABI cannot reach (TCP- and IP-level ones) throw
 * {@link UnsupportedOperationException}.
 */
final class WasiTcpStream extends WasiSource implements TcpStreamSpi {
    WasiTcpStream(int fd) {
        super("TcpStream", fd);
    }

    static WasiTcpStream connect(InetSocketAddress address) throws IOException {
        int fd = WasiNet.open(address, Wasi.SOCK_STREAM, "TcpStream");
        try {
            WasiNet.connect(fd, address, "TcpStream");
        } catch (IOException | RuntimeException e) {
            WasiNet.close(fd);
            throw e;
        }
        return new WasiTcpStream(fd);
    }

    private int afterRead(int n, int asked) {
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return 0;
        }
        if (n >= 0 && n < asked) {
            registration.armRead(); // a short read emptied the socket: the next data is a new edge
        }
        return n;
    }

    private int afterWrite(int n, int asked) {
        if (n == WasiNet.AGAIN) {
            registration.armWrite();
            return 0;
        }
        if (n < asked) {
            registration.armWrite();
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int room = dst.remaining();
        return afterRead(WasiNet.recv(fd(), dst, 0, kind), room);
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws IOException {
        return afterRead(WasiNet.recv(fd(), dst, offset, length, 0, kind), length);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer dst = dsts[i];
            int room = dst.remaining();
            if (room == 0) {
                continue;
            }
            int n = read(dst);
            if (n < 0) {
                return total > 0 ? total : -1;
            }
            total += n;
            if (n < room) {
                break;
            }
        }
        return total;
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        int n = WasiNet.recv(fd(), dst, Wasi.RIFLAGS_PEEK, kind);
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return 0;
        }
        return n;
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        int n = WasiNet.recv(fd(), dst, offset, length, Wasi.RIFLAGS_PEEK, kind);
        if (n == WasiNet.AGAIN) {
            registration.armRead();
            return 0;
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int len = src.remaining();
        return afterWrite(WasiNet.send(fd(), src, kind), len);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        return afterWrite(WasiNet.send(fd(), src, offset, length, kind), length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer src = srcs[i];
            int len = src.remaining();
            if (len == 0) {
                continue;
            }
            int n = write(src);
            total += n;
            if (n < len) {
                break;
            }
        }
        return total;
    }

    @Override
    public int sendUrgent(byte b) {
        throw new UnsupportedOperationException("TcpStream.sendUrgent: WasmEdge's sock_send takes no flags "
                + "(no MSG_OOB) in a WASI guest");
    }

    @Override
    public void shutdown(Shutdown how) throws IOException {
        int flags = switch (how) {
            case READ -> Wasi.SDFLAGS_RD;
            case WRITE -> Wasi.SDFLAGS_WR;
            case BOTH -> Wasi.SDFLAGS_RD | Wasi.SDFLAGS_WR;
        };
        WasiNet.shutdown(fd(), flags, kind);
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        return WasiNet.peerAddr(fd(), kind);
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return WasiNet.localAddr(fd(), kind);
    }

    @Override
    public void setNodelay(boolean nodelay) {
        throw WasiUnsupported.option("TcpStream.setNodelay", "TCP_NODELAY");
    }

    @Override
    public boolean nodelay() {
        throw WasiUnsupported.option("TcpStream.nodelay", "TCP_NODELAY");
    }

    @Override
    public void setTtl(int ttl) {
        throw WasiUnsupported.option("TcpStream.setTtl", "IP_TTL");
    }

    @Override
    public int ttl() {
        throw WasiUnsupported.option("TcpStream.ttl", "IP_TTL");
    }

    @Override
    public void setLinger(Duration linger) {
        throw WasiUnsupported.option("TcpStream.setLinger", "SO_LINGER (a struct the WASI backend does not pass yet)");
    }

    @Override
    public Duration linger() {
        throw WasiUnsupported.option("TcpStream.linger", "SO_LINGER (a struct the WASI backend does not pass yet)");
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_KEEPALIVE, on ? 1 : 0, kind);
    }

    @Override
    public boolean keepalive() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_KEEPALIVE, kind) != 0;
    }

    @Override
    public void setKeepaliveIdle(Duration idle) {
        throw WasiUnsupported.option("TcpStream.setKeepaliveIdle", "TCP_KEEPIDLE");
    }

    @Override
    public Duration keepaliveIdle() {
        throw WasiUnsupported.option("TcpStream.keepaliveIdle", "TCP_KEEPIDLE");
    }

    @Override
    public void setKeepaliveInterval(Duration interval) {
        throw WasiUnsupported.option("TcpStream.setKeepaliveInterval", "TCP_KEEPINTVL");
    }

    @Override
    public Duration keepaliveInterval() {
        throw WasiUnsupported.option("TcpStream.keepaliveInterval", "TCP_KEEPINTVL");
    }

    @Override
    public void setKeepaliveRetries(int count) {
        throw WasiUnsupported.option("TcpStream.setKeepaliveRetries", "TCP_KEEPCNT");
    }

    @Override
    public int keepaliveRetries() {
        throw WasiUnsupported.option("TcpStream.keepaliveRetries", "TCP_KEEPCNT");
    }

    @Override
    public void setQuickack(boolean on) {
        throw WasiUnsupported.option("TcpStream.setQuickack", "TCP_QUICKACK");
    }

    @Override
    public boolean quickack() {
        throw WasiUnsupported.option("TcpStream.quickack", "TCP_QUICKACK");
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_RCVBUF, bytes, kind);
    }

    @Override
    public int recvBufferSize() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_RCVBUF, kind);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        WasiNet.setIntOption(fd(), Wasi.SO_SNDBUF, bytes, kind);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return WasiNet.getIntOption(fd(), Wasi.SO_SNDBUF, kind);
    }

    @Override
    public void setTos(int tos) {
        throw WasiUnsupported.option("TcpStream.setTos", "IP_TOS");
    }

    @Override
    public int tos() {
        throw WasiUnsupported.option("TcpStream.tos", "IP_TOS");
    }

    @Override
    public IOException takeError() throws IOException {
        int errno = WasiNet.takeError(fd(), kind);
        return errno == 0 ? null : WasiNet.pendingError(kind + " connect", errno);
    }
}
