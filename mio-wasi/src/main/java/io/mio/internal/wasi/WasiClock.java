package io.mio.internal.wasi;

import org.teavm.interop.Address;
import org.teavm.interop.Import;

/**
 * The monotonic clock through WASI's {@code clock_time_get}. TeaVM 0.13.1's WASI target implements
 * {@code System.nanoTime} with an import of its own ({@code teavm.nanoTime}) that no WASI host provides;
 * the build plugin ({@link io.mio.internal.wasi.teavm.WasiBuildPlugin}) points it here instead.
 */
public final class WasiClock {
    private WasiClock() {}

    private static final long[] OUT = new long[1];

    /** Milliseconds (with a fraction) on the monotonic clock, the unit TeaVM's {@code nanoTime} expects. */
    public static double monotonicMillis() {
        int errno = clockTimeGet(Wasi.CLOCK_MONOTONIC, 1, Address.ofData(OUT).toInt());
        if (errno != 0) {
            throw new IllegalStateException("clock_time_get(MONOTONIC): " + WasiErrors.name(errno));
        }
        return OUT[0] / 1_000_000.0;
    }

    @Import(module = Wasi.MODULE, name = "clock_time_get")
    private static native int clockTimeGet(int clockId, long precision, int timeOut);
}
