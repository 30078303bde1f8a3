package org.teavm.classlib.java.net;

import org.teavm.classlib.java.io.TIOException;

/** {@code java.net.SocketException} for the wasm build: signals an error creating or accessing a socket. */
public class TSocketException extends TIOException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TSocketException(String message) {
        super(message);
    }

    /** Without a message. */
    public TSocketException() {
    }
}
