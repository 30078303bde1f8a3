package io.mio.tls;

import java.io.Serial;
import java.nio.channels.ClosedChannelException;

/** A {@link ClosedChannelException} that says what was closed (the JDK's has no message). */
final class TlsClosedException extends ClosedChannelException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;

    TlsClosedException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
