package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.UnresolvedAddressException} for the wasm build: an address whose host name was not resolved. */
public class TUnresolvedAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TUnresolvedAddressException() {
    }
}
