package org.teavm.classlib.java.net;

/** {@code java.net.Inet6Address} for the wasm build (no scope ids: a guest has no interfaces to name). */
public final class TInet6Address extends TInetAddress {
    private static final long serialVersionUID = 1L;

    TInet6Address(String hostName, byte[] address) {
        super(hostName, address);
    }

    /** Always 0: scope ids are not carried through WasmEdge's socket ABI. */
    public int getScopeId() {
        return 0;
    }
}
