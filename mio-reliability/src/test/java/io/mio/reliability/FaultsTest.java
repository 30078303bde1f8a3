package io.mio.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each fault against the live echo server and client loop; every fault ends with checked round trips over
 * 50 healthy connections (inside {@link Faults}), so a loop that stopped serving fails the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest {
    private Faults faults;

    @BeforeAll
    void start() throws Exception {
        faults = new Faults(50, 11);
    }

    @AfterAll
    void stop() throws Exception {
        if (faults != null) {
            faults.close();
            assertThat(faults.server().fatal()).isNull();
        }
    }

    private void report(String s) {
        System.out.println("fault: " + s);
        assertThat(s).isNotBlank();
    }

    @Test
    void peer_reset_on_an_idle_connection_gives_read_closed_and_ECONNRESET() throws Exception {
        report(faults.peerResetIdle());
    }

    @Test
    void peer_reset_mid_stream_gives_ECONNRESET_or_EPIPE_on_the_server() throws Exception {
        report(faults.peerResetMidStream());
    }

    @Test
    void peer_half_close_of_its_write_side_still_gets_the_whole_echo_then_EOF() throws Exception {
        report(faults.peerHalfClosesWrite());
    }

    @Test
    void peer_process_killed_with_SIGKILL_is_cleaned_up() throws Exception {
        report(faults.peerProcessKilled());
    }

    @Test
    void reset_seen_by_an_io_mio_stream_is_read_closed_then_ECONNRESET() throws Exception {
        OnBackend.assumeNotSelector(OnBackend.HANG_UP);
        report(faults.resetSeenByMioStream());
    }

    @Test
    void io_mio_shutdown_write_sends_EOF_keeps_reading_and_later_writes_fail_with_EPIPE() throws Exception {
        report(faults.mioStreamHalfClosesWrite());
    }

    @Test
    void connection_refused_is_reported_as_ECONNREFUSED() throws Exception {
        report(faults.connectionRefused());
    }

    @Test
    void write_after_the_peer_closed_throws_SocketException_not_SIGPIPE() throws Exception {
        report(faults.writeAfterPeerClosed());
    }

    @Test
    void peer_server_process_killed_under_an_io_mio_stream_gives_read_closed() throws Exception {
        OnBackend.assumeNotSelector(OnBackend.HANG_UP);
        report(faults.peerServerProcessKilled());
    }

    @Test
    void udp_to_a_closed_port_surfaces_ECONNREFUSED_as_PortUnreachableException_and_through_takeError() throws Exception {
        OnBackend.assumeNotSelector(OnBackend.ICMP);
        report(faults.udpToClosedPort());
    }

    @Test
    void unix_peer_closing_mid_stream_gives_read_closed_all_bytes_then_EOF() throws Exception {
        OnBackend.assumeNotSelector(OnBackend.READ_AHEAD);
        report(faults.unixPeerClosesMidStream(48 * 1024));
    }

    @Test
    void unix_write_after_the_peer_closed_throws_EPIPE_not_SIGPIPE() throws Exception {
        report(faults.unixWriteAfterPeerClosed());
    }
}
