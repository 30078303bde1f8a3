package io.mio.internal.nio;

import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/** A Unix-domain stream of the selector backend: a {@link NioStream} around a UNIX-family SocketChannel. */
final class NioUnixStream extends NioSource implements UnixStreamSpi {
    private final NioStream nio;
    /** One end of {@code pair()}: connected through a temporary path, but unnamed as a socketpair's ends are. */
    private final boolean pairEnd;

    NioUnixStream(NioStream nio, boolean pairEnd) {
        super(nio, "UnixStream");
        this.nio = nio;
        this.pairEnd = pairEnd;
    }

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
    public UnixAddress localAddr() throws IOException {
        return pairEnd ? NioUnix.unnamed(nio) : NioUnix.address(nio.localAddress());
    }

    @Override
    public UnixAddress peerAddr() throws IOException {
        return pairEnd ? NioUnix.unnamed(nio) : NioUnix.address(nio.remoteAddress());
    }

    @Override
    public IOException takeError() throws IOException {
        return nio.takeError();
    }
}
