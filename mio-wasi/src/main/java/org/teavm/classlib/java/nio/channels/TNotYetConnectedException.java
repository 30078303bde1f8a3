package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.NotYetConnectedException} for the wasm build: an operation that needs a connected socket. */
public class TNotYetConnectedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TNotYetConnectedException() {
    }
}
