package io.mio.internal.uring;

import io.mio.internal.ClosedException;
import io.mio.internal.linux.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.mio.internal.uring.UringConstants.IORING_REGISTER_PBUF_RING;
import static io.mio.internal.uring.UringConstants.IORING_UNREGISTER_PBUF_RING;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): {@code entries} buffers of {@code bufferSize} bytes in one
 * off-heap slab, registered with a ring as buffer group {@code group}. A receive submitted with that group
 * ({@link Sqe#recvMultishot}) takes a buffer when data arrives; its CQE names the buffer ({@link Cqe#bufferId()}),
 * which belongs to the program until {@link #recycle}d. With every buffer taken, the receive ends with -ENOBUFS
 * (no {@code F_MORE}); the data stays in the socket, and a receive armed again after a recycle gets it.
 *
 * <p>The ring's tail is a 16-bit counter overlaid on the first entry's reserved field; the kernel's head is private
 * to it. Buffers are given back by writing entries at the tail and publishing it with a release store.
 *
 * <p>Not thread-safe: used by the thread that reaps its ring. {@link #close()} unregisters the group before the
 * memory is freed; call it once the receives using the group have ended (after their last CQE), because the kernel
 * writes into a buffer it has taken without holding a reference to the memory.
 */
public final class BufferRing implements AutoCloseable {
    // struct io_uring_buf: addr, len, bid, resv (the ring's tail lives in entry 0's resv)
    private static final int ENTRY_SIZE = 16;
    private static final long E_ADDR = 0;
    private static final long E_LEN = 8;
    private static final long E_BID = 12;
    private static final long TAIL = 14;
    private static final int PAGE = 4096;
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    private final Uring ring;
    private final int group;
    private final int entries;
    private final int mask;
    private final int bufferSize;
    private final Arena arena;
    private final MemorySegment entriesMem;
    private final MemorySegment slab;
    private final long slabAddress;
    private int tail;
    private boolean closed;

    private BufferRing(Uring ring, int group, int entries, int bufferSize, Arena arena, MemorySegment entriesMem, MemorySegment slab) {
        this.ring = ring;
        this.group = group;
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferSize = bufferSize;
        this.arena = arena;
        this.entriesMem = entriesMem;
        this.slab = slab;
        this.slabAddress = slab.address();
    }

    /**
     * Allocates {@code entries} (a power of two, at most 32768) buffers of {@code bufferSize} bytes, registers them
     * with {@code ring} as group {@code group} (0..65535), and provides all of them.
     */
    public static BufferRing register(Uring ring, int group, int entries, int bufferSize) throws IOException {
        if (entries < 1 || entries > 32768 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two in [1, 32768]: " + entries);
        }
        if (group < 0 || group > 0xFFFF) {
            throw new IllegalArgumentException("group must be in [0, 65535]: " + group);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        Arena arena = Arena.ofShared();
        try {
            long ringBytes = Math.max(PAGE, (long) entries * ENTRY_SIZE);
            MemorySegment entriesMem = arena.allocate(ringBytes, PAGE); // the kernel pins it: page-aligned
            MemorySegment slab = arena.allocate((long) entries * bufferSize, PAGE);
            BufferRing buffers = new BufferRing(ring, group, entries, bufferSize, arena, entriesMem, slab);
            try (Arena temp = Arena.ofConfined()) {
                // struct io_uring_buf_reg: ring_addr, ring_entries, bgid, flags (0: memory is ours), resv[3]
                MemorySegment reg = temp.allocate(40, 8);
                reg.set(JAVA_LONG, 0, entriesMem.address());
                reg.set(JAVA_INT, 8, entries);
                reg.set(JAVA_SHORT, 12, (short) group);
                int r = ring.register(IORING_REGISTER_PBUF_RING, reg.address(), 1);
                if (r < 0) {
                    throw Errno.exception("io_uring_register(PBUF_RING) of buffer group " + group, -r);
                }
            }
            for (int bid = 0; bid < entries; bid++) {
                buffers.provide(bid);
            }
            buffers.publish();
            return buffers;
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Queues buffer {@code bid} for the kernel again (whole size); the kernel sees it at {@link #publish()}. */
    public void provide(int bid) {
        if (bid < 0 || bid >= entries) {
            throw new IndexOutOfBoundsException("buffer id " + bid + " of a ring of " + entries);
        }
        long at = (long) (tail & mask) * ENTRY_SIZE;
        entriesMem.set(JAVA_LONG, at + E_ADDR, slabAddress + (long) bid * bufferSize);
        entriesMem.set(JAVA_INT, at + E_LEN, bufferSize);
        entriesMem.set(JAVA_SHORT, at + E_BID, (short) bid);
        tail++;
    }

    /** Makes the buffers provided so far visible to the kernel (one release store of the tail). */
    public void publish() {
        SHORT.setRelease(entriesMem, TAIL, (short) tail);
    }

    /** {@link #provide} then {@link #publish}: the buffer is the kernel's again. */
    public void recycle(int bid) {
        provide(bid);
        publish();
    }

    /** The group id receives name in {@link Sqe#recvMultishot}. */
    public int group() {
        return group;
    }

    public int entries() {
        return entries;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** The address of buffer {@code bid}'s first byte. */
    public long address(int bid) {
        return slabAddress + (long) bid * bufferSize;
    }

    /** All buffers, buffer {@code bid} at {@code bid * bufferSize()}. */
    public MemorySegment slab() {
        return slab;
    }

    /** Copies {@code length} bytes from buffer {@code bid} (from its {@code offset}) into {@code dst}. Allocates nothing. */
    public void copy(int bid, int offset, byte[] dst, int dstOffset, int length) {
        if (offset < 0 || length < 0 || offset + length > bufferSize) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + length) + ") of a " + bufferSize + "-byte buffer");
        }
        MemorySegment.copy(slab, JAVA_BYTE, (long) bid * bufferSize + offset, dst, dstOffset, length);
    }

    /**
     * Unregisters the group (a receive that needs a buffer afterwards fails with -ENOBUFS) and frees the memory.
     * Idempotent. If the ring is already closed, the kernel has dropped the group with it.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        boolean unregistered = false;
        try {
            if (ring.isOpen()) {
                try (Arena temp = Arena.ofConfined()) {
                    MemorySegment reg = temp.allocate(40, 8);
                    reg.set(JAVA_SHORT, 12, (short) group);
                    int r = ring.register(IORING_UNREGISTER_PBUF_RING, reg.address(), 1);
                    if (r < 0) {
                        throw Errno.exception("io_uring_register(UNREGISTER_PBUF_RING) of buffer group " + group, -r);
                    }
                } catch (ClosedException raced) {
                    // The ring closed meanwhile: its teardown drops the group.
                }
            }
            unregistered = true;
        } finally {
            if (unregistered) {
                arena.close();
            } // else the kernel may still write into the buffers: leaked, rather than freed under its writes
        }
    }
}
