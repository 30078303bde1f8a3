package io.mio.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.mio.internal.linux.LinuxConstants.SOCK_DGRAM;
import static io.mio.internal.linux.LinuxConstants.SOCK_STREAM;

/**
 * Run by {@link UnixAddressCharsetTest} in a JVM whose file-name charset is ASCII ({@code LANG=C}): peers and
 * senders bound to a path with non-ASCII bytes must be accepted / received, with their address kept as bytes.
 * Prints "ok" on success; any failure exits non-zero with the exception.
 */
public final class NonUtf8AddressMain {
    /** "é" in UTF-8: not text in ASCII. */
    static final byte[] NAME_TAIL = {(byte) 0xC3, (byte) 0xA9};

    public static void main(String[] args) throws Exception {
        String jnu = System.getProperty("sun.jnu.encoding");
        System.out.println("jnu=" + jnu);
        check(!"UTF-8".equalsIgnoreCase(jnu), "the child JVM's file-name charset is still UTF-8");
        Path dir = Path.of(args[0]);

        // A stream peer bound to the non-ASCII path connects; accept must hand over the connection.
        byte[] clientPath = RawUnix.path(dir, concat("c-".getBytes(StandardCharsets.US_ASCII), NAME_TAIL));
        try (UnixListener listener = UnixListener.bind(dir.resolve("l.sock"))) {
            int client = RawUnix.bound(SOCK_STREAM, clientPath);
            RawUnix.connect(client, RawUnix.path(dir, "l.sock".getBytes(StandardCharsets.US_ASCII)));
            try (UnixStream clientEnd = UnixStream.fromRawFd(client)) {
                long before = openFds();
                try (UnixStream accepted = listener.accept()) {
                    check(accepted != null, "accept returned null with a connection pending");
                    check(openFds() == before + 1, "accept did not leave exactly one new descriptor");
                    expectRaw(accepted.peerAddr(), clientPath, "peerAddr");
                    expectRaw(clientEnd.localAddr(), clientPath, "localAddr");
                    check(accepted.write("x".getBytes(StandardCharsets.US_ASCII)) == 1, "write on the accepted stream");
                }
                check(listener.accept() == null, "a second accept found another connection");
            }
        }

        // A datagram from a sender bound to the non-ASCII path is received with its sender's bytes.
        byte[] senderPath = RawUnix.path(dir, concat("d-".getBytes(StandardCharsets.US_ASCII), NAME_TAIL));
        try (UnixDatagram receiver = UnixDatagram.bind(dir.resolve("r.sock"));
             UnixDatagram sender = UnixDatagram.fromRawFd(RawUnix.bound(SOCK_DGRAM, senderPath))) {
            expectRaw(sender.localAddr(), senderPath, "datagram localAddr");
            check(sender.sendTo("hi".getBytes(StandardCharsets.US_ASCII), receiver.localAddr()) == 2, "sendTo");
            ByteBuffer buf = ByteBuffer.allocate(16);
            UnixAddress from = receiver.recvFrom(buf);
            check(from != null, "recvFrom found no datagram");
            check(buf.position() == 2, "recvFrom stored " + buf.position() + " bytes");
            expectRaw(from, senderPath, "recvFrom sender");
            sender.connect(receiver.localAddr());
            expectRaw(receiver.localAddr(), RawUnix.path(dir, "r.sock".getBytes(StandardCharsets.US_ASCII)), "ASCII localAddr");
            check(receiver.localAddr().path().isPresent(), "an ASCII path lost its Path");
        }
        System.out.println("ok");
    }

    private static void expectRaw(UnixAddress a, byte[] raw, String what) {
        check(a.kind() == UnixAddress.Kind.PATHNAME, what + ": kind " + a.kind());
        check(Arrays.equals(a.pathBytes().orElseThrow(), raw), what + ": bytes " + a);
        if (!isAscii(raw)) {
            check(a.path().isEmpty(), what + ": a Path for bytes the charset cannot decode: " + a.path());
            check(a.toString().contains("\\xc3\\xa9"), what + ": toString " + a);
            try {
                a.toUnixDomainSocketAddress();
                check(false, what + ": toUnixDomainSocketAddress succeeded");
            } catch (IllegalStateException expected) {
                check(expected.getMessage().contains("pathBytes"), what + ": message " + expected.getMessage());
            }
        }
    }

    private static boolean isAscii(byte[] raw) {
        for (byte b : raw) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
