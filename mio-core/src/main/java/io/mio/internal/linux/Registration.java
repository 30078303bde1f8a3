package io.mio.internal.linux;

import io.mio.Token;

/** One descriptor's registration with one epoll selector: the slot its events name, and its token. */
final class Registration {
    final EpollSelector selector;
    final FileDesc fd;
    final int slot;
    final int generation;
    volatile Token token;
    int interestBits; // guarded by fd's monitor

    Registration(EpollSelector selector, FileDesc fd, int slot, int generation, Token token) {
        this.selector = selector;
        this.fd = fd;
        this.slot = slot;
        this.generation = generation;
        this.token = token;
    }

    /** What travels in epoll_data: the slot, and a generation that tells a reused slot apart. */
    long epollData() {
        return ((long) generation << 32) | (slot & 0xFFFF_FFFFL);
    }
}
