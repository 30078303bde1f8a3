package io.mio.internal.nio;

import io.mio.Backend;
import io.mio.Registry;
import io.mio.Token;
import io.mio.internal.Bridge;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;
import io.mio.internal.spi.SelectorSpi;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The portable backend of a {@code Poll}: a {@link Selector}, with mio's edge-triggered reporting emulated over its
 * level-triggered readiness.
 *
 * <p>Each source ({@link NioHandle}) keeps the readiness it is <em>armed</em> for in its key's interest set. A poll
 * reports an armed readiness once and disarms it; the source re-arms it when the user's operation would block or
 * moves less than it was asked to ({@link NioHandle#rearm}), and a reregister re-arms everything, as epoll's
 * EPOLL_CTL_MOD does. Interest changes made by other threads while a poll waits in {@code select} are applied by
 * waking the selector; {@link #select} then selects again until its timeout, so such wake-ups never surface as
 * empty polls. Keys are never cancelled while their channel is open (deregister clears the interest set and the
 * handle's link), so a source can be registered again at once.
 */
public final class NioSelector implements SelectorSpi {
    final Selector selector;
    /** IDLE, POLLING (a thread is in select) or FLUSHING (a closing source flushes cancelled keys, briefly). */
    private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
    private static final int IDLE = 0;
    private static final int POLLING = 1;
    private static final int FLUSHING = 2;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean hasWaker = new AtomicBoolean();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile Token wakerToken;
    /** The thread blocked in Selector.select, or null. */
    private volatile Thread selecting;
    private final Consumer<SelectionKey> onKey = this::onKey;
    /** Sources holding peeked bytes while armed for readable (see {@link NioHandle#reportHeld}); guarded by itself. */
    private final java.util.ArrayList<NioHandle> held = new java.util.ArrayList<>();
    private volatile boolean hasHeld;
    // Polling thread only:
    private ReadySet out;
    private int count;

    private NioSelector(Selector selector) {
        this.selector = selector;
    }

    public static NioSelector open() throws IOException {
        return new NioSelector(Selector.open());
    }

    @Override
    public Backend backend() {
        return Backend.SELECTOR;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void ensureOpen() throws ClosedException {
        if (closed.get()) {
            throw new ClosedException("Poll");
        }
    }

    // ---- registry operations (the state lives in the handle) --------------------------------------

    /** The selector behind {@code registry}, for {@code source} of this backend; rejects another backend's. */
    static NioSelector of(Registry registry, Object source) {
        SelectorSpi s = Bridge.selector(registry);
        if (s instanceof NioSelector n) {
            return n;
        }
        throw Bridge.mismatch(source, "SELECTOR", s);
    }

    public void register(NioHandle h, Token token, io.mio.Interest interest) throws IOException {
        h.register(this, java.util.Objects.requireNonNull(token, "token"), java.util.Objects.requireNonNull(interest, "interest"));
    }

    public void reregister(NioHandle h, Token token, io.mio.Interest interest) throws IOException {
        h.reregister(this, java.util.Objects.requireNonNull(token, "token"), java.util.Objects.requireNonNull(interest, "interest"));
    }

    public void deregister(NioHandle h) throws IOException {
        h.deregister(this);
    }

    /** After an interest change: make a select in progress on another thread pick it up. */
    void changed() {
        Thread t = selecting;
        if (t != null && t != Thread.currentThread()) {
            selector.wakeup();
        }
    }

    @Override
    public void select(ReadySet out, int timeoutMillis) throws IOException {
        out.size = 0;
        for (;;) {
            int st = state.get();
            if (st == IDLE && state.compareAndSet(IDLE, POLLING)) {
                break;
            }
            if (st == POLLING) {
                throw new IllegalStateException("another thread is already polling this Poll; a Poll is polled by one thread at a time");
            }
            Thread.onSpinWait(); // a flush in progress: a selectNow, over in microseconds
        }
        try {
            ensureOpen();
            this.out = out;
            count = 0;
            long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0L;
            for (;;) {
                takeWake();
                takeHeld();
                try {
                    if (count > 0 || timeoutMillis == 0) {
                        selector.selectNow(onKey);
                    } else {
                        long waitMillis = 0; // 0: no limit, as Selector.select takes it
                        if (timeoutMillis > 0) {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) {
                                selector.selectNow(onKey);
                                break;
                            }
                            waitMillis = Math.max(1, (left + 999_999) / 1_000_000);
                        }
                        selecting = Thread.currentThread();
                        try {
                            selector.select(onKey, waitMillis);
                        } finally {
                            selecting = null;
                        }
                    }
                } catch (ClosedSelectorException e) {
                    break; // closed by another thread while we waited: return normally, as epoll does
                }
                takeWake();
                takeHeld();
                if (count > 0 || timeoutMillis == 0 || closed.get()) {
                    break;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("Poll.poll: the polling thread was interrupted");
                }
                if (timeoutMillis > 0 && System.nanoTime() - deadline >= 0) {
                    break;
                }
            }
            out.size = count;
        } finally {
            this.out = null;
            state.set(IDLE);
        }
    }

    private void takeWake() {
        if (wakePending.get() && count < out.capacity() && wakePending.getAndSet(false)) {
            Token t = wakerToken;
            if (t != null) {
                out.tokens[count] = t;
                out.ready[count] = ReadySet.READABLE;
                count++;
            }
        }
    }

    /**
     * A source holds bytes the Selector cannot see: report them at the next poll, waking one in progress. The wake-up
     * is unconditional: a poll that is about to enter select (past its check of the list, not yet marked as
     * selecting) would otherwise sleep its whole timeout; an unneeded wake-up only costs one more select.
     */
    void held(NioHandle h) {
        synchronized (held) {
            if (!held.contains(h)) {
                held.add(h);
            }
            hasHeld = true;
        }
        selector.wakeup();
    }

    /**
     * Polling thread: the readable events of sources holding bytes, as many as fit; the rest wait in the list. Each
     * source is fired outside the list's lock (firing may read ahead under the source's read lock, which a peek
     * holds while it reports).
     */
    private void takeHeld() {
        if (!hasHeld) {
            return;
        }
        ReadySet o = out;
        while (count < o.capacity()) {
            NioHandle h;
            synchronized (held) {
                if (held.isEmpty()) {
                    hasHeld = false;
                    return;
                }
                h = held.removeLast();
            }
            int ready = h.fireHeld(this);
            if (ready != 0) {
                o.tokens[count] = h.firedToken;
                o.ready[count] = ready;
                count++;
            }
        }
    }

    private void onKey(SelectionKey key) {
        ReadySet o = out;
        if (count >= o.capacity()) {
            return; // stays armed: level-triggered, so the next poll reports it
        }
        if (key.attachment() instanceof NioHandle h) {
            int ready = h.fire(this, key);
            if (ready != 0) {
                o.tokens[count] = h.firedToken;
                o.ready[count] = ready;
                count++;
            }
        }
    }

    private static final Consumer<SelectionKey> IGNORE = key -> { };

    /**
     * A registered channel was closed: the JDK closes its descriptor only when a select removes the cancelled key.
     * A poll in progress does that after the wake-up; otherwise a selectNow here does it now (readiness it sees is
     * level-triggered, so the next poll sees it again). A poll that starts meanwhile waits for that selectNow
     * outside the selector's lock, so neither can block the other for long.
     */
    void flushCancelled() {
        if (closed.get()) {
            return;
        }
        if (state.compareAndSet(IDLE, FLUSHING)) {
            try {
                selector.selectNow(IGNORE);
            } catch (IOException | ClosedSelectorException ignored) {
                // closed meanwhile: closing the selector releases the keys
            } finally {
                state.set(IDLE);
            }
        } else {
            selector.wakeup(); // the poll in progress flushes it when select returns
        }
    }

    @Override
    public WakerSpi openWaker(Token token) throws IOException {
        if (!hasWaker.compareAndSet(false, true)) {
            throw new IllegalStateException("this Poll already has a Waker; mio allows one Waker per Poll");
        }
        wakePending.set(false);
        wakerToken = token;
        return new WakerSpi() {
            private volatile boolean wakerClosed;

            @Override
            public void wake() throws IOException {
                if (wakerClosed) {
                    throw new ClosedException("Waker");
                }
                wakePending.set(true);
                selector.wakeup();
            }

            @Override
            public void close() {
                wakerClosed = true;
                wakerToken = null;
                wakePending.set(false);
                hasWaker.set(false);
            }
        };
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            selector.close(); // wakes a thread in select, and waits for it to leave
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public String toString() {
        return "NioSelector[" + (closed.get() ? "closed" : "open") + "]";
    }
}
