package org.teavm.classlib.java.nio.channels;

import org.teavm.classlib.java.io.TIOException;

/** {@code java.nio.channels.ClosedChannelException} for the wasm build: an operation on a closed source. */
public class TClosedChannelException extends TIOException {
    private static final long serialVersionUID = 1L;

    /** Without a message, as the JDK's. */
    public TClosedChannelException() {
    }
}
