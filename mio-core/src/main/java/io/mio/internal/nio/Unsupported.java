package io.mio.internal.nio;

/** The errors for what the SELECTOR backend cannot do; each names the limit. */
public final class Unsupported {
    private Unsupported() {}

    public static UnsupportedOperationException rawFd(String what) {
        return new UnsupportedOperationException(what + " is not available on the SELECTOR backend: "
                + "java.nio channels do not expose or adopt raw file descriptors");
    }

    public static UnsupportedOperationException option(String option, String kind) {
        return Options.unsupported(option, kind);
    }

    public static UnsupportedOperationException feature(String what, String why) {
        return new UnsupportedOperationException(what + " is not available on the SELECTOR backend: " + why);
    }
}
