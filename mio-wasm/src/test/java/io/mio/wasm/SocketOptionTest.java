package io.mio.wasm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.HostFixture.*;
import static io.mio.wasm.SocketHost.*;
import static io.mio.wasm.WasiErrno.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The options of WasmEdge's table that io.mio has no setter for (SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT,
 * SO_BINDTODEVICE): set on the OS socket, whatever stage the socket is at, and read back from the kernel
 * ({@link RawSocketOptions#get} on the descriptor itself, not the host's memory).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketOptionTest {
    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*")
            .allowConnect("127.0.0.1:*").build();

    @BeforeAll
    static void rawOptionsAvailable() {
        assumeTrue(RawSocketOptions.available(), "raw socket options need io.mio's epoll backend and native access");
    }

    /** What the kernel says of {@code name} on guest socket {@code fd}'s descriptor. */
    static byte[] kernel(HostFixture f, int fd, int linuxName, int max) throws Exception {
        int os = f.host.osFd(fd);
        assertThat(os).as("guest fd %d has an OS descriptor", fd).isNotNegative();
        return RawSocketOptions.get(os, linuxName, max);
    }

    static int setDevice(HostFixture f, int fd, String name) {
        byte[] b = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        f.m.write(VAL, b);
        return f.host.sockSetOpt(f.m, fd, 0, SO_BINDTODEVICE, VAL, name.length()); // as bind_device: no NUL counted
    }

    static String getDevice(HostFixture f, int fd, int len) {
        f.m.writeI32(LEN_PTR, len);
        int r = f.host.sockGetOpt(f.m, fd, 0, SO_BINDTODEVICE, VAL, LEN_PTR);
        if (r != SUCCESS) {
            return "errno " + r;
        }
        return new String(f.m.readBytes(VAL, f.m.readInt(LEN_PTR)), StandardCharsets.ISO_8859_1);
    }

    static Optional<String> nonLoopbackDevice() throws Exception {
        return NetworkInterface.networkInterfaces().filter(n -> {
            try {
                return !n.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).map(NetworkInterface::getName).findFirst();
    }

    @Test
    void bindtodevice_lo_set_before_listen_lands_on_the_listener_and_reads_back() throws Exception {
        try (HostFixture f = new HostFixture(LOOPBACK)) {
            int fd = f.open();
            assertThat(setDevice(f, fd, "lo")).isEqualTo(SUCCESS);
            assertThat(getDevice(f, fd, 16)).as("kept until the OS socket exists").isEqualTo("lo\0");
            assertThat(getDevice(f, fd, 2)).as("a buffer too small for the name and its NUL")
                    .isEqualTo("errno " + INVAL);
            assertThat(f.host.sockBind(f.m, fd, f.addr(loopback()), 0, false)).isZero();
            assertThat(f.host.sockListen(fd, 4)).isZero();
            assertThat(new String(kernel(f, fd, RawSocketOptions.SO_BINDTODEVICE, 16), StandardCharsets.ISO_8859_1))
                    .as("the listener's descriptor is bound to lo").isEqualTo("lo\0");
            assertThat(getDevice(f, fd, 16)).isEqualTo("lo\0");
            // it still serves loopback clients, and the accepted socket inherits the device (as on Linux)
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), f.localPort(fd))) {
                assertThat(f.accept(fd)).isZero();
                int conn = f.m.readInt(FD_PTR);
                assertThat(getDevice(f, conn, 16)).isEqualTo("lo\0");
            }
            // "" unbinds
            assertThat(setDevice(f, fd, "")).isEqualTo(SUCCESS);
            assertThat(kernel(f, fd, RawSocketOptions.SO_BINDTODEVICE, 16)).isEmpty();
            assertThat(getDevice(f, fd, 16)).isEmpty();
        }
    }

    @Test
    void bindtodevice_before_connect_connects_when_the_route_leaves_through_the_device() throws Exception {
        try (HostFixture f = new HostFixture(LOOPBACK)) {
            int lfd = f.listener();
            int port = f.localPort(lfd); // before addr(): it reuses the address buffer
            int fd = f.open();
            assertThat(setDevice(f, fd, "lo")).isEqualTo(SUCCESS);
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), port, false)).isZero();
            assertThat(new String(kernel(f, fd, RawSocketOptions.SO_BINDTODEVICE, 16), StandardCharsets.ISO_8859_1))
                    .isEqualTo("lo\0");
        }
    }

    @Test
    void bindtodevice_is_sandboxed_beyond_the_loopback_device() throws Exception {
        String dev = nonLoopbackDevice().orElse(null);
        assumeTrue(dev != null, "no network device other than loopback here");
        try (HostFixture f = new HostFixture(LOOPBACK)) {
            int fd = f.open();
            assertThat(setDevice(f, fd, dev)).as("%s without --allow-device", dev).isEqualTo(PERM);
            assertThat(getDevice(f, fd, 16)).isEmpty();
            assertThat(setDevice(f, fd, "nosuchdev9")).as("an unknown device, as Linux").isEqualTo(NODEV);
        }
        NetPolicy allowed = NetPolicy.builder().allowBind("127.0.0.1:*").allowConnect("127.0.0.1:*")
                .allowDevice(dev).build();
        try (HostFixture f = new HostFixture(allowed)) {
            int lfd = f.listener();
            int port = f.localPort(lfd); // before addr(): it reuses the address buffer
            int fd = f.open();
            assertThat(setDevice(f, fd, dev)).as("%s with --allow-device %s", dev, dev).isEqualTo(SUCCESS);
            assertThat(getDevice(f, fd, 16)).isEqualTo(dev + "\0");
            // io.mio can set the device only after connect's SYN; the loopback route does not leave through dev
            assertThat(f.host.sockConnect(f.m, fd, f.addr(loopback()), port, false))
                    .isEqualTo(NETUNREACH);
            assertThat(f.host.openSockets()).isEqualTo(2);
        }
    }

    @Test
    void dontroute_oobinline_and_rcvlowat_reach_the_os_socket_at_every_stage() throws Exception {
        try (HostFixture f = new HostFixture(LOOPBACK)) {
            int lfd = f.listener();
            int port = f.localPort(lfd); // before addr(): it reuses the address buffer
            int client = f.open(); // TcpSocket: no descriptor yet, kept
            assertThat(f.setOptInt(client, SO_DONTROUTE, 1)).isZero();
            assertThat(f.setOptInt(client, SO_OOBINLINE, 1)).isZero();
            assertThat(f.setOptInt(client, SO_RCVLOWAT, 7)).isZero();
            assertThat(f.getOpt(client, SO_RCVLOWAT, 4)).isZero();
            assertThat(f.m.readInt(VAL)).isEqualTo(7);
            assertThat(f.host.sockConnect(f.m, client, f.addr(loopback()), port, false)).isZero();
            assertThat(kernel(f, client, RawSocketOptions.SO_DONTROUTE, 4)).containsExactly(1, 0, 0, 0);
            assertThat(kernel(f, client, RawSocketOptions.SO_OOBINLINE, 4)).containsExactly(1, 0, 0, 0);
            assertThat(kernel(f, client, RawSocketOptions.SO_RCVLOWAT, 4)).containsExactly(7, 0, 0, 0);
            // on a stream: straight to the OS
            assertThat(f.accept(lfd)).isZero();
            int server = f.m.readInt(FD_PTR);
            assertThat(f.setOptInt(server, SO_RCVLOWAT, 100)).isZero();
            assertThat(kernel(f, server, RawSocketOptions.SO_RCVLOWAT, 4)).containsExactly(100, 0, 0, 0);
            assertThat(f.getOpt(server, SO_RCVLOWAT, 4)).isZero();
            assertThat(f.m.readInt(VAL)).isEqualTo(100);
            assertThat(f.getOpt(server, SO_OOBINLINE, 4)).isZero();
            assertThat(f.m.readInt(VAL)).as("Linux's default").isZero();

            // UDP: kept until bind
            assertThat(f.host.sockOpen(f.m, GuestSocket.AF_INET4, GuestSocket.SOCK_DGRAM, FD_PTR)).isZero();
            int udp = f.m.readInt(FD_PTR);
            assertThat(f.setOptInt(udp, SO_DONTROUTE, 1)).isZero();
            assertThat(setDevice(f, udp, "lo")).isZero();
            assertThat(f.host.sockBind(f.m, udp, f.addr(loopback()), 0, false)).isZero();
            assertThat(kernel(f, udp, RawSocketOptions.SO_DONTROUTE, 4)).containsExactly(1, 0, 0, 0);
            assertThat(new String(kernel(f, udp, RawSocketOptions.SO_BINDTODEVICE, 16), StandardCharsets.ISO_8859_1))
                    .isEqualTo("lo\0");
        }
    }
}
