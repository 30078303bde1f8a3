package io.mio.wasm;

import io.mio.wasm.FuzzHost.Fd;
import io.mio.wasm.FuzzHost.FdArg;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import static io.mio.wasm.FuzzHost.MEM;

/** Generators of hostile host-function arguments: pointers, lengths, descriptors, iovec arrays, addresses. */
final class FuzzArgs {
    private FuzzArgs() {}

    /**
     * A guest pointer to {@code size} bytes: mostly inside memory and aligned to {@code align}, else misaligned,
     * straddling or past the end of memory, negative as an i32, or any i32.
     */
    static Arbitrary<Integer> ptr(int size, int align) {
        int slots = (MEM - size) / align;
        Arbitrary<Integer> valid = Arbitraries.integers().between(0, slots).map(k -> k * align);
        return Arbitraries.frequencyOf(
                Tuple.of(150, valid),
                Tuple.of(align > 1 ? 3 : 0, valid.flatMap(p -> Arbitraries.integers().between(1, align - 1)
                        .map(d -> Math.min(p + d, MEM - 1)))),
                Tuple.of(2, Arbitraries.integers().between(MEM - size - 4, MEM + 4)),
                Tuple.of(1, Arbitraries.integers().between(MEM, Integer.MAX_VALUE)),
                Tuple.of(1, Arbitraries.of(-1, -2, -4, -8, -size, Integer.MIN_VALUE, Integer.MAX_VALUE, MEM)),
                Tuple.of(1, Arbitraries.integers()));
    }

