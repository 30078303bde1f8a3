package io.mio.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import io.mio.wasm.FuzzHost.Ranges;
import io.mio.wasm.FuzzHost.Snapshot;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static io.mio.wasm.FuzzHost.MEM;
import static io.mio.wasm.FuzzHost.TRAP;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;
import static io.mio.wasm.ValidCall.FD_OUT;
import static io.mio.wasm.ValidCall.ADDR;
import static io.mio.wasm.ValidCall.ADDR_BUF;
import static io.mio.wasm.ValidCall.TYPE;
import static io.mio.wasm.ValidCall.PORT;
import static io.mio.wasm.ValidCall.LEN;
import static io.mio.wasm.ValidCall.FLAGS;
import static io.mio.wasm.ValidCall.VAL;
import static io.mio.wasm.ValidCall.FDSTAT;
import static io.mio.wasm.ValidCall.NEVENTS;
import static io.mio.wasm.ValidCall.IOV;
import static io.mio.wasm.ValidCall.SUBS;
import static io.mio.wasm.ValidCall.EVENTS;

/**
 * Random sequences of host calls on a few sockets, made the way a guest makes them: through the
 * {@link HostFunction}s SocketHost links (so fd_close, fd_read, fd_write, fd_fdstat_* and fd_renumber also go
 * through the wrappers that send non-sockets to Chicory), on an instance's memory. The arguments are well-formed
 * except that one call in ten gets one pointer spoiled (outside memory or misaligned).
 *
 * <p>Besides {@link FuzzHost#call}'s checks (WASI errno, no exception, bounded time, no write outside the call's
 * ranges) each step is checked against a model of the descriptor table: the host holds exactly the sockets the
 * model says are open; a well-formed call on a closed or never-opened descriptor gets BADF (fd_renumber: BADF
 * unless both numbers are open, NOTSUP for one of Chicory's onto a socket; an event with BADF from poll_oneoff),
 * one on an open socket never
 * does; accept and open give new numbers. Closing the host at the end leaves no descriptor behind.
 *
 * <p>Blocking: the harness gives every socket the sequence opens or accepts SO_RCVTIMEO/SO_SNDTIMEO of 5 ms, the
 * generated setsockopt calls only set short or "don't wait" timeouts, and every poll carries a clock of at most
 * 3 ms; the sequence may switch sockets between blocking and non-blocking at will.
 */
class HostCallSequenceFuzzTest {
    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");

