package io.mio.internal.spi;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A backend's pipe, behind {@link io.mio.unix.Pipe}: its two ends, made together by {@link BackendProvider#openPipe()}. */
public interface PipeSpi {
    Sender sender();

    Receiver receiver();

    /** The write end, behind {@link io.mio.unix.Pipe.Sender}; methods as the public ones. */
    interface Sender extends SourceSpi {
        int write(ByteBuffer src) throws IOException;

        int write(byte[] src, int offset, int length) throws IOException;

        long write(ByteBuffer[] srcs, int offset, int length) throws IOException;
    }

    /** The read end, behind {@link io.mio.unix.Pipe.Receiver}; methods as the public ones. */
    interface Receiver extends SourceSpi {
        int read(ByteBuffer dst) throws IOException;

        int read(byte[] dst, int offset, int length) throws IOException;

        long read(ByteBuffer[] dsts, int offset, int length) throws IOException;
    }
}
