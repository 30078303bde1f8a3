package io.mio.net;

import io.mio.internal.linux.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.mio.internal.linux.LinuxConstants.AF_UNIX;
import static io.mio.internal.linux.LinuxConstants.SOCK_CLOEXEC;

/** Unix sockets bound to raw path bytes, which no {@link Path} may be able to name (tests only). */
final class RawUnix {
    private RawUnix() {}

    /** {@code dir} (ASCII) + "/" + {@code name} as the kernel sees it. */
    static byte[] path(Path dir, byte[] name) {
        byte[] d = (dir.toString() + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[d.length + name.length];
        System.arraycopy(d, 0, out, 0, d.length);
        System.arraycopy(name, 0, out, d.length, name.length);
        return out;
    }

    /** A new AF_UNIX socket of {@code type} (blocking, close-on-exec) bound to {@code path}. */
    static int bound(int type, byte[] path) {
        int fd = Sys.socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket: errno " + -fd);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(arena, path);
            int rc = Sys.bind(fd, sa.address(), (int) sa.byteSize());
            if (rc < 0) {
                Sys.close(fd);
                throw new IllegalStateException("bind: errno " + -rc);
            }
        }
        return fd;
    }

    /** connect(2) of {@code fd} to {@code path}. */
    static void connect(int fd, byte[] path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(arena, path);
            int rc = Sys.connect(fd, sa.address(), (int) sa.byteSize());
            if (rc < 0) {
                throw new IllegalStateException("connect: errno " + -rc);
            }
        }
    }

    private static MemorySegment sockaddr(Arena arena, byte[] path) {
        MemorySegment sa = arena.allocate(2L + path.length + 1, 2); // zeroed: the NUL is there
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, sa, ValueLayout.JAVA_BYTE, 2, path.length);
        return sa;
    }
}
