package io.mio.internal.wasi;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.internal.ClosedException;
import io.mio.internal.spi.SelectorSpi;
import io.mio.internal.spi.SourceSpi;

import java.io.IOException;

/**
 * What every WASI socket shares: its guest descriptor, its registration, and the register / close tail.
 * A guest has one thread, so the state needs no synchronisation; once closed the descriptor number is never
 * passed to the host again (the host may hand it to a new socket at once).
 */
abstract class WasiSource implements SourceSpi {
    final String kind;
    final WasiRegistration registration;
    private boolean closed;

    WasiSource(String kind, int fd) {
        this.kind = kind;
        this.registration = new WasiRegistration(kind, fd);
    }

    /** The descriptor, if open. */
    final int fd() throws ClosedException {
        if (closed) {
            throw new ClosedException(kind);
        }
        return registration.fd;
    }

    private WasiSelector selector(Registry registry) {
        SelectorSpi s = Bridge.selector(registry);
        if (s instanceof WasiSelector w) {
            return w;
        }
        throw new IllegalArgumentException("cannot register " + kind + " (a source of the WASI backend) with a Poll of the "
                + s.backend() + " backend");
    }

    @Override
    public final void register(Registry registry, Token token, Interest interests) throws IOException {
        fd();
        selector(registry).register(registration, token, interests);
    }

    @Override
    public final void reregister(Registry registry, Token token, Interest interests) throws IOException {
        fd();
        selector(registry).reregister(registration, token, interests);
    }

    @Override
    public final void deregister(Registry registry) throws IOException {
        fd();
        selector(registry).deregister(registration);
    }

    /** The guest's WASI descriptor number (meaningful inside this guest only). */
    @Override
    public final int rawFd() throws IOException {
        return fd();
    }

    @Override
    public final boolean isOpen() {
        return !closed;
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration.selector != null) {
            registration.selector.remove(registration);
        }
        WasiNet.close(registration.fd);
    }

    @Override
    public String toString() {
        return kind + "[" + (closed ? "closed" : "fd=" + registration.fd) + "]";
    }
}
