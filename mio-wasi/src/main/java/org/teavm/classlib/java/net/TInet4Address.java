package org.teavm.classlib.java.net;

/** {@code java.net.Inet4Address} for the wasm build. */
public final class TInet4Address extends TInetAddress {
    private static final long serialVersionUID = 1L;

    TInet4Address(String hostName, byte[] address) {
        super(hostName, address);
    }
}
