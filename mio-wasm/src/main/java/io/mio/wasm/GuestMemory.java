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

    /**
     * Checks alignment, then range, in WasmEdge's order: a misaligned pointer is ADDRNOTAVAIL even when it also
     * points outside memory.
     */
    static void check(Memory m, int ptr, long len, int align) {
        aligned(ptr, align);
        check(m, ptr, len);
    }

    /**
     * Checks that {@code ptr} is a multiple of {@code align} (a power of two): WasmEdge checks every pointer of a
     * call for its type's alignment before it looks at memory, and answers ADDRNOTAVAIL.
     */
    static void aligned(int ptr, int align) {
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
