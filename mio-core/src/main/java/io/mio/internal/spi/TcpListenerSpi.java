package io.mio.internal.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A backend's TCP listener, behind {@link io.mio.net.TcpListener}; methods as the public ones of the same name. */
public interface TcpListenerSpi extends SourceSpi {
    /** The accepted connection (its peer address known), or null if none is pending. */
    TcpStreamSpi accept() throws IOException;

    InetSocketAddress localAddr() throws IOException;

    void setTtl(int ttl) throws IOException;

    int ttl() throws IOException;

    IOException takeError() throws IOException;
}
