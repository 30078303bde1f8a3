package org.teavm.classlib.java.net;

import org.teavm.classlib.java.io.TInterruptedIOException;

/** {@code java.net.SocketTimeoutException} for the wasm build: a socket read or accept timed out. */
public class TSocketTimeoutException extends TInterruptedIOException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TSocketTimeoutException(String message) {
        super(message);
    }

    /** Without a message. */
    public TSocketTimeoutException() {
    }
}
