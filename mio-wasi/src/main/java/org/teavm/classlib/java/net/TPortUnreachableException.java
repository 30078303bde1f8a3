package org.teavm.classlib.java.net;

/** {@code java.net.PortUnreachableException} for the wasm build: an ICMP port unreachable was received on a connected datagram socket. */
public class TPortUnreachableException extends TSocketException {
    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TPortUnreachableException(String message) {
        super(message);
    }

    /** Without a message. */
    public TPortUnreachableException() {
    }
}
