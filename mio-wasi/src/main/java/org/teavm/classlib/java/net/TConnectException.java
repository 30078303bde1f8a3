package org.teavm.classlib.java.net;

/** {@code java.net.ConnectException} for the wasm build: a connection was refused or could not be made. */
public class TConnectException extends TSocketException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TConnectException(String message) {
        super(message);
    }

    /** Without a message. */
    public TConnectException() {
    }
}
