package org.teavm.classlib.java.nio.channels;

/** {@code java.nio.channels.UnsupportedAddressTypeException} for the wasm build: an address of a type the socket cannot use. */
public class TUnsupportedAddressTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TUnsupportedAddressTypeException() {
    }
}
