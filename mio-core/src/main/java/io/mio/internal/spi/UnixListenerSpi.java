package io.mio.internal.spi;

import io.mio.net.UnixAddress;

import java.io.IOException;

/** A backend's Unix-domain listener, behind {@link io.mio.net.UnixListener}; methods as the public ones. */
public interface UnixListenerSpi extends SourceSpi {
    /** The accepted connection, or null if none is pending. */
    UnixStreamSpi accept() throws IOException;

    UnixAddress localAddr() throws IOException;

    IOException takeError() throws IOException;
}
