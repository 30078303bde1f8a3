package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.AlreadyConnectedException} for the wasm build: connect on a socket that is already connected. */
public class TAlreadyConnectedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TAlreadyConnectedException() {
    }
}
