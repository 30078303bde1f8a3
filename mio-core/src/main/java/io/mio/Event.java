package io.mio;

import io.mio.internal.ReadySet;

/**
 * One readiness event: the token of the source and what it became ready for.
 *
 * <p>An {@code Event} is a view of one slot of its {@link Events}: it is valid until the next
 * {@link Poll#poll} that fills those {@code Events}, which overwrites it. Reading it allocates nothing.
 * Not thread-safe; read it on the thread that polled.
 *
 * <p>Readiness is a hint, as in mio: an operation may still would-block after an event, and readable and
 * writable may come in one event or in two. {@link #isReadClosed()} and {@link #isWriteClosed()} are best
 * effort (no false positives).
 */
public final class Event {
    private final ReadySet set;
    private final int index;

    Event(ReadySet set, int index) {
        this.set = set;
        this.index = index;
    }

    private int ready() {
        return set.ready[index];
    }

    /** The token the source was registered with (the same object). */
    public Token token() {
        return set.tokens[index];
    }

    /** Readable: data or a connection to accept, or end of stream ({@code EPOLLIN | EPOLLPRI}). */
    public boolean isReadable() {
        return (ready() & ReadySet.READABLE) != 0;
    }

    /** Writable: room to write, or a non-blocking connect finished ({@code EPOLLOUT}). */
    public boolean isWritable() {
        return (ready() & ReadySet.WRITABLE) != 0;
    }

    /** An error is pending on the source ({@code EPOLLERR}); {@code takeError()} tells which. */
    public boolean isError() {
        return (ready() & ReadySet.ERROR) != 0;
    }

    /** The read half is closed: the peer shut down writing or the connection is gone. */
    public boolean isReadClosed() {
        return (ready() & ReadySet.READ_CLOSED) != 0;
    }

    /** The write half is closed: the peer shut down reading or the connection is gone. */
    public boolean isWriteClosed() {
        return (ready() & ReadySet.WRITE_CLOSED) != 0;
    }

    /** Priority (out-of-band) data is ready ({@code EPOLLPRI}). */
    public boolean isPriority() {
        return (ready() & ReadySet.PRIORITY) != 0;
    }

    /** AIO completion (BSD kqueue only); always false on Linux. */
    public boolean isAio() {
        return (ready() & ReadySet.AIO) != 0;
    }

    /** LIO completion (FreeBSD kqueue only); always false on Linux. */
    public boolean isLio() {
        return (ready() & ReadySet.LIO) != 0;
    }

    /** For example {@code Event(token=Token(1), readable, write-closed)}. Allocates. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Event(token=").append(token());
        if (isReadable()) sb.append(", readable");
        if (isWritable()) sb.append(", writable");
        if (isError()) sb.append(", error");
        if (isReadClosed()) sb.append(", read-closed");
        if (isWriteClosed()) sb.append(", write-closed");
        if (isPriority()) sb.append(", priority");
        if (isAio()) sb.append(", aio");
        if (isLio()) sb.append(", lio");
        return sb.append(')').toString();
    }
}
