package io.mio.internal;

import io.mio.Events;
import io.mio.Registry;
import io.mio.internal.linux.EpollSelector;
import io.mio.internal.nio.NioSelector;
import io.mio.internal.spi.SelectorSpi;

/**
 * Lets the public packages reach each other's internals without making them public API
 * (this package is not exported). The public classes install the accessors in their static initialisers.
 */
public final class Bridge {
    private Bridge() {}

    /** Reaches the backend behind a {@link Registry}. */
    public interface RegistryAccess {
        SelectorSpi selector(Registry registry);
    }

    /** Reaches the ready set behind an {@link Events}. */
    public interface EventsAccess {
        ReadySet readySet(Events events);
    }

    private static RegistryAccess registryAccess;
    private static EventsAccess eventsAccess;

    public static void installRegistryAccess(RegistryAccess access) {
        registryAccess = access;
    }

    public static void installEventsAccess(EventsAccess access) {
        eventsAccess = access;
    }

    public static SelectorSpi selector(Registry registry) {
        ensureRegistryAccess();
        return registryAccess.selector(registry);
    }

    /** The epoll selector behind {@code registry}, for an epoll-backed source. */
    public static EpollSelector epoll(Registry registry, Object source) {
        SelectorSpi s = selector(registry);
        if (s instanceof EpollSelector e) {
            return e;
        }
        throw mismatch(source, "EPOLL", s);
    }

    /** The java.nio selector behind {@code registry}, for a selector-backed source. */
    public static NioSelector nio(Registry registry, Object source) {
        SelectorSpi s = selector(registry);
        if (s instanceof NioSelector n) {
            return n;
        }
        throw mismatch(source, "SELECTOR", s);
    }

    private static IllegalArgumentException mismatch(Object source, String backend, SelectorSpi s) {
        return new IllegalArgumentException("cannot register " + source + " (a source of the " + backend
                + " backend) with a Poll of the " + s.backend() + " backend");
    }

    private static void ensureRegistryAccess() {
        if (registryAccess == null) {
            try {
                Class.forName(Registry.class.getName(), true, Registry.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
    }

    public static ReadySet readySet(Events events) {
        return eventsAccess.readySet(events);
    }
}
