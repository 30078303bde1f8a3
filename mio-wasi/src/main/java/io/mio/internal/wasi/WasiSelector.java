package io.mio.internal.wasi;

import io.mio.Backend;
import io.mio.Interest;
import io.mio.Token;
import io.mio.internal.ClosedException;
import io.mio.internal.ReadySet;
import io.mio.internal.spi.SelectorSpi;
import org.teavm.interop.Address;

import java.io.IOException;

/**
 * A Poll in a wasm32-wasi guest: one {@code poll_oneoff} per {@code select}, subscribing FD_READ / FD_WRITE
 * for every registered source whose readiness is armed, plus a monotonic clock when there is a timeout (see
 * {@link #clockNanos}). poll_oneoff
 * is level-triggered; edges are emulated by disarming a readiness once reported (see
 * {@link WasiRegistration}). The guest has one thread, so nothing here is synchronised, and the deregister
 * guarantee holds by construction: events are harvested and filtered in the same call that reports them.
 * Allocates nothing per call once its subscription arrays have grown to the number of registrations.
 */
final class WasiSelector implements SelectorSpi {
    private static final long CLOCK_USERDATA = -1L;
    /** About 417 days: far enough to be "no timeout", near enough that no host overflows adding it to now. */
    private static final long FOREVER_NANOS = 1L << 55;

    private WasiRegistration[] table = new WasiRegistration[16];
    private int count;
    /** Subscriptions then events, in one array so one alignment serves both; grown by doubling. */
    private long[] memory = new long[0];
    private long round;
    private boolean closed;
    private Token wakerToken;
    private boolean hasWaker;
    private boolean wakePending;

    @Override
    public Backend backend() {
        return Backend.WASI;
    }

    void register(WasiRegistration r, Token token, Interest interests) throws IOException {
        if (r.selector != null) {
            if (r.selector == this) {
                throw new IllegalStateException(r.kind
                        + " is already registered with this Poll; use reregister to change its token or interest");
            }
            if (!r.selector.closed) {
                throw new IllegalStateException(r.kind + " is already registered with another Poll; deregister it there first");
            }
            r.selector.remove(r);
        }
        ensureOpen();
        if (count == table.length) {
            WasiRegistration[] bigger = new WasiRegistration[count * 2];
            System.arraycopy(table, 0, bigger, 0, count);
            table = bigger;
        }
        r.set(token, interests);
        r.selector = this;
        r.slot = count;
        table[count++] = r;
    }

    void reregister(WasiRegistration r, Token token, Interest interests) throws IOException {
        owned(r, "reregister");
        ensureOpen();
        r.set(token, interests);
    }

    void deregister(WasiRegistration r) throws IOException {
        owned(r, "deregister");
        remove(r);
    }

    /** Forgets {@code r} without checks: its source is closing. */
    void remove(WasiRegistration r) {
        int slot = r.slot;
        if (slot >= 0 && slot < count && table[slot] == r) {
            WasiRegistration last = table[--count];
            table[slot] = last;
            last.slot = slot;
            table[count] = null;
        }
        r.slot = -1;
        r.selector = null;
    }

    private void owned(WasiRegistration r, String operation) {
        if (r.selector == this) {
            return;
        }
        if (r.selector == null || r.selector.closed) {
            throw new IllegalStateException("cannot " + operation + " " + r.kind + ": it is not registered with any Poll");
        }
        throw new IllegalStateException("cannot " + operation + " " + r.kind
                + " through this Registry: it is registered with another Poll");
    }

    @Override
    public void select(ReadySet out, int timeoutMillis) throws IOException {
        out.size = 0;
        ensureOpen();
        long timeoutNanos = timeoutMillis < 0 ? -1 : timeoutMillis * 1_000_000L;
        if (wakePending) {
            wakePending = false;
            out.tokens[0] = wakerToken;
            out.ready[0] = ReadySet.READABLE;
            out.size = 1;
            timeoutNanos = 0; // report what else is ready now, without waiting
        }
        int subscriptions = 0;
        for (int i = 0; i < count; i++) {
            WasiRegistration r = table[i];
            subscriptions += (r.wantRead && r.readArmed ? 1 : 0) + (r.wantWrite && r.writeArmed ? 1 : 0);
        }
        int total = subscriptions + 1;
        int needed = (total * Wasi.SUBSCRIPTION_SIZE + total * Wasi.EVENT_SIZE) / 8 + 1;
        if (memory.length < needed) {
            memory = new long[Math.max(needed, 2 * memory.length)];
        }
        // From here on nothing allocates: the addresses below stay valid until poll_oneoff returns.
        int in = Wasi.aligned8(memory);
        int n = 0;
        for (int i = 0; i < count; i++) {
            WasiRegistration r = table[i];
            if (r.wantRead && r.readArmed) {
                putFdSubscription(in + n++ * Wasi.SUBSCRIPTION_SIZE, (long) i << 1, Wasi.EVENTTYPE_FD_READ, r.fd);
            }
            if (r.wantWrite && r.writeArmed) {
                putFdSubscription(in + n++ * Wasi.SUBSCRIPTION_SIZE, ((long) i << 1) | 1, Wasi.EVENTTYPE_FD_WRITE, r.fd);
            }
        }
        long clock = clockNanos(n, timeoutNanos);
        if (clock >= 0) {
            putClockSubscription(in + n++ * Wasi.SUBSCRIPTION_SIZE, clock);
        }
        int events = in + n * Wasi.SUBSCRIPTION_SIZE;
        int neventsOut = events + n * Wasi.EVENT_SIZE;
        Address.fromInt(neventsOut).putInt(0);
        int errno = Wasi.pollOneoff(in, events, n, neventsOut);
        if (errno == Wasi.INTR) {
            return; // a spurious wake-up, which mio allows: the caller polls again
        }
        if (errno != 0) {
            throw WasiErrors.exception("Poll.poll poll_oneoff", errno);
        }
        harvest(out, events, Address.fromInt(neventsOut).getInt());
    }

