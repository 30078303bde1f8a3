package org.teavm.classlib.java.net;

import org.teavm.classlib.java.io.TIOException;

/** {@code java.net.UnknownHostException} for the wasm build: a host name could not be turned into an address. */
public class TUnknownHostException extends TIOException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TUnknownHostException(String message) {
        super(message);
    }

    /** Without a message. */
    public TUnknownHostException() {
    }
}
