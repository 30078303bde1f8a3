package io.mio.internal.nio;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.spi.SourceSpi;

import java.io.IOException;

/**
 * What every source of the selector backend shares, as mio's {@code IoSource}: its handle (channel and
 * registration), registration with the Poll's selector, close. Raw descriptors do not exist here.
 */
abstract class NioSource implements SourceSpi {
    private final NioHandle handle;
    /** The public type, for {@link #toString()} and messages: "TcpStream". */
    final String name;

    NioSource(NioHandle handle, String name) {
        this.handle = handle;
        this.name = name;
    }

    @Override
    public final void register(Registry registry, Token token, Interest interests) throws IOException {
        NioSelector.of(registry, this).register(handle, token, interests);
    }

    @Override
    public final void reregister(Registry registry, Token token, Interest interests) throws IOException {
        NioSelector.of(registry, this).reregister(handle, token, interests);
    }

    @Override
    public final void deregister(Registry registry) throws IOException {
        NioSelector.of(registry, this).deregister(handle);
    }

    @Override
    public int rawFd() throws IOException {
        handle.ensureOpen();
        throw Unsupported.rawFd(name + ".rawFd");
    }

    @Override
    public final boolean isOpen() {
        return handle.isOpen();
    }

    @Override
    public final void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return name + "[" + handle + "]";
    }
}
