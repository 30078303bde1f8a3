package io.mio.reliability;

import io.mio.Backend;
import org.junit.jupiter.api.Assumptions;

/**
 * Which backend this run of the suite uses (one surefire execution per backend), and the named skips for what a
 * backend cannot show. Each reason names the limit, as mio-core's TestBackend does.
 */
final class OnBackend {
    private OnBackend() {}

    static boolean selector() {
        return Backend.current() == Backend.SELECTOR;
    }

    /** Skips the calling test on the SELECTOR backend, naming why. */
    static void assumeNotSelector(String reason) {
        Assumptions.assumeFalse(selector(), () -> "not applicable on the SELECTOR backend: " + reason);
    }

    static final String HANG_UP = "a hang-up after an undrained readable event raises no event there (README: "
            + "readable stays disarmed until a read would block), and this scenario waits for that event";
    static final String READ_AHEAD = "read-closed is flagged there only when the one-byte read-ahead meets the end "
            + "of stream, not with data still queued before the FIN";
    static final String ICMP = "the JDK has no SO_ERROR and no error readiness: an ICMP refusal shows only as a "
            + "failing receive, and its exceptions carry no OS error code (io.mio.OsError)";
}
