package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a {@link SegmentMemory} ({@code -Dio.mio.wasm.memory=segment}) stream and datagram I/O move bytes between the kernel
 * and guest memory with no copy through a host buffer ({@link Iovecs#copiedBytes} stays 0); on Chicory's
 * ByteArrayMemory the same calls copy every byte (the counter counts). And the hot calls allocate nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@SuppressWarnings("try")
class ZeroCopyTest {
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    /** recv 3000 bytes into one iovec, then into three; send 3000 from one iovec, then from two. */
    private static long streamRoundTrips(HostFixture f) throws Exception {
        int lfd = f.listener();
        try (Socket c = SocketHostTest.connect(f.localPort(lfd))) {
            assertThat(f.accept(lfd)).isEqualTo(0);
            int fd = f.m.readInt(FD_PTR);
            byte[] data = pattern(3000);
            c.getOutputStream().write(data);
            assertThat(f.recv(fd, 3000, RIFLAGS_WAITALL)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(data);

            c.getOutputStream().write(data);
            int[][] iovs = {{DATA, 1000}, {DATA + 5000, 0}, {DATA + 6000, 1500}, {DATA + 9000, 500}};
            for (int k = 0; k < iovs.length; k++) {
                f.m.writeI32(IOV + 8 * k, iovs[k][0]);
                f.m.writeI32(IOV + 8 * k + 4, iovs[k][1]);
            }
            assertThat(f.host.sockRecv(f.m, fd, IOV, 4, RIFLAGS_WAITALL, LEN_PTR, FLAGS_PTR)).isEqualTo(0);
            assertThat(f.m.readInt(LEN_PTR)).isEqualTo(3000);
            assertThat(f.m.readBytes(DATA, 1000)).isEqualTo(Arrays.copyOfRange(data, 0, 1000));
            assertThat(f.m.readBytes(DATA + 6000, 1500)).isEqualTo(Arrays.copyOfRange(data, 1000, 2500));
            assertThat(f.m.readBytes(DATA + 9000, 500)).isEqualTo(Arrays.copyOfRange(data, 2500, 3000));

            assertThat(f.send(fd, data)).isEqualTo(0);
            assertThat(f.sent()).isEqualTo(3000);
            assertThat(c.getInputStream().readNBytes(3000)).isEqualTo(data);
            f.m.writeI32(IOV, DATA + 100);
            f.m.writeI32(IOV + 4, 1000);
            f.m.writeI32(IOV + 8, DATA + 5000);
            f.m.writeI32(IOV + 12, 2000);
            f.m.write(DATA + 100, Arrays.copyOfRange(data, 0, 1000));
            f.m.write(DATA + 5000, Arrays.copyOfRange(data, 1000, 3000));
            assertThat(f.host.sockSend(f.m, fd, IOV, 2, 0, LEN_PTR)).isEqualTo(0);
            assertThat(f.sent()).isEqualTo(3000);
            assertThat(c.getInputStream().readNBytes(3000)).isEqualTo(data);
        }
        return f.host.iovs.copiedBytes;
    }

    @Test
    void stream_io_on_a_segment_memory_copies_nothing() throws Exception {
        try (HostFixture f = new HostFixture(new SegmentMemory(new MemoryLimits(1, 1)))) {
            assertThat(streamRoundTrips(f)).as("bytes copied through the host's buffer").isZero();
        }
    }

    @Test
    void stream_io_on_a_byte_array_memory_copies_every_byte() throws Exception {
        try (HostFixture f = new HostFixture(new ByteArrayMemory(new MemoryLimits(1, 1)))) {
            assertThat(streamRoundTrips(f)).as("bytes copied through the host's buffer").isEqualTo(4 * 3000);
        }
    }

    @Test
    void a_datagram_lands_in_guest_memory_when_it_cannot_be_cut_short() throws Exception {
        Memory mem = new SegmentMemory(new MemoryLimits(3, 3));
        try (HostFixture f = new HostFixture(mem); DatagramSocket peer = new DatagramSocket(0,
                InetAddress.getLoopbackAddress())) {
            int fd = UdpHostTest.openUdp(f, GuestSocket.AF_INET4);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isEqualTo(0);
            int port = UdpHostTest.boundPort(f, fd);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            byte[] data = pattern(1200);
            peer.send(new DatagramPacket(data, data.length, to));
            assertThat(UdpHostTest.recvFrom(f, fd, 65536, 16, true)).isEqualTo(0);
            assertThat(f.received()).isEqualTo(data);
            assertThat(f.m.readShort(FLAGS_PTR)).isZero();
            assertThat(f.host.iovs.copiedBytes).as("a 64 KiB iovec: received in place").isZero();

            peer.send(new DatagramPacket(data, data.length, to));
            assertThat(UdpHostTest.recvFrom(f, fd, 100, 16, true)).isEqualTo(0);
            assertThat(f.m.readShort(FLAGS_PTR)).as("cut short").isEqualTo((short) ROFLAGS_TRUNCATED);
            assertThat(f.received()).isEqualTo(Arrays.copyOf(data, 100));
            assertThat(f.host.iovs.copiedBytes).as("a small iovec: through the host's buffer").isEqualTo(100);

            f.addr(loopback());
            assertThat(UdpHostTest.sendTo(f, fd, data, peer.getLocalPort(), false)).isEqualTo(0);
            DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
            peer.receive(p);
            assertThat(Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(data);
            assertThat(f.host.iovs.copiedBytes).as("send_to from one iovec: in place").isEqualTo(100);
        }
    }

    /**
     * sock_send, poll_oneoff and sock_recv of 64 bytes between two of the host's own sockets, over and over: once
     * the JIT has compiled them, they allocate nothing.
     */
    @Test
    void send_poll_recv_allocate_nothing_in_steady_state() throws Exception {
        try (HostFixture f = new HostFixture()) {
            int lfd = f.listener();
            int port = f.localPort(lfd); // before f.addr: it writes over the address
            int client = f.open();
            assertThat(f.host.sockConnect(f.m, client, f.addr(loopback()), port, false)).isEqualTo(0);
            assertThat(f.accept(lfd)).isEqualTo(0);
            int server = f.m.readInt(FD_PTR);
            byte[] data = pattern(64);
            f.m.write(DATA, data);
            // one FD_READ subscription on the server socket, written once
            f.m.write(SUBS, new byte[48]);
            f.m.writeLong(SUBS, 7);
            f.m.writeByte(SUBS + 8, (byte) EVENTTYPE_FD_READ);
            f.m.writeI32(SUBS + 16, server);
            int in = DATA + 1024;
            StringBuilder rounds = new StringBuilder();
            boolean free = false;
            // warm-up, then measured rounds until one allocates nothing: a compilation may land in any round, and on
            // a loaded 2-core machine C2 can take several rounds to finish the loop's callees (the bytes fall round by
            // round while it does), so the budget is time, not a round count
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (int round = -1; !free && (round < 6 || System.nanoTime() < deadline); round++) {
                int n = round < 0 ? 100_000 : 20_000;
                long before = ThreadAllocation.bytes();
                for (int i = 0; i < n; i++) {
                    f.m.writeI32(IOV, DATA);
                    f.m.writeI32(IOV + 4, 64);
                    if (f.host.sockSend(f.m, client, IOV, 1, 0, LEN_PTR) != 0
                            || f.host.pollOneoff(f.m, SUBS, EVENTS, 1, NEVENTS) != 0) {
                        throw new AssertionError("send or poll failed at " + i);
                    }
                    f.m.writeI32(IOV, in);
                    f.m.writeI32(IOV + 4, 64);
                    if (f.host.sockRecv(f.m, server, IOV, 1, RIFLAGS_WAITALL, LEN_PTR, FLAGS_PTR) != 0
                            || f.m.readInt(LEN_PTR) != 64) {
                        throw new AssertionError("recv failed at " + i);
                    }
                }
                long allocated = ThreadAllocation.bytes() - before;
                if (round >= 0) {
                    rounds.append(allocated).append(' ');
                    free = allocated == 0;
                }
            }
            System.out.println("[allocation] ZeroCopyTest rounds: " + rounds);
            assertThat(free).as("a round of 20000 sock_send + poll_oneoff + sock_recv allocating nothing; bytes by"
                    + " round: %s", rounds).isTrue();
            assertThat(f.m.readBytes(in, 64)).isEqualTo(data);
        }
    }
}
