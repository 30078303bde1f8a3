package io.mio.wasm;

import io.mio.wasm.FuzzArgs.Addr;
import io.mio.wasm.FuzzArgs.Iovs;
import io.mio.wasm.FuzzHost.FdArg;
import io.mio.wasm.FuzzHost.Ranges;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.mio.wasm.FuzzHost.MEM;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every socket host function called directly (as a guest would through its import) with generated arguments:
 * pointers anywhere, including across the end of memory and negative as i32, huge and zero lengths, misaligned
 * structures, iovecs pointing out of memory, descriptors that are sockets in every state, closed, Chicory's or
 * never opened, random option levels, names and values, random addresses and ports under the deny-all sandbox and
 * under one that allows loopback. {@link FuzzHost#call} checks each call: a WASI errno and no exception (a trap
 * only for poll_oneoff's misaligned arrays, as in WasmEdge), no wait beyond a bound, no guest byte written
 * outside what the call may write; closing the host leaves no descriptor behind.
 *
 * <p>Blocking: every socket gets SO_RCVTIMEO/SO_SNDTIMEO of 5 ms and half the tries make them non-blocking, and
 * every poll_oneoff carries a clock of at most 5 ms, so nothing waits without bound by the guest's own choice.
 *
 * <p>Tries: {@code jqwik.tries.default} in junit-platform.properties (300 per property); a bigger run:
 * {@code ./mvnw -pl mio-wasm -am test -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false
 * -Djqwik.tries.default=20000} (add {@code -Dmio.wasm.fuzz.stats=true} to see the errnos each property
 * reached).
 */
class HostFunctionFuzzTest {
    /** jqwik says at INFO level when a property has more edge cases than tries: not news for these. */
    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");

    static {
        JQWIK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** The host a try runs on: sandbox, blocking mode of the harness's sockets, the memory pattern's seed. */
    record Env(boolean loopback, boolean nonblocking, long seed) {
        FuzzHost open() throws IOException {
            return new FuzzHost(loopback, nonblocking, seed);
        }
    }

    @Provide
    Arbitrary<Env> env() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.longs())
                .as(Env::new);
    }

    @Provide
    Arbitrary<FdArg> fd() {
        return FuzzArgs.fd();
    }

    @Provide
    Arbitrary<Iovs> iovs() {
        return FuzzArgs.iovs();
    }

    @Provide
    Arbitrary<Addr> addr() {
        return FuzzArgs.addr();
    }

    @Provide
    Arbitrary<Integer> ptr4() {
        return FuzzArgs.ptr(4, 4);
    }

    @Provide
    Arbitrary<Integer> ptr2() {
        return FuzzArgs.ptr(2, 2);
    }

    @Provide
    Arbitrary<Integer> ptr1() {
        return FuzzArgs.ptr(16, 1);
    }

    @Provide
    Arbitrary<Integer> len() {
        return FuzzArgs.len();
    }

    @Provide
    Arbitrary<Integer> family() {
        return FuzzArgs.choice(1, 2);
    }

    @Provide
    Arbitrary<Integer> fdflags() {
        return FuzzArgs.choice(0, 4);
    }

    @Provide
    Arbitrary<Integer> riflags() {
        return FuzzArgs.choice(0, 1, 2, 3);
    }

    @Provide
    Arbitrary<Integer> zero() {
        return FuzzArgs.choice(0);
    }

    @Provide
    Arbitrary<Integer> how() {
        return FuzzArgs.choice(0, 1, 2, 3);
    }

    @Provide
    Arbitrary<Integer> optName() {
        return FuzzArgs.choice(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    }

    @Provide
    Arbitrary<Integer> optLen() {
        return Arbitraries.oneOf(Arbitraries.of(0, 1, 2, 4, 8, 16, 32), FuzzArgs.len());
    }

    // ---------------------------------------------------------------------------------------------------------
    // One call per try, every function

    @Property
    void sock_open(@ForAll("env") Env env, @ForAll("family") int af, @ForAll("family") int type,
            @ForAll("ptr4") int fdPtr) throws IOException {
        try (FuzzHost h = env.open()) {
            int r = h.call("sock_open", () -> h.host.sockOpen(h.m, af, type, fdPtr), s -> new Ranges().add(fdPtr, 4));
            if (r == SUCCESS) {
                assertThat(h.host.isSocket(h.m.readInt(fdPtr))).as("the fd written is a socket").isTrue();
            }
        }
    }

    @Property
    void sock_bind(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("addr") Addr addr,
            @ForAll boolean v2) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            int port = addr.port(h, fd.kind().udp(), true);
            addr.writeTo(h);
            h.call("sock_bind", () -> h.host.sockBind(h.m, f, addr.ptr(), port, v2), s -> new Ranges());
        }
    }

    @Property
    void sock_listen(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("len") int backlog) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            h.call("sock_listen", () -> h.host.sockListen(f, backlog), s -> new Ranges());
        }
    }

    @Property
    void sock_accept(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("fdflags") int fdflags,
            @ForAll("ptr4") int newFd, @ForAll boolean v2) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            int r = h.call("sock_accept", () -> h.host.sockAccept(h.m, f, fdflags, newFd, v2),
                    s -> new Ranges().add(newFd, 4));
            if (r == SUCCESS) {
                assertThat(h.host.isSocket(h.m.readInt(newFd))).isTrue();
            }
        }
    }

    @Property
    void sock_connect(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("addr") Addr addr,
            @ForAll boolean v2) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            int port = addr.port(h, fd.kind().udp(), false);
            addr.writeTo(h);
            h.call("sock_connect", () -> h.host.sockConnect(h.m, f, addr.ptr(), port, v2), s -> new Ranges());
        }
    }

    @Property
    void sock_recv_and_fd_read(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("iovs") Iovs iovs,
            @ForAll("riflags") int riflags, @ForAll("ptr4") int nread, @ForAll("ptr2") int roflags,
            @ForAll boolean fdRead) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            iovs.writeTo(h);
            h.call(fdRead ? "fd_read" : "sock_recv",
                    () -> fdRead ? h.host.fdRead(h.m, f, iovs.ptr(), iovs.count(), nread)
                            : h.host.sockRecv(h.m, f, iovs.ptr(), iovs.count(), riflags, nread, roflags),
                    s -> new Ranges().iovecs(s, iovs.ptr(), iovs.count()).add(nread, 4).add(roflags, fdRead ? 0 : 2));
        }
    }

    @Property
    void sock_recv_from(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("iovs") Iovs iovs,
            @ForAll("addr") Addr address, @ForAll("riflags") int riflags, @ForAll("ptr2") int port,
            @ForAll("ptr4") int nread, @ForAll("ptr2") int roflags, @ForAll boolean v2, @ForAll boolean fit)
            throws IOException {
        Addr addr = fit ? address.withBufLen(v2 ? 128 : 16) : address;
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            iovs.writeTo(h);
            addr.writeTo(h);
            h.call("sock_recv_from" + (v2 ? "_v2" : ""),
                    () -> h.host.sockRecvFrom(h.m, f, iovs.ptr(), iovs.count(), addr.ptr(), riflags, port, nread,
                            roflags, v2),
                    s -> new Ranges().iovecs(s, iovs.ptr(), iovs.count()).address(s, addr.ptr()).add(nread, 4)
                            .add(roflags, 2).add(port, v2 ? 4 : 0));
        }
    }

    @Property
    void sock_send_and_fd_write(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("iovs") Iovs iovs,
            @ForAll("zero") int siflags, @ForAll("ptr4") int nwritten, @ForAll boolean fdWrite) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            iovs.writeTo(h);
            h.call(fdWrite ? "fd_write" : "sock_send",
                    () -> h.host.sockSend(h.m, f, iovs.ptr(), iovs.count(), fdWrite ? 0 : siflags, nwritten),
                    s -> new Ranges().add(nwritten, 4));
        }
    }

    @Property
    void sock_send_to(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("iovs") Iovs iovs,
            @ForAll("addr") Addr addr, @ForAll("zero") int siflags, @ForAll("ptr4") int nwritten,
            @ForAll boolean v2) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            int port = addr.port(h, fd.kind().udp(), false);
            iovs.writeTo(h);
            addr.writeTo(h);
            h.call("sock_send_to",
                    () -> h.host.sockSendTo(h.m, f, iovs.ptr(), iovs.count(), addr.ptr(), port, siflags, nwritten, v2),
                    s -> new Ranges().add(nwritten, 4));
        }
    }

    @Property
    void sock_shutdown(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("how") int how) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            h.call("sock_shutdown", () -> h.host.sockShutdown(f, how), s -> new Ranges());
        }
    }

    @Property
    void sock_getlocaladdr_and_getpeeraddr(@ForAll("env") Env env, @ForAll("fd") FdArg fd,
            @ForAll("addr") Addr address, @ForAll("ptr4") int type, @ForAll("ptr4") int port, @ForAll boolean local,
            @ForAll boolean v2, @ForAll boolean fit) throws IOException {
        Addr addr = fit ? address.withBufLen(v2 ? 128 : 16) : address;
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            addr.writeTo(h);
            h.call(local ? "sock_getlocaladdr" : "sock_getpeeraddr",
                    () -> h.host.sockGetAddr(h.m, f, addr.ptr(), type, port, local, v2),
                    s -> new Ranges().address(s, addr.ptr()).add(type, v2 ? 0 : 4).add(port, 4));
        }
    }

    @Provide
    Arbitrary<byte[]> optionValue() {
        Arbitrary<byte[]> ints = Arbitraries.integers().map(v -> ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(v).array());
        // timevals: SO_RCVTIMEO/SO_SNDTIMEO, any sign, tv_usec in and out of range
        Arbitrary<byte[]> timevals = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((sec, usec) -> ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(sec).putLong(usec)
                        .array());
        return Arbitraries.oneOf(ints, timevals, Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
    }

    @Property
    void sock_getsockopt(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("zero") int level,
            @ForAll("optName") int name, @ForAll("ptr1") int val, @ForAll("ptr4") int lenPtr,
            @ForAll("optLen") int len)
            throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            h.putI32(lenPtr, len);
            int r = h.call("sock_getsockopt", () -> h.host.sockGetOpt(h.m, f, level, name, val, lenPtr),
                    s -> new Ranges().add(val, s.u32(lenPtr, 0)).add(lenPtr, 4));
            if (r == SUCCESS) {
                assertThat(h.m.readInt(lenPtr) & 0xFFFF_FFFFL).as("the size written back").isLessThanOrEqualTo(
                        len & 0xFFFF_FFFFL);
            }
        }
    }

    @Property
    void sock_setsockopt(@ForAll("env") Env env, @ForAll("fd") FdArg fd, @ForAll("zero") int level,
            @ForAll("optName") int name, @ForAll("ptr1") int val, @ForAll("optionValue") byte[] value,
            @ForAll boolean lengthOfValue, @ForAll("optLen") int len) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            h.put(val, value);
            int n = lengthOfValue ? value.length : len;
            h.call("sock_setsockopt", () -> h.host.sockSetOpt(h.m, f, level, name, val, n), s -> new Ranges());
        }
    }

    // ---- getaddrinfo

    /** Where the generated addrinfo chain lives: four slots of 256 bytes, nothing else is put there. */
    static final int CHAIN = 40_960;

    /** One record of a generated chain: where its pointers go (slot-relative when small, else as given). */
    record Rec(int saCap, int canonCap, int next, int sa, int saData, int canon) {}

    record Gai(byte[] node, int nodeLen, int nodePtr, byte[] service, int serviceLen, int servicePtr, byte[] hints,
            int hintsPtr, int resPtr, int first, int max, int resLenPtr, List<Rec> chain) {
        @Override
        public String toString() {
            return "Gai[node=" + java.util.Arrays.toString(node) + " (" + nodeLen + " at " + nodePtr + "), service="
                    + java.util.Arrays.toString(service) + " (" + serviceLen + " at " + servicePtr + "), hints="
                    + java.util.Arrays.toString(java.util.Arrays.copyOf(hints, 5)) + " at " + hintsPtr + ", res="
                    + resPtr + " -> " + first + ", max=" + max + ", res_len=" + resLenPtr + ", chain=" + chain + "]";
        }
    }

    @Provide
    Arbitrary<Gai> gai() {
        Arbitrary<String> names = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of("localhost", "127.0.0.1", "::1")),
                Tuple.of(1, Arbitraries.oneOf(
                Arbitraries.of("", "localhost", "LocalHost", "127.0.0.1", "::1", "10.1.2.3", "0.0.0.0", "::",
                        "example.com", "256.1.1.1", "[::1]", "1.2.3", "fe80::1%eth0"),
                Arbitraries.strings().ofMaxLength(40))));
        Arbitrary<String> services = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of("80", "http", "0", "")),
                Tuple.of(1, Arbitraries.oneOf(
                Arbitraries.of("", "80", "0", "65535", "65536", "http", "https", "no-such", "-1", "٣", "99999999999"),
                Arbitraries.strings().ofMaxLength(12))));
        Arbitrary<Integer> lenMode = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(-100)), // exact, with NUL
                Tuple.of(1, Arbitraries.just(-101)), // without NUL
                Tuple.of(2, FuzzArgs.len()));
        Arbitrary<byte[]> hints = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(0, 1, 2, 4, 8, 3, 0x7F)),
                        Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF))),
                FuzzArgs.choice(0, 1, 2), FuzzArgs.choice(0, 1, 2), FuzzArgs.choice(0, 1, 2),
                Arbitraries.bytes().array(byte[].class).ofSize(28))
                .as((flags, family, socktype, proto, junk) -> {
                    ByteBuffer b = ByteBuffer.wrap(junk).order(ByteOrder.LITTLE_ENDIAN);
                    b.putShort(0, (short) (int) flags).put(2, (byte) (int) family).put(3, (byte) (int) socktype)
                            .put(4, (byte) (int) proto);
                    return junk;
                });
        // Inner pointers: 0 = in the record's own slot (valid), else a bad one (past the end, straddling, negative
        // or misaligned within the slot).
        Arbitrary<Integer> inner = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(MEM, MEM - 4, -4, Integer.MIN_VALUE, 1, 2, 3)));
        Arbitrary<Integer> caps = Arbitraries.of(0, 1, 4, 13, 14, 26, 64, -1, Integer.MAX_VALUE);
        Arbitrary<Integer> next = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(-1)), // the next slot
                Tuple.of(2, Arbitraries.just(0)), // end
                Tuple.of(1, Arbitraries.integers().between(1, 4)), // slot k-1 (a cycle)
                Tuple.of(1, Arbitraries.of(MEM, -8, 5)));
        Arbitrary<Rec> rec = Combinators.combine(caps, Arbitraries.of(0, 1, 5, 10, 64, -1), next, inner, inner, inner)
                .as(Rec::new);
        Arbitrary<Integer> outside = FuzzArgs.ptr(48, 4).map(p -> (p & 0xFFFF_FFFFL) >= CHAIN - 48
                && (p & 0xFFFF_FFFFL) < CHAIN + 1024 ? p - 4096 : p);
        return Combinators.combine(
                Combinators.combine(names, lenMode, outside).as((a, b, c) -> Tuple.of(a, b, c)),
                Combinators.combine(services, lenMode, outside).as((a, b, c) -> Tuple.of(a, b, c)),
                Combinators.combine(hints, outside).as((a, b) -> Tuple.of(a, b)),
                Combinators.combine(outside, inner, Arbitraries.frequencyOf(Tuple.of(8,
                        Arbitraries.integers().between(1, 5)), Tuple.of(1, FuzzArgs.len())), outside)
                        .as((a, b, c, d) -> Tuple.of(a, b, c, d)),
                rec.list().ofMinSize(1).ofMaxSize(4))
                .as((n, s, hi, r, chain) -> {
                    byte[] node = (n.get1() + "\0").getBytes(StandardCharsets.UTF_8);
                    byte[] service = (s.get1() + "\0").getBytes(StandardCharsets.UTF_8);
                    int nodeLen = n.get2() == -100 ? node.length : n.get2() == -101 ? node.length - 1 : n.get2();
                    int serviceLen = s.get2() == -100 ? service.length : s.get2() == -101 ? service.length - 1
                            : s.get2();
                    return new Gai(node, nodeLen, n.get3(), service, serviceLen, s.get3(), hi.get1(), hi.get2(),
                            r.get1(), r.get2(), r.get3(), r.get4(), chain);
                });
    }

    static int slot(int k) {
        return CHAIN + k * 256;
    }

    /** A record's inner pointer: {@code 0} the slot's own area at {@code off}; small values misalign it. */
    static int inner(int k, int v, int off) {
        return v == 0 ? slot(k) + off : v > 0 && v < 4 ? slot(k) + off + v : v;
    }

    @Property
    void sock_getaddrinfo(@ForAll("env") Env env, @ForAll("gai") Gai g) throws IOException {
        try (FuzzHost h = env.open()) {
            h.put(g.nodePtr(), g.node());
            h.put(g.servicePtr(), g.service());
            h.put(g.hintsPtr(), g.hints());
            h.putI32(g.resPtr(), inner(0, g.first(), 0));
            // the chain last: its slots hold nothing else
            List<Rec> chain = g.chain();
            for (int k = 0; k < chain.size(); k++) {
                Rec r = chain.get(k);
                int ai = slot(k);
                int sa = inner(k, r.sa(), 32);
                int next = r.next() == -1 ? (k + 1 < chain.size() ? slot(k + 1) : 0)
                        : r.next() >= 1 && r.next() <= 4 ? slot(Math.max(k - r.next(), 0)) : r.next();
                h.putI32(ai + 12, sa);
                h.putI32(ai + 16, inner(k, r.canon(), 128));
                h.putI32(ai + 20, r.canonCap());
                h.putI32(ai + 24, next);
                if (sa == slot(k) + 32) {
                    h.putI32(sa + 4, r.saCap());
                    h.putI32(sa + 8, inner(k, r.saData(), 64));
                }
            }
            h.call("sock_getaddrinfo",
                    () -> h.host.sockGetAddrinfo(h.m, g.nodePtr(), g.nodeLen(), g.servicePtr(), g.serviceLen(),
                            g.hintsPtr(), g.resPtr(), g.max(), g.resLenPtr()),
                    s -> {
                        Ranges r = new Ranges().add(g.resLenPtr(), 4);
                        // every record reachable from *res: the record, its sockaddr, sa_data (as long as the guest
                        // said) and the canonical name buffer (as long as the guest said)
                        if (s.has(g.resPtr(), 4)) {
                            int ai = s.i32(g.resPtr());
                            for (int hop = 0; hop < 8 && ai != 0 && s.has(ai, 28); hop++) {
                                r.add(ai, 28);
                                int sa = s.i32(ai + 12);
                                if (s.has(sa, 12)) {
                                    r.add(sa, 12);
                                    r.add(s.i32(sa + 8), s.u32(sa + 4, 0));
                                }
                                r.add(s.i32(ai + 16), s.u32(ai + 20, 0));
                                ai = s.i32(ai + 24);
                            }
                        }
                        return r;
                    });
        }
    }

    // ---- poll_oneoff / epoll_oneoff

    /** One subscription: tag 0 clock, 1 FD_READ, 2 FD_WRITE, else invalid. */
    record Sub(long userdata, int tag, FdArg fd, int clockId, long timeout, int clockFlags) {}

    @Provide
    Arbitrary<Sub> sub() {
        Arbitrary<Long> timeouts = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.longs().between(0, 3_000_000)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 62)),
                Tuple.of(1, Arbitraries.longs()));
        return Combinators.combine(Arbitraries.longs(),
                Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(0)), Tuple.of(4, Arbitraries.of(1, 2)),
                        Tuple.of(1, Arbitraries.integers().between(3, 255))),
                FuzzArgs.fd(), Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(0, 1)),
                        Tuple.of(1, Arbitraries.integers())),
                timeouts, Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(0, 1)),
                        Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF))))
                .as(Sub::new);
    }

    @Provide
    Arbitrary<List<Sub>> subs() {
        return sub().list().ofMaxSize(8);
    }

    @Property
    void poll_oneoff_and_epoll_oneoff(@ForAll("env") Env env, @ForAll("subs") List<Sub> subs,
            @ForAll boolean edge, @ForAll("pollIn") int in, @ForAll("pollOut") int out,
            @ForAll("ptr4") int nevents, @ForAll("pollCount") int countMode) throws IOException {
        try (FuzzHost h = env.open()) {
            // the subscriptions, then a guard: a relative monotonic clock of 2 ms, so that no call waits long
            ByteBuffer b = ByteBuffer.allocate(48 * (subs.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < subs.size(); k++) {
                Sub x = subs.get(k);
                int p = 48 * k;
                b.putLong(p, x.userdata()).put(p + 8, (byte) x.tag());
                if (x.tag() == EVENTTYPE_CLOCK) {
                    b.putInt(p + 16, x.clockId()).putLong(p + 24, x.timeout()).putLong(p + 32, 1000)
                            .putShort(p + 40, (short) x.clockFlags());
                } else {
                    b.putInt(p + 16, h.fd(x.fd()));
                }
            }
            int g = 48 * subs.size();
            b.putLong(g, 0xFFFF_FFFFL).put(g + 8, (byte) EVENTTYPE_CLOCK).putInt(g + 16, CLOCK_MONOTONIC)
                    .putLong(g + 24, 2_000_000L);
            h.put(in, b.array());
            int n = countMode >= 0 ? subs.size() + 1 : countMode == -1 ? 0 : countMode;
            long un = n & 0xFFFF_FFFFL;
            // WasmEdge 0.17.1: alignment first (even for no subscription), then memory; never a trap
            boolean misaligned = ((in | out) & 7) != 0 || (nevents & 3) != 0;
            boolean outside = !inside(in, un * 48) || !inside(out, un * 32) || !inside(nevents, 4);
            int r = h.call(edge ? "epoll_oneoff" : "poll_oneoff",
                    () -> edge ? h.host.epollOneoff(h.m, in, out, n, nevents)
                            : h.host.pollOneoff(h.m, in, out, n, nevents),
                    s -> new Ranges().add(out, un * 32).add(nevents, 4));
            if (misaligned) {
                assertThat(r).as("misaligned arrays (in %d, out %d, nevents %d)", in, out, nevents)
                        .isEqualTo(ADDRNOTAVAIL);
            } else if (outside) {
                assertThat(r).as("arrays outside memory (in %d, out %d, nevents %d)", in, out, nevents)
                        .isEqualTo(FAULT);
            }
            if (r == SUCCESS) {
                assertThat(h.m.readInt(nevents) & 0xFFFF_FFFFL).isLessThanOrEqualTo(un);
            }
        }
    }

    static boolean inside(int ptr, long len) {
        return (ptr & 0xFFFF_FFFFL) + len <= MEM;
    }

    @Provide
    Arbitrary<Integer> pollIn() {
        return FuzzArgs.ptr(48 * 9, 8);
    }

    @Provide
    Arbitrary<Integer> pollOut() {
        return FuzzArgs.ptr(32 * 9, 8);
    }

    /** The subscription count: the real one (>= 0), 0 (-1), or anything else (huge, negative). */
    @Provide
    Arbitrary<Integer> pollCount() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)), Tuple.of(1, Arbitraries.just(-1)),
                Tuple.of(1, Arbitraries.of(MEM, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE, -2)));
    }

    // ---- preview 1 calls on sockets

    @Property
    void fd_fdstat_get_set_flags_close_and_renumber(@ForAll("env") Env env, @ForAll("fd") FdArg fd,
            @ForAll("fd") FdArg other, @ForAll("fdstatPtr") int buf, @ForAll("fdflags") int flags,
            @ForAll("fdCall") int which) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            int o = h.fd(other);
            int r = switch (which) {
                case 0 -> h.call("fd_fdstat_get", () -> h.host.fdFdstatGet(h.m, f, buf),
                        s -> new Ranges().add(buf, 24));
                case 1 -> h.call("fd_fdstat_set_flags", () -> h.host.fdFdstatSetFlags(f, flags), s -> new Ranges());
                case 2 -> h.call("fd_close", () -> h.host.fdClose(f), s -> new Ranges());
                default -> h.call("fd_renumber", () -> h.host.fdRenumber(f, o), s -> new Ranges());
            };
            if (which == 2 && r == SUCCESS) {
                assertThat(h.host.isSocket(f)).isFalse();
            }
        }
    }

    @Provide
    Arbitrary<Integer> fdstatPtr() {
        return FuzzArgs.ptr(24, 8);
    }

    @Provide
    Arbitrary<Integer> fdCall() {
        return Arbitraries.integers().between(0, 3);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Exact errnos: one spoiled argument, everything else well-formed

    @Provide
    Arbitrary<ValidCall> withFd() {
        return Arbitraries.of(List.of(ValidCall.values()).stream().filter(ValidCall::takesFd).toList());
    }

    @Provide
    Arbitrary<FdArg> unknownFd() {
        return FuzzArgs.unknownFd();
    }

    /** A descriptor that is no socket gets BADF from every socket function (an event with BADF from poll). */
    @Property
    void unknown_descriptors_get_badf(@ForAll("env") Env env, @ForAll("withFd") ValidCall call,
            @ForAll("unknownFd") FdArg fd) throws IOException {
        try (FuzzHost h = env.open()) {
            int f = h.fd(fd);
            if (call.isPoll() && f >= 0 && f <= 2) {
                return; // Chicory's stdio, which poll_oneoff serves too
            }
            Map<String, Integer> p = call.defaults();
            int r = h.call(call.name(), () -> call.invoke(h, f, p), s -> everything());
            if (call.isPoll()) {
                assertThat(r).isEqualTo(SUCCESS);
                int n = h.m.readInt(ValidCall.NEVENTS);
                boolean found = false;
                for (int k = 0; k < n; k++) {
                    int e = ValidCall.EVENTS + 32 * k;
                    if (h.m.readLong(e) == ValidCall.USERDATA) {
                        assertThat(h.m.readShort(e + 8)).as("event error").isEqualTo((short) BADF);
                        found = true;
                    }
                }
                assertThat(found).as("an event for the unknown descriptor").isTrue();
            } else {
                assertThat(r).as("%s on %s (%d)", call, fd, f).isEqualTo(BADF);
            }
        }
    }

    private static Ranges everything() {
        return new Ranges().add(0, MEM);
    }

    /** Which pointer of which call to spoil, and how. */
    record Spoil(ValidCall call, int which, int how, int by) {}

    @Provide
    Arbitrary<Spoil> spoil() {
        return Arbitraries.of(List.of(ValidCall.values()).stream().filter(c -> !c.pointers().isEmpty()).toList())
                .flatMap(c -> Combinators.combine(Arbitraries.integers().between(0, c.pointers().size() - 1),
                        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1, 1 << 16))
                        .as((w, how, by) -> new Spoil(c, w, how, by)));
    }

    /**
     * A pointer past the end of memory (straddling it, beyond it, or negative as an i32) gives FAULT; a misaligned
     * fd, address, iovec, length or poll_oneoff array pointer gives ADDRNOTAVAIL, and first: WasmEdge checks
     * alignment before memory, so a pointer both misaligned and outside is ADDRNOTAVAIL.
     */
    @Property
    void spoiled_pointers_get_fault_or_addrnotavail(@ForAll("env") Env env, @ForAll("spoil") Spoil sp,
            @ForAll("fd") FdArg fd) throws IOException {
        ValidCall.Ptr ptr = sp.call().pointers().get(sp.which());
        int how = sp.how();
        if (how == 3 && ptr.align() == 1) {
            how = sp.by() % 3; // nothing to misalign
        }
        int bad = switch (how) {
            case 0 -> MEM - ptr.size() + 1 + sp.by() % ptr.size(); // straddles the end
            case 1 -> MEM + sp.by(); // past it
            case 2 -> -sp.by(); // negative as i32 (past 2 GiB unsigned)
            default -> ptr.value() + 1 + sp.by() % (ptr.align() - 1); // misaligned
        };
        int expected = (bad & (ptr.align() - 1)) != 0 ? ADDRNOTAVAIL : FAULT;
        try (FuzzHost h = env.open()) {
            int f = sp.call().takesFd() ? h.fd(fd) : 0;
            Map<String, Integer> p = sp.call().defaults();
            p.put(ptr.name(), bad);
            int r = h.call(sp.call().name(), () -> sp.call().invoke(h, f, p), s -> everything());
            assertThat(r).as("%s with %s = %d (%s)", sp.call(), ptr.name(), bad,
                    how < 3 ? "out of bounds" : "misaligned")
                    .isEqualTo(expected);
        }
    }
}
