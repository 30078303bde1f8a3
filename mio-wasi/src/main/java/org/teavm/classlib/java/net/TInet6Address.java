package org.teavm.classlib.java.net;

/** {@code java.net.Inet6Address} for the wasm build (no scope ids: a guest has no interfaces to name). */
public final class TInet6Address extends TInetAddress {
    private static final long serialVersionUID = 1L;

    TInet6Address(String hostName, byte[] address) {
        super(hostName, address);
    }

    /**
     * The IPv6 address in {@code addr} (16 bytes) named {@code host}; {@code scopeId} is not kept (a guest has
     * no interfaces to scope to).
     *
     * @throws TUnknownHostException if {@code addr} is not 16 bytes long
     */
    public static TInet6Address getByAddress(String host, byte[] addr, int scopeId) throws TUnknownHostException {
        if (addr == null || addr.length != 16) {
            throw new TUnknownHostException("addr is of illegal length");
        }
        return new TInet6Address(host, addr.clone());
    }

    /** Always 0: scope ids are not carried through WasmEdge's socket ABI. */
    public int getScopeId() {
        return 0;
    }
}
