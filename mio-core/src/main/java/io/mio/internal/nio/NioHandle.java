package io.mio.internal.nio;

import io.mio.Interest;
import io.mio.Token;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * One source of the selector backend: its channel and its registration. See {@link NioSelector} for how
 * edge-triggering is emulated; subclasses call {@link #rearm} when an operation would block.
 */
public abstract class NioHandle {
    /** mio readiness bits, as armed / requested. */
    static final int R = 1;
    static final int W = 2;

    final SelectableChannel channel;
    final String kind;

    // Guarded by this:
    private volatile NioSelector owner; // written under this monitor; read without it by armedFor
    private SelectionKey key;
    /** The Poll this source was last deregistered from: its key stays there (interest 0) for a quick re-register. */
    private NioSelector parkedOwner;
    private Token token;
    private int requested;
    private volatile int armed;
    private volatile boolean closed;
    /** The token of the last event {@link #fire} reported (read by the polling thread right after). */
    Token firedToken;

    NioHandle(SelectableChannel channel, String kind) throws IOException {
        this.channel = channel;
        this.kind = kind;
        channel.configureBlocking(false);
    }

    /** The key operations that stand for readable (OP_READ, OP_ACCEPT) and writable (OP_WRITE, OP_CONNECT). */
    abstract int readOp();

    abstract int writeOp();

    /** Readiness flags beyond readable / writable for an event that fired {@code fired} (may do I/O). */
    int extra(int fired) {
        return 0;
    }

    /**
     * Whether this source holds received bytes of its own (a peek's pushback) that its channel no longer shows to the
     * Selector. Read without locks; implementations keep it in a volatile field.
     */
    boolean holdsBytes() {
        return false;
    }

    /** Called by the polling thread when the key is selected (before {@link #extra}). */
    void onSelected(int readyOps) {
    }

    private int keyOps(int bits) {
        int ops = 0;
        if ((bits & R) != 0) {
            ops |= readOp();
        }
        if ((bits & W) != 0) {
            ops |= writeOp();
        }
        return (ops | alwaysOps()) & channel.validOps();
    }

    /** Operations the key needs whatever the user armed (OP_CONNECT while a connect is pending). */
    int alwaysOps() {
        return 0;
    }

    private static int bits(Interest interest) {
        if (interest.isPriority()) {
            throw new UnsupportedOperationException("Interest.PRIORITY (out-of-band data, POLLPRI) is not available on "
                    + "the SELECTOR backend: java.nio.channels.Selector has no priority readiness");
        }
        return (interest.isReadable() ? R : 0) | (interest.isWritable() ? W : 0);
    }

    public final void ensureOpen() throws ClosedException {
        if (closed) {
            throw new ClosedException(kind);
        }
    }

    public final boolean isOpen() {
        return !closed;
    }

    // ---- registry -------------------------------------------------------------------------------

    public final void register(NioSelector s, Token token, Interest interest) throws IOException {
        int bits = bits(interest);
        synchronized (this) {
            ensureOpen();
            if (owner != null) {
                if (owner == s) {
                    s.ensureOpen();
                    throw new IllegalStateException(kind
                            + " is already registered with this Poll; use reregister to change its token or interest");
                } else if (owner.isClosed()) {
                    owner = null;
                    key = null;
                } else {
                    throw new IllegalStateException(kind + " is already registered with another Poll; deregister it there first");
                }
            }
            s.ensureOpen();
            NioSelector parked = parkedOwner;
            parkedOwner = null;
            if (parked != null && parked != s) {
                // Moving to another Poll: drop the parked key, so that the old Poll does not keep the channel.
                SelectionKey old = channel.keyFor(parked.selector);
                if (old != null) {
                    old.cancel();
                    parked.flushCancelled();
                }
            }
            this.token = token;
            this.requested = bits;
            this.armed = bits;
            try {
                key = channel.register(s.selector, keyOps(bits), this);
            } catch (ClosedSelectorException e) {
                throw new ClosedException("Poll");
            } catch (ClosedChannelException | CancelledKeyException e) {
                throw new ClosedException(kind);
            }
            owner = s;
        }
        s.changed();
        reportHeld();
    }

    public final void reregister(NioSelector s, Token token, Interest interest) throws IOException {
        int bits = bits(interest);
        synchronized (this) {
            own(s, "reregister");
            this.token = token;
            this.requested = bits;
            this.armed = bits; // like EPOLL_CTL_MOD: report what is ready now
            setKeyOps();
        }
        s.changed();
        reportHeld();
    }

    public final void deregister(NioSelector s) throws IOException {
        synchronized (this) {
            own(s, "deregister");
            unlink();
        }
    }

    private void own(NioSelector s, String operation) throws ClosedException {
        s.ensureOpen();
        ensureOpen();
        if (owner == s) {
            return;
        }
        if (owner == null || owner.isClosed()) {
            throw new IllegalStateException("cannot " + operation + " " + kind + ": it is not registered with any Poll");
        }
        throw new IllegalStateException("cannot " + operation + " " + kind
                + " through this Registry: it is registered with another Poll");
    }

    /** Drops the registration; the key stays (interest 0) so that the channel can be registered again at once. */
    private void unlink() {
        SelectionKey k = key;
        if (owner != null && !owner.isClosed()) {
            parkedOwner = owner;
        }
        owner = null;
        key = null;
        armed = 0;
        if (k != null) {
            try {
                k.interestOps(0);
                k.attach(null);
            } catch (CancelledKeyException ignored) {
                // channel or selector closed: nothing to clear
            }
        }
    }

    private void setKeyOps() {
        try {
            key.interestOps(keyOps(armed));
        } catch (CancelledKeyException ignored) {
            // the channel was closed under us (for example by a failed connect); nothing to report any more
        }
    }

    /**
     * The user's operation would block (or moved less than asked): report {@code bit} again when it is ready.
     */
    final void rearm(int bit) {
        if ((armed & bit) != 0) {
            return;
        }
        NioSelector s;
        synchronized (this) {
            s = owner;
            if (s == null || closed || (requested & bit) == 0 || (armed & bit) != 0) {
                return;
            }
            armed |= bit;
            setKeyOps();
        }
        s.changed();
        if (bit == R) {
            reportHeld();
        }
    }

    /**
     * Bytes this source holds (a peek's pushback) are readiness the Selector cannot see: while readable is armed,
     * hand the source to its selector, which reports them as a readable event (epoll would, the bytes being in the
     * socket for it). Called after arming readable and after bytes are taken into the pushback; the volatile
     * {@code armed} written before and read here, against the pushback's flag, makes one of the two sides see the
     * other.
     */
    final void reportHeld() {
        NioSelector s = owner;
        if (s != null && (armed & R) != 0 && holdsBytes()) {
            s.held(this);
        }
    }

    /**
     * Polling thread: a readable event for the bytes this source holds, if it is still registered with {@code s},
     * armed for readable and holding bytes; 0 otherwise.
     */
    final int fireHeld(NioSelector s) {
        synchronized (this) {
            if (owner != s || closed || (armed & R) == 0 || !holdsBytes()) {
                return 0;
            }
            armed &= ~R;
            setKeyOps();
            firedToken = token;
        }
        return ReadySet.READABLE | extra(R);
    }

    /**
     * Whether a readiness in {@code bit} could go unreported: registered, and not armed for it. (A registration or
     * reregister racing with this arms everything, so a stale answer costs at most a spare check.)
     */
    final boolean disarmed(int bit) {
        return owner != null && (armed & bit) == 0;
    }

    /** Re-applies the armed set (the write operation changed from OP_CONNECT to OP_WRITE). */
    final void refreshOps() {
        NioSelector s;
        synchronized (this) {
            s = owner;
            if (s == null || closed) {
                return;
            }
            setKeyOps();
        }
        s.changed();
    }

    /** Polling thread: the key was selected. Returns the event's readiness (0: nothing to report). */
    final int fire(NioSelector s, SelectionKey k) {
        int fired;
        synchronized (this) {
            if (owner != s || key != k || closed) {
                return 0;
            }
            int readyOps;
            try {
                readyOps = k.readyOps();
            } catch (CancelledKeyException e) {
                return 0;
            }
            onSelected(readyOps);
            int rw = ((readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? R : 0)
                    | ((readyOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? W : 0);
            fired = rw & armed;
            if (fired == 0) {
                setKeyOps();
                return 0;
            }
            armed &= ~fired;
            setKeyOps();
            firedToken = token;
        }
        int ready = ((fired & R) != 0 ? ReadySet.READABLE : 0) | ((fired & W) != 0 ? ReadySet.WRITABLE : 0);
        return ready | extra(fired);
    }

    /** The JDK closed the channel by itself (a failed connect) while this source is still open. */
    IOException closedUnderUs() {
        return new ClosedException(kind);
    }

    /** Closes: no event after this returns; the JDK closes the descriptor once no selector holds its key. */
    public final void close() {
        NioSelector s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            unlink();
            s = parkedOwner; // the Poll it was registered with (unlink parks it), or the last one it left
            parkedOwner = null;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort, as close(2) is
        }
        if (s != null) {
            s.flushCancelled(); // releases the descriptor now rather than at the next poll
        }
        onClosed();
    }

    /** Called once after close. */
    void onClosed() {
    }

    /** Maps the JDK's exceptions for a closed channel to ours (with a message). */
    final IOException translate(IOException e) {
        if (e instanceof ClosedChannelException && !(e instanceof ClosedException)) {
            return closed || channel.isOpen() ? new ClosedException(kind) : closedUnderUs();
        }
        return NioErrors.withErrno(e);
    }

    @Override
    public String toString() {
        return kind + (closed ? "(closed)" : "");
    }
}
