package io.mio;

/**
 * Associates an event with the source it came from: the value the user chose when registering.
 *
 * <p>As with mio's {@code Token(usize)}, the value is opaque to the library; every {@code long},
 * including {@link Long#MAX_VALUE}, is allowed. {@link Event#token()} returns the very {@code Token}
 * object that was passed to {@link Registry#register}, so reading it allocates nothing; compare tokens
 * with {@link #equals(Object)} or by {@link #value()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the user's value
 */
public record Token(long value) {
    @Override
    public String toString() {
        return "Token(" + value + ")";
    }
}
