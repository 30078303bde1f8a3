package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;

import java.util.ArrayList;
import java.util.List;

import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.HostState.IOV_MAX;
import static io.mio.wasm.WasiErrno.*;

/**
 * The guest's iovec arrays ({@code {u32 buf; u32 buf_len}}, at most {@link HostState#IOV_MAX}): read and checked,
 * and bytes scattered into or gathered from them. Stateless.
 */
final class Iovecs {
    private Iovecs() {}

    /** One iovec. */
    record Iov(int buf, int len) {}

    static List<Iov> readIovs(Memory m, int iovPtr, int count) {
        long n = count & 0xFFFF_FFFFL;
        if (n > IOV_MAX) {
            throw new ErrnoException(INVAL);
        }
        check(m, iovPtr, n * 8, 4);
        List<Iov> iovs = new ArrayList<>((int) n);
        for (int k = 0; k < n; k++) {
            int buf = m.readInt(iovPtr + k * 8);
            int len = m.readInt(iovPtr + k * 8 + 4);
            check(m, buf, len & 0xFFFF_FFFFL);
            if (len != 0) {
                iovs.add(new Iov(buf, len));
            }
        }
        return iovs;
    }

    static long total(List<Iov> iovs) {
        long t = 0;
        for (Iov v : iovs) {
            t += v.len & 0xFFFF_FFFFL;
        }
        return t;
    }

    /** Copies {@code src[0, n)} into the iovecs, in order. */
    static void scatter(Memory m, List<Iov> iovs, long skip, byte[] src, int n) {
        int off = 0;
        for (Iov v : iovs) {
            long len = v.len & 0xFFFF_FFFFL;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int room = (int) (len - skip);
            int k = Math.min(room, n - off);
            m.write(v.buf + (int) skip, src, off, k);
            off += k;
            skip = 0;
            if (off == n) {
                return;
            }
        }
    }

    /** Copies up to {@code max} bytes from the iovecs, skipping {@code skip}, into {@code dst}. */
    static int gather(Memory m, List<Iov> iovs, long skip, byte[] dst, int max) {
        int off = 0;
        for (Iov v : iovs) {
            long len = v.len & 0xFFFF_FFFFL;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int k = (int) Math.min(len - skip, max - off);
            byte[] b = m.readBytes(v.buf + (int) skip, k);
            System.arraycopy(b, 0, dst, off, k);
            off += k;
            skip = 0;
            if (off == max) {
                break;
            }
        }
        return off;
    }
}
