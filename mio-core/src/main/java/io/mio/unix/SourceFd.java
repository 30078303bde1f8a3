package io.mio.unix;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.event.Source;
import io.mio.internal.spi.Backends;
import io.mio.internal.spi.SourceFdSpi;

import java.io.IOException;

/**
 * Registers a file descriptor that somebody else owns: mio's {@code unix::SourceFd}.
 *
 * <p>Any descriptor epoll accepts works (sockets, pipes, eventfds, timerfds, terminals, ...; regular files do
 * not: epoll_ctl fails with EPERM). This object never closes the descriptor and never changes its flags: make
 * it non-blocking yourself if you read or write it after events, since registrations are edge-triggered.
 *
 * <p>Unlike mio's borrowed wrapper, the registration is tracked here, so use <em>the same</em> {@code SourceFd}
 * for register, reregister and deregister. Deregister (or {@link #close()} this object) <em>before</em> you close
 * the descriptor. This object knows the descriptor only by its number, which the kernel may give to another file
 * as soon as it is closed, and this object cannot tell. If you close the descriptor first:
 * <ul>
 *   <li>{@link #deregister} and {@link #close()} remove whatever the number names <em>now</em> from the
 *       {@link io.mio.Poll} ({@code epoll_ctl(EPOLL_CTL_DEL)} by number). If the number was reused by a file that
 *       is registered with the same {@code Poll} through another source (a socket, a pipe, another
 *       {@code SourceFd}), that source's registration is removed in the kernel: it silently gets no more events,
 *       although it still counts as registered.</li>
 *   <li>If the number is free or names a file not in that {@code Poll}, {@link #deregister} throws
 *       {@link IOException} (EBADF or ENOENT) and this object stays registered until {@link #close()}, which
 *       ignores the error.</li>
 *   <li>If another descriptor still refers to the same open file (a {@code dup}, a forked child), the kernel keeps
 *       reporting that file's readiness to the {@code Poll} (epoll registers open files, not numbers): with this
 *       object's token until it is deregistered or closed; after that the events are dropped, but the kernel
 *       entry stays until that file's last descriptor or the {@code Poll} is closed.</li>
 * </ul>
 *
 * <p>Thread-safe, like the other sources.
 */
public final class SourceFd implements Source, AutoCloseable {
    /** This backend's registration of the descriptor: every method below delegates to it. */
    private final SourceFdSpi impl;

    /**
     * Wraps {@code fd} without taking ownership.
     *
     * @throws IllegalArgumentException if {@code fd} is negative
     * @throws UnsupportedOperationException on the {@link io.mio.Backend#SELECTOR} backend
     */
    public SourceFd(int fd) {
        this.impl = Backends.provider().sourceFd(fd);
    }

    /** The wrapped descriptor number. */
    public int fd() {
        return impl.fd();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IOException if epoll refuses the descriptor (EBADF: not open; EPERM: a regular file or directory;
     *         EEXIST: already registered with this Poll through another SourceFd)
     */
    @Override
    public void register(Registry registry, Token token, Interest interests) throws IOException {
        impl.register(registry, token, interests);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interests) throws IOException {
        impl.reregister(registry, token, interests);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        impl.deregister(registry);
    }

    /**
     * Deregisters (if registered) and retires this wrapper; the descriptor itself stays open and stays the
     * owner's. Later calls on this wrapper throw {@link java.nio.channels.ClosedChannelException}. Idempotent.
     */
    @Override
    public void close() {
        impl.close();
    }

    /** Whether this is still open, that is {@link #close()} has not been called. */
    public boolean isOpen() {
        return impl.isOpen();
    }

    @Override
    public String toString() {
        return impl.toString();
    }
}
