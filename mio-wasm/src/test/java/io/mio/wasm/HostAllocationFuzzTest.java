package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.Arrays;
import java.util.logging.Level;

import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lengths and counts a guest passes must not decide how much the host allocates: a guest with a big memory
 * (up to 4 GiB) could otherwise have the host copy that much (a setsockopt value, getaddrinfo's node and service)
 * or size its arrays by a subscription count, and run the JVM out of heap. On a 32 MiB memory, no call may
 * allocate more than {@link #MAX_ALLOCATION}, whatever length it is given (the lengths are valid: the ranges
 * lie inside memory). The memory holds no NUL byte beyond the first 8 KiB, so strings run as long as they are
 * said to be.
 */
class HostAllocationFuzzTest {
    static final int PAGES = 512;
    static final int MEM = PAGES * Memory.PAGE_SIZE;
    /**
     * The bound: poll_oneoff's per-subscription scratch (about 50 bytes each) for at most
     * SocketHost.MAX_SUBSCRIPTIONS subscriptions stays below it; a call that sized anything by the guest's lengths
     * (up to 32 MiB here) would not.
     */
    static final long MAX_ALLOCATION = 4L << 20;
    /** Output pointers and small structures live below this; the rest of memory is 'a's. */
    static final int LOW = 16384;
    /** Where recv's iovec array (1024 entries) ends: nread, roflags, an address and the first buffer follow. */
    static final int IOVS_END = 8 * IOV_MAX;

    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");
    private static Memory m;
    private static WasiPreview1 wasi;
    private static SocketHost host;
    private static Level logLevel;
    private static int tcp;
    private static int stream;
    private static int udp;

    @BeforeContainer
    static void open() throws Exception {
        JQWIK_LOG.setLevel(Level.WARNING);
        logLevel = NetPolicy.LOG.getLevel();
        NetPolicy.LOG.setLevel(Level.OFF);
        m = new SegmentMemory(new MemoryLimits(PAGES, PAGES));
        wasi = WasiPreview1.builder().build();
        host = new SocketHost(wasi, FuzzHost.loopbackPolicy()); // no DNS: lookups of names are refused
        tcp = openSocket(2);
        udp = openSocket(1);
        // a connected pair, non-blocking, a few bytes to read on one side
        int listener = openSocket(2);
        address();
        assertThat(host.sockBind(m, listener, 16, 0, false)).isZero();
        assertThat(host.sockListen(listener, 4)).isZero();
        m.writeI32(16, 32);
        m.writeI32(20, 16);
        assertThat(host.sockGetAddr(m, listener, 16, 64, 68, true, false)).isZero();
        int port = m.readInt(68);
        int client = openSocket(2);
        address();
        assertThat(host.sockConnect(m, client, 16, port, false)).isIn(SUCCESS, INPROGRESS);
        int r = AGAIN;
        for (int k = 0; k < 1000 && r == AGAIN; k++) {
            r = host.sockAccept(m, listener, 0, 0, false);
        }
        assertThat(r).isZero();
        stream = m.readInt(0);
        assertThat(host.fdFdstatSetFlags(stream, FDFLAGS_NONBLOCK)).isZero();
        m.writeI32(100, 200);
        m.writeI32(104, 7);
        assertThat(host.sockSend(m, client, 100, 1, 0, 108)).isZero();
        byte[] a = new byte[MEM - LOW];
        Arrays.fill(a, (byte) 'a');
        m.write(LOW, a);
    }

    private static void address() {
        m.write(32, new byte[] {127, 0, 0, 1});
        m.writeI32(16, 32);
        m.writeI32(20, 4);
    }

    private static int openSocket(int type) {
        assertThat(host.sockOpen(m, 1, type, 0)).isZero();
        int fd = m.readInt(0);
        assertThat(host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK)).isZero();
        return fd;
    }

    @AfterContainer
    static void close() {
        host.close();
        wasi.close();
        NetPolicy.LOG.setLevel(logLevel);
    }

    enum Call { SETSOCKOPT, GETSOCKOPT, GETADDRINFO_NODE, GETADDRINFO_SERVICE, POLL_ONEOFF, EPOLL_ONEOFF, SOCK_RECV,
        FD_READ, SOCK_RECV_FROM }

    /** A length: small, around a MiB, or up to all of memory. */
    @Provide
    Arbitrary<Integer> length() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(0, 4096)),
                Tuple.of(2, Arbitraries.integers().between(4097, 2 << 20)),
                Tuple.of(3, Arbitraries.integers().between(2 << 20, MEM - LOW)));
    }

    @Example
    void poll_oneoff_growing_its_scratch_to_the_most_subscriptions_stays_within_the_bound() {
        int n = SocketHost.MAX_SUBSCRIPTIONS;
        host.pollOneoff(m, LOW, LOW + (n * 5 / 8) * 48, n * 5 / 8, 0); // scratch for 5/8 of the most, kept
        long before = ThreadAllocation.bytes();
        int r = host.pollOneoff(m, LOW, LOW + n * 48, n, 0); // doubling would pass the most a call may subscribe
        long allocated = ThreadAllocation.bytes() - before;
        assertThat(r).isEqualTo(SUCCESS); // the subscriptions are 'a's: an invalid tag each, an INVAL event each
        assertThat(allocated).as("bytes allocated by a poll_oneoff of %d subscriptions", n)
                .isLessThanOrEqualTo(MAX_ALLOCATION);
    }

    @Property
    void no_call_allocates_in_proportion_to_a_length_it_is_given(@ForAll Call call, @ForAll("length") int length,
            @ForAll("name") int name) {
        long before = ThreadAllocation.bytes();
        int r = switch (call) {
            case SETSOCKOPT -> host.sockSetOpt(m, tcp, 0, name, LOW, length);
            case GETSOCKOPT -> {
                m.writeI32(0, length);
                yield host.sockGetOpt(m, tcp, 0, name, LOW - 16, 0); // writes at most 16 bytes
            }
            case GETADDRINFO_NODE, GETADDRINFO_SERVICE -> {
                // hints at 64 (zeros), *res at 96 -> a record at 128 (sockaddr at 160, sa_data at 192), res_len at 100
                m.write(64, new byte[28]);
                m.write(128, new byte[80]);
                m.writeI32(96, 128);
                m.writeI32(128 + 12, 160);
                m.writeI32(160 + 4, 26);
                m.writeI32(160 + 8, 192);
                m.write(240, "80\0localhost\0".getBytes());
                yield call == Call.GETADDRINFO_NODE ? host.sockGetAddrinfo(m, LOW, length, 240, 3, 64, 96, 1, 100)
                        : host.sockGetAddrinfo(m, 243, 10, LOW, length, 64, 96, 1, 100);
            }
            case POLL_ONEOFF, EPOLL_ONEOFF -> {
                // subscriptions of 'a's (an invalid tag: INVAL once read), events after them
                int n = Math.max(1, length / 80);
                yield call == Call.POLL_ONEOFF ? host.pollOneoff(m, LOW, LOW + n * 48, n, 0)
                        : host.epollOneoff(m, LOW, LOW + n * 48, n, 0);
            }
            case SOCK_RECV, FD_READ, SOCK_RECV_FROM -> {
                // 1024 iovecs: 64 bytes below LOW, where what arrives lands, then 1023 over the 'a's
                iovecs(length);
                yield switch (call) {
                    case SOCK_RECV -> host.sockRecv(m, stream, 0, IOV_MAX, 0, IOVS_END, IOVS_END + 4);
                    case FD_READ -> host.fdRead(m, stream, 0, IOV_MAX, IOVS_END);
                    default -> {
                        m.writeI32(IOVS_END + 16, IOVS_END + 32);
                        m.writeI32(IOVS_END + 20, 16);
                        yield host.sockRecvFrom(m, udp, 0, IOV_MAX, IOVS_END + 16, 0, 0, IOVS_END, IOVS_END + 4,
                                false);
                    }
                };
            }
        };
        long allocated = ThreadAllocation.bytes() - before;
        assertThat(r).as("%s returns a WASI errno", call).isBetween(0, FuzzHost.MAX_ERRNO);
        assertThat(allocated).as("bytes %s(length %d) allocated (errno %d)", call, length, r)
                .isLessThanOrEqualTo(MAX_ALLOCATION);
    }

    /** 1024 iovecs: the first 64 bytes below {@link #LOW}, the others {@code length} bytes of 'a's. */
    private static void iovecs(int length) {
        m.writeI32(0, LOW - 4096);
        m.writeI32(4, 64);
        for (int k = 1; k < IOV_MAX; k++) {
            m.writeI32(8 * k, LOW);
            m.writeI32(8 * k + 4, Math.min(length, MEM - LOW));
        }
    }

    @Provide
    Arbitrary<Integer> name() {
        return Arbitraries.integers().between(0, 14);
    }
}
