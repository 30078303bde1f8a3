package io.mio.wasi.conformance;

/**
 * Ends the program with a status: {@link System#exit} on a JVM. TeaVM 0.13.1's class library has no
 * {@code System.exit} (and its {@code Runtime.exit} does nothing), so the wasm build replaces this class with
 * {@link WasiExit}, which calls WASI's {@code proc_exit} (see this module's {@code META-INF/teavm.properties}).
 */
public final class Exit {
    private Exit() {}

    /** Exits with {@code status}; does not return. */
    public static void exit(int status) {
        System.exit(status);
    }
}
