package io.mio.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The soak's end-to-end checks catch a faulty echo: a java.net echo peer that damages one byte of the stream
 * at a chosen offset (frame 0's sequence number, or its first payload byte) makes the client fail.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SoakClientChecksTest {
    private static void runAgainstDamagingEcho(long damageOffset) throws Exception {
        runAgainstDamagingEcho(damageOffset, Long.MAX_VALUE);
    }

    /** An echo that flips one bit at {@code damageOffset} and sends EOF once it has echoed {@code closeAfter} bytes. */
    private static void runAgainstDamagingEcho(long damageOffset, long closeAfter) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[8192];
                    long pos = 0;
                    for (int n; (n = in.read(buf)) > 0; pos += n) {
                        if (damageOffset >= pos && damageOffset < pos + n) buf[(int) (damageOffset - pos)] ^= 0x01;
                        if (pos + n >= closeAfter) {
                            out.write(buf, 0, (int) (closeAfter - pos));
                            s.shutdownOutput(); // EOF with the frame half echoed (a FIN, not a reset:
                            while (in.read(buf) > 0) { // the rest of the input is read, not left behind)
                                // discard
                            }
                            break;
                        }
                        out.write(buf, 0, n);
                    }
                } catch (IOException ignored) {
                    // the client gave up
                }
            });
            peer.setDaemon(true);
            peer.start();
            try (SoakClient client = new SoakClient(5, 0)) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 1, 1,
                        Duration.ofSeconds(10));
                client.run(10, Duration.ofSeconds(10), null, null);
            }
        }
    }

    @Test
    void a_damaged_sequence_number_is_reported_as_lost_or_reordered() {
        assertThatThrownBy(() -> runAgainstDamagingEcho(15))
                .isInstanceOf(SoakClient.IntegrityException.class).hasMessageContaining("lost or reordered");
    }

    @Test
    void a_damaged_payload_byte_is_reported_as_corrupted() {
        assertThatThrownBy(() -> runAgainstDamagingEcho(Frames.HEADER))
                .isInstanceOf(SoakClient.IntegrityException.class).hasMessageContaining("corrupted");
    }

    @Test
    void a_peer_that_closes_mid_frame_is_reported_as_an_unexpected_EOF() {
        assertThatThrownBy(() -> runAgainstDamagingEcho(-1, 10))
                .isInstanceOf(SoakClient.IntegrityException.class).hasMessageContaining("unexpected EOF");
    }

    @Test
    void an_undamaged_echo_passes() throws Exception {
        runAgainstDamagingEcho(-1);
    }
}
