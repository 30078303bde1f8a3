package io.mio.internal.nio;

import io.mio.internal.spi.TcpStreamSpi;
import io.mio.net.Shutdown;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/** A TCP connection of the selector backend: a {@link NioStream} around a SocketChannel. */
final class NioTcpStream extends NioSource implements TcpStreamSpi {
    private final NioStream nio;
    private volatile InetSocketAddress peer;

    NioTcpStream(NioStream nio) {
        super(nio, "TcpStream");
        this.nio = nio;
    }

    // ---- reading ----------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return nio.read(dst);
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return nio.read(ByteBuffer.wrap(dst, offset, length));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return nio.read(dsts, offset, length);
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return nio.peek(dst);
    }

    @Override
    public int peek(byte[] dst, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        return nio.peek(ByteBuffer.wrap(dst, offset, length));
    }

    // ---- writing ----------------------------------------------------------------------------------

    @Override
    public int write(ByteBuffer src) throws IOException {
        return nio.write(src);
    }

    @Override
    public int write(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        return nio.write(ByteBuffer.wrap(src, offset, length));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return nio.write(srcs, offset, length);
    }

    @Override
    public int sendUrgent(byte b) throws IOException {
        nio.ensureOpen();
        throw Unsupported.feature("TcpStream.sendUrgent (MSG_OOB)", "java.nio has no out-of-band data");
    }

    // ---- state and options ---------------------------------------------------------------------

    @Override
    public void shutdown(Shutdown how) throws IOException {
        switch (how) {
            case READ -> nio.shutdownInput();
            case WRITE -> nio.shutdownOutput();
            case BOTH -> {
                nio.shutdownInput();
                nio.shutdownOutput();
            }
        }
    }

    @Override
    public InetSocketAddress peerAddr() throws IOException {
        if (peer == null) {
            peer = (InetSocketAddress) nio.remoteAddress();
        } else {
            nio.ensureOpen();
        }
        return peer;
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        return (InetSocketAddress) nio.localAddress();
    }

    @Override
    public void setNodelay(boolean nodelay) throws IOException {
        nio.setOption(StandardSocketOptions.TCP_NODELAY, nodelay);
    }

    @Override
    public boolean nodelay() throws IOException {
        return nio.getOption(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setTtl(int ttl) throws IOException {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be in 1..255, was " + ttl);
        }
        nio.ensureOpen();
        throw Unsupported.option("IP_TTL", "TcpStream");
    }

    @Override
    public int ttl() throws IOException {
        nio.ensureOpen();
        throw Unsupported.option("IP_TTL", "TcpStream");
    }

    @Override
    public void setLinger(Duration linger) throws IOException {
        nio.setOption(StandardSocketOptions.SO_LINGER, NioOpts.lingerSeconds(linger));
    }

    @Override
    public Duration linger() throws IOException {
        int secs = nio.getOption(StandardSocketOptions.SO_LINGER);
        return secs < 0 ? null : Duration.ofSeconds(secs);
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        nio.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean keepalive() throws IOException {
        return nio.getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setKeepaliveIdle(Duration idle) throws IOException {
        nio.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, NioOpts.seconds(idle, 32767, "TCP_KEEPIDLE"));
    }

    @Override
    public Duration keepaliveIdle() throws IOException {
        return Duration.ofSeconds(nio.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
    }

    @Override
    public void setKeepaliveInterval(Duration interval) throws IOException {
        nio.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, NioOpts.seconds(interval, 32767, "TCP_KEEPINTVL"));
    }

    @Override
    public Duration keepaliveInterval() throws IOException {
        return Duration.ofSeconds(nio.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        NioOpts.checkRetries(count);
        nio.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
    }

    @Override
    public int keepaliveRetries() throws IOException {
        return nio.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT);
    }

    @Override
    public void setQuickack(boolean on) throws IOException {
        nio.setOption(ExtendedSocketOptions.TCP_QUICKACK, on);
    }

    @Override
    public boolean quickack() throws IOException {
        return nio.getOption(ExtendedSocketOptions.TCP_QUICKACK);
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        nio.setOption(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
    }

    @Override
    public int recvBufferSize() throws IOException {
        return nio.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        nio.setOption(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
    }

    @Override
    public int sendBufferSize() throws IOException {
        return nio.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setTos(int tos) throws IOException {
        nio.setOption(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
    }

    @Override
    public int tos() throws IOException {
        return nio.getOption(StandardSocketOptions.IP_TOS);
    }

    @Override
    public IOException takeError() throws IOException {
        return nio.takeError();
    }
}
