package io.mio.internal.spi;

import io.mio.Backend;
import io.mio.internal.linux.EpollSelector;
import io.mio.internal.nio.NioSelector;

import java.io.IOException;
import java.util.Locale;

/** Chooses the backend once per JVM (see {@link Backend}) and opens selectors of it. */
public final class Backends {
    private Backends() {}

    /** The property that names the backend: {@code epoll} or {@code selector}. */
    public static final String PROPERTY = "io.mio.backend";

    private static volatile Backend chosen;

    public static Backend current() {
        Backend b = chosen;
        return b != null ? b : choose(null);
    }

    /** Whether the sockets must use the selector backend (fixes the choice on first call). */
    public static boolean selector() {
        Backend b = chosen;
        if (b == null) {
            b = choose(null);
        }
        return b == Backend.SELECTOR;
    }

    public static void use(Backend backend) {
        java.util.Objects.requireNonNull(backend, "backend");
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
        if (b == null) {
            b = isAvailable(Backend.EPOLL) && nativeAccess() ? Backend.EPOLL : Backend.SELECTOR;
        }
        chosen = b;
        return b;
    }

    private static Backend fromProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        Backend b = switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "epoll" -> Backend.EPOLL;
            case "selector", "nio" -> Backend.SELECTOR;
            default -> throw new IllegalArgumentException(
                    "system property " + PROPERTY + "=" + value + ": expected 'epoll' or 'selector'");
        };
        if (!isAvailable(b)) {
            throw new UnsupportedOperationException(PROPERTY + "=" + value + ": " + unavailable(b));
        }
        return b;
    }

    private static boolean nativeAccess() {
        return Backends.class.getModule().isNativeAccessEnabled();
    }

    public static boolean isAvailable(Backend b) {
        if (b == Backend.SELECTOR) {
            return true;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        return os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }

    private static String unavailable(Backend b) {
        return "the " + b + " backend needs Linux on x86-64 or aarch64; this is " + System.getProperty("os.name")
                + " on " + System.getProperty("os.arch");
    }

    /** Opens a selector of the chosen backend. */
    public static SelectorSpi openSelector() throws IOException {
        if (selector()) {
            return NioSelector.open();
        }
        try {
            return EpollSelector.open();
        } catch (LinkageError | IllegalCallerException e) {
            // --illegal-native-access=deny (or a JDK without FFM access for this module) refused the downcalls.
            throw new UnsupportedOperationException("the EPOLL backend needs native access: run with "
                    + "--enable-native-access=io.mio (or ALL-UNNAMED on the class path), or choose the SELECTOR "
                    + "backend (-D" + PROPERTY + "=selector)", e);
        }
    }
}
