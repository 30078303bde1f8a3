package io.mio.internal.wasi;

/** The {@link UnsupportedOperationException}s of the WASI backend, each naming the limit it meets. */
final class WasiUnsupported {
    private WasiUnsupported() {}

    /** A socket option WasmEdge's ABI cannot set: it takes SOL_SOCKET options only (names 0-14). */
    static UnsupportedOperationException option(String call, String option) {
        return new UnsupportedOperationException(call + ": " + option + " cannot be set in a WASI guest: "
                + "WasmEdge's sock_setsockopt takes SOL_SOCKET options only (no TCP- or IP-level options)");
    }

    /** Something WASI has no notion of (Unix sockets, pipes, host descriptors, child processes). */
    static UnsupportedOperationException feature(String call, String what) {
        return new UnsupportedOperationException(call + ": " + what + " are not available in a WASI guest "
                + "(wasm32-wasi with WasmEdge's socket API has TCP and UDP sockets only)");
    }
}
