package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;

/**
 * Bounds- and alignment-checked access to a guest's linear memory. Every check failure throws an
 * {@link ErrnoException}: FAULT for a range outside memory, ADDRNOTAVAIL for a misaligned pointer (WasmEdge's
 * answer to misaligned fd, address, iovec and length pointers).
 */
final class GuestMemory {
    private GuestMemory() {}

    static long size(Memory m) {
        return (long) m.pages() * Memory.PAGE_SIZE;
    }

    /** Checks that {@code [ptr, ptr + len)} (both unsigned 32-bit) lies inside memory. */
    static void check(Memory m, int ptr, long len) {
        if (m == null) {
            throw new ErrnoException(WasiErrno.FAULT);
        }
        long start = ptr & 0xFFFF_FFFFL;
        if (len < 0 || start + len > size(m)) {
            throw new ErrnoException(WasiErrno.FAULT);
        }
    }

    /** Checks range and alignment. */
    static void check(Memory m, int ptr, long len, int align) {
        check(m, ptr, len);
        if ((ptr & (align - 1)) != 0) {
            throw new ErrnoException(WasiErrno.ADDRNOTAVAIL);
        }
    }

    static int readI32(Memory m, int ptr) {
        check(m, ptr, 4);
        return m.readInt(ptr);
    }

    static void writeI32(Memory m, int ptr, int v) {
        check(m, ptr, 4);
        m.writeI32(ptr, v);
    }

    static byte[] read(Memory m, int ptr, int len) {
        check(m, ptr, len & 0xFFFF_FFFFL);
        return m.readBytes(ptr, len);
    }

    static void write(Memory m, int ptr, byte[] data, int off, int len) {
        check(m, ptr, len);
        m.write(ptr, data, off, len);
    }
}