    /** A length or count: zero, small, about the memory size, or huge and negative as an i32. */
    static Arbitrary<Integer> len() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(8, Arbitraries.integers().between(1, 64)),
                Tuple.of(2, Arbitraries.integers().between(65, MEM)),
                Tuple.of(2, Arbitraries.integers().between(MEM - 8, MEM + 8)),
                Tuple.of(2, Arbitraries.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 31 | 4, 0x1_0000_000)),
                Tuple.of(1, Arbitraries.integers()));
    }

    /** A descriptor: mostly the harness's sockets in their various states, else one that is no socket. */
    static Arbitrary<FdArg> fd() {
        Arbitrary<Fd> kinds = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(List.of(Fd.values()).stream().filter(f -> !f.unknown()).toList())),
                Tuple.of(1, Arbitraries.of(List.of(Fd.values()).stream().filter(Fd::unknown).toList())));
        return Combinators.combine(kinds, Arbitraries.integers()).as(FdArg::new);
    }

    /** Descriptors that are no socket of the host: closed, Chicory's, never used, negative. */
    static Arbitrary<FdArg> unknownFd() {
        return Combinators.combine(Arbitraries.of(List.of(Fd.values()).stream().filter(Fd::unknown).toList()),
                Arbitraries.integers()).as(FdArg::new);
    }

    /** An i32 flag, enum or option argument: mostly one of the {@code good} values, else small or any i32. */
    static Arbitrary<Integer> choice(Integer... good) {
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(good)),
                Tuple.of(2, Arbitraries.integers().between(-1, 20)), Tuple.of(1, Arbitraries.integers()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // iovec arrays

    record Iov(int buf, int len) {}

    /** An iovec array at {@code ptr} with {@code count} entries, of which {@code entries} are written. */
    record Iovs(int ptr, int count, List<Iov> entries) {
        void writeTo(FuzzHost h) {
            for (int k = 0; k < entries.size(); k++) {
                long p = (ptr & 0xFFFF_FFFFL) + k * 8L;
                h.putI32(p, entries.get(k).buf());
                h.putI32(p + 4, entries.get(k).len());
            }
        }
    }

    static Arbitrary<Iov> iov() {
        Arbitrary<Iov> fits = Arbitraries.integers().between(0, MEM - 1).flatMap(b ->
                Arbitraries.integers().between(0, Math.min(MEM - b, 2048)).map(l -> new Iov(b, l)));
        return Arbitraries.frequencyOf(Tuple.of(20, fits),
                Tuple.of(1, Combinators.combine(ptr(1, 1), len()).as(Iov::new)));
    }

    static Arbitrary<Iovs> iovs() {
        return Combinators.combine(ptr(8, 4), iov().list().ofMaxSize(6), Arbitraries.integers().between(0, 9))
                .flatAs((p, es, mode) -> {
                    Arbitrary<Integer> count = switch (mode) {
                        case 0 -> Arbitraries.of(0, SocketHost.IOV_MAX, SocketHost.IOV_MAX + 1, -1, Integer.MAX_VALUE);
                        case 1 -> len();
                        default -> Arbitraries.just(es.size());
                    };
                    return count.map(c -> new Iovs(p, c, es));
                });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Addresses

    enum Ip { LOOPBACK4, LOOPBACK6, ANY4, ANY6, MAPPED_LOOPBACK, RANDOM4, RANDOM6 }

    /**
     * A {@code __wasi_address_t} at {@code ptr} pointing at {@code buf}, {@code bufLen} long (the V1 lengths 4
     * and 16, V2's 128, or any), holding {@code ip} (at +2 after the u16 {@code family} in a 128-byte storage);
     * {@code port} is the separate port argument, {@code ownPort} asks for the harness's own port instead.
     */
    record Addr(int ptr, int buf, int bufLen, int family, Ip ip, byte[] random, int port, boolean ownPort) {
        byte[] ipBytes() {
            return switch (ip) {
                case LOOPBACK4 -> new byte[] {127, 0, 0, 1};
                case LOOPBACK6 -> v6(1);
                case ANY4 -> new byte[4];
                case ANY6 -> new byte[16];
                case MAPPED_LOOPBACK -> new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1};
                case RANDOM4 -> java.util.Arrays.copyOf(random, 4);
                case RANDOM6 -> java.util.Arrays.copyOf(random, 16);
            };
        }

        private static byte[] v6(int last) {
            byte[] b = new byte[16];
            b[15] = (byte) last;
            return b;
        }

        /** The same with another buffer length. */
        Addr withBufLen(int len) {
            return new Addr(ptr, buf, len, family, ip, random, port, ownPort);
        }

        void writeTo(FuzzHost h) {
            h.putI32(ptr & 0xFFFF_FFFFL, buf);
            h.putI32((ptr & 0xFFFF_FFFFL) + 4, bufLen);
            byte[] ipb = ipBytes();
            if (bufLen == 128) {
                h.put(buf, new byte[] {(byte) family, (byte) (family >> 8)});
                h.put((buf & 0xFFFF_FFFFL) + 2, ipb);
            } else {
                h.put(buf, ipb);
            }
        }

        /** The address the host will read, if it reads a valid one. */
        InetAddress decoded() {
            byte[] ipb = ipBytes();
            int n = bufLen == 128 ? (family == 1 ? 4 : family == 2 ? 16 : -1) : bufLen;
            if (n != 4 && n != 16) {
                return null;
            }
            try {
                return InetAddress.getByAddress(java.util.Arrays.copyOf(ipb, n));
            } catch (UnknownHostException e) {
                return null;
            }
        }

        /**
         * The port argument: the fuzzed one unless the sandbox would let the call reach a real loopback port,
         * where it is the harness's own (or 0): the fuzzer must not connect to other programs' ports.
         */
        int port(FuzzHost h, boolean udp, boolean bind) {
            InetAddress a = decoded();
            int p = port & 0xFFFF;
            if (a == null) {
                return port;
            }
            InetSocketAddress target = new InetSocketAddress(a, p);
            boolean allowed = bind ? h.policy.allowsBind(target) : h.policy.allowsConnect(target);
            if (!allowed) {
                return port;
            }
            return ownPort && !bind ? h.ownPort(udp) : 0;
        }
    }

    static Arbitrary<Addr> addr() {
        Arbitrary<Integer> bufLen = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(4)),
                Tuple.of(3, Arbitraries.just(16)), Tuple.of(3, Arbitraries.just(128)),
                Tuple.of(1, Arbitraries.of(0, 7, 8, 127, 129, -1)), Tuple.of(1, len()));
        Arbitrary<Integer> family = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(1, 2)),
                Tuple.of(1, Arbitraries.of(0, 3, 4, 0xFFFF)));
        Arbitrary<Integer> port = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(0, 65535)),
                Tuple.of(1, Arbitraries.integers()));
        return Combinators.combine(ptr(8, 4), ptr(128, 1), bufLen, family, Arbitraries.of(Ip.class),
                Arbitraries.bytes().array(byte[].class).ofSize(16), port, Arbitraries.integers().between(0, 3))
                .as((p, b, l, f, ip, rnd, pt, own) -> new Addr(p, b, l, f, ip, rnd, pt, own != 0));
    }
}
