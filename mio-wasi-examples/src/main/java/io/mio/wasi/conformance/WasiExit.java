package io.mio.wasi.conformance;

import org.teavm.interop.Import;

/** {@link Exit} in the wasm build: WASI's {@code proc_exit}, which ends the guest with {@code status}. */
public final class WasiExit {
    private WasiExit() {}

    /** Exits with {@code status}; does not return. */
    public static void exit(int status) {
        procExit(status);
    }

    @Import(module = "wasi_snapshot_preview1", name = "proc_exit")
    private static native void procExit(int status);
}
