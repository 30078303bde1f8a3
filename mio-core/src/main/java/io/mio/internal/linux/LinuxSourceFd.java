package io.mio.internal.linux;

import io.mio.internal.spi.SourceFdSpi;

/** A descriptor somebody else owns, registered with epoll by number (see {@link io.mio.unix.SourceFd}). */
final class LinuxSourceFd extends LinuxSource implements SourceFdSpi {
    LinuxSourceFd(int fd) {
        super(FileDesc.borrowed(fd, "SourceFd(" + fd + ")"), "SourceFd");
    }

    @Override
    public int fd() {
        return fd.fd();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
