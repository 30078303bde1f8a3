package io.mio.internal.uring;

import io.mio.Interest;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.spi.SourceSpi;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What every source of the URING backend shares: the epoll backend's source of the same kind does the I/O (its
 * syscall code, unchanged), and this class replaces its registration, which goes to a {@link UringSelector}, and its
 * close, which cancels the ring's requests on the descriptor before closing it (a request holds a reference to the
 * open file: without the cancel the socket would stay open, and the peer see no FIN, until the Poll closed).
 *
 * <p>Thread-safe: registration calls and {@link #close()} may come from any thread; they serialise on this object.
 */
abstract class UringSource implements SourceSpi {
    /** The epoll backend's sources keep their descriptor package-private; read it once per source, same module. */
    private static final VarHandle FD;

    static {
        try {
            Class<?> linuxSource = Class.forName("io.mio.internal.linux.LinuxSource");
            FD = MethodHandles.privateLookupIn(linuxSource, MethodHandles.lookup())
                    .findVarHandle(linuxSource, "fd", FileDesc.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SourceSpi inner;
    final FileDesc fd;
    /** The live registration, or null; guarded by {@code this}. */
    volatile UringRegistration registration;
    /** The queued writes of a stream (null for other kinds), set once by the stream's constructor. */
    UringSends.Queue sendQueue;
    /** Set by close before anything else; guarded by {@code this}: no registration may start after it. */
    boolean closing;
    /** The last selector this source was registered with (guarded by {@code this}): its ring may hold our cancel. */
    UringSelector lastSelector;

    UringSource(SourceSpi inner) {
        this.inner = inner;
        this.fd = (FileDesc) FD.get(inner);
    }

    /** The epoll backend's source behind this one (for {@code Pipe.startChild}, which takes that backend's ends). */
    final SourceSpi inner() {
        return inner;
    }

    @Override
    public final void register(Registry registry, Token token, Interest interests) throws IOException {
        UringSelector.of(registry, this).register(this, token, interests);
    }

    @Override
    public final void reregister(Registry registry, Token token, Interest interests) throws IOException {
        UringSelector.of(registry, this).reregister(this, token, interests);
    }

    @Override
    public final void deregister(Registry registry) throws IOException {
        UringSelector.of(registry, this).deregister(this);
    }

    @Override
    public final int rawFd() throws IOException {
        return inner.rawFd();
    }

    @Override
    public final boolean isOpen() {
        return inner.isOpen();
    }

    /** Cancels this source's requests in its Poll's ring (and submits what the ring holds), then closes. */
    @Override
    public final void close() {
        UringRegistration r;
        UringSelector last;
        synchronized (this) {
            closing = true;
            r = registration;
            registration = null;
            last = lastSelector;
        }
        try {
            if (sendQueue != null) {
                sendQueue.closing(); // queued bytes still leave, then the FIN; bounded by the linger timeout
            }
            if (r != null) {
                r.selector.removeOnClose(r);
            } else if (last != null) {
                last.flush(); // a deregister by the poller left its cancel in the ring: the poll still holds the file
            }
        } finally {
            try {
                beforeClose();
            } finally {
                inner.close();
            }
        }
    }

    /** After the ring's requests on the descriptor are cancelled, before it closes (a TCP stream drops its queue). */
    void beforeClose() {
    }

    @Override
    public final String toString() {
        return inner.toString();
    }
}
