package org.teavm.classlib.java.net;

/** {@code java.net.NoRouteToHostException} for the wasm build: no route to the remote host. */
public class TNoRouteToHostException extends TSocketException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TNoRouteToHostException(String message) {
        super(message);
    }

    /** Without a message. */
    public TNoRouteToHostException() {
    }
}
