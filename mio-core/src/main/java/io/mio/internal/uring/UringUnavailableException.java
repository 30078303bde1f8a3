package io.mio.internal.uring;

import io.mio.internal.linux.Errno;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mio.internal.linux.LinuxConstants.EINVAL;
import static io.mio.internal.linux.LinuxConstants.EPERM;
import static io.mio.internal.uring.UringConstants.ENOSYS;

/**
 * io_uring cannot be used here, with the cause named: missing from the kernel, refused (by
 * {@code kernel.io_uring_disabled} or a seccomp filter), or too old for what this layer needs. The backend turns
 * it into the error of {@code Backend.use(URING)}; automatic backend choice never sees it.
 */
public final class UringUnavailableException extends IOException {
    @Serial private static final long serialVersionUID = 1L;

    /** Why io_uring is not usable. */
    public enum Reason {
        /** Not Linux on x86-64 or aarch64. */
        UNSUPPORTED_PLATFORM,
        /** io_uring_setup answered ENOSYS: no io_uring in this kernel, or a filter pretends so. */
        NOT_IN_KERNEL,
        /** The {@code kernel.io_uring_disabled} sysctl refuses this process. */
        DISABLED_BY_SYSCTL,
        /** EPERM with the sysctl allowing io_uring: a seccomp filter or a security module. */
        REFUSED_BY_FILTER,
        /** The kernel lacks a setup flag, feature, opcode or register operation this layer needs. */
        KERNEL_TOO_OLD,
    }

    private final Reason reason;
    private final int errno;

    UringUnavailableException(Reason reason, int errno, String message) {
        super(message);
        this.reason = reason;
        this.errno = errno;
    }

    public Reason reason() {
        return reason;
    }

    /** The errno behind it, or 0 when none (a missing feature bit or opcode). */
    public int errno() {
        return errno;
    }

    /** The exception for io_uring_setup failing with {@code errno}, or null when the errno says nothing about availability. */
    static UringUnavailableException forSetupErrno(int errno) {
        return forSetupErrno(errno, readSysctl(), seccompMode());
    }

    /**
     * As {@link #forSetupErrno(int)}, with the sysctl's value ({@code -1} when it does not exist: kernels before 6.6)
     * and the thread's seccomp mode ({@code -1} unknown, 0 none, 2 filter) given, so that every message can be tested.
     */
    static UringUnavailableException forSetupErrno(int errno, int sysctl, int seccomp) {
        String call = "io_uring_setup failed: " + name(errno) + ": ";
        return switch (errno) {
            case ENOSYS -> new UringUnavailableException(Reason.NOT_IN_KERNEL, errno, call
                    + "this kernel (" + kernelRelease() + ") has no io_uring (built without CONFIG_IO_URING, or older than 5.1)"
                    + (seccomp == 2 ? ", or this thread's seccomp filter answers ENOSYS for it" : ""));
            case EPERM -> {
                if (sysctl == 2) {
                    yield new UringUnavailableException(Reason.DISABLED_BY_SYSCTL, errno, call
                            + "io_uring is disabled for every process by kernel.io_uring_disabled = 2");
                }
                if (sysctl == 1) {
                    yield new UringUnavailableException(Reason.DISABLED_BY_SYSCTL, errno, call
                            + "kernel.io_uring_disabled = 1 allows io_uring only to processes in the group kernel.io_uring_group ("
                            + readGroupSysctl() + ") and to CAP_SYS_ADMIN"
                            + (seccomp == 2 ? " (this thread also runs under a seccomp filter, which may be what refused)" : ""));
                }
                String sysctlText = sysctl < 0 ? "the kernel has no kernel.io_uring_disabled sysctl"
                        : "kernel.io_uring_disabled = " + sysctl + " allows it";
                yield new UringUnavailableException(Reason.REFUSED_BY_FILTER, errno, call
                        + (seccomp == 2
                                ? "refused by this thread's seccomp filter (a container runtime's default profile blocks io_uring); "
                                : "refused by a security module (no seccomp filter on this thread); ")
                        + sysctlText);
            }
            default -> null;
        };
    }

    /** The kernel refused setup flags this layer needs (EINVAL for each on its own). */
    static UringUnavailableException flagsRefused(int refusedFlags) {
        return new UringUnavailableException(Reason.KERNEL_TOO_OLD, EINVAL, "io_uring_setup failed: "
                + name(EINVAL) + ": this kernel (" + kernelRelease() + ") does not know IORING_SETUP_"
                + UringConstants.names(refusedFlags, UringConstants::setupFlagName) + " (the io_uring layer needs Linux 6.0 or newer)");
    }

    static UringUnavailableException featuresMissing(int missingFeatures) {
        return new UringUnavailableException(Reason.KERNEL_TOO_OLD, 0, "io_uring on this kernel (" + kernelRelease()
                + ") lacks IORING_FEAT_" + UringConstants.names(missingFeatures, UringConstants::featureName)
                + " (the io_uring layer needs Linux 6.0 or newer)");
    }

    static UringUnavailableException opcodeMissing(int op) {
        return new UringUnavailableException(Reason.KERNEL_TOO_OLD, 0, "io_uring on this kernel (" + kernelRelease()
                + ") does not support " + UringConstants.opName(op) + " (IORING_REGISTER_PROBE; the io_uring layer needs Linux 6.0 or newer)");
    }

    static UringUnavailableException registerRefused(String what, int errno) {
        return new UringUnavailableException(Reason.KERNEL_TOO_OLD, errno, "io_uring_register(" + what + ") failed: "
                + name(errno) + ": this kernel (" + kernelRelease() + ") does not support it (the io_uring layer needs Linux 6.0 or newer)");
    }

    static UringUnavailableException unsupportedPlatform() {
        return new UringUnavailableException(Reason.UNSUPPORTED_PLATFORM, 0, "io_uring needs Linux on x86-64 or aarch64; this is "
                + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
    }

    /** errno's symbolic name, also for the values io_uring adds to those {@link Errno} knows. */
    static String name(int errno) {
        return switch (errno) {
            case ENOSYS -> "ENOSYS (Function not implemented)";
            case UringConstants.EBUSY -> "EBUSY (Device or resource busy)";
            case UringConstants.ETIME -> "ETIME (Timer expired)";
            case UringConstants.EBADR -> "EBADR (Invalid request descriptor)";
            case UringConstants.EBADFD -> "EBADFD (File descriptor in bad state)";
            case UringConstants.ECANCELED -> "ECANCELED (Operation canceled)";
            default -> Errno.describe(errno);
        };
    }

    private static int readSysctl() {
        return readInt(Path.of("/proc/sys/kernel/io_uring_disabled"), "");
    }

    private static String readGroupSysctl() {
        int gid = readInt(Path.of("/proc/sys/kernel/io_uring_group"), "");
        return gid < 0 ? "-1: no group" : "gid " + gid;
    }

    /** This thread's seccomp mode from /proc/thread-self/status: 0 none, 1 strict, 2 filter; -1 unknown. */
    static int seccompMode() {
        return readInt(Path.of("/proc/thread-self/status"), "Seccomp:");
    }

    private static int readInt(Path path, String prefix) {
        try {
            for (String line : Files.readAllLines(path)) {
                if (line.startsWith(prefix)) {
                    return Integer.parseInt(line.substring(prefix.length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable (no /proc, no such sysctl): unknown.
        }
        return -1;
    }

    private static String kernelRelease() {
        return "Linux " + System.getProperty("os.version");
    }
}