    static {
        JQWIK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    enum Kind {
        OPEN, BIND, LISTEN, ACCEPT, CONNECT, SEND, SEND_TO, RECV, RECV_FROM, SHUTDOWN, GETADDR, GETOPT, SETOPT,
        FLAGS, FDSTAT, CLOSE, RENUMBER, POLL
    }

    /**
     * One call: its kind, the descriptors it takes (indexes into the sequence's descriptors, see
     * {@link Run#fd}), two kind-specific numbers and a flag, and the pointer to spoil (-1: none) with what.
     */
    record Act(Kind kind, int slot, int slot2, int x, int y, boolean flag, int spoil, int bad) {}

    @Provide
    Arbitrary<List<Act>> sequences() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Kind.OPEN)), Tuple.of(3, Arbitraries.just(Kind.BIND)),
                Tuple.of(3, Arbitraries.just(Kind.LISTEN)), Tuple.of(4, Arbitraries.just(Kind.ACCEPT)),
                Tuple.of(4, Arbitraries.just(Kind.CONNECT)), Tuple.of(5, Arbitraries.just(Kind.SEND)),
                Tuple.of(3, Arbitraries.just(Kind.SEND_TO)), Tuple.of(5, Arbitraries.just(Kind.RECV)),
                Tuple.of(3, Arbitraries.just(Kind.RECV_FROM)), Tuple.of(2, Arbitraries.just(Kind.SHUTDOWN)),
                Tuple.of(2, Arbitraries.just(Kind.GETADDR)), Tuple.of(2, Arbitraries.just(Kind.GETOPT)),
                Tuple.of(2, Arbitraries.just(Kind.SETOPT)), Tuple.of(2, Arbitraries.just(Kind.FLAGS)),
                Tuple.of(1, Arbitraries.just(Kind.FDSTAT)), Tuple.of(2, Arbitraries.just(Kind.CLOSE)),
                Tuple.of(1, Arbitraries.just(Kind.RENUMBER)), Tuple.of(4, Arbitraries.just(Kind.POLL)));
        Arbitrary<Integer> slot = Arbitraries.integers().between(0, 1000);
        Arbitrary<Integer> spoil = Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(-1)),
                Tuple.of(1, Arbitraries.integers().between(0, 7)));
        Arbitrary<Act> act = Combinators.combine(kinds, slot, slot, Arbitraries.integers().between(0, 4000),
                Arbitraries.integers().between(0, 4000), Arbitraries.of(true, false), spoil,
                Arbitraries.integers().between(0, 5)).as(Act::new);
        return act.list().ofMinSize(1).ofMaxSize(25).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<Boolean> loopback() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false)));
    }

    /** The sandbox's socket limit: mostly the default, sometimes a few, so that open and accept meet MFILE. */
    @Provide
    Arbitrary<Integer> maxSockets() {
        return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(NetPolicy.defaultMaxSockets())),
                Tuple.of(1, Arbitraries.integers().between(2, 8)));
    }

    @Property
    void random_call_sequences_keep_the_descriptor_table_and_memory_sound(@ForAll("loopback") boolean loopback,
            @ForAll long seed, @ForAll("maxSockets") int maxSockets, @ForAll("sequences") List<Act> acts)
            throws Exception {
        try (Run run = new Run(loopback, seed, maxSockets)) {
            for (int k = 0; k < acts.size(); k++) {
                run.step(k, acts.get(k));
            }
        }
    }

    /** A socket the model knows: family (1 INET4, 2 INET6) and type (1 DGRAM, 2 STREAM). */
    record Sock(int family, int type) {}

    // guest memory layout of the sequence's calls: ValidCall's (imported), and buffers of its own
    static final int DATA = 8192; // 8 KiB to send from
    static final int RBUF = 16384; // 8 KiB to receive into
    static final int[] UNKNOWN = {3, 77, FD_BASE - 1, 0x7FFF_FFF0, -5};

    /** One sequence's host, instance, model and checks. */
    static final class Run implements AutoCloseable {
        final FuzzHost h;
        final Instance inst;
        final Map<String, HostFunction> fns = new HashMap<>();
        /** Every descriptor number the sequence has seen, open or closed, in order. */
        final List<Integer> seen = new ArrayList<>();
        /** The open sockets. */
        final Map<Integer, Sock> live = new LinkedHashMap<>();

        Run(boolean loopback, long seed) throws Exception {
            this(loopback, seed, NetPolicy.defaultMaxSockets());
        }

        Run(boolean loopback, long seed, int maxSockets) throws Exception {
            h = new FuzzHost(loopback, false, seed, maxSockets);
            WasmModule module = LinkingTest.module("link_v1_v2");
            try {
                inst = Instance.builder(module)
                        .withImportValues(ImportValues.builder()
                                .withFunctions(new ArrayList<ImportFunction>(h.host.hostFunctions(module))).build())
                        .withMemoryFactory(limits -> h.m).build();
            } catch (RuntimeException e) {
                h.close();
                throw e;
            }
            for (HostFunction f : h.host.hostFunctions(null)) {
                fns.put(f.name(), f);
            }
            assertThat(inst.memory()).isSameAs(h.m);
            // two sockets to start with: a listener and a bound datagram socket when the sandbox allows loopback
            adopt(open(1, 2), 1, 2);
            adopt(open(1, 1), 1, 1);
            if (loopback) {
                assertThat(bindLoopback(seen.get(0))).isZero();
                assertThat(h.host.sockListen(seen.get(0), 8)).isZero();
                assertThat(bindLoopback(seen.get(1))).isZero();
            }
            // the guest's memory: a random pattern again, and 8 KiB of zeros to send from
            byte[] pattern = new byte[MEM];
            new java.util.Random(seed).nextBytes(pattern);
            java.util.Arrays.fill(pattern, DATA, DATA + 8192, (byte) 0);
            h.m.write(0, pattern);
        }

        private int open(int af, int type) {
            assertThat(h.host.sockOpen(h.m, af, type, FD_OUT)).isZero();
            return h.m.readInt(FD_OUT);
        }

        private int bindLoopback(int fd) {
            h.m.write(ADDR_BUF, new byte[] {127, 0, 0, 1});
            h.m.writeI32(ADDR, ADDR_BUF);
            h.m.writeI32(ADDR + 4, 4);
            return h.host.sockBind(h.m, fd, ADDR, 0, false);
        }

        private void adopt(int fd, int family, int type) {
            assertThat(live).as("a new socket number").doesNotContainKey(fd);
            live.put(fd, new Sock(family, type));
            if (!seen.contains(fd)) {
                seen.add(fd);
            }
            h.timeouts(fd); // the harness's memory, not the guest's
        }

        /** A descriptor for slot {@code s}: one the sequence has seen (open or closed), or one never opened. */
        int fd(int s) {
            return s % 6 == 0 ? UNKNOWN[s / 6 % UNKNOWN.length] : seen.get(s % seen.size());
        }

        /** Ports of this host's own sockets of {@code type}: the only loopback ports a sequence may reach. */
        List<Integer> ownPorts(int type) {
            List<Integer> ports = new ArrayList<>();
            for (var e : live.entrySet()) {
                if (e.getValue().type() == type) {
                    int p = h.localPortOf(e.getKey());
                    if (p != 0) {
                        ports.add(p);
                    }
                }
            }
            return ports;
        }

        /** Writes a V1 (4/16 bytes) or V2 (128-byte storage) address at {@link #ADDR}. */
        void address(byte[] ip, boolean v2) {
            h.m.writeI32(ADDR, ADDR_BUF);
            if (v2) {
                h.m.write(ADDR_BUF, new byte[128]);
                h.m.writeShort(ADDR_BUF, (short) (ip.length == 4 ? 1 : 2));
                h.m.write(ADDR_BUF + 2, ip);
                h.m.writeI32(ADDR + 4, 128);
            } else {
                h.m.write(ADDR_BUF, ip);
                h.m.writeI32(ADDR + 4, ip.length);
            }
        }

        static byte[] loopbackOf(int family) {
            byte[] v6 = new byte[16];
            v6[15] = 1;
            return family == 2 ? v6 : new byte[] {127, 0, 0, 1};
        }

        /**
         * The target of a connect or send_to on {@code fd}: by {@code choice}, one of this host's own ports of the
         * socket's type on the loopback address of its family, port 0, another family's loopback, or an address
         * the sandbox refuses.
         */
        int target(int fd, int choice, boolean v2) {
            Sock s = live.getOrDefault(fd, new Sock(1, 2));
            List<Integer> ports = ownPorts(s.type());
            switch (choice % 5) {
                case 0, 1 -> {
                    address(loopbackOf(s.family()), v2);
                    return ports.isEmpty() ? 0 : ports.get(choice % ports.size());
                }
                case 2 -> {
                    address(loopbackOf(s.family()), v2);
                    return 0;
                }
                case 3 -> {
                    address(loopbackOf(3 - s.family()), v2);
                    return ports.isEmpty() ? 0 : ports.get(0);
                }
                default -> {
                    address(new byte[] {10, 9, 8, 7}, v2); // refused by both sandboxes
                    return 80;
                }
            }
        }

        /** An iovec array at {@link #IOV} over {@code [buf, buf + size)} in 1 to 3 pieces. */
        int iovecs(int buf, int size, int pieces) {
            int n = 1 + pieces % 3;
            int at = buf;
            for (int k = 0; k < n; k++) {
                int len = k == n - 1 ? buf + size - at : size / n;
                h.m.writeI32(IOV + 8 * k, at);
                h.m.writeI32(IOV + 8 * k + 4, len);
                at += len;
            }
            return n;
        }

        long[] args(int... a) {
            long[] r = new long[a.length];
            for (int k = 0; k < a.length; k++) {
                r[k] = a[k];
            }
            return r;
        }

        /** The call to make: host function name, arguments, which of them are pointers, what it may write. */
        record Call(String name, long[] args, int[] pointers, BiFunction<Snapshot, Args, Ranges> may) {}

        /** The arguments as made (a spoiled pointer included). */
        record Args(long[] v) {
            int at(int k) {
                return (int) v[k];
            }
        }

        Call build(Act a, int fd, int fd2) {
            boolean v2 = a.flag();
            return switch (a.kind()) {
                case OPEN -> {
                    int af = a.x() % 8 == 7 ? 3 : 1 + a.x() % 2;
                    int type = a.y() % 8 == 7 ? 0 : 1 + a.y() % 2;
                    yield new Call("sock_open", args(af, type, FD_OUT), new int[] {2},
                            (s, x) -> new Ranges().add(x.at(2), 4));
                }
                case BIND -> {
                    Sock s = live.getOrDefault(fd, new Sock(1, 2));
                    int port = 0;
                    switch (a.x() % 4) {
                        case 0, 1 -> address(loopbackOf(s.family()), v2);
                        case 2 -> address(new byte[s.family() == 2 ? 16 : 4], v2); // the wildcard: refused
                        default -> { // a port this host already holds: ADDRINUSE (or refused)
                            address(loopbackOf(s.family()), v2);
                            List<Integer> ports = ownPorts(s.type());
                            port = ports.isEmpty() ? 0 : ports.get(0);
                        }
                    }
                    yield new Call(v2 ? "sock_bind_v2" : "sock_bind", args(fd, ADDR, port), new int[] {1},
                            (s2, x) -> new Ranges());
                }
                case LISTEN -> new Call("sock_listen", args(fd, a.x() % 3 == 0 ? -1 : a.x() % 64), new int[0],
                        (s, x) -> new Ranges());
                case ACCEPT -> v2
                        ? new Call("sock_accept_v2", args(fd, a.x() % 2 == 0 ? 0 : FDFLAGS_NONBLOCK, FD_OUT),
                                new int[] {2}, (s, x) -> new Ranges().add(x.at(2), 4))
                        : new Call("sock_accept", args(fd, FD_OUT), new int[] {1},
                                (s, x) -> new Ranges().add(x.at(1), 4));
                case CONNECT -> {
                    int port = target(fd, a.x(), v2);
                    yield new Call(v2 ? "sock_connect_v2" : "sock_connect", args(fd, ADDR, port), new int[] {1},
                            (s, x) -> new Ranges());
                }
                case SEND -> {
                    int n = iovecs(DATA, a.x() * 2, a.y());
                    yield v2 ? new Call("fd_write", args(fd, IOV, n, LEN), new int[] {1, 3},
                            (s, x) -> new Ranges().add(x.at(3), 4))
                            : new Call("sock_send", args(fd, IOV, n, 0, LEN), new int[] {1, 4},
                            (s, x) -> new Ranges().add(x.at(4), 4));
                }
                case SEND_TO -> {
                    int n = iovecs(DATA, a.x() % 2048, a.x());
                    boolean v = a.y() % 2 == 0;
                    int port = target(fd, a.y() / 2, v);
                    yield new Call(v ? "sock_send_to_v2" : "sock_send_to", args(fd, IOV, n, ADDR, port, 0, LEN),
                            new int[] {1, 3, 6}, (s, x) -> new Ranges().add(x.at(6), 4));
                }
                case RECV -> {
                    int n = iovecs(RBUF, a.x() * 2, a.y());
                    yield v2 ? new Call("fd_read", args(fd, IOV, n, LEN), new int[] {1, 3},
                            (s, x) -> new Ranges().iovecs(s, x.at(1), n).add(x.at(3), 4))
                            : new Call("sock_recv", args(fd, IOV, n, a.y() % 3, LEN, FLAGS), new int[] {1, 4, 5},
                            (s, x) -> new Ranges().iovecs(s, x.at(1), n).add(x.at(4), 4).add(x.at(5), 2));
                }
                case RECV_FROM -> {
                    int n = iovecs(RBUF, a.x(), a.y());
                    h.m.writeI32(ADDR, ADDR_BUF);
                    h.m.writeI32(ADDR + 4, v2 ? 128 : a.y() % 2 == 0 ? 4 : 16);
                    yield v2 ? new Call("sock_recv_from_v2", args(fd, IOV, n, ADDR, 0, PORT, LEN, FLAGS),
                            new int[] {1, 3, 5, 6, 7},
                            (s, x) -> new Ranges().iovecs(s, x.at(1), n).address(s, x.at(3)).add(x.at(5), 4)
                                    .add(x.at(6), 4).add(x.at(7), 2))
                            : new Call("sock_recv_from", args(fd, IOV, n, ADDR, 0, LEN, FLAGS), new int[] {1, 3, 5, 6},
                            (s, x) -> new Ranges().iovecs(s, x.at(1), n).address(s, x.at(3)).add(x.at(5), 4)
                                    .add(x.at(6), 2));
                }
                case SHUTDOWN -> new Call("sock_shutdown", args(fd, a.x() % 4), new int[0], (s, x) -> new Ranges());
                case GETADDR -> {
                    String name = v2 ? "sock_getlocaladdr" : "sock_getpeeraddr";
                    h.m.writeI32(ADDR, ADDR_BUF);
                    if (a.y() % 2 == 0) {
                        h.m.writeI32(ADDR + 4, 128);
                        yield new Call(name + "_v2", args(fd, ADDR, PORT), new int[] {1, 2},
                                (s, x) -> new Ranges().address(s, x.at(1)).add(x.at(2), 4));
                    }
                    h.m.writeI32(ADDR + 4, a.x() % 2 == 0 ? 16 : 4);
                    yield new Call(name, args(fd, ADDR, TYPE, PORT), new int[] {1, 2, 3},
                            (s, x) -> new Ranges().address(s, x.at(1)).add(x.at(2), 4).add(x.at(3), 4));
                }
                case GETOPT -> {
                    h.m.writeI32(LEN, a.y() % 5 == 0 ? 16 : a.y() % 5 == 1 ? 2 : 4);
                    yield new Call("sock_getsockopt", args(fd, 0, a.x() % 15, VAL, LEN), new int[] {3, 4},
                            (s, x) -> new Ranges().add(x.at(3), s.u32(x.at(4), 0)).add(x.at(4), 4));
                }
                case SETOPT -> {
                    int name = a.x() % 15;
                    int len = 4;
                    if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
                        // short waits, "do not wait" (negative), or an out-of-range tv_usec (DOM); never 0/0
                        long sec = a.y() % 3 == 0 ? -1 : 0;
                        long usec = a.y() % 7 == 0 ? 1_000_000 : 1 + a.y() % 5000;
                        h.m.writeLong(VAL, sec);
                        h.m.writeLong(VAL + 8, usec);
                        len = 16;
                    } else if (name == SO_LINGER) {
                        h.m.writeI32(VAL, a.y() % 2);
                        h.m.writeI32(VAL + 4, a.y() % 3);
                        len = 8;
                    } else {
                        h.m.writeI32(VAL, a.y() % 4 == 0 ? a.y() * 97 : a.y() % 2);
                    }
                    yield new Call("sock_setsockopt", args(fd, 0, name, VAL, len), new int[] {3},
                            (s, x) -> new Ranges());
                }
                case FLAGS -> new Call("fd_fdstat_set_flags", args(fd, v2 ? FDFLAGS_NONBLOCK : 0), new int[0],
                        (s, x) -> new Ranges());
                case FDSTAT -> new Call("fd_fdstat_get", args(fd, FDSTAT), new int[] {1},
                        (s, x) -> new Ranges().add(x.at(1), 24));
                case CLOSE -> new Call("fd_close", args(fd), new int[0], (s, x) -> new Ranges());
                case RENUMBER -> new Call("fd_renumber", args(fd, fd2), new int[0], (s, x) -> new Ranges());
                case POLL -> {
                    ByteBuffer b = ByteBuffer.allocate(48 * 3).order(ByteOrder.LITTLE_ENDIAN);
                    b.putLong(0, 1).put(8, (byte) (1 + a.x() % 2)).putInt(16, fd);
                    b.putLong(48, 2).put(56, (byte) (1 + a.y() % 2)).putInt(64, fd2);
                    b.putLong(96, 3).put(104, (byte) EVENTTYPE_CLOCK).putInt(112, CLOCK_MONOTONIC)
                            .putLong(120, 1_000_000L * (1 + a.x() % 3));
                    h.m.write(SUBS, b.array());
                    yield new Call(v2 ? "epoll_oneoff" : "poll_oneoff", args(SUBS, EVENTS, 3, NEVENTS),
                            new int[] {0, 1, 3}, (s, x) -> new Ranges().add(x.at(1), 3 * 32).add(x.at(3), 4));
                }
            };
        }

        /** A bad pointer: past or across the end of memory, negative, or misaligned by 1..3. */
        static int spoiled(long ptr, int bad) {
            return switch (bad) {
                case 0 -> MEM;
                case 1 -> MEM - 2;
                case 2 -> -8;
                case 3 -> Integer.MIN_VALUE;
                default -> (int) ptr + 1 + bad % 3;
            };
        }

        void step(int index, Act a) {
            int fd = fd(a.slot());
            int fd2 = fd(a.slot2());
            Call c = build(a, fd, fd2);
            boolean spoil = a.spoil() >= 0 && c.pointers().length > 0;
            long[] args = c.args().clone();
            if (spoil) {
                int p = c.pointers()[a.spoil() % c.pointers().length];
                args[p] = spoiled(args[p], a.bad());
            }
            HostFunction fn = fns.get(c.name());
            assertThat(fn).as(c.name()).isNotNull();
            assertThat(fn.functionType().params()).hasSize(args.length);
            String what = "step " + index + ": " + c.name() + java.util.Arrays.toString(
                    java.util.Arrays.stream(args).mapToInt(v -> (int) v).toArray()) + " " + a;
            Snapshot[] before = new Snapshot[1];
            int r = h.call(what, () -> (int) fn.handle().apply(inst, args)[0], s -> {
                before[0] = s;
                return c.may().apply(s, new Args(args));
            }, spoil && a.kind() == Kind.POLL);
            if (FuzzHost.STATS) {
                net.jqwik.api.statistics.Statistics.label("call")
                        .collect(a.kind() + " " + (r == TRAP ? "trap" : FuzzHost.errnoName(r)));
            }
            if (r == TRAP) {
                assertThat(a.bad()).as("poll_oneoff traps only on a misaligned array").isGreaterThanOrEqualTo(4);
                return;
            }
            check(a, c, what, fd, fd2, r, spoil);
            assertThat(h.host.openSockets()).as("%s: the host's sockets are the model's %s", what, live.keySet())
                    .isEqualTo(live.size());
            for (int open : live.keySet()) {
                assertThat(h.host.isSocket(open)).as("%s: %d is open", what, open).isTrue();
            }
        }

        private void check(Act a, Call c, String what, int fd, int fd2, int r, boolean spoil) {
            boolean open = live.containsKey(fd);
            switch (a.kind()) {
                case OPEN -> {
                    if (r == SUCCESS) {
                        adopt(h.m.readInt(FD_OUT), (int) c.args()[0], (int) c.args()[1]);
                    }
                    return;
                }
                case ACCEPT -> {
                    if (r == SUCCESS) {
                        assertThat(open).isTrue();
                        adopt(h.m.readInt(FD_OUT), live.get(fd).family(), 2);
                    }
                }
                case CLOSE -> {
                    if (r == SUCCESS && open) {
                        live.remove(fd);
                    }
                }
                case RENUMBER -> {
                    boolean open2 = live.containsKey(fd2);
                    // WasmEdge's: both numbers must be open; a socket may take one of Chicory's numbers (which
                    // Chicory keeps, so it is still Chicory's afterwards), not the other way round
                    if (open && (open2 || h.host.wasiHas(fd2))) {
                        assertThat(r).as(what).isEqualTo(SUCCESS);
                        if (fd != fd2) {
                            live.put(fd2, live.remove(fd));
                        }
                    } else {
                        assertThat(r).as(what).isEqualTo(open2 && h.host.wasiHas(fd) ? NOTSUP : BADF);
                    }
                    return;
                }
                case POLL -> {
                    if (r == SUCCESS) {
                        int n = h.m.readInt(NEVENTS);
                        assertThat(n).as(what).isBetween(1, 3);
                        for (int k = 0; k < n; k++) {
                            int e = EVENTS + 32 * k;
                            long user = h.m.readLong(e);
                            int err = h.m.readShort(e + 8) & 0xFFFF;
                            if (user == 1 || user == 2) {
                                int on = user == 1 ? fd : fd2;
                                boolean dup = fd == fd2 && user == 2 && h.m.read(SUBS + 8) == h.m.read(SUBS + 56);
                                assertThat(err).as("%s: event error for %d", what, on)
                                        .isEqualTo(dup ? EXIST : live.containsKey(on) ? 0 : BADF);
                            }
                        }
                    }
                    return;
                }
                default -> { }
            }
            if (spoil) {
                return;
            }
            if (!open) {
                assertThat(r).as("%s: on a descriptor that is no socket", what).isEqualTo(BADF);
            } else {
                assertThat(r).as("%s: on an open socket", what).isNotEqualTo(BADF);
            }
        }

        @Override
        public void close() {
            h.close();
        }
    }
}
