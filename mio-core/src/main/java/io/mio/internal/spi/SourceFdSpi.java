package io.mio.internal.spi;

/** A backend's registration of a descriptor it does not own, behind {@link io.mio.unix.SourceFd}. */
public interface SourceFdSpi extends SourceSpi {
    /** The wrapped descriptor number (also after close). */
    int fd();
}
