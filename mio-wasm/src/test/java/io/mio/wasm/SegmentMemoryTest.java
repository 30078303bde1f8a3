package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Objects;

import static com.dylibso.chicory.runtime.Memory.PAGE_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SegmentMemory against Chicory's ByteArrayMemory: the same sequence of operations (addresses around the ends of
 * memory and of pages, negative ones, lengths that run past the end, grows within and past the maximum) must give
 * the same values, trap (WasmRuntimeException) in the same places and leave the same bytes.
 */
class SegmentMemoryTest {
    /** One operation: kind, an address, a second address or length, a value. */
    record Op(int kind, int addr, int len, long value) {}

    static final int KINDS = 22;

    @Provide
    Arbitrary<List<Op>> ops() {
        // addresses cluster where behaviour changes: 0, page ends, the end of memory (at most 5 pages), negatives
        Arbitrary<Integer> addr = Arbitraries.oneOf(
                Arbitraries.integers().between(-9, 9),
                Arbitraries.integers().between(0, 5).flatMap(p -> Arbitraries.integers().between(-9, 9)
                        .map(d -> p * PAGE_SIZE + d)),
                Arbitraries.integers().between(0, 5 * PAGE_SIZE + 16),
                Arbitraries.of(Integer.MIN_VALUE, -1, 1 << 30));
        Arbitrary<Integer> len = Arbitraries.oneOf(Arbitraries.integers().between(-2, 17),
                Arbitraries.integers().between(0, 2 * PAGE_SIZE + 9));
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, KINDS - 1), addr, len,
                Arbitraries.longs()).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property
    void behavesAsByteArrayMemory(@ForAll("ops") List<Op> ops, @ForAll("initial") int initial,
            @ForAll("extra") int extra) {
        MemoryLimits limits = new MemoryLimits(initial, initial + extra);
        Memory expected = new ByteArrayMemory(limits);
        Memory actual = new SegmentMemory(limits);
        for (Op op : ops) {
            Object want = apply(expected, op);
            Object got = apply(actual, op);
            assertThat(got).as("%s on %d pages", op, expected.pages()).isEqualTo(want);
        }
        assertThat(actual.pages()).isEqualTo(expected.pages());
        int size = expected.pages() * PAGE_SIZE;
        assertThat(actual.readBytes(0, size)).isEqualTo(expected.readBytes(0, size));
    }

    @Provide
    Arbitrary<Integer> initial() {
        return Arbitraries.integers().between(0, 3);
    }

    @Provide
    Arbitrary<Integer> extra() {
        return Arbitraries.integers().between(0, 2);
    }

    /** The operation's result, or "trap" for a WasmRuntimeException; anything else propagates. */
    private static Object apply(Memory m, Op op) {
        int a = op.addr();
        int n = op.len();
        long v = op.value();
        try {
            return switch (op.kind()) {
                case 0 -> m.read(a);
                case 1 -> m.readShort(a);
                case 2 -> m.readInt(a);
                case 3 -> m.readLong(a);
                case 4 -> Float.floatToRawIntBits(m.readFloat(a));
                case 5 -> Double.doubleToRawLongBits(m.readDouble(a));
                case 6 -> m.readU16(a);
                case 7 -> { m.writeByte(a, (byte) v); yield "ok"; }
                case 8 -> { m.writeShort(a, (short) v); yield "ok"; }
                case 9 -> { m.writeI32(a, (int) v); yield "ok"; }
                case 10 -> { m.writeLong(a, v); yield "ok"; }
                case 11 -> { m.writeF32(a, Float.intBitsToFloat((int) v)); yield "ok"; }
                case 12 -> { m.writeF64(a, Double.longBitsToDouble(v)); yield "ok"; }
                case 13 -> java.util.Arrays.hashCode(m.readBytes(a, n));
                case 14 -> { m.write(a, pattern(Math.max(n, 0), v), 0, Math.max(n, 0)); yield "ok"; }
                case 15 -> { m.write(a, pattern(8, v), (int) (v & 7) - 1, n & 15); yield "ok"; } // bad source range
                case 16 -> { m.fill((byte) v, a, a + n); yield "ok"; }
                case 17 -> { m.copy(a, (int) (v % (3 * PAGE_SIZE)), n); yield "ok"; }
                case 18 -> m.grow((int) (v & 3) - 1);
                case 19 -> m.pages();
                case 20 -> Objects.hash(m.readI32(a), m.readU32(a), m.readI16(a), m.readU8(a), m.readI8(a));
                default -> m.readF64(a) ^ m.readF32(a);
            };
        } catch (WasmRuntimeException e) {
            return "trap";
        }
    }

    private static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 31);
        }
        return b;
    }

    @Example
    void growsWithinItsMaximumThenRefusesAndKeepsTheBytes() {
        SegmentMemory m = new SegmentMemory(new MemoryLimits(1, 4));
        m.writeI32(PAGE_SIZE - 4, 0x12345678);
        assertThat(m.grow(1)).isEqualTo(1);
        assertThat(m.grow(2)).isEqualTo(2);
        assertThat(m.grow(1)).isEqualTo(-1);
        assertThat(m.pages()).isEqualTo(4);
        assertThat(m.readInt(PAGE_SIZE - 4)).isEqualTo(0x12345678);
        assertThat(m.readLong(4 * PAGE_SIZE - 8)).isZero();
        assertThatThrownBy(() -> m.readInt(4 * PAGE_SIZE - 3)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageContaining("out of bounds memory access");
    }

    @Example
    void aViewIsTheGuestsBytes() {
        SegmentMemory m = new SegmentMemory(new MemoryLimits(1, 2));
        m.view(0, 100, 4).put(new byte[] {1, 2, 3, 4});
        assertThat(m.readInt(100)).isEqualTo(0x04030201);
        m.writeI32(200, 0x0a0b0c0d);
        assertThat(m.view(1, 200, 4).get(201)).isEqualTo((byte) 0x0c);
    }

    @Example
    void segmentMemoryIsOptInAndNeverShared() {
        assertThat(SegmentMemory.of(new MemoryLimits(1, 2, true), true)).isInstanceOf(ByteArrayMemory.class);
        assertThat(SegmentMemory.of(new MemoryLimits(1, 2), true)).isInstanceOf(SegmentMemory.class);
        assertThat(SegmentMemory.of(new MemoryLimits(1, 2), false)).as("the default").isInstanceOf(ByteArrayMemory.class);
        assertThatThrownBy(() -> new SegmentMemory(new MemoryLimits(1, 2, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unshared");
    }
}
