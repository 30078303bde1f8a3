package io.mio;

import java.util.Optional;

/**
 * The readiness a source is registered for: a non-empty combination of {@link #READABLE},
 * {@link #WRITABLE} and {@link #PRIORITY}.
 *
 * <p>As in mio, an interest can never be empty: {@link #remove} answers {@link Optional#empty()}
 * where the result would be. Every combination is a shared constant, so {@link #add} and
 * {@link #remove} allocate nothing. Immutable and thread-safe.
 */
public final class Interest {
    private static final int R = 1;
    private static final int W = 2;
    private static final int P = 4;
    private static final Interest[] ALL = new Interest[8];

    static {
        for (int bits = 1; bits < 8; bits++) {
            ALL[bits] = new Interest(bits);
        }
    }

    /** Interest in readable readiness (on Linux: {@code EPOLLIN | EPOLLRDHUP}). */
    public static final Interest READABLE = ALL[R];
    /** Interest in writable readiness ({@code EPOLLOUT}). */
    public static final Interest WRITABLE = ALL[W];
    /**
     * Interest in priority (out-of-band) readiness ({@code EPOLLPRI}); Linux only. Registering it on the
     * {@link Backend#SELECTOR} backend throws {@link UnsupportedOperationException}.
     */
    public static final Interest PRIORITY = ALL[P];

    private final int bits;

    private Interest(int bits) {
        this.bits = bits;
    }

    /** This interest together with {@code other}. */
    public Interest add(Interest other) {
        return ALL[bits | other.bits];
    }

    /**
     * This interest without {@code other}; empty when nothing would be left, since an interest is never empty.
     */
    public Optional<Interest> remove(Interest other) {
        int left = bits & ~other.bits;
        return left == 0 ? Optional.empty() : Optional.of(ALL[left]);
    }

    /** True if this interest includes {@link #READABLE}. */
    public boolean isReadable() {
        return (bits & R) != 0;
    }

    /** True if this interest includes {@link #WRITABLE}. */
    public boolean isWritable() {
        return (bits & W) != 0;
    }

    /** True if this interest includes {@link #PRIORITY}. */
    public boolean isPriority() {
        return (bits & P) != 0;
    }

    /** Always false: AIO interest exists on BSD kqueue only. */
    public boolean isAio() {
        return false;
    }

    /** Always false: LIO interest exists on FreeBSD kqueue only. */
    public boolean isLio() {
        return false;
    }

    /** The set members joined by {@code " | "}, for example {@code READABLE | WRITABLE}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (isReadable()) {
            sb.append("READABLE");
        }
        if (isWritable()) {
            sb.append(sb.isEmpty() ? "" : " | ").append("WRITABLE");
        }
        if (isPriority()) {
            sb.append(sb.isEmpty() ? "" : " | ").append("PRIORITY");
        }
        return sb.toString();
    }
}
