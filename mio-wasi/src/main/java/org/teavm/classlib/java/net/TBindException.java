package org.teavm.classlib.java.net;

/** {@code java.net.BindException} for the wasm build: a local address or port could not be bound. */
public class TBindException extends TSocketException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TBindException(String message) {
        super(message);
    }

    /** Without a message. */
    public TBindException() {
    }
}
