package io.mio;

import org.junit.jupiter.api.Assumptions;

/**
 * Which backend the suite runs on (the build runs it on both), and the skips for what only the epoll backend can
 * do. Keep the reasons specific: each names the JDK limit that makes a test inapplicable.
 */
public final class TestBackend {
    private TestBackend() {}

    /** Whether this run uses the java.nio Selector backend. */
    public static boolean selector() {
        return Backend.current() == Backend.SELECTOR;
    }

    /** Whether this run uses the io_uring backend. */
    public static boolean uring() {
        return Backend.current() == Backend.URING;
    }

    /** Skips the calling test (or class) on the io_uring backend, where the behaviour differs by design. */
    public static void assumeNotUring(String reason) {
        Assumptions.assumeFalse(uring(), () -> "not applicable on the URING backend: " + reason);
    }

    /** Skips the calling test (or class, from {@code @BeforeAll}) on the Selector backend. */
    public static void assumeEpoll(String reason) {
        Assumptions.assumeFalse(selector(), () -> "not applicable on the SELECTOR backend: " + reason);
    }

    public static final String OS_ERROR = "the JDK's exceptions carry no OS error code (io.mio.OsError is epoll-only)";
    public static final String RAW_FD = "java.nio channels neither expose nor adopt raw file descriptors";
    public static final String FFM = "the test drives the Linux kernel through java.lang.foreign directly";
    public static final String TTL = "the JDK has no unicast IP_TTL / IPV6_UNICAST_HOPS option";
    public static final String OOB = "java.nio has no MSG_OOB / POLLPRI (Interest.PRIORITY)";
    public static final String ABSTRACT = "the JDK's Unix-domain channels take path names only (no abstract namespace)";
    public static final String UNIX_DGRAM = "the JDK has no Unix-domain datagram channel";
    public static final String URING_STALE_FD = "io_uring cancels a closed source's poll by user data, not by "
            + "descriptor number, so closing a stale SourceFd leaves the reused number's registration alone";
    public static final String URING_POLL_ERROR = "io_uring reports a descriptor it cannot poll in the poll's "
            + "completion, not from register (epoll_ctl's EPERM for a regular file has no counterpart)";
    public static final String V6ONLY = "the JDK has no IPV6_V6ONLY option (its IPv6 sockets are dual-stack)";
}
