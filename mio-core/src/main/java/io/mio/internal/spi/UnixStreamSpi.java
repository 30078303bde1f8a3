package io.mio.internal.spi;

import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A backend's Unix-domain stream, behind {@link io.mio.net.UnixStream}; methods as the public ones of the same name
 * (the whole-array forms are resolved in the public class).
 */
public interface UnixStreamSpi extends SourceSpi {
    int read(ByteBuffer dst) throws IOException;

    int read(byte[] dst, int offset, int length) throws IOException;

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    int write(ByteBuffer src) throws IOException;

    int write(byte[] src, int offset, int length) throws IOException;

    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    void shutdown(Shutdown how) throws IOException;

    UnixAddress localAddr() throws IOException;

    UnixAddress peerAddr() throws IOException;

    IOException takeError() throws IOException;
}
