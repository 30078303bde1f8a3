package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain examples of the host-function bugs HostFunctionFuzzTest and HostCallSequenceFuzzTest found. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HostRobustnessRegressionTest {

    /** One addrinfo record at 8192 with its sockaddr at 9000, sa_data at 9500 and canonname at 10000. */
    static void record(HostFixture f, int saDataLen, int canonLen) {
        f.m.write(8192, new byte[28]);
        f.m.writeI32(8192 + 12, 9000);
        f.m.writeI32(8192 + 16, 10000);
        f.m.writeI32(8192 + 20, canonLen);
        f.m.write(9000, new byte[12]);
        f.m.writeI32(9000 + 4, saDataLen);
        f.m.writeI32(9000 + 8, 9500);
        f.m.writeI32(8100, 8192);
    }

    static int gai(HostFixture f, int flags) {
        f.m.write(7000, "localhost\0".getBytes());
        f.m.write(7500, "80\0".getBytes());
        f.m.write(8000, new byte[28]);
        f.m.writeShort(8000, (short) flags);
        f.m.write(8002, new byte[] {1, 2, 1});
        return f.host.sockGetAddrinfo(f.m, 7000, 10, 7500, 3, 8000, 8100, 1, 8104);
    }

    @Test
    void getaddrinfo_writes_nothing_into_a_zero_length_sa_data() throws Exception {
        try (HostFixture f = new HostFixture()) {
            record(f, 0, 0);
            byte[] marks = new byte[32];
            Arrays.fill(marks, (byte) 0x5A);
            f.m.write(9500, marks);
            assertThat(gai(f, 0)).isEqualTo(SUCCESS);
            assertThat(f.m.readInt(8104)).isEqualTo(1);
            assertThat(f.m.readBytes(9500, 32)).as("a 0-byte sa_data is left alone").isEqualTo(marks);
            assertThat(f.m.readInt(9000 + 4)).as("sa_data_len tells the size the address needs").isEqualTo(14);

            record(f, 4, 0);
            f.m.write(9500, marks);
            assertThat(gai(f, 0)).isEqualTo(SUCCESS);
            assertThat(f.m.readBytes(9500, 6)).as("only the 4 bytes there is room for")
                    .containsExactly(0, 80, 127, 0, 0x5A, 0x5A);
        }
    }

    @Test
    void getaddrinfo_fills_each_record_of_a_cyclic_chain_once() throws Exception {
        try (HostFixture f = new HostFixture()) {
            record(f, 0, 0);
            f.m.writeI32(8192 + 24, 8192); // ai_next points back at the record itself
            byte[] marks = new byte[32];
            Arrays.fill(marks, (byte) 0x5A);
            f.m.write(9500, marks);
            f.m.write(7000, "localhost\0".getBytes());
            f.m.write(7500, "80\0".getBytes());
            f.m.write(8000, new byte[28]); // any family, socktype and protocol: up to 4 results
            assertThat(f.host.sockGetAddrinfo(f.m, 7000, 10, 7500, 3, 8000, 8100, 4, 8104)).isEqualTo(SUCCESS);
            assertThat(f.m.readInt(8104)).as("one record, one result").isEqualTo(1);
            assertThat(f.m.readBytes(9500, 32)).as("its 0-byte sa_data stays untouched on a second lap")
                    .isEqualTo(marks);
        }
    }

    @Test
    void getaddrinfo_writes_no_canonname_into_a_zero_length_buffer() throws Exception {
        try (HostFixture f = new HostFixture()) {
            record(f, 14, 0);
            f.m.write(10000, new byte[] {0x5A, 0x5A});
            assertThat(gai(f, AI_CANONNAME)).isEqualTo(SUCCESS);
            assertThat(f.m.readBytes(10000, 2)).as("not even the NUL").containsExactly(0x5A, 0x5A);
            assertThat(f.m.readInt(8192 + 20)).isZero();

            record(f, 14, 4);
            f.m.write(10000, new byte[] {0x5A, 0x5A, 0x5A, 0x5A, 0x5A});
            assertThat(gai(f, AI_CANONNAME)).isEqualTo(SUCCESS);
            assertThat(f.m.readBytes(10000, 5)).as("cut to 3 bytes and the NUL")
                    .containsExactly('l', 'o', 'c', 0, 0x5A);
            assertThat(f.m.readInt(8192 + 20)).isEqualTo(3);
        }
    }

    /** A SocketHost on a 16 MiB memory of 'a's (no NUL), for the calls that must not copy what a length says. */
    static final class BigMemory implements AutoCloseable {
        final com.dylibso.chicory.runtime.Memory m = new com.dylibso.chicory.runtime.ByteArrayMemory(
                new com.dylibso.chicory.wasm.types.MemoryLimits(256, 256));
        final com.dylibso.chicory.wasi.WasiPreview1 wasi = com.dylibso.chicory.wasi.WasiPreview1.builder().build();
        final SocketHost host;
        final int size = 256 * com.dylibso.chicory.runtime.Memory.PAGE_SIZE;

        BigMemory() throws Exception {
            host = new SocketHost(wasi, NetPolicy.allowAll());
            byte[] a = new byte[size - 4096];
            Arrays.fill(a, (byte) 'a');
            m.write(4096, a);
        }

        @Override
        public void close() {
            host.close();
            wasi.close();
        }
    }

    @Test
    void setsockopt_reads_no_more_of_the_value_than_an_option_holds() throws Exception {
        try (BigMemory b = new BigMemory()) {
            assertThat(b.host.sockOpen(b.m, 1, 2, 0)).isZero();
            int fd = b.m.readInt(0);
            long before = ThreadAllocation.bytes();
            assertThat(b.host.sockSetOpt(b.m, fd, 0, SO_KEEPALIVE, 4096, b.size - 4096)).isEqualTo(SUCCESS);
            assertThat(ThreadAllocation.bytes() - before).as("bytes allocated for a 16 MiB value")
                    .isLessThan(1 << 20);
            b.m.writeI32(16, 4);
            assertThat(b.host.sockGetOpt(b.m, fd, 0, SO_KEEPALIVE, 32, 16)).isEqualTo(SUCCESS);
            assertThat(b.m.readInt(32)).as("'aaaa' is on").isNotZero();
        }
    }

    @Test
    void getaddrinfo_reads_no_more_of_a_name_than_a_name_can_hold() throws Exception {
        try (BigMemory b = new BigMemory()) {
            b.m.write(0, new byte[64]); // hints: any
            b.m.write(64, "80\0".getBytes());
            long before = ThreadAllocation.bytes();
            assertThat(b.host.sockGetAddrinfo(b.m, 4096, b.size - 4096, 64, 3, 0, 100, 1, 104))
                    .as("a node name of 16 MiB").isEqualTo(AINONAME);
            assertThat(b.host.sockGetAddrinfo(b.m, 128, 0, 4096, b.size - 4096, 0, 100, 1, 104))
                    .as("a service name of 16 MiB").isEqualTo(AISERVICE);
            assertThat(ThreadAllocation.bytes() - before).as("bytes allocated").isLessThan(1 << 20);
        }
    }

    @Test
    void poll_oneoff_takes_no_more_subscriptions_than_its_limit() throws Exception {
        try (BigMemory b = new BigMemory()) {
            int n = MAX_SUBSCRIPTIONS + 1; // 3 MiB of subscriptions (of 'a's: an invalid tag), events after them
            long before = ThreadAllocation.bytes();
            assertThat(b.host.pollOneoff(b.m, 4096, 4096 + 48 * n, n, 0)).isEqualTo(INVAL);
            assertThat(b.host.epollOneoff(b.m, 4096, 4096 + 48 * n, n, 0)).isEqualTo(INVAL);
            assertThat(ThreadAllocation.bytes() - before).as("bytes allocated").isLessThan(1 << 20);

            // the limit itself is fine: all relative REALTIME clocks of 0 ns, which fire at once
            n = MAX_SUBSCRIPTIONS;
            b.m.write(4096, new byte[48 * n]);
            assertThat(b.host.pollOneoff(b.m, 4096, 4096 + 48 * n, n, 0)).isEqualTo(SUCCESS);
            assertThat(b.m.readInt(0)).isEqualTo(n);
        }
    }

    @Test
    void closing_the_host_wakes_a_guest_sleeping_in_poll_oneoff_on_a_clock() throws Exception {
        try (HostCallSequenceFuzzTest.Run run = new HostCallSequenceFuzzTest.Run(false, 1)) {
            FuzzHost h = run.h;
            h.m.write(4096, new byte[48]);
            h.m.writeLong(4096, 7);
            h.m.writeByte(4096 + 8, (byte) EVENTTYPE_CLOCK);
            h.m.writeI32(4096 + 16, CLOCK_MONOTONIC);
            h.m.writeLong(4096 + 24, java.util.concurrent.TimeUnit.HOURS.toNanos(1));
            var poll = run.fns.get("poll_oneoff");
            var call = FuzzHost.start(() -> (int) poll.handle().apply(run.inst, 4096, 8192, 1, 0)[0]);
            Thread.sleep(50);
            assertThat(call.isDone()).as("sleeping for its hour").isFalse();
            h.host.close();
            assertThatThrownBy(() -> call.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the guest traps at once").isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(com.dylibso.chicory.runtime.WasmRuntimeException.class);
        }
    }

    @Test
    void a_preview1_call_on_a_socket_fd_after_close_traps_instead_of_reaching_chicory() throws Exception {
        // HostCloseFuzzTest's race, made certain: the host is closed before the guest's fd_read starts
        try (HostCallSequenceFuzzTest.Run run = new HostCallSequenceFuzzTest.Run(false, 1)) {
            int fd = run.seen.get(0);
            run.h.host.close();
            for (String name : new String[] {"fd_read", "fd_write", "fd_fdstat_get", "fd_close"}) {
                var fn = run.fns.get(name);
                long[] args = name.equals("fd_read") || name.equals("fd_write") ? new long[] {fd, 64, 1, 80}
                        : name.equals("fd_fdstat_get") ? new long[] {fd, 64} : new long[] {fd};
                assertThatThrownBy(() -> fn.handle().apply(run.inst, args)).as(name + " after close")
                        .isInstanceOf(com.dylibso.chicory.runtime.WasmRuntimeException.class);
            }
        }
    }
}
