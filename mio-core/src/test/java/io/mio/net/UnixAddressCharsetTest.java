package io.mio.net;

import io.mio.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mio.internal.linux.LinuxConstants.SOCK_DGRAM;
import static io.mio.internal.linux.LinuxConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unix socket path names from the kernel are bytes; they need not be text in the JVM's file-name charset. Such an
 * address must never make accept, recvFrom or localAddr/peerAddr fail (formerly accept threw InvalidPathException
 * after the connection was accepted, leaking its descriptor and losing it).
 */
@Timeout(90)
class UnixAddressCharsetTest {
    @TempDir
    Path dir;

    private static void assumeEpoll() {
        TestBackend.assumeEpoll(TestBackend.FFM + " (binds sockets to raw path bytes)");
    }

    @Test
    void non_ascii_peer_paths_under_an_ascii_locale_are_accepted_and_kept_as_bytes() throws Exception {
        assumeEpoll();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), NonUtf8AddressMain.class.getName(), dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("LC_CTYPE");
        Process p = pb.start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(out).contains("jnu=ANSI_X3.4-1968");
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("ok");
    }

    /** In a UTF-8 JVM, bytes that are not UTF-8 formerly became a Path with U+FFFD: a different name. */
    @Test
    void path_bytes_that_are_not_utf8_give_no_path_but_keep_their_bytes() throws Exception {
        assumeEpoll();
        byte[] name = {'x', '-', (byte) 0xFF, (byte) 0xFE};
        byte[] raw = RawUnix.path(dir, name);
        try (UnixListener listener = UnixListener.bind(dir.resolve("l.sock"))) {
            int client = RawUnix.bound(SOCK_STREAM, raw);
            RawUnix.connect(client, RawUnix.path(dir, "l.sock".getBytes(StandardCharsets.US_ASCII)));
            try (UnixStream c = UnixStream.fromRawFd(client); UnixStream s = listener.accept()) {
                assertThat(s).isNotNull();
                UnixAddress peer = s.peerAddr();
                assertThat(peer.kind()).isEqualTo(UnixAddress.Kind.PATHNAME);
                assertThat(peer.path()).isEmpty();
                assertThat(peer.pathBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(raw));
                assertThat(peer.toString()).endsWith("/x-\\xff\\xfe");
                assertThat(peer).isEqualTo(c.localAddr());
            }
        }
        byte[] dgram = RawUnix.path(dir, new byte[] {'d', (byte) 0x80});
        try (UnixDatagram receiver = UnixDatagram.bind(dir.resolve("r.sock"));
             UnixDatagram sender = UnixDatagram.fromRawFd(RawUnix.bound(SOCK_DGRAM, dgram))) {
            assertThat(sender.sendTo(new byte[] {1, 2, 3}, receiver.localAddr())).isEqualTo(3);
            ByteBuffer buf = ByteBuffer.allocate(8);
            UnixAddress from = receiver.recvFrom(buf);
            assertThat(buf.position()).isEqualTo(3);
            assertThat(from.pathBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(dgram));
            assertThat(from.path()).isEmpty();
            // the raw address works as a destination: a reply reaches the sender
            assertThat(receiver.sendTo(new byte[] {9}, from)).isEqualTo(1);
            assertThat(sender.recv(new byte[8])).isEqualTo(1);
        }
    }

    @Test
    void a_utf8_path_still_has_its_path() throws Exception {
        Path p = dir.resolve("é.sock");
        try (UnixListener listener = UnixListener.bind(p)) {
            UnixAddress a = listener.localAddr();
            assertThat(a.path()).contains(p);
            assertThat(a.pathBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(p.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(a.toUnixDomainSocketAddress().getPath()).isEqualTo(p);
            assertThat(a.toString()).isEqualTo(p.toString());
        }
    }
}
