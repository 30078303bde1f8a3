package io.mio.wasm;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A guest's linear memory off the Java heap, in one contiguous {@link MemorySegment}, so that the socket host can
 * hand the kernel a direct {@link ByteBuffer} over the guest's bytes ({@link #view(int, int, int)}): a {@code sock_recv}
 * lands in guest memory and a {@code sock_send} leaves from it with no copy.
 *
 * <p>Semantics are Chicory's {@code ByteArrayMemory}'s: every access outside {@code [0, pages() * PAGE_SIZE)} throws
 * {@link WasmRuntimeException} ("out of bounds memory access", the guest traps), {@link #grow} returns the old page
 * count or -1 past {@code min(maximum, RUNTIME_MAX_PAGES)}, new pages read as zero, values are little-endian.
 * Only unshared memories. The default: see {@link #SEGMENT}. The segment
 * starts at the initial size; a grow past the room it has moves the memory to a segment half again as large (at
 * least what is asked, at most the maximum), after which earlier views must not be used (take a fresh one per
 * call). The memory is
 * freed by the garbage collector once neither the memory nor a view of it is reachable (never while a call uses
 * it).
 *
 * <p>Not thread-safe: one guest thread (and the host calls it makes) uses it; atomics are plain accesses, which is
 * exact for an unshared memory.
 */
final class SegmentMemory implements Memory {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemoryLimits limits;
    private final int maxPages;
    private DataSegment[] dataSegments;
    /** All reserved bytes; {@link #mem} is its first {@code pages * PAGE_SIZE}. */
    private MemorySegment reserved;
    /** The accessible memory: its own bounds checks are the guest's bounds checks. */
    private MemorySegment mem;
    /** How many views there are: one per iovec of a readv / sendmsg. */
    static final int VIEWS = 4;

    /** Direct buffers over {@link #reserved}, repositioned by {@link #view}: nothing allocated per I/O call. */
    private final ByteBuffer[] views = new ByteBuffer[VIEWS];
    private int pages;

    /**
     * Guests get a SegmentMemory (socket I/O with no copy) unless {@code -Dio.mio.wasm.memory=bytearray}: on a quiet
     * run their CPU per round trip was never worse than on ByteArrayMemory (mio-wasm's README, "Guest memory").
     */
    static final boolean SEGMENT = !"bytearray".equals(System.getProperty("io.mio.wasm.memory"));

    /**
     * A memory for {@code limits}, for {@code Instance.Builder.withMemoryFactory}: a SegmentMemory when
     * not {@code -Dio.mio.wasm.memory=bytearray}, else (and always for a shared memory, whose guest threads need real
     * atomics) Chicory's {@code ByteArrayMemory}.
     */
    static Memory of(MemoryLimits limits) {
        return of(limits, SEGMENT);
    }

    static Memory of(MemoryLimits limits, boolean segment) {
        return limits.shared() || !segment ? new com.dylibso.chicory.runtime.ByteArrayMemory(limits)
                : new SegmentMemory(limits);
    }

    /**
     * @throws IllegalArgumentException if {@code limits} is shared
     * @throws WasmRuntimeException     if the initial size exceeds the runtime's limit (as ByteArrayMemory)
     */
    SegmentMemory(MemoryLimits limits) {
        if (limits.shared()) {
            throw new IllegalArgumentException("SegmentMemory is for unshared memories only");
        }
        this.limits = limits;
        this.maxPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        if (limits.initialPages() > maxPages) {
            throw new WasmRuntimeException("initial memory of " + limits.initialPages() + " pages exceeds the limit of "
                    + maxPages);
        }
        reserve(limits.initialPages(), limits.initialPages());
    }

    private void reserve(int newPages, int roomPages) {
        MemorySegment fresh = Arena.ofAuto().allocate((long) roomPages * PAGE_SIZE, 8);
        if (reserved != null) {
            MemorySegment.copy(reserved, 0, fresh, 0, (long) pages * PAGE_SIZE);
        }
        reserved = fresh;
        for (int k = 0; k < VIEWS; k++) {
            views[k] = fresh.asByteBuffer();
        }
        pages = newPages;
        mem = alias(fresh, (long) newPages * PAGE_SIZE);
    }

    /** Whether {@link #alias} may use the restricted {@code reinterpret}: native access for this module. */
    private static final boolean ALIAS = SegmentMemory.class.getModule().isNativeAccessEnabled();

    /**
     * {@code seg}'s first {@code size} bytes for the guest's accesses: with native access, the same memory in the
     * global scope, so that no access checks the Arena is alive (that check made guest code warm up about a second
     * slower in compute.c); {@link #reserved} keeps the memory alive as long as this object. Else a slice.
     */
    private static MemorySegment alias(MemorySegment seg, long size) {
        return ALIAS ? MemorySegment.ofAddress(seg.address()).reinterpret(size) : seg.asSlice(0, size);
    }

    /**
     * View {@code k} (0 to {@link #VIEWS} - 1), a direct buffer over guest bytes {@code [addr, addr + len)}
     * (position {@code addr}, limit {@code addr + len}): the same object on every call until a {@link #grow} moves
     * the memory. The caller checks the range against {@link #pages()}.
     */
    ByteBuffer view(int k, int addr, int len) {
        ByteBuffer v = views[k];
        v.limit(addr + len);
        v.position(addr);
        return v;
    }

    /** The views, as the last {@link #view} calls left them (for a vectored read or write). */
    ByteBuffer[] views() {
        return views;
    }

    /** The accessible memory as a segment (no copy); replaced by a {@link #grow}. */
    MemorySegment segment() {
        return mem;
    }

    @Override
    public int pages() {
        return pages;
    }

    @Override
    public int grow(int size) {
        int prev = pages;
        int next = prev + size;
        if (next > maxPages || next < prev) {
            return -1;
        }
        if ((long) next * PAGE_SIZE > reserved.byteSize()) {
            reserve(next, (int) Math.min(maxPages, Math.max(next, (long) prev + prev / 2)));
        } else {
            pages = next;
            mem = alias(reserved, (long) next * PAGE_SIZE);
        }
        return prev;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return maxPages;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        throw new UnsupportedOperationException();
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return 0;
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
        this.dataSegments = segments;
        if (segments == null) {
            return;
        }
        for (DataSegment s : segments) {
            if (s instanceof ActiveDataSegment a) {
                if (a.index() != memoryIndex) {
                    continue;
                }
                byte[] data = a.data();
                int offset = (int) ConstantEvaluators.computeConstantValue(instance, a.offsetInstructions())[0];
                if (outside(offset, data.length)) {
                    throw new UninstantiableException(message(offset, data.length));
                }
                write(offset, data, 0, data.length);
            } else if (!(s instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + s);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        write(dest, dataSegments[segmentId].data(), offset, size);
    }

    @Override
    public void drop(int segment) {
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    private long bytes() {
        return (long) pages * PAGE_SIZE;
    }

    private boolean outside(int addr, int size) {
        return addr < 0 || size < 0 || (long) addr + size > bytes();
    }

    private String message(int addr, int size) {
        return "out of bounds memory access: attempted to access address: " + addr + " but limit is: " + bytes()
                + " and size: " + size;
    }

    private void check(int addr, int size) {
        if (outside(addr, size)) {
            throw new WasmRuntimeException(message(addr, size));
        }
    }

    // Single accesses rely on the segment's own bounds check (the fast path) and name the access when it fails.
    private WasmRuntimeException oob(int addr, int size) {
        return new WasmRuntimeException(message(addr, size));
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        if (offset < 0 || size < 0 || (long) offset + size > data.length) {
            throw new WasmRuntimeException("out of bounds memory access: attempted to access address: " + offset
                    + " but limit is: " + data.length + " and size: " + size);
        }
        check(addr, size);
        MemorySegment.copy(data, offset, mem, ValueLayout.JAVA_BYTE, addr, size);
    }

    @Override
    public byte read(int addr) {
        try {
            return mem.get(ValueLayout.JAVA_BYTE, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 1);
        }
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        check(addr, len);
        byte[] out = new byte[len];
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, addr, out, 0, len);
        return out;
    }

    @Override
    public void writeI32(int addr, int data) {
        try {
            mem.set(INT, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 4);
        }
    }

    @Override
    public int readInt(int addr) {
        try {
            return mem.get(INT, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 4);
        }
    }

    @Override
    public void writeLong(int addr, long data) {
        try {
            mem.set(LONG, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 8);
        }
    }

    @Override
    public long readLong(int addr) {
        try {
            return mem.get(LONG, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 8);
        }
    }

    @Override
    public void writeShort(int addr, short data) {
        try {
            mem.set(SHORT, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 2);
        }
    }

    @Override
    public short readShort(int addr) {
        try {
            return mem.get(SHORT, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 2);
        }
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeByte(int addr, byte data) {
        try {
            mem.set(ValueLayout.JAVA_BYTE, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 1);
        }
    }

    @Override
    public void writeF32(int addr, float data) {
        try {
            mem.set(FLOAT, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 4);
        }
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public float readFloat(int addr) {
        try {
            return mem.get(FLOAT, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 4);
        }
    }

    @Override
    public void writeF64(int addr, double data) {
        try {
            mem.set(DOUBLE, addr, data);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 8);
        }
    }

    @Override
    public double readDouble(int addr) {
        try {
            return mem.get(DOUBLE, addr);
        } catch (IndexOutOfBoundsException e) {
            throw oob(addr, 8);
        }
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public void zero() {
        mem.fill((byte) 0);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        int size = toIndex - fromIndex;
        check(fromIndex, size);
        mem.asSlice(fromIndex, size).fill(value);
    }

    @Override
    public void copy(int dest, int src, int size) {
        check(dest, size);
        check(src, size);
        MemorySegment.copy(mem, src, mem, dest, size); // overlapping ranges copy as through a temporary, as memmove
    }

    // Atomics: an unshared memory has one thread, so a plain access is atomic.

    @Override
    public void atomicFence() {
        java.lang.invoke.VarHandle.fullFence();
    }

    @Override
    public int atomicReadInt(int addr) {
        return readInt(addr);
    }

    @Override
    public long atomicReadLong(int addr) {
        return readLong(addr);
    }

    @Override
    public short atomicReadShort(int addr) {
        return readShort(addr);
    }

    @Override
    public byte atomicReadByte(int addr) {
        return read(addr);
    }

    @Override
    public void atomicWriteInt(int addr, int value) {
        writeI32(addr, value);
    }

    @Override
    public void atomicWriteLong(int addr, long value) {
        writeLong(addr, value);
    }

    @Override
    public void atomicWriteShort(int addr, short value) {
        writeShort(addr, value);
    }

    @Override
    public void atomicWriteByte(int addr, byte value) {
        writeByte(addr, value);
    }

    private static final int ADD = 0;
    private static final int AND = 1;
    private static final int OR = 2;
    private static final int XOR = 3;
    private static final int XCHG = 4;

    private static long op(int op, long old, long v) {
        return switch (op) {
            case ADD -> old + v;
            case AND -> old & v;
            case OR -> old | v;
            case XOR -> old ^ v;
            default -> v;
        };
    }

    private int rmwInt(int op, int addr, int v) {
        int old = readInt(addr);
        writeI32(addr, (int) op(op, old, v));
        return old;
    }

    private long rmwLong(int op, int addr, long v) {
        long old = readLong(addr);
        writeLong(addr, op(op, old, v));
        return old;
    }

    private short rmwShort(int op, int addr, short v) {
        short old = readShort(addr);
        writeShort(addr, (short) op(op, old, v));
        return old;
    }

    private byte rmwByte(int op, int addr, byte v) {
        byte old = read(addr);
        writeByte(addr, (byte) op(op, old, v));
        return old;
    }

    @Override
    public int atomicAddInt(int addr, int v) {
        return rmwInt(ADD, addr, v);
    }

    @Override
    public int atomicAndInt(int addr, int v) {
        return rmwInt(AND, addr, v);
    }

    @Override
    public int atomicOrInt(int addr, int v) {
        return rmwInt(OR, addr, v);
    }

    @Override
    public int atomicXorInt(int addr, int v) {
        return rmwInt(XOR, addr, v);
    }

    @Override
    public int atomicXchgInt(int addr, int v) {
        return rmwInt(XCHG, addr, v);
    }

    @Override
    public int atomicCmpxchgInt(int addr, int expected, int replacement) {
        int old = readInt(addr);
        if (old == expected) {
            writeI32(addr, replacement);
        }
        return old;
    }

    @Override
    public long atomicAddLong(int addr, long v) {
        return rmwLong(ADD, addr, v);
    }

    @Override
    public long atomicAndLong(int addr, long v) {
        return rmwLong(AND, addr, v);
    }

    @Override
    public long atomicOrLong(int addr, long v) {
        return rmwLong(OR, addr, v);
    }

    @Override
    public long atomicXorLong(int addr, long v) {
        return rmwLong(XOR, addr, v);
    }

    @Override
    public long atomicXchgLong(int addr, long v) {
        return rmwLong(XCHG, addr, v);
    }

    @Override
    public long atomicCmpxchgLong(int addr, long expected, long replacement) {
        long old = readLong(addr);
        if (old == expected) {
            writeLong(addr, replacement);
        }
        return old;
    }

    @Override
    public short atomicAddShort(int addr, short v) {
        return rmwShort(ADD, addr, v);
    }

    @Override
    public short atomicAndShort(int addr, short v) {
        return rmwShort(AND, addr, v);
    }

    @Override
    public short atomicOrShort(int addr, short v) {
        return rmwShort(OR, addr, v);
    }

    @Override
    public short atomicXorShort(int addr, short v) {
        return rmwShort(XOR, addr, v);
    }

    @Override
    public short atomicXchgShort(int addr, short v) {
        return rmwShort(XCHG, addr, v);
    }

    @Override
    public short atomicCmpxchgShort(int addr, short expected, short replacement) {
        short old = readShort(addr);
        if (old == expected) {
            writeShort(addr, replacement);
        }
        return old;
    }

    @Override
    public byte atomicAddByte(int addr, byte v) {
        return rmwByte(ADD, addr, v);
    }

    @Override
    public byte atomicAndByte(int addr, byte v) {
        return rmwByte(AND, addr, v);
    }

    @Override
    public byte atomicOrByte(int addr, byte v) {
        return rmwByte(OR, addr, v);
    }

    @Override
    public byte atomicXorByte(int addr, byte v) {
        return rmwByte(XOR, addr, v);
    }

    @Override
    public byte atomicXchgByte(int addr, byte v) {
        return rmwByte(XCHG, addr, v);
    }

    @Override
    public byte atomicCmpxchgByte(int addr, byte expected, byte replacement) {
        byte old = read(addr);
        if (old == expected) {
            writeByte(addr, replacement);
        }
        return old;
    }
}
