package io.mio.internal;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.linux.EpollSelector;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.nio.NioHandle;
import io.mio.internal.nio.NioSelector;
import io.mio.internal.spi.SelectorSpi;

import java.io.IOException;

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

    /**
     * Registers a library source: its {@code nio} handle on the SELECTOR backend, else its descriptor {@code fd}.
     * Both public source types and their backend checks go through here.
     */
    public static void register(Registry registry, Object source, FileDesc fd,
            NioHandle nio, Token token, Interest interests) throws IOException {
        if (nio != null) {
            nio(registry, source).register(nio, token, interests);
        } else {
            epoll(registry, source).register(fd, token, interests);
        }
    }

    /** Reregisters a library source; see {@link #register}. */
    public static void reregister(Registry registry, Object source, FileDesc fd,
            NioHandle nio, Token token, Interest interests) throws IOException {
        if (nio != null) {
            nio(registry, source).reregister(nio, token, interests);
        } else {
            epoll(registry, source).reregister(fd, token, interests);
        }
    }

    /** Deregisters a library source; see {@link #register}. */
    public static void deregister(Registry registry, Object source, FileDesc fd,
            NioHandle nio) throws IOException {
        if (nio != null) {
            nio(registry, source).deregister(nio);
        } else {
            epoll(registry, source).deregister(fd);
        }
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
