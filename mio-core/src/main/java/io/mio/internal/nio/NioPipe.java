package io.mio.internal.nio;

import io.mio.internal.spi.PipeSpi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/** A pipe of the selector backend: a {@link java.nio.channels.Pipe}'s two channels. */
record NioPipe(Sender sender, Receiver receiver) implements PipeSpi {
    static NioPipe open() throws IOException {
        java.nio.channels.Pipe p = java.nio.channels.Pipe.open();
        NioStream w = null;
        try {
            w = new NioStream(p.sink(), null, p.sink(), "Pipe.Sender");
            NioStream r = new NioStream(p.source(), p.source(), null, "Pipe.Receiver");
            NioStream.linkPipe(w, r);
            return new NioPipe(new Sender(w), new Receiver(r));
        } catch (IOException | RuntimeException e) {
            if (w != null) {
                w.close();
            }
            p.sink().close();
            p.source().close();
            throw e;
        }
    }

    /** See {@link io.mio.unix.Pipe#startChild}: any end is refused (after the closed check the epoll backend makes). */
    static Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        if (stdin != null) {
            refuseChild(((Receiver) stdin).nio);
        }
        if (stdout != null) {
            refuseChild(((Sender) stdout).nio);
        }
        if (stderr != null) {
            refuseChild(((Sender) stderr).nio);
        }
        return pb.start(); // no ends to hand over
    }

    private static void refuseChild(NioStream end) throws IOException {
        end.ensureOpen();
        throw Unsupported.feature("Pipe.startChild", "a java.nio pipe cannot be handed to a child process");
    }

    /** The write end. */
    static final class Sender extends NioSource implements PipeSpi.Sender {
        private final NioStream nio;

        Sender(NioStream nio) {
            super(nio, "Pipe.Sender");
            this.nio = nio;
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
        public int rawFd() throws IOException {
            nio.ensureOpen();
            throw Unsupported.rawFd("Pipe.rawFd");
        }
    }

    /** The read end. */
    static final class Receiver extends NioSource implements PipeSpi.Receiver {
        private final NioStream nio;

        Receiver(NioStream nio) {
            super(nio, "Pipe.Receiver");
            this.nio = nio;
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
        public int rawFd() throws IOException {
            nio.ensureOpen();
            throw Unsupported.rawFd("Pipe.rawFd");
        }
    }
}
