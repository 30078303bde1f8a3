package io.mio.internal.uring;

import io.mio.Token;
import io.mio.internal.linux.FileDesc;

/**
 * One descriptor's registration with one {@link UringSelector}: the slot its completions name, a generation that
 * tells a reused slot apart, the user's token and the poll mask. {@code token} and {@code events} change under the
 * selector's submission lock (so that a re-arm and a reregister cannot cross), and are read by the poller.
 */
final class UringRegistration {
    /** Generations wrap at 24 bits: the top byte of the user data is the kind of request. */
    static final int GENERATION_MASK = 0xFF_FFFF;

    final UringSelector selector;
    final FileDesc fd;
    final int slot;
    final int generation;
    volatile Token token;
    volatile int events;
    /** The TCP stream whose reads come from a multishot receive (null for poll-only sources). */
    final UringTcpStream stream;
    /** Whether READABLE is in the interest (reported for the receive's completions); changes under the submission lock. */
    volatile boolean readable;
    /** Whether reads come from a multishot receive (a TCP stream, READABLE without PRIORITY); as {@code readable}. */
    volatile boolean recv;
    /**
     * A poll completion of this registration reported a hang-up or an error (POLLHUP, POLLERR): the socket can send
     * nothing more, so writes skip the send queue and fail at once with the socket's error, as EPOLL's do.
     */
    volatile boolean hungUp;
    /** Deregistered while its receive was in flight (under the stream's rxLock): its last bytes go to the heap. */
    boolean retired;
    /** The poll (reap pass) that last reported this registration, and at which index: the poller's alone. */
    int reportedIn;
    int reportedAt;

    UringRegistration(UringSelector selector, FileDesc fd, int slot, int generation, Token token, int events,
            UringTcpStream stream) {
        this.stream = stream;
        this.selector = selector;
        this.fd = fd;
        this.slot = slot;
        this.generation = generation & GENERATION_MASK;
        this.token = token;
        this.events = events;
    }

    /** The user data of this registration's poll request: kind 0, generation, slot. */
    long userData() {
        return ((long) generation << 32) | (slot & 0xFFFF_FFFFL);
    }
}
