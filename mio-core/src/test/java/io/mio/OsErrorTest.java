package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OsErrorTest {
    @org.junit.jupiter.api.BeforeEach
    void onlyOnEpoll() {
        TestBackend.assumeEpoll(TestBackend.OS_ERROR);
    }

    @Test
    void a_failed_bind_is_a_BindException_carrying_EADDRINUSE() throws IOException {
        try (TcpListener first = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertThatThrownBy(() -> TcpListener.bind(first.localAddr()))
                    .isInstanceOf(BindException.class)
                    .isInstanceOf(OsError.class)
                    .satisfies(e -> {
                        assertThat(((OsError) e).osErrorName()).isEqualTo("EADDRINUSE");
                        assertThat(((OsError) e).rawOsError()).isEqualTo(98);
                        assertThat(e.getMessage()).contains("EADDRINUSE");
                    });
        }
    }

    @Test
    void shutdown_of_an_unconnected_stream_reports_ENOTCONN_as_a_SocketException() throws Exception {
        int port;
        try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            port = l.localAddr().getPort();
        }
        try (Poll poll = Poll.open(); TcpStream s = TcpStream.connect(new InetSocketAddress("127.0.0.1", port))) {
            // The connect to a closed port fails; wait for it, then shutdown is ENOTCONN.
            poll.registry().register(s, new Token(1), Interest.WRITABLE);
            Events events = Events.withCapacity(4);
            poll.poll(events, java.time.Duration.ofSeconds(5));
            IOException pending = s.takeError();
            assertThat(pending).isInstanceOf(OsError.class);
            assertThat(((OsError) pending).osErrorName()).isEqualTo("ECONNREFUSED");
            assertThatThrownBy(() -> s.shutdown(io.mio.net.Shutdown.BOTH))
                    .isInstanceOf(SocketException.class)
                    .satisfies(e -> assertThat(((OsError) e).osErrorName()).isEqualTo("ENOTCONN"));
        }
    }
}
