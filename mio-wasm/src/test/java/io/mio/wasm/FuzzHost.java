package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.stream.Stream;

import static io.mio.wasm.SocketHost.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One fuzzing try's guest: a SocketHost on a one-page memory filled with a random pattern, the sockets a try asks
 * for (made on demand through the host's own calls, on a private memory so the guest's stays untouched), and the
 * checks every fuzzed call goes through: it returns a WASI errno (0..87) and throws nothing (a trap only where the
 * caller allows one), it ends within {@link #BOUND_NANOS}, and it changes no guest byte outside the ranges the call
 * may write. Closing it closes the host and checks that the process holds no more sockets or epoll/event
 * descriptors than before.
 *
 * <p>No call may block without bound: every socket the harness opens gets SO_RCVTIMEO and SO_SNDTIMEO of
 * {@link #GUEST_TIMEOUT_MICROS}, and half of them are also non-blocking ({@code nonblocking}).
 */
final class FuzzHost implements AutoCloseable {
    static final int MEM = Memory.PAGE_SIZE;
    /** Highest errno a host function may return: WASI's 0..76 plus WasmEdge's AI* 77..87. */
    static final int MAX_ERRNO = 87;
    /** No host call may take longer (they wait at most a few guest timeouts of 5 ms). */
    static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final int GUEST_TIMEOUT_MICROS = 5_000;
    /** {@code -Dmio.wasm.fuzz.stats=true}: report which errnos each property reached (jqwik statistics). */
    static final boolean STATS = Boolean.getBoolean("mio.wasm.fuzz.stats");
    /** What {@link #call} returns when the call trapped (and the caller allowed it). */
    static final int TRAP = -1;

    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-host-call");
        t.setDaemon(true);
        return t;
    });

    /** Bind and connect on the loopback addresses only (and connects only to the harness's own ports). */
    static NetPolicy loopbackPolicy() {
        return loopbackPolicy(NetPolicy.defaultMaxSockets());
    }

    static NetPolicy loopbackPolicy(int maxSockets) {
        return NetPolicy.builder().allowBind("127.0.0.1:*").allowBind("[::1]:*")
                .allowConnect("127.0.0.1:*").allowConnect("[::1]:*").maxSockets(maxSockets).build();
    }

    /** The sockets a try can ask for, and descriptors that are not sockets. */
    enum Fd {
        TCP4, TCP6, UDP4, UDP6, UDP_BOUND, UDP_CONNECTED, LISTENER, CLIENT, SERVER, CLOSED,
        STDIN, STDOUT, CHICORY_RANGE, BELOW_BASE, FAR, NEGATIVE, MAX, RANDOM;

        boolean unknown() {
            return ordinal() >= CLOSED.ordinal();
        }

        boolean udp() {
            return this == UDP4 || this == UDP6 || this == UDP_BOUND || this == UDP_CONNECTED;
        }
    }

    /** An fd argument: a kind, and a raw number for the random kinds. */
    record FdArg(Fd kind, int raw) {
        @Override
        public String toString() {
            return kind == Fd.RANDOM || kind == Fd.CHICORY_RANGE ? kind + "(" + raw + ")" : kind.toString();
        }
    }

    final boolean loopback;
    final boolean nonblocking;
    final NetPolicy policy;
    /** The guest memory the calls get: SegmentMemory (the host's direct I/O path; ByteArrayMemory's is tested too). */
    final Memory m = new SegmentMemory(new MemoryLimits(1, 1));
    /** The harness's own memory for the calls that set sockets up. */
    private final Memory own = new ByteArrayMemory(new MemoryLimits(1, 1));
    final WasiPreview1 wasi;
    final SocketHost host;
    private final long baseline;
    private final Level logLevel;
    private final Map<Fd, Integer> fds = new EnumMap<>(Fd.class);
    private int listenerPort;
    private int udpPort;
    private int closedFd;
    private boolean closed;

    FuzzHost(boolean loopback, boolean nonblocking, long seed) throws IOException {
        this(loopback, nonblocking, seed, NetPolicy.defaultMaxSockets());
    }

    /** @param maxSockets the sandbox's socket limit */
    FuzzHost(boolean loopback, boolean nonblocking, long seed, int maxSockets) throws IOException {
        this.loopback = loopback;
        this.nonblocking = nonblocking;
        this.policy = loopback ? loopbackPolicy(maxSockets) : NetPolicy.builder().maxSockets(maxSockets).build();
        logLevel = NetPolicy.LOG.getLevel();
        NetPolicy.LOG.setLevel(Level.OFF); // thousands of refusals would flood the test output
        baseline = hostDescriptors();
        wasi = WasiPreview1.builder().withOptions(WasiOptions.builder().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()).withStdin(new ByteArrayInputStream(new byte[0])).build())
                .build();
        host = new SocketHost(wasi, policy);
        byte[] pattern = new byte[MEM];
        new Random(seed).nextBytes(pattern);
        m.write(0, pattern);
    }

    /** Sockets, epoll instances and eventfds the process holds: what a SocketHost creates. */
    static long hostDescriptors() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                try {
                    String t = Files.readSymbolicLink(p).toString();
                    return t.startsWith("socket:") || t.startsWith("anon_inode:");
                } catch (IOException e) {
                    return false; // closed while listing (the listing's own descriptor)
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException("/proc/self/fd is not readable", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sockets made on demand

    int fd(FdArg a) {
        return switch (a.kind()) {
            case CLOSED -> closedFd();
            case STDIN -> 0;
            case STDOUT -> 1;
            case CHICORY_RANGE -> 3 + Math.floorMod(a.raw(), 1000);
            case BELOW_BASE -> FD_BASE - 1;
            case FAR -> FD_BASE + 100_000;
            case NEGATIVE -> -1 - Math.floorMod(a.raw(), 1000);
            case MAX -> Integer.MAX_VALUE;
            case RANDOM -> host.isSocket(a.raw()) ? -2 : a.raw();
            default -> socket(a.kind());
        };
    }

    private int closedFd() {
        if (closedFd == 0) {
            closedFd = open(1, 1);
            assertThat(host.fdClose(closedFd)).isZero();
        }
        return closedFd;
    }

    private int socket(Fd kind) {
        Integer have = fds.get(kind);
        if (have != null) {
            return have;
        }
        if (!loopback && kind.ordinal() >= Fd.UDP_BOUND.ordinal()) {
            kind = kind.udp() ? Fd.UDP4 : Fd.TCP4; // the deny-all sandbox binds nothing
            have = fds.get(kind);
            if (have != null) {
                return have;
            }
        }
        int fd = switch (kind) {
            case TCP4 -> open(1, 2);
            case TCP6 -> open(2, 2);
            case UDP4 -> open(1, 1);
            case UDP6 -> open(2, 1);
            case UDP_BOUND -> {
                int u = open(1, 1);
                ok(host.sockBind(own, u, v1(127, 0, 0, 1), 0, false));
                udpPort = localPort(u);
                yield u;
            }
            case UDP_CONNECTED -> {
                int bound = socket(Fd.UDP_BOUND);
                int u = open(1, 1);
                ok(host.sockConnect(own, u, v1(127, 0, 0, 1), udpPort, false));
                // a datagram waiting in each direction
                ok(send(u, 3));
                int port = localPort(u);
                ok(host.sockSendTo(own, bound, 100, 1, v1(127, 0, 0, 1), port, 0, 200, false));
                yield u;
            }
            case LISTENER -> {
                int l = open(1, 2);
                ok(host.sockBind(own, l, v1(127, 0, 0, 1), 0, false));
                ok(host.sockListen(l, 16));
                listenerPort = localPort(l);
                yield l;
            }
            case CLIENT, SERVER -> {
                int l = socket(Fd.LISTENER);
                int c = open(1, 2);
                int r = host.sockConnect(own, c, v1(127, 0, 0, 1), listenerPort, false);
                assertThat(r).isIn(0, WasiErrno.INPROGRESS);
                int r2 = WasiErrno.AGAIN;
                for (int k = 0; k < 1000 && r2 == WasiErrno.AGAIN; k++) { // the listener may be non-blocking
                    r2 = host.sockAccept(own, l, 0, 0, false);
                }
                ok(r2);
                int s = own.readInt(0);
                timeouts(s);
                ok(send(c, 7)); // something to read on both sides
                ok(send(s, 5));
                fds.put(Fd.CLIENT, c);
                fds.put(Fd.SERVER, s);
                yield kind == Fd.CLIENT ? c : s;
            }
            default -> throw new IllegalArgumentException(kind.toString());
        };
        fds.put(kind, fd);
        return fd;
    }

    /** The local port of socket {@code fd} (0 if it has none or is no socket), asked on the harness's memory. */
    int localPortOf(int fd) {
        own.writeI32(1008, 1024);
        own.writeI32(1012, 16);
        return host.sockGetAddr(own, fd, 1008, 1200, 1204, true, false) == 0 ? own.readInt(1204) : 0;
    }

    /** The port of the harness's listener or bound datagram socket (creating it), for connects and sends. */
    int ownPort(boolean udp) {
        if (!loopback) {
            return 0;
        }
        socket(udp ? Fd.UDP_BOUND : Fd.LISTENER);
        return udp ? udpPort : listenerPort;
    }

    private int open(int af, int type) {
        ok(host.sockOpen(own, af, type, 0));
        int fd = own.readInt(0);
        timeouts(fd);
        return fd;
    }

    /** SO_RCVTIMEO and SO_SNDTIMEO of {@link #GUEST_TIMEOUT_MICROS}, and non-blocking if {@link #nonblocking}. */
    void timeouts(int fd) {
        timeouts(fd, own, host);
        if (nonblocking) {
            ok(host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK));
        }
    }

    static void timeouts(int fd, Memory mem, SocketHost host) {
        mem.writeLong(0, 0);
        mem.writeLong(8, GUEST_TIMEOUT_MICROS);
        ok(host.sockSetOpt(mem, fd, 0, SO_RCVTIMEO, 0, 16));
        ok(host.sockSetOpt(mem, fd, 0, SO_SNDTIMEO, 0, 16));
    }

    private int send(int fd, int n) {
        own.write(300, new byte[n]);
        own.writeI32(100, 300);
        own.writeI32(104, n);
        return host.sockSend(own, fd, 100, 1, 0, 200);
    }

    private int v1(int... ip) {
        byte[] b = new byte[ip.length];
        for (int k = 0; k < ip.length; k++) {
            b[k] = (byte) ip[k];
        }
        own.write(1024, b);
        own.writeI32(1008, 1024);
        own.writeI32(1012, b.length);
        return 1008;
    }

    private int localPort(int fd) {
        own.writeI32(1008, 1024);
        own.writeI32(1012, 16);
        ok(host.sockGetAddr(own, fd, 1008, 1200, 1204, true, false));
        return own.readInt(1204);
    }

    private static int ok(int errno) {
        assertThat(errno).as("harness set-up call").isZero();
        return errno;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Guest memory

    /** Writes what of {@code b} lies inside memory at {@code at} (an unsigned address). */
    void put(long at, byte[] b) {
        for (int k = 0; k < b.length; k++) {
            long p = (at & 0xFFFF_FFFFL) + k;
            if (p < MEM) {
                m.writeByte((int) p, b[k]);
            }
        }
    }

    void putI32(long at, int v) {
        put(at, new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
    }

    void putI64(long at, long v) {
        putI32(at, (int) v);
        putI32((at & 0xFFFF_FFFFL) + 4, (int) (v >>> 32));
    }

    /** A copy of guest memory, read without bounds surprises. */
    static final class Snapshot {
        final byte[] b;

        Snapshot(byte[] b) {
            this.b = b;
        }

        boolean has(int ptr, long len) {
            long p = ptr & 0xFFFF_FFFFL;
            return len >= 0 && p + len <= b.length;
        }

        int i32(int ptr) {
            int p = ptr;
            return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
        }

        /** The i32 at {@code ptr}, or {@code orElse} if it is outside memory. */
        long u32(int ptr, long orElse) {
            return has(ptr, 4) ? i32(ptr) & 0xFFFF_FFFFL : orElse;
        }
    }

    /** The guest byte ranges a call may write, as unsigned [start, end). */
    static final class Ranges {
        final List<long[]> list = new ArrayList<>();

        Ranges add(int ptr, long len) {
            long p = ptr & 0xFFFF_FFFFL;
            if (len > 0) {
                list.add(new long[] {p, p + len});
            }
            return this;
        }

        /** The buffers of an iovec array (as far as it lies in memory and is not longer than IOV_MAX). */
        Ranges iovecs(Snapshot s, int ptr, int count) {
            long n = count & 0xFFFF_FFFFL;
            if (n <= IOV_MAX && s.has(ptr, n * 8)) {
                for (int k = 0; k < n; k++) {
                    add(s.i32(ptr + k * 8), s.i32(ptr + k * 8 + 4) & 0xFFFF_FFFFL);
                }
            }
            return this;
        }

        /** The buffer of a {@code __wasi_address_t}. */
        Ranges address(Snapshot s, int ptr) {
            if (s.has(ptr, 8)) {
                add(s.i32(ptr), s.i32(ptr + 4) & 0xFFFF_FFFFL);
            }
            return this;
        }

        boolean contains(long p) {
            for (long[] r : list) {
                if (p >= r[0] && p < r[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The checked call

    /**
     * Runs one host call (on another thread, bounded by {@link #BOUND_NANOS}) and checks it: a WASI errno, no
     * exception (a {@link WasmRuntimeException} only if {@code trapAllowed}; then {@link #TRAP} is returned), and
     * no guest byte changed outside {@code allowed}, which the caller computes from the memory before the call.
     */
    int call(String what, IntSupplier call, java.util.function.Function<Snapshot, Ranges> allowed,
            boolean trapAllowed) {
        Snapshot before = new Snapshot(m.readBytes(0, MEM));
        Ranges may = allowed.apply(before);
        Future<Integer> f = CALLS.submit(call::getAsInt);
        int r;
        try {
            r = f.get(BOUND_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // wake the stuck call (it traps) and give up on this host without its descriptor check: the stuck
            // thread may still hold them
            f.cancel(true);
            closed = true;
            host.close();
            wasi.close();
            NetPolicy.LOG.setLevel(logLevel);
            throw new AssertionError(what + " blocked for more than " + BOUND_NANOS / 1_000_000 + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (trapAllowed && c instanceof WasmRuntimeException) {
                r = TRAP;
            } else {
                throw new AssertionError(what + " threw " + c, c);
            }
        }
        if (r != TRAP) {
            assertThat(r).as("%s returns a WASI errno", what).isBetween(0, MAX_ERRNO);
        }
        if (STATS) {
            net.jqwik.api.statistics.Statistics.label("errno").collect(r == TRAP ? "trap" : errnoName(r));
        }
        byte[] after = m.readBytes(0, MEM);
        for (int p = 0; p < MEM; p++) {
            if (after[p] != before.b[p] && !may.contains(p)) {
                fail("%s (errno %d) wrote guest byte %d (0x%x) outside the ranges it may write %s", what, r, p, p,
                        may.list.stream().map(x -> "[" + x[0] + ", " + x[1] + ")").toList());
            }
        }
        return r;
    }

    /** Starts a call on another thread, unchecked (for calls that block until the host is closed). */
    static Future<Integer> start(IntSupplier call) {
        return CALLS.submit(call::getAsInt);
    }

    int call(String what, IntSupplier call, java.util.function.Function<Snapshot, Ranges> allowed) {
        return call(what, call, allowed, false);
    }

    static String errnoName(int errno) {
        for (var f : WasiErrno.class.getFields()) {
            try {
                if (f.getType() == int.class && f.getInt(null) == errno) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return Integer.toString(errno);
    }

    /** Closes the host; no socket or epoll descriptor of it may stay open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            host.close();
            wasi.close();
            assertThat(host.openSockets()).isZero();
            assertThat(hostDescriptors()).as("sockets and epoll descriptors after SocketHost.close")
                    .isEqualTo(baseline);
        } finally {
            NetPolicy.LOG.setLevel(logLevel);
        }
    }
}
