package org.teavm.classlib.java.net;

import java.io.Serializable;

/** {@code java.net.SocketAddress} for the wasm build: an address with no protocol attached. */
public abstract class TSocketAddress implements Serializable {
    private static final long serialVersionUID = 1L;

    /** For subclasses. */
    public TSocketAddress() {}
}
