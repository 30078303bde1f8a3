package io.mio;

import io.mio.internal.linux.EpollSelector;
import io.mio.internal.nio.NioSelector;
import io.mio.internal.spi.SelectorSpi;
import io.mio.net.TcpListener;
import io.mio.net.UnixAddress;
import io.mio.net.UnixDatagram;
import io.mio.net.UnixListener;
import io.mio.unix.SourceFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backend choice and the errors across backends; runs on both (the build runs the suite once per backend). */
@Timeout(30)
class BackendTest {
    @Test
    void the_backend_is_fixed_and_matches_the_property() throws Exception {
        String property = System.getProperty("io.mio.backend");
        Backend current = Backend.current();
        if ("selector".equals(property)) {
            assertThat(current).isEqualTo(Backend.SELECTOR);
        } else if ("uring".equals(property)) {
            assertThat(current).isEqualTo(Backend.URING);
            assertThat(Backend.URING.isAvailable()).isTrue();
        } else if (property == null) {
            // Automatic: the tests grant native access to the class path, and this is Linux x86-64 / aarch64.
            assertThat(current).isEqualTo(Backend.EPOLL.isAvailable() ? Backend.EPOLL : Backend.SELECTOR);
        }
        try (Poll poll = Poll.open()) {
            assertThat(poll.backend()).isEqualTo(current);
        }
        Backend.use(current); // the one in use: no-op
        Backend other = current == Backend.EPOLL ? Backend.SELECTOR : Backend.EPOLL;
        assertThatThrownBy(() -> Backend.use(other)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining(current.toString())
                .hasMessageContaining("already in use");
        assertThat(Backend.SELECTOR.isAvailable()).isTrue();
    }

    @Test
    void the_wasi_backend_is_never_available_on_a_jvm() {
        assertThat(Backend.WASI.isAvailable()).isFalse();
        assertThatThrownBy(() -> Backend.use(Backend.WASI)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("WASI").hasMessageContaining("never available on a JVM");
        assertThat(Backend.current()).isNotEqualTo(Backend.WASI); // the refusal chose nothing
    }

    @Test
    void registering_a_source_with_a_poll_of_the_other_backend_is_rejected() throws Exception {
        // The other backend's selector, opened directly (the public API only ever opens the chosen one).
        SelectorSpi other = Backend.current() == Backend.EPOLL ? NioSelector.open() : EpollSelector.open();
        try (Poll foreign = new Poll(other); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertThatThrownBy(() -> foreign.registry().register(listener, new Token(1), Interest.READABLE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Backend.current().toString()).hasMessageContaining(other.backend().toString());
            // The source is untouched: it still registers with a Poll of its own backend.
            try (Poll own = Poll.open()) {
                own.registry().register(listener, new Token(1), Interest.READABLE);
            }
        }
    }

    @Test
    void what_the_selector_backend_cannot_do_fails_naming_the_limit() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBackend.selector(), "checks the SELECTOR backend's refusals");
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertThatThrownBy(() -> poll.registry().register(listener, new Token(1), Interest.PRIORITY))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("PRIORITY");
            assertThatThrownBy(listener::rawFd).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("file descriptor");
            assertThatThrownBy(() -> TcpListener.fromRawFd(0)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(listener::ttl).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IP_TTL");
            // After a refused registration the listener is still unregistered.
            poll.registry().register(listener, new Token(1), Interest.READABLE);
        }
        assertThatThrownBy(() -> new SourceFd(0)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("SourceFd");
        assertThatThrownBy(UnixDatagram::unbound).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("datagram");
        assertThatThrownBy(() -> UnixListener.bind(UnixAddress.ofAbstract("mio-backend-test")))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("abstract");
    }
}
