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
    /** The memory's lifetime: a buffer from ByteBuffer.allocateDirect lives while referenced, one from
     *  {@code segment.asByteBuffer()} only until its Arena is closed. */
    private final MemorySegment.Scope scope;

    private BufferBase(ByteBuffer direct, long base, MemorySegment.Scope scope) {
        super(direct);
        this.base = base;
        this.scope = scope;
    }

    static BufferBase of(ByteBuffer direct) {
        MemorySegment segment = MemorySegment.ofBuffer(direct);
        return new BufferBase(direct, segment.address() - direct.position(), segment.scope());
    }

    /**
     * The base address, after checking that the memory is still alive: the kernel must never be handed the
     * address of a closed Arena's memory (it would read or write freed memory). Closing the Arena on another
     * thread while a call is in flight is not detected; java.nio prevents that by holding the session, which
     * the public API does not offer: don't close an Arena whose buffers are in use.
     */
    long liveBase() {
        if (!scope.isAlive()) {
            throw new IllegalStateException("the buffer's memory has been freed: its Arena is closed");
        }
        return base;
    }
}
