package io.mio.internal.spi;

import io.mio.Backend;
import io.mio.internal.linux.LinuxProvider;
import io.mio.internal.nio.NioProvider;
import io.mio.internal.uring.UringProvider;

import java.util.Locale;
import java.util.Objects;

/**
 * Chooses the backend once per JVM (see {@link Backend}) and holds its {@link BackendProvider}: the one class that
 * names the concrete backends. Other builds replace this class wholesale with one of the same public static methods
 * (the WASI build names its own provider), so it stays free of anything but the choice.
 */
public final class Backends {
    private Backends() {}

    /** The property that names the backend: {@code epoll}, {@code selector} or {@code uring}. */
    public static final String PROPERTY = "io.mio.backend";

    private static volatile Backend chosen;
    private static volatile BackendProvider provider;

    /** The backend in use, choosing it now if nothing was created yet. */
    public static Backend current() {
        Backend b = chosen;
        return b != null ? b : choose(null);
    }

    /** The provider of the backend in use (fixes the choice on first call): one instance per JVM. */
    public static BackendProvider provider() {
        BackendProvider p = provider;
        if (p == null) {
            choose(null);
            p = provider;
        }
        return p;
    }

    /** Chooses {@code backend} before first use; see {@link Backend#use}. */
    public static void use(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (!isAvailable(backend)) {
            throw new UnsupportedOperationException(unavailable(backend));
        }
        Backend b = choose(backend);
        if (b != backend) {
            throw new IllegalStateException("cannot use the " + backend + " backend: the " + b
                    + " backend is already in use in this JVM (it is fixed when the first Poll or socket is created)");
        }
    }

    private static synchronized Backend choose(Backend requested) {
        if (chosen != null) {
            return chosen;
        }
        Backend b = requested != null ? requested : fromProperty();
        boolean fallback = false;
        if (b == null) {
            fallback = isAvailable(Backend.EPOLL) && !nativeAccess();
            b = isAvailable(Backend.EPOLL) && !fallback ? Backend.EPOLL : Backend.SELECTOR;
        }
        provider = switch (b) {
            case EPOLL -> new LinuxProvider();
            case URING -> new UringProvider();
            default -> new NioProvider();
        };
        chosen = b;
        if (fallback) {
            logFallback(); // once: the choice is made once per JVM, under this lock
        }
        return b;
    }

    /** The text logged when the SELECTOR backend is chosen because native access is off; see {@link #choose}. */
    static String fallbackMessage() {
        String flag = "--enable-native-access=" + (Backends.class.getModule().isNamed() ? "io.mio" : "ALL-UNNAMED");
        return "io.mio uses the portable SELECTOR backend: native access is not enabled for "
                + (Backends.class.getModule().isNamed() ? "module io.mio" : "the class path") + ", which the EPOLL "
                + "backend needs. Run with " + flag + " to use EPOLL (or choose -D" + PROPERTY + "=selector to "
                + "silence this message)";
    }

    private static void logFallback() {
        System.getLogger("io.mio").log(System.Logger.Level.INFO, fallbackMessage());
    }

    private static Backend fromProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        Backend b = switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "epoll" -> Backend.EPOLL;
            case "selector", "nio" -> Backend.SELECTOR;
            case "wasi" -> Backend.WASI;
            case "uring", "io_uring" -> Backend.URING;
            default -> throw new IllegalArgumentException(
                    "system property " + PROPERTY + "=" + value + ": expected 'epoll', 'selector' or 'uring'");
        };
        if (!isAvailable(b)) {
            throw new UnsupportedOperationException(PROPERTY + "=" + value + ": " + unavailable(b));
        }
        return b;
    }

    private static boolean nativeAccess() {
        return Backends.class.getModule().isNativeAccessEnabled();
    }

    /** Whether {@code b} supports this platform; see {@link Backend#isAvailable()}. */
    public static boolean isAvailable(Backend b) {
        if (b == Backend.SELECTOR) {
            return true;
        }
        if (b == Backend.WASI) {
            return false;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        boolean linux = os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        if (b == Backend.URING) {
            return linux && uringRefusal() == null;
        }
        return linux;
    }

    private static volatile String uringRefusal;

    /** Why io_uring cannot serve the URING backend here ("" once a ring was set up), checked once. */
    private static String uringRefusal() {
        String r = uringRefusal;
        if (r == null) {
            try {
                UringProvider.checkAvailable();
                r = "";
            } catch (Exception e) {
                r = "the URING backend cannot run here: " + e.getMessage();
            }
            uringRefusal = r;
        }
        return r.isEmpty() ? null : r;
    }

    private static String unavailable(Backend b) {
        if (b == Backend.WASI) {
            return "the WASI backend is io.mio compiled to wasm32-wasi (the mio-wasi module); it is never available on a JVM";
        }
        if (b == Backend.URING && isAvailable(Backend.EPOLL)) {
            return uringRefusal();
        }
        return "the " + b + " backend needs Linux on x86-64 or aarch64; this is " + System.getProperty("os.name")
                + " on " + System.getProperty("os.arch");
    }
}