    /**
     * The relative timeout of the clock subscription a wait needs, or -1 for none: {@code timeoutNanos} when there is
     * a timeout (-1: none); with no timeout, no clock when {@code fdSubscriptions} sockets are subscribed (a clock
     * costs the host a timer per call: WasmEdge arms and disarms a timerfd, two system calls), and a clock too far off
     * to matter when nothing is: poll_oneoff with no subscription is INVAL, and mio blocks for ever there (if the
     * clock ever fires, the poll returns empty, a spurious wake-up mio allows).
     */
    static long clockNanos(int fdSubscriptions, long timeoutNanos) {
        if (timeoutNanos >= 0) {
            return timeoutNanos;
        }
        return fdSubscriptions == 0 ? FOREVER_NANOS : -1;
    }

    private void harvest(ReadySet out, int events, int nevents) {
        long thisRound = ++round;
        int size = out.size;
        for (int e = 0; e < nevents; e++) {
            Address ev = Address.fromInt(events + e * Wasi.EVENT_SIZE);
            long userdata = ev.getLong();
            if (userdata == CLOCK_USERDATA) {
                continue;
            }
            int slot = (int) (userdata >>> 1);
            if (slot >= count) {
                continue;
            }
            WasiRegistration r = table[slot];
            boolean write = (userdata & 1) != 0;
            int error = ev.add(8).getShort() & 0xFFFF;
            int flags = ev.add(24).getShort() & 0xFFFF;
            int ready = write ? ReadySet.WRITABLE : ReadySet.READABLE;
            if (error != 0) {
                ready |= ReadySet.ERROR;
            }
            if ((flags & Wasi.EVENTRWFLAGS_HANGUP) != 0) {
                ready |= write ? ReadySet.WRITE_CLOSED : ReadySet.READ_CLOSED;
            }
            int index;
            if (r.round == thisRound) {
                index = r.outIndex;
            } else if (size < out.capacity()) {
                index = size++;
                r.round = thisRound;
                r.outIndex = index;
                out.tokens[index] = r.token;
                out.ready[index] = 0;
            } else {
                continue; // no room: left armed, so the next poll reports it
            }
            out.ready[index] |= ready;
            if (write) {
                r.writeArmed = false;
            } else {
                r.readArmed = false;
            }
        }
        out.size = size;
    }

    private static void putFdSubscription(int at, long userdata, int type, int fd) {
        Address s = Address.fromInt(at);
        s.putLong(userdata);
        s.add(8).putLong(type); // tag and padding
        s.add(16).putLong(fd & 0xFFFFFFFFL);
        s.add(24).putLong(0);
        s.add(32).putLong(0);
        s.add(40).putLong(0);
    }

    private static void putClockSubscription(int at, long nanos) {
        Address s = Address.fromInt(at);
        s.putLong(CLOCK_USERDATA);
        s.add(8).putLong(Wasi.EVENTTYPE_CLOCK);
        s.add(16).putLong(Wasi.CLOCK_MONOTONIC);
        s.add(24).putLong(nanos);
        s.add(32).putLong(1_000_000L); // precision: 1 ms, as mio_wasi asks
        s.add(40).putLong(0); // relative
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < count; i++) {
            table[i].selector = null;
            table[i].slot = -1;
            table[i] = null;
        }
        count = 0;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void ensureOpen() throws ClosedException {
        if (closed) {
            throw new ClosedException("Poll");
        }
    }

    /**
     * The guest's one thread cannot be blocked in {@code poll} while it calls {@code wake}, so a wake is a
     * note to the next poll: it returns the waker's event at once (with whatever else is ready then).
     */
    @Override
    public WakerSpi openWaker(Token token) throws IOException {
        if (hasWaker) {
            throw new IllegalStateException("this Poll already has a Waker; mio allows one Waker per Poll");
        }
        hasWaker = true;
        wakerToken = token;
        wakePending = false;
        return new WakerSpi() {
            private boolean open = true;

            @Override
            public void wake() throws IOException {
                ensureOpen();
                if (open) {
                    wakePending = true;
                }
            }

            @Override
            public void close() {
                if (open) {
                    open = false;
                    hasWaker = false;
                    wakePending = false;
                }
            }
        };
    }
}
