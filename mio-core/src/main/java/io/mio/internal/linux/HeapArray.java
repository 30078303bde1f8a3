package io.mio.internal.linux;

import java.lang.foreign.MemorySegment;

/**
 * A heap segment over a whole {@code byte[]}, remembered so that the next read or write with that array
 * allocates nothing.
 *
 * <p>A critical downcall takes a heap segment and hands the kernel the array's address, with no copy. Making
 * that segment per call ({@code MemorySegment.ofArray(a).asSlice(off, len)}) relies on escape analysis, which
 * a busier profile or a larger caller defeats (seen: 112 bytes per call). So the whole-array segment is made
 * once per array and kept; a call at offset 0 uses it directly, and a call at another offset goes through the
 * thread's bounce buffer instead (one copy, no allocation). Each {@link FileDesc} remembers its last two
 * arrays, each thread its last four; both hold the array strongly until replaced (or the descriptor closes).
 */
final class HeapArray {
    final byte[] array;
    final MemorySegment segment;

    HeapArray(byte[] array) {
        this.array = array;
        this.segment = MemorySegment.ofArray(array);
    }
}
