package io.mio.internal;

import io.mio.Token;

/**
 * The backend-neutral result of one poll: for each event, the token it was registered with and its
 * readiness in the bits below. Owned by one {@code Events}; filled by the backend, read by {@code Event}.
 */
public final class ReadySet {
    public static final int READABLE = 1;
    public static final int WRITABLE = 1 << 1;
    public static final int ERROR = 1 << 2;
    public static final int READ_CLOSED = 1 << 3;
    public static final int WRITE_CLOSED = 1 << 4;
    public static final int PRIORITY = 1 << 5;
    public static final int AIO = 1 << 6;
    public static final int LIO = 1 << 7;

    public final Token[] tokens;
    public final int[] ready;
    public int size;

    public ReadySet(int capacity) {
        tokens = new Token[capacity];
        ready = new int[capacity];
    }

    public int capacity() {
        return ready.length;
    }
}
