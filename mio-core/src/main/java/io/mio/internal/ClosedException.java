package io.mio.internal;

import java.io.Serial;
import java.nio.channels.ClosedChannelException;

/** A {@link ClosedChannelException} that says what was closed (the JDK's has no message). */
public final class ClosedException extends ClosedChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String what;

    public ClosedException(String what) {
        this.what = what;
    }

    @Override
    public String getMessage() {
        return what + " is closed";
    }
}
