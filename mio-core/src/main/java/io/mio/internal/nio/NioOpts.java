package io.mio.internal.nio;

import java.time.Duration;

/** Argument checks for options on the selector backend, with the epoll backend's messages. */
final class NioOpts {
    private NioOpts() {}

    /** SO_LINGER in the JDK's form: -1 off, else whole seconds. */
    static int lingerSeconds(Duration linger) {
        if (linger == null) {
            return -1;
        }
        long s = linger.toSeconds();
        if (linger.isNegative() || s > Integer.MAX_VALUE || linger.toNanosPart() != 0) {
            throw new IllegalArgumentException("SO_LINGER takes whole non-negative seconds, was " + linger);
        }
        return (int) s;
    }

    /** Whole seconds of {@code d} for the TCP_KEEP* options: 1..{@code max}. */
    static int seconds(Duration d, int max, String option) {
        if (d == null) {
            throw new NullPointerException(option);
        }
        long s = d.toSeconds();
        if (s < 1 || s > max || d.toNanosPart() != 0) {
            throw new IllegalArgumentException(option + " takes whole seconds in 1.." + max + ", was " + d);
        }
        return (int) s;
    }

    static void checkRetries(int count) {
        if (count < 1 || count > 127) {
            throw new IllegalArgumentException("TCP_KEEPCNT must be in 1..127, was " + count);
        }
    }

    static int checkBuffer(int bytes, String option) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(option + " must be positive, was " + bytes);
        }
        return bytes;
    }

    static int checkTos(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("IP_TOS / IPV6_TCLASS must be in 0..255, was " + tos);
        }
        return tos;
    }
}
