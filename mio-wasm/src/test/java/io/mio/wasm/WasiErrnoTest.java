package io.mio.wasm;

import io.mio.OsError;
import io.mio.net.TcpListener;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The errno mapping reads io.mio's {@link OsError}, not exception messages. */
class WasiErrnoTest {

    private static final class Fake extends SocketException implements OsError {
        private final String name;

        Fake(String message, String name) {
            super(message);
            this.name = name;
        }

        @Override
        public int rawOsError() {
            return 0;
        }

        @Override
        public String osErrorName() {
            return name;
        }
    }

    @Test
    void the_os_error_name_decides_not_the_message() {
        assertThat(WasiErrno.of(new Fake("says ECONNREFUSED (Connection refused)", "ECONNRESET")))
                .isEqualTo(WasiErrno.CONNRESET);
        assertThat(WasiErrno.of(new Fake("x", "EADDRNOTAVAIL"))).isEqualTo(WasiErrno.ADDRNOTAVAIL);
        assertThat(WasiErrno.of(new Fake("x", "EWOULDBLOCK"))).isEqualTo(WasiErrno.AGAIN);
        assertThat(WasiErrno.of(new Fake("x", "errno 999"))).as("unknown errno").isEqualTo(WasiErrno.IO);
        assertThat(WasiErrno.of(new SocketException("failed: ECONNREFUSED (Connection refused)")))
                .as("a message alone is not parsed").isEqualTo(WasiErrno.IO);
    }

    @Test
    void exceptions_without_an_os_error_map_by_type() {
        assertThat(WasiErrno.of(new ClosedChannelException())).isEqualTo(WasiErrno.BADF);
        assertThat(WasiErrno.of(new IllegalArgumentException())).isEqualTo(WasiErrno.INVAL);
        assertThat(WasiErrno.of(new IOException())).isEqualTo(WasiErrno.IO);
    }

    @Test
    void a_real_failed_bind_is_addrinuse() throws Exception {
        try (TcpListener a = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Throwable e = catchThrowable(() -> TcpListener.bind(a.localAddr()).close());
            assertThat(e).isInstanceOf(OsError.class);
            assertThat(WasiErrno.of(e)).isEqualTo(WasiErrno.ADDRINUSE);
        }
    }
}
