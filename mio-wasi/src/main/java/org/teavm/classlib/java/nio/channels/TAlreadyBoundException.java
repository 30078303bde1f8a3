package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.AlreadyBoundException} for the wasm build: bind on a socket that is already bound. */
public class TAlreadyBoundException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TAlreadyBoundException() {
    }
}
