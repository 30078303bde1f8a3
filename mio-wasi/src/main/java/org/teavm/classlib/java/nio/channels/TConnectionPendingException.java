package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.ConnectionPendingException} for the wasm build: connect while a connect is in progress. */
public class TConnectionPendingException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TConnectionPendingException() {
    }
}
