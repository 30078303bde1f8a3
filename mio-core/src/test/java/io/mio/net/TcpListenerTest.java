package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.internal.linux.Sys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static io.mio.net.NetTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviours mio's tests/tcp_listener.rs checks, ported. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpListenerTest {
    private static final Token ID1 = new Token(0);
    private static final Token ID2 = new Token(1);

    interface ListenerFactory {
        TcpListener open(InetSocketAddress addr) throws Exception;
    }

    @Test
    void tcp_listener_ipv4() throws Exception {
        smokeTest(localV4(), TcpListener::bind);
    }

    @Test
    void tcp_listener_ipv6() throws Exception {
        Assumptions.assumeTrue(ipv6Available(), "no IPv6 loopback");
        smokeTest(localV6(), TcpListener::bind);
    }

    @Test
    void tcp_listener_adopted_from_a_raw_fd() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        smokeTest(localV4(), addr -> {
            try (TcpListener original = TcpListener.bind(addr)) {
                int fd = dupBlocking(original.rawFd());
                return TcpListener.fromRawFd(fd);
            }
        });
    }

    /** Starts {@code n} connections from another thread; each waits on {@code barrier} before closing. */
    private static Peer startConnections(InetSocketAddress address, int n, CyclicBarrier barrier) {
        return Peer.start(() -> {
            for (int i = 0; i < n; i++) {
                try (Socket conn = new Socket()) {
                    conn.connect(address, PEER_TIMEOUT_MS);
                    barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private static void smokeTest(InetSocketAddress bindTo, ListenerFactory factory) throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = factory.open(bindTo)) {
            Events events = Events.withCapacity(16);
            InetSocketAddress address = listener.localAddr();
            assertThat(address.getAddress()).isEqualTo(bindTo.getAddress());
            assertThat(address.getPort()).isPositive();
            if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                assertThat(isNonBlocking(listener.rawFd())).as("non-blocking").isTrue();
            }
            if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                assertThat(isCloseOnExec(listener.rawFd())).as("close-on-exec").isTrue();
            }

            poll.registry().register(listener, ID1, Interest.READABLE);
            CyclicBarrier barrier = new CyclicBarrier(2);
            Peer peer = startConnections(address, 1, barrier);

            awaitEvent(poll, events, ID1, Event::isReadable);
            try (TcpStream stream = listener.accept()) {
                assertThat(stream).isNotNull();
                InetSocketAddress peerAddress = stream.peerAddr();
                assertThat(peerAddress.getAddress().isLoopbackAddress()).isTrue();
                assertThat(stream.localAddr()).isEqualTo(address);
                if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                    assertThat(isNonBlocking(stream.rawFd())).as("accepted stream non-blocking").isTrue();
                }
                if (!io.mio.TestBackend.selector()) { // raw descriptors: epoll backend only
                    assertThat(isCloseOnExec(stream.rawFd())).as("accepted stream close-on-exec").isTrue();
                }

                assertThat(stream.read(new byte[20])).as("read would block").isZero();
                assertThat(listener.accept()).as("no more connections").isNull();
                assertThat(listener.takeError()).isNull();
            }
            barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            peer.join();
        }
    }

    @Test
    void set_get_ttl() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        try (TcpListener listener = TcpListener.bind(localV4())) {
            listener.setTtl(10);
            assertThat(listener.ttl()).isEqualTo(10);
            assertThat(listener.takeError()).isNull();
        }
    }

    @Test
    void set_get_ttl_ipv6() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        Assumptions.assumeTrue(ipv6Available(), "no IPv6 loopback");
        try (TcpListener listener = TcpListener.bind(localV6())) {
            listener.setTtl(12);
            assertThat(listener.ttl()).isEqualTo(12);
        }
    }

    @Test
    void get_ttl_without_previous_set() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.TTL);
        try (TcpListener listener = TcpListener.bind(localV4())) {
            assertThat(listener.ttl()).isBetween(1, 255);
            assertThat(listener.takeError()).isNull();
        }
    }

    @Test
    void ttl_outside_1_to_255_is_rejected() throws Exception {
        try (TcpListener listener = TcpListener.bind(localV4())) {
            assertThatThrownBy(() -> listener.setTtl(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> listener.setTtl(256)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void raw_fd() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        TcpListener listener = TcpListener.bind(localV4());
        InetSocketAddress address = listener.localAddr();
        int fd1 = listener.rawFd();
        assertThat(listener.rawFd()).isEqualTo(fd1);
        int copy = Sys.dup(fd1);
        assertThat(copy).isNotNegative();
        listener.close();
        assertThatThrownBy(listener::rawFd).isInstanceOf(ClosedChannelException.class);

        try (TcpListener adopted = TcpListener.fromRawFd(copy)) {
            assertThat(adopted.rawFd()).isEqualTo(copy);
            assertThat(adopted.localAddr()).isEqualTo(address);
        }
    }

    @Test
    void registering_gives_no_events_without_connections() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, ID1, Interest.READABLE);
            expectNoEvents(poll, events);
        }
    }

    @Test
    void reregister_changes_the_token() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            InetSocketAddress address = listener.localAddr();
            poll.registry().register(listener, ID1, Interest.READABLE);
            poll.registry().reregister(listener, ID2, Interest.READABLE);

            CyclicBarrier barrier = new CyclicBarrier(2);
            Peer peer = startConnections(address, 1, barrier);
            java.util.List<String> seen = awaitEvent(poll, events, ID2, Event::isReadable);
            assertThat(seen).noneMatch(s -> s.contains("token=" + ID1));

            try (TcpStream stream = listener.accept()) {
                assertThat(stream).isNotNull();
                assertThat(stream.peerAddr().getAddress().isLoopbackAddress()).isTrue();
                assertThat(stream.localAddr()).isEqualTo(address);
            }
            assertThat(listener.accept()).isNull();
            assertThat(listener.takeError()).isNull();
            barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            peer.join();
        }
    }

    @Test
    void no_events_after_deregister() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            InetSocketAddress address = listener.localAddr();
            poll.registry().register(listener, ID1, Interest.READABLE);

            CyclicBarrier barrier = new CyclicBarrier(2);
            Peer peer = startConnections(address, 1, barrier);
            poll.registry().deregister(listener);
            expectNoEvents(poll, events);

            // Still able to accept the connection.
            TcpStream stream = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (stream == null && System.nanoTime() < deadline) {
                stream = listener.accept();
                if (stream == null) {
                    Thread.sleep(1);
                }
            }
            assertThat(stream).as("accepted").isNotNull();
            try (TcpStream accepted = stream) {
                assertThat(accepted.peerAddr().getAddress().isLoopbackAddress()).isTrue();
                assertThat(accepted.localAddr()).isEqualTo(address);
            }
            assertThat(listener.accept()).isNull();
            assertThat(listener.takeError()).isNull();
            barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            peer.join();
        }
    }

    @Test
    void two_streams_accepted_one_after_the_other() throws Exception {
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(localV4())) {
            Events events = Events.withCapacity(16);
            InetSocketAddress address = listener.localAddr();
            CyclicBarrier barrier = new CyclicBarrier(3);
            Peer peer1 = startConnections(address, 1, barrier);
            poll.registry().register(listener, ID1, Interest.READABLE);

            awaitEvent(poll, events, ID1, Event::isReadable);
            try (TcpStream stream = listener.accept()) {
                assertThat(stream).isNotNull();
                assertThat(stream.peerAddr().getAddress().isLoopbackAddress()).isTrue();
                assertThat(stream.localAddr()).isEqualTo(address);
            }
            assertThat(listener.accept()).isNull();

            Peer peer2 = startConnections(address, 1, barrier);
            awaitEvent(poll, events, ID1, Event::isReadable);
            try (TcpStream stream = listener.accept()) {
                assertThat(stream).isNotNull();
                assertThat(stream.peerAddr().getAddress().isLoopbackAddress()).isTrue();
                assertThat(stream.localAddr()).isEqualTo(address);
            }
            expectNoEvents(poll, events);

            barrier.await(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            peer1.join();
            peer2.join();
        }
    }

    @Test
    void calls_on_a_closed_listener_throw_closed_channel() throws Exception {
        TcpListener listener = TcpListener.bind(localV4());
        listener.close();
        listener.close(); // idempotent
        assertThat(listener.isOpen()).isFalse();
        try (Poll poll = Poll.open()) {
            assertThatThrownBy(listener::accept).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(listener::localAddr).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(listener::ttl).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> listener.setTtl(10)).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(listener::takeError).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> poll.registry().register(listener, ID1, Interest.READABLE))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void bind_to_an_unresolved_address_fails() {
        assertThatThrownBy(() -> TcpListener.bind(InetSocketAddress.createUnresolved("localhost", 0)))
                .isInstanceOf(java.nio.channels.UnresolvedAddressException.class);
    }
}
