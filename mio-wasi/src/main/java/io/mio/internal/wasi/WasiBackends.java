package io.mio.internal.wasi;

import io.mio.Backend;
import io.mio.internal.spi.BackendProvider;

import java.util.Objects;

/**
 * Replaces {@code io.mio.internal.spi.Backends} in the wasm build (TeaVM's {@code mapClass}, declared in this
 * module's {@code META-INF/teavm.properties}): a guest has one backend, WASI, and the JVM backends' classes
 * are never reached, so TeaVM compiles none of their FFM or java.nio code. Same public static methods as the
 * class it replaces.
 */
public final class WasiBackends {
    private WasiBackends() {}

    /** The property the JVM's chooser reads; kept for source compatibility, ignored in a guest. */
    public static final String PROPERTY = "io.mio.backend";

    /** Always {@link Backend#WASI}. */
    public static Backend current() {
        return Backend.WASI;
    }

    /** The WASI provider. */
    public static BackendProvider provider() {
        return WasiProvider.INSTANCE;
    }

    /** Always false: a guest never runs the SELECTOR backend. */
    public static boolean selector() {
        return false;
    }

    /**
     * Accepts {@link Backend#WASI}.
     *
     * @throws UnsupportedOperationException for the JVM backends, which a wasm32-wasi guest cannot run
     */
    public static void use(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend != Backend.WASI) {
            throw new UnsupportedOperationException("the " + backend + " backend runs on a JVM; this is a wasm32-wasi "
                    + "guest, which has the WASI backend only");
        }
    }

    /** True for {@link Backend#WASI} only. */
    public static boolean isAvailable(Backend backend) {
        return backend == Backend.WASI;
    }
}
