package io.mio.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;

/**
 * The base address of one direct buffer, remembered so that the next read or write with it allocates nothing.
 *
 * <p>{@code MemorySegment.ofBuffer(direct).address()} is the only public way to a direct buffer's address,
 * and C2 does not inline {@code ofBuffer} (it is large), so its segment and the memory session it creates
 * escape: 72 bytes per call. A buffer's base address never changes, so it is computed once and kept here,
 * keyed by the buffer's identity and holding it only weakly. Each {@link FileDesc} remembers the last two
 * buffers used with it (an event loop's per-connection buffers), each thread the last four it used (a buffer
 * shared by all connections, scatter/gather arrays).
 */
final class BufferBase extends WeakReference<ByteBuffer> {
    final long base;

    private BufferBase(ByteBuffer direct, long base) {
        super(direct);
        this.base = base;
    }

    static BufferBase of(ByteBuffer direct) {
        return new BufferBase(direct, MemorySegment.ofBuffer(direct).address() - direct.position());
    }
}
