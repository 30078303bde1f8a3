package io.mio.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import io.mio.wasm.HostCallSequenceFuzzTest.Run;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.mio.wasm.SocketHost.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A guest blocked in a host call for as long as it asked (a blocking socket without timeout, a poll without
 * clock, a clock of an hour) when the host is closed, as when the guest is stopped: the call must end at once
 * (it traps), and no socket or epoll descriptor may stay open.
 */
class HostCloseFuzzTest {
    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");

    static {
        JQWIK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** Calls that wait for as long as the guest said: forever, or an hour. */
    enum Blocker {
        ACCEPT, RECV_STREAM, SEND_STREAM_UNTIL_FULL, RECV_FROM_UDP, FD_READ_STREAM, POLL_SOCKET, EPOLL_SOCKET,
        POLL_CLOCK_HOUR, POLL_SOCKET_AND_CLOCK_HOUR
    }

    @Provide
    Arbitrary<Integer> delay() {
        return Arbitraries.integers().between(0, 40);
    }

    @Property(tries = 60)
    void closing_the_host_ends_a_blocked_call_and_frees_every_descriptor(@ForAll Blocker blocker,
            @ForAll("delay") int delayMillis, @ForAll long seed) throws Exception {
        try (Run run = new Run(true, seed)) {
            FuzzHost h = run.h;
            int listener = run.seen.get(0);
            int udp = run.seen.get(1);
            // a connected pair: client (connect) and server (accept), both blocking
            int client = open(h);
            h.m.write(32, new byte[] {127, 0, 0, 1});
            h.m.writeI32(16, 32);
            h.m.writeI32(20, 4);
            assertThat(h.host.sockConnect(h.m, client, 16, h.localPortOf(listener), false)).isZero();
            assertThat(h.host.sockAccept(h.m, listener, 0, 0, false)).isZero();
            int server = h.m.readInt(0);
            for (int fd : new int[] {listener, udp, client, server}) {
                noTimeouts(h, fd);
            }
            HostFunction fn;
            long[] args;
            switch (blocker) {
                case ACCEPT -> {
                    fn = run.fns.get("sock_accept");
                    args = new long[] {listener, 0};
                }
                case RECV_STREAM, FD_READ_STREAM -> {
                    h.m.writeI32(64, 4096);
                    h.m.writeI32(68, 1024);
                    fn = run.fns.get(blocker == Blocker.RECV_STREAM ? "sock_recv" : "fd_read");
                    args = blocker == Blocker.RECV_STREAM ? new long[] {server, 64, 1, 0, 80, 84}
                            : new long[] {server, 64, 1, 80};
                }
                case SEND_STREAM_UNTIL_FULL -> { // 64 MiB (1024 iovecs over the same 64 KiB): the peer reads none
                    for (int k = 0; k < IOV_MAX; k++) {
                        h.m.writeI32(8192 + 8 * k, 0);
                        h.m.writeI32(8192 + 8 * k + 4, FuzzHost.MEM);
                    }
                    fn = run.fns.get("sock_send");
                    args = new long[] {client, 8192, IOV_MAX, 0, 80};
                }
                case RECV_FROM_UDP -> {
                    h.m.writeI32(64, 4096);
                    h.m.writeI32(68, 1024);
                    h.m.writeI32(96, 128);
                    h.m.writeI32(100, 16);
                    fn = run.fns.get("sock_recv_from");
                    args = new long[] {udp, 64, 1, 96, 0, 80, 84};
                }
                default -> {
                    ByteBuffer b = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
                    int n = 0;
                    if (blocker != Blocker.POLL_CLOCK_HOUR) {
                        b.putLong(0, 1).put(8, (byte) EVENTTYPE_FD_READ)
                                .putInt(16, blocker == Blocker.EPOLL_SOCKET ? udp : listener);
                        n++;
                    }
                    if (blocker == Blocker.POLL_CLOCK_HOUR || blocker == Blocker.POLL_SOCKET_AND_CLOCK_HOUR) {
                        int p = 48 * n;
                        b.putLong(p, 2).put(p + 8, (byte) EVENTTYPE_CLOCK).putInt(p + 16, CLOCK_MONOTONIC)
                                .putLong(p + 24, TimeUnit.HOURS.toNanos(1));
                        n++;
                    }
                    h.m.write(4096, b.array());
                    fn = run.fns.get(blocker == Blocker.EPOLL_SOCKET ? "epoll_oneoff" : "poll_oneoff");
                    args = new long[] {4096, 8192, n, 80};
                }
            }
            Future<Integer> call = FuzzHost.start(() -> (int) fn.handle().apply(run.inst, args)[0]);
            Thread.sleep(delayMillis);
            assertThat(call.isDone()).as("%s is still waiting", blocker).isFalse();
            h.host.close(); // from another thread, as when the guest is stopped
            try {
                call.get(2, TimeUnit.SECONDS);
                fail("%s returned after the host was closed instead of trapping", blocker);
            } catch (TimeoutException e) {
                call.cancel(true);
                fail("%s still blocked 2 s after SocketHost.close", blocker);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).as("%s after close", blocker).isInstanceOf(WasmRuntimeException.class);
            }
        } // Run.close: no socket or epoll descriptor left
    }

    private static int open(FuzzHost h) {
        assertThat(h.host.sockOpen(h.m, 1, 2, 0)).isZero();
        return h.m.readInt(0);
    }

    /** SO_RCVTIMEO and SO_SNDTIMEO 0/0: wait without limit, and blocking mode. */
    private static void noTimeouts(FuzzHost h, int fd) {
        h.m.write(200, new byte[16]);
        assertThat(h.host.sockSetOpt(h.m, fd, 0, SO_RCVTIMEO, 200, 16)).isZero();
        assertThat(h.host.sockSetOpt(h.m, fd, 0, SO_SNDTIMEO, 200, 16)).isZero();
        assertThat(h.host.fdFdstatSetFlags(fd, 0)).isZero();
    }
}
