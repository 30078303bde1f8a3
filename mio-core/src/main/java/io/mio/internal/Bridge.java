package io.mio.internal;

import io.mio.Events;
import io.mio.Registry;
import io.mio.internal.linux.EpollSelector;

/**
 * Lets the public packages reach each other's internals without making them public API
 * (this package is not exported). The public classes install the accessors in their static initialisers.
 */
public final class Bridge {
    private Bridge() {}

    /** Reaches the backend behind a {@link Registry}. */
    public interface RegistryAccess {
        EpollSelector selector(Registry registry);
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

    public static EpollSelector selector(Registry registry) {
        return registryAccess.selector(registry);
    }

    public static ReadySet readySet(Events events) {
        return eventsAccess.readySet(events);
    }
}
