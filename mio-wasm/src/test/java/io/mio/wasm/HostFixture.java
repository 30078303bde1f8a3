package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.mio.wasm.SocketHost.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A SocketHost on a 1-page memory, called directly (as WasmEdge's host tests call their host functions), with a
 * fixed memory layout for arguments.
 */
final class HostFixture implements AutoCloseable {
    /** Reads {@code in} on another thread until {@code want} bytes or end of stream; completes with the count. */
    static java.util.concurrent.CompletableFuture<Long> drainAsync(java.io.InputStream in, long want) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            long got = 0;
            byte[] b = new byte[65536];
            try {
                while (got < want) {
                    int n = in.read(b);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return got;
        }, EchoGuestTest.EXEC);
    }

    static final int FD_PTR = 0;
    static final int ADDR = 1008;      // __wasi_address_t
    static final int ADDR_BUF = 1024;  // its buffer (up to 128 bytes)
    static final int TYPE_PTR = 1200;
    static final int PORT_PTR = 1204;
    static final int LEN_PTR = 1208;
    static final int FLAGS_PTR = 1212;
    static final int VAL = 1216;       // option value, up to 32 bytes
    static final int IOV = 2048;
    static final int DATA = 4096;      // 16 KiB of data
    static final int DATA_MAX = 16384;
    static final int SUBS = 24576;
    static final int EVENTS = 32768;
    static final int NEVENTS = 2000;

    /** The guest memory: SegmentMemory (the host's direct I/O path) unless a test names another. */
    final Memory m;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final WasiPreview1 wasi;
    final SocketHost host;

    HostFixture(NetPolicy policy) throws IOException {
        this(policy, new byte[0]);
    }

    HostFixture(NetPolicy policy, byte[] stdin) throws IOException {
        this(policy, stdin, new SegmentMemory(new MemoryLimits(1, 1)));
    }

    /** A fixture on memory {@code m} (ByteArrayMemory: the host's copying path). */
    HostFixture(Memory m) throws IOException {
        this(NetPolicy.allowAll(), new byte[0], m);
    }

    HostFixture(NetPolicy policy, byte[] stdin, Memory m) throws IOException {
        this.m = m;
        wasi = WasiPreview1.builder().withOptions(WasiOptions.builder().withStdout(stdout)
                .withStdin(new java.io.ByteArrayInputStream(stdin)).build()).build();
        host = new SocketHost(wasi, policy);
    }

    HostFixture() throws IOException {
        this(NetPolicy.allowAll());
    }

    @Override
    public void close() {
        host.close();
        wasi.close();
    }

    int open() {
        assertThat(host.sockOpen(m, GuestSocket.AF_INET4, GuestSocket.SOCK_STREAM, FD_PTR)).isEqualTo(0);
        return m.readInt(FD_PTR);
    }

    /** A V1 address (4 or 16 raw bytes) at {@link #ADDR}. */
    int addr(byte... ip) {
        m.write(ADDR_BUF, ip);
        m.writeI32(ADDR, ADDR_BUF);
        m.writeI32(ADDR + 4, ip.length);
        return ADDR;
    }

    /** A V2 address: 128-byte storage with the family at +0 and the IP at +2. */
    int storage(int family, byte... ip) {
        m.write(ADDR_BUF, new byte[128]);
        m.writeShort(ADDR_BUF, (short) family);
        m.write(ADDR_BUF + 2, ip);
        m.writeI32(ADDR, ADDR_BUF);
        m.writeI32(ADDR + 4, 128);
        return ADDR;
    }

    static byte[] loopback() {
        return new byte[] {127, 0, 0, 1};
    }

    /** open + bind 127.0.0.1:0 + listen; returns the fd. */
    int listener() {
        int fd = open();
        assertThat(host.sockBind(m, fd, addr(loopback()), 0, false)).isEqualTo(0);
        assertThat(host.sockListen(fd, 16)).isEqualTo(0);
        return fd;
    }

    int localPort(int fd) {
        m.writeI32(ADDR, ADDR_BUF);
        m.writeI32(ADDR + 4, 16);
        assertThat(host.sockGetAddr(m, fd, ADDR, TYPE_PTR, PORT_PTR, true, false)).isEqualTo(0);
        return m.readInt(PORT_PTR);
    }

    /** sock_accept V1; returns the errno, the new fd at {@link #FD_PTR}. */
    int accept(int fd) {
        return host.sockAccept(m, fd, 0, FD_PTR, false);
    }

    int send(int fd, byte[] data) {
        m.write(DATA, data);
        m.writeI32(IOV, DATA);
        m.writeI32(IOV + 4, data.length);
        return host.sockSend(m, fd, IOV, 1, 0, LEN_PTR);
    }

    int sent() {
        return m.readInt(LEN_PTR);
    }

    /** sock_recv into one iovec of {@code max} bytes; returns the errno. */
    int recv(int fd, int max, int flags) {
        m.writeI32(IOV, DATA);
        m.writeI32(IOV + 4, max);
        return host.sockRecv(m, fd, IOV, 1, flags, LEN_PTR, FLAGS_PTR);
    }

    byte[] received() {
        return m.readBytes(DATA, m.readInt(LEN_PTR));
    }

    int getOpt(int fd, int name, int len) {
        m.writeI32(LEN_PTR, len);
        return host.sockGetOpt(m, fd, 0, name, VAL, LEN_PTR);
    }

    int setOptInt(int fd, int name, int value) {
        m.writeI32(VAL, value);
        return host.sockSetOpt(m, fd, 0, name, VAL, 4);
    }

    // ---- poll_oneoff

    private final List<long[]> subs = new ArrayList<>();

    HostFixture subFd(long userdata, int type, int fd) {
        subs.add(new long[] {userdata, type, fd, 0, 0});
        return this;
    }

    HostFixture subClock(long userdata, int clock, long timeoutNanos, boolean abs) {
        subs.add(new long[] {userdata, EVENTTYPE_CLOCK, clock, timeoutNanos, abs ? 1 : 0});
        return this;
    }

    record Ev(long userdata, int error, int type, long nbytes, int flags) {}

    /** Calls poll_oneoff with the subscriptions added since the last call; returns the events. */
    /** Whether {@link #poll()} goes through epoll_oneoff. */
    boolean edge;

    List<Ev> poll() {
        return poll(edge);
    }

    /** Like {@link #poll()} through epoll_oneoff (edge-triggered). */
    List<Ev> epoll() {
        return poll(true);
    }

    private List<Ev> poll(boolean edge) {
        m.write(SUBS, new byte[48 * subs.size()]);
        for (int k = 0; k < subs.size(); k++) {
            long[] s = subs.get(k);
            int p = SUBS + k * 48;
            m.writeLong(p, s[0]);
            m.writeByte(p + 8, (byte) s[1]);
            m.writeI32(p + 16, (int) s[2]);
            if (s[1] == EVENTTYPE_CLOCK) {
                m.writeLong(p + 24, s[3]);
                m.writeLong(p + 32, 1_000_000);
                m.writeShort(p + 40, (short) s[4]);
            }
        }
        int n = subs.size();
        subs.clear();
        assertThat(edge ? host.epollOneoff(m, SUBS, EVENTS, n, NEVENTS) : host.pollOneoff(m, SUBS, EVENTS, n, NEVENTS))
                .isEqualTo(0);
        List<Ev> out = new ArrayList<>();
        int count = m.readInt(NEVENTS);
        for (int k = 0; k < count; k++) {
            int p = EVENTS + k * 32;
            out.add(new Ev(m.readLong(p), m.readShort(p + 8) & 0xFFFF, m.read(p + 10), m.readLong(p + 16),
                    m.readShort(p + 24) & 0xFFFF));
        }
        return out;
    }
}
