package io.mio.internal.uring;

/**
 * Which opcodes the running kernel supports, from {@code IORING_REGISTER_PROBE}. An opcode the kernel knows may
 * still lack a flag of a later version (multishot receive came in 6.0, years after IORING_OP_RECV): the probe
 * answers for opcodes only. Immutable and thread-safe.
 */
public final class Probe {
    private final int lastOp;
    private final boolean[] supported;

    Probe(int lastOp, boolean[] supported) {
        this.lastOp = lastOp;
        this.supported = supported;
    }

    /** The highest opcode this kernel knows. */
    public int lastOp() {
        return lastOp;
    }

    /** Whether {@code op} is supported. */
    public boolean supports(int op) {
        return op >= 0 && op < supported.length && supported[op];
    }

    /** Throws {@link UringUnavailableException} naming the first of {@code ops} this kernel lacks. */
    public void require(int... ops) throws UringUnavailableException {
        for (int op : ops) {
            if (!supports(op)) {
                throw UringUnavailableException.opcodeMissing(op);
            }
        }
    }
}
