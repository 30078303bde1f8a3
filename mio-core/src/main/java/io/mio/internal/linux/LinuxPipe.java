package io.mio.internal.linux;

import io.mio.internal.spi.PipeSpi;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static io.mio.internal.linux.LinuxConstants.O_CLOEXEC;
import static io.mio.internal.linux.LinuxConstants.O_NONBLOCK;

/** A pipe of the epoll backend: pipe2 and read / write on its two descriptors. */
record LinuxPipe(Sender sender, Receiver receiver) implements PipeSpi {
    static LinuxPipe open() throws IOException {
        MemorySegment s = Sys.scratch();
        int rc = Sys.pipe2(s.address(), O_NONBLOCK | O_CLOEXEC);
        if (rc < 0) {
            throw Errno.exception("pipe2", -rc);
        }
        int r = s.get(ValueLayout.JAVA_INT, 0), w = s.get(ValueLayout.JAVA_INT, 4);
        return new LinuxPipe(new Sender(new FileDesc(w, "Pipe.Sender")), new Receiver(new FileDesc(r, "Pipe.Receiver")));
    }

    /** See {@link io.mio.unix.Pipe#startChild}: the child reopens each end through /proc/self/fd. */
    static Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        FileDesc in = stdin == null ? null : ((Receiver) stdin).fd;
        FileDesc out = stdout == null ? null : ((Sender) stdout).fd;
        FileDesc err = stderr == null ? null : ((Sender) stderr).fd;
        int held = 0;
        try {
            // Hold every end for the whole start: an acquired FileDesc keeps its number until release.
            if (in != null) {
                in.acquire();
                held |= 1;
            }
            if (out != null) {
                out.acquire();
                held |= 2;
            }
            if (err != null) {
                err.acquire();
                held |= 4;
            }
            ProcessBuilder.Redirect oldIn = pb.redirectInput(), oldOut = pb.redirectOutput(), oldErr = pb.redirectError();
            try {
                if (in != null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(procPath(in)));
                }
                if (out != null) {
                    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(procPath(out)));
                }
                if (err != null) {
                    pb.redirectError(ProcessBuilder.Redirect.appendTo(procPath(err)));
                }
                return pb.start();
            } finally {
                pb.redirectInput(oldIn);
                pb.redirectOutput(oldOut);
                pb.redirectError(oldErr);
            }
        } finally {
            if ((held & 4) != 0) {
                err.release();
            }
            if ((held & 2) != 0) {
                out.release();
            }
            if ((held & 1) != 0) {
                in.release();
            }
        }
    }

    /** The path through which ProcessBuilder reopens {@code fd}; only valid while {@code fd} is acquired. */
    private static File procPath(FileDesc fd) {
        return new File("/proc/self/fd/" + fd.fd());
    }

    /** The write end. */
    static final class Sender extends LinuxSource implements PipeSpi.Sender {
        Sender(FileDesc fd) {
            super(fd, "Pipe.Sender");
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return FdOps.write(fd, src);
        }

        @Override
        public int write(byte[] src, int offset, int length) throws IOException {
            return FdOps.write(fd, src, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return FdOps.writev(fd, srcs, offset, length);
        }
    }

    /** The read end. */
    static final class Receiver extends LinuxSource implements PipeSpi.Receiver {
        Receiver(FileDesc fd) {
            super(fd, "Pipe.Receiver");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return FdOps.read(fd, dst);
        }

        @Override
        public int read(byte[] dst, int offset, int length) throws IOException {
            return FdOps.read(fd, dst, offset, length);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return FdOps.readv(fd, dsts, offset, length);
        }
    }
}
