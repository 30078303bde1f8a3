package io.mio.wasm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mio.wasm.SocketHost.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A WASI guest has no signals: a signal that cuts the host's epoll_wait short (strace attaching, the flight
 * recorder, a profiler) must not end the guest nor end a wait before its deadline. Each test signals the thread
 * that runs the guest (or the host call) while it is blocked in epoll_wait, several times, with {@link Signals}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignalTest {
    private static final NetPolicy LOOPBACK = NetPolicy.builder().allowBind("127.0.0.1:*")
            .allowConnect("127.0.0.1:*").build();
    private static final int SIGNALS = 3;

    @BeforeAll
    static void epollOnly() {
        assumeTrue(Signals.epollBackend(), "the signal must land in epoll_wait (io.mio's Linux backend)");
    }

    private static String read(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void a_blocking_guest_signalled_in_sock_accept_and_in_sock_recv_serves_on() throws Throwable {
        CompletableFuture<Signals.ThreadIds> ids = new CompletableFuture<>();
        try (Signals signals = new Signals();
             Guest g = Guest.start("echo_server", LOOPBACK, () -> ids.complete(Signals.current()), "0", "1")) {
            int port = g.listeningPort();
            Signals.ThreadIds guest = ids.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < SIGNALS; i++) {
                signals.interruptEpollWait(guest); // blocked in sock_accept
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("ab".getBytes(StandardCharsets.UTF_8));
                assertThat(read(s.getInputStream(), 2)).isEqualTo("ab");
                for (int i = 0; i < SIGNALS; i++) {
                    signals.interruptEpollWait(guest); // blocked in sock_recv
                }
                s.getOutputStream().write("cd".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                assertThat(read(s.getInputStream(), 3)).as("the rest of the echo, then end of stream").isEqualTo("cd");
            }
            assertThat(g.nextLine()).startsWith("served 4 from ");
            assertThat(g.exitCode()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"poll", "epoll"})
    void a_guest_signalled_in_poll_oneoff_or_epoll_oneoff_serves_on(String wait) throws Throwable {
        CompletableFuture<Signals.ThreadIds> ids = new CompletableFuture<>();
        try (Signals signals = new Signals();
             Guest g = Guest.start("mio_style_server", LOOPBACK, () -> ids.complete(Signals.current()), "0", "1",
                     wait)) {
            int port = g.listeningPort();
            Signals.ThreadIds guest = ids.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < SIGNALS; i++) {
                signals.interruptEpollWait(guest);
            }
            byte[] data = EchoGuestTest.payload(100_000, 7);
            assertThat(EchoGuestTest.echo(port, data)).isEqualTo(data);
            assertThat(g.nextLine()).startsWith("peer ");
            assertThat(g.nextLine()).isEqualTo("done 100000");
            assertThat(g.exitCode()).isZero();
        }
    }

    /** Runs {@code call} on a new thread; completes {@code ids} with that thread's ids first. */
    private static <T> CompletableFuture<T> onThread(CompletableFuture<Signals.ThreadIds> ids,
            java.util.concurrent.Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            ids.complete(Signals.current());
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Test
    void a_signalled_poll_oneoff_waits_until_its_clock_and_reports_only_the_clock() throws Throwable {
        try (Signals signals = new Signals(); HostFixture f = new HostFixture(LOOPBACK)) {
            int listener = f.listener(); // nothing connects: never ready
            long timeout = TimeUnit.MILLISECONDS.toNanos(800);
            f.subFd(1, EVENTTYPE_FD_READ, listener).subClock(2, CLOCK_MONOTONIC, timeout, false);
            CompletableFuture<Signals.ThreadIds> ids = new CompletableFuture<>();
            long start = System.nanoTime();
            CompletableFuture<List<HostFixture.Ev>> events = onThread(ids, f::poll);
            Signals.ThreadIds caller = ids.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < SIGNALS; i++) {
                signals.interruptEpollWait(caller);
            }
            List<HostFixture.Ev> got = events.get(10, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - start;
            assertThat(got).extracting(HostFixture.Ev::userdata).as("only the clock fired").containsExactly(2L);
            assertThat(elapsed).as("not before the clock's deadline").isGreaterThanOrEqualTo(timeout);
        }
    }

    @Test
    void a_signalled_blocking_recv_with_so_rcvtimeo_waits_its_whole_timeout() throws Throwable {
        try (Signals signals = new Signals(); HostFixture f = new HostFixture(LOOPBACK)) {
            int listener = f.listener();
            Socket peer = new Socket(InetAddress.getLoopbackAddress(), f.localPort(listener));
            assertThat(f.accept(listener)).isZero();
            int server = f.m.readInt(HostFixture.FD_PTR);
            long timeout = TimeUnit.MILLISECONDS.toNanos(800);
            ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0)
                    .putLong(8, TimeUnit.NANOSECONDS.toMicros(timeout));
            f.m.write(HostFixture.VAL, tv.array());
            assertThat(f.host.sockSetOpt(f.m, server, 0, SO_RCVTIMEO, HostFixture.VAL, 16)).isZero();
            CompletableFuture<Signals.ThreadIds> ids = new CompletableFuture<>();
            long start = System.nanoTime();
            CompletableFuture<Integer> recv = onThread(ids, () -> f.recv(server, 100, 0));
            Signals.ThreadIds caller = ids.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < SIGNALS; i++) {
                signals.interruptEpollWait(caller);
            }
            assertThat(recv.get(10, TimeUnit.SECONDS)).as("SO_RCVTIMEO elapsed: AGAIN").isEqualTo(WasiErrno.AGAIN);
            assertThat(System.nanoTime() - start).as("not before the timeout").isGreaterThanOrEqualTo(timeout);
            peer.close();
        }
    }
}
