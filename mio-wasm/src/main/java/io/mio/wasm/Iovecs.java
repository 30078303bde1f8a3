package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;

import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.HostState.IOV_MAX;
import static io.mio.wasm.WasiErrno.*;

/**
 * A guest's iovec array ({@code {u32 buf; u32 buf_len}}, at most {@link HostState#IOV_MAX}), read and checked into
 * arrays this object keeps (one per host, reused by every call: reading one allocates nothing). Its bytes go to
 * and from the kernel directly when the memory is a {@link SegmentMemory} ({@link #views}), else through a host
 * buffer ({@link #scatter}, {@link #gather}; counted in {@link #copiedBytes}). Not thread-safe.
 */
final class Iovecs {
    /** At most this many iovecs go to the kernel in one readv / sendmsg. */
    static final int MAX_VIEWS = SegmentMemory.VIEWS;

    private final int[] bufs = new int[IOV_MAX];
    private final long[] lens = new long[IOV_MAX];
    private int count;
    private long total;
    /** Bytes copied between guest memory and a host buffer by scatter / gather, since the host was made. */
    long copiedBytes;
    /** The byte count of the views set by the last {@link #views} call. */
    int viewedBytes;

    /** Reads and checks {@code count} iovecs at {@code iovPtr}, keeping the non-empty ones. */
    Iovecs read(Memory m, int iovPtr, int n32) {
        long n = n32 & 0xFFFF_FFFFL;
        if (n > IOV_MAX) {
            throw new ErrnoException(INVAL);
        }
        check(m, iovPtr, n * 8, 4);
        int c = 0;
        long t = 0;
        for (int k = 0; k < n; k++) {
            int buf = m.readInt(iovPtr + k * 8);
            long len = m.readInt(iovPtr + k * 8 + 4) & 0xFFFF_FFFFL;
            check(m, buf, len);
            if (len != 0) {
                bufs[c] = buf;
                lens[c] = len;
                c++;
                t += len;
            }
        }
        count = c;
        total = t;
        return this;
    }

    /** How many non-empty iovecs. */
    int count() {
        return count;
    }

    /** Their total length. */
    long total() {
        return total;
    }

    /** The first non-empty iovec's address and length. */
    int firstBuf() {
        return bufs[0];
    }

    long firstLen() {
        return lens[0];
    }

    /**
     * Points {@code sm}'s views at the iovecs' bytes from byte {@code skip} on, one view per iovec, at most
     * {@link #MAX_VIEWS} and at most {@code max} bytes in all (their sum goes to {@link #viewedBytes}).
     *
     * @return how many views were set (0 when nothing is left)
     */
    int views(SegmentMemory sm, long skip, long max) {
        int k = 0;
        long sum = 0;
        for (int i = 0; i < count && k < MAX_VIEWS && sum < max; i++) {
            long len = lens[i];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int part = (int) Math.min(len - skip, max - sum);
            sm.view(k++, bufs[i] + (int) skip, part);
            sum += part;
            skip = 0;
        }
        viewedBytes = (int) sum;
        return k;
    }

    /** Copies {@code src[0, n)} into the iovecs from byte {@code skip} on, in order. */
    void scatter(Memory m, long skip, byte[] src, int n) {
        int off = 0;
        for (int i = 0; i < count && off < n; i++) {
            long len = lens[i];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int k = (int) Math.min(len - skip, n - off);
            m.write(bufs[i] + (int) skip, src, off, k);
            off += k;
            skip = 0;
        }
        copiedBytes += off;
    }

    /** Copies up to {@code max} bytes from the iovecs, skipping {@code skip}, into {@code dst}. */
    int gather(Memory m, long skip, byte[] dst, int max) {
        int off = 0;
        for (int i = 0; i < count && off < max; i++) {
            long len = lens[i];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int k = (int) Math.min(len - skip, max - off);
            if (m instanceof SegmentMemory sm) {
                sm.view(0, bufs[i] + (int) skip, k).get(dst, off, k);
            } else {
                System.arraycopy(m.readBytes(bufs[i] + (int) skip, k), 0, dst, off, k);
            }
            off += k;
            skip = 0;
        }
        copiedBytes += off;
        return off;
    }
}
