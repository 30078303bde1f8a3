package io.mio.internal.uring;

import io.mio.internal.linux.Errno;
import io.mio.internal.linux.FileDesc;
import io.mio.internal.linux.Sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.mio.internal.linux.LinuxConstants.EAGAIN;
import static io.mio.internal.linux.LinuxConstants.EFD_CLOEXEC;
import static io.mio.internal.linux.LinuxConstants.EFD_NONBLOCK;
import static io.mio.internal.linux.LinuxConstants.EINTR;
import static io.mio.internal.uring.UringConstants.POLLIN;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A waker for a thread blocked in {@link Uring#submitAndWait}: an eventfd that the ring watches with a multishot
 * poll ({@link #arm}). Each {@link #wake()} adds one to the counter, which wakes the eventfd's wait queue and so
 * gives a new CQE with the armed user data; the counter is never read on the hot path (the pattern of the epoll
 * backend's waker). Wakes before the poller reaps coalesce into at least one CQE.
 *
 * <p>Why not IORING_OP_MSG_RING: it needs an SQE on a ring of the waking thread, so each waking thread would need a
 * ring of its own (or a lock around a shared one); an eventfd write needs neither, and costs the same one system call.
 *
 * <p>{@link #wake()} and {@link #close()} are thread-safe; {@link #arm} is called by the ring's owner.
 */
public final class UringWaker implements AutoCloseable {
    private static final MemorySegment ONE;

    static {
        ONE = Arena.global().allocate(8, 8);
        ONE.set(JAVA_LONG, 0, 1L);
    }

    private final FileDesc eventFd;

    private UringWaker(FileDesc eventFd) {
        this.eventFd = eventFd;
    }

    public static UringWaker open() throws IOException {
        int efd = Sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0) {
            throw Errno.exception("eventfd", -efd);
        }
        return new UringWaker(new FileDesc(efd, "UringWaker"));
    }

    /**
     * Submits the multishot poll that turns wakes into CQEs with {@code userData} (submitted here, with whatever
     * else {@code ring} has prepared, so that the eventfd's number reaches the kernel while this waker owns it). The
     * poll holds the eventfd in the kernel: cancel it by {@code userData} when the waker is retired.
     */
    public void arm(Uring ring, long userData) throws IOException {
        eventFd.acquire();
        try {
            ring.sqe().pollAdd(eventFd.fd(), POLLIN, true, userData);
            ring.submit();
        } finally {
            eventFd.release();
        }
    }

    /** Wakes the ring's waiting thread (or its next wait). Thread-safe; one system call. */
    public void wake() throws IOException {
        eventFd.acquire();
        try {
            for (;;) {
                long n = Sys.writeOwned(eventFd.fd(), ONE.address(), 8);
                if (n >= 0) {
                    return;
                }
                int errno = (int) -n;
                if (errno == EAGAIN) {
                    // The counter is at its maximum: empty it and write again, which raises a new wake-up.
                    Sys.readOwned(eventFd.fd(), Sys.scratch().address(), 8);
                    continue;
                }
                if (errno != EINTR) {
                    throw Errno.exception("write to the waker's eventfd", errno);
                }
            }
        } finally {
            eventFd.release();
        }
    }

    /** The eventfd itself, for the URING selector that registers it like a source. */
    FileDesc fileDesc() {
        return eventFd;
    }

    /** The eventfd's descriptor, for tests and diagnostics. */
    public int fd() {
        return eventFd.fd();
    }

    @Override
    public void close() {
        eventFd.close();
    }
}
