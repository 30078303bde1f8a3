package io.mio;

import io.mio.net.Shutdown;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import io.mio.net.UnixStream;
import io.mio.unix.Pipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static io.mio.Conformance.WITHIN;
import static io.mio.Conformance.acceptWithin;
import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streams and pipe ends as java.nio channels (issue 14): code written against {@link ByteChannel},
 * {@link ScatteringByteChannel} and {@link GatheringByteChannel} takes them as they are, with the return values of a
 * channel in non-blocking mode. Runs on both backends.
 */
@Timeout(60)
class ChannelInteropTest {
    private static final Token READ = new Token(1);

    /** A connected TCP pair: [0] the client, [1] the accepted end. */
    private static TcpStream[] tcpPair(TcpListener listener) throws Exception {
        TcpStream client = TcpStream.connect(listener.localAddr());
        TcpStream server = acceptWithin(listener, WITHIN);
        try (Poll poll = Poll.open()) { // wait until the client's connect has completed
            Events events = Events.withCapacity(4);
            poll.registry().register(client, READ, Interest.WRITABLE);
            long deadline = System.nanoTime() + WITHIN.toNanos();
            do {
                poll.poll(events, Duration.ofMillis(100));
            } while (events.isEmpty() && System.nanoTime() < deadline);
            poll.registry().deregister(client);
        }
        return new TcpStream[] {client, server};
    }

    // ---- a codec written for channels, knowing nothing of io.mio -------------------------------------------

    /** Writes one frame, a 4-byte length then the body, with one gather write per call; false if it would block. */
    private static boolean writeFrame(GatheringByteChannel out, ByteBuffer header, ByteBuffer body) throws IOException {
        out.write(new ByteBuffer[] {header, body});
        return !header.hasRemaining() && !body.hasRemaining();
    }

    /** Reads what is there of a frame into header and body (scatter); true once the body is complete. */
    private static boolean readFrame(ScatteringByteChannel in, ByteBuffer header, ByteBuffer body) throws IOException {
        long n = in.read(new ByteBuffer[] {header, body});
        if (n < 0) {
            throw new IOException("end of stream inside a frame");
        }
        return !header.hasRemaining() && header.getInt(0) == body.position();
    }

    private static void pump(Poll poll, Events events) throws IOException {
        poll.poll(events, Duration.ofMillis(50));
    }

    @ParameterizedTest(name = "direct buffers: {0}")
    @ValueSource(booleans = {true, false})
    void a_channel_codec_moves_frames_over_a_tcp_stream(boolean direct) throws Exception {
        try (TcpListener listener = TcpListener.bind(anyLocal()); Poll poll = Poll.open()) {
            TcpStream[] pair = tcpPair(listener);
            try (TcpStream client = pair[0]; TcpStream server = pair[1]) {
                byte[] text = new byte[200_000]; // more than one write's worth of socket buffer, usually
                for (int i = 0; i < text.length; i++) {
                    text[i] = (byte) (i * 31 + 7);
                }
                ByteBuffer outHeader = alloc(4, direct).putInt(0, text.length);
                ByteBuffer outBody = alloc(text.length, direct).put(text).flip();
                ByteBuffer inHeader = alloc(4, direct);
                ByteBuffer inBody = alloc(text.length, direct);
                Events events = Events.withCapacity(4);
                poll.registry().register(server, READ, Interest.READABLE);
                boolean sent = false, received = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!received && System.nanoTime() < deadline) {
                    sent = sent || writeFrame(client, outHeader, outBody);
                    received = readFrame(server, inHeader, inBody);
                    if (!received) {
                        pump(poll, events);
                    }
                }
                assertThat(sent).isTrue();
                assertThat(received).isTrue();
                byte[] got = new byte[text.length];
                inBody.flip().get(got);
                assertThat(Arrays.equals(got, text)).as("the body arrives intact").isTrue();
            }
        }
    }

    // ---- the non-blocking channel contract -----------------------------------------------------------------

    @Test
    void tcp_read_gives_0_when_it_would_block_and_minus_1_at_end_of_stream() throws Exception {
        try (TcpListener listener = TcpListener.bind(anyLocal())) {
            TcpStream[] pair = tcpPair(listener);
            try (TcpStream client = pair[0]; TcpStream server = pair[1]) {
                checkReadContract(client, server, () -> client.shutdown(Shutdown.WRITE));
            }
        }
    }

    @Test
    void unix_read_gives_0_when_it_would_block_and_minus_1_at_end_of_stream() throws Exception {
        try (UnixStream.Pair pair = UnixStream.pair()) {
            checkReadContract(pair.first(), pair.second(), () -> pair.first().shutdown(Shutdown.WRITE));
        }
    }

    @Test
    void pipe_read_gives_0_when_it_would_block_and_minus_1_at_end_of_file() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            checkReadContract(pipe.sender(), pipe.receiver(), () -> pipe.sender().close());
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void checkReadContract(WritableByteChannel out, ReadableByteChannel in, Action endOfStream)
            throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertThat(in.read(dst)).as("nothing sent yet: would block").isZero();
        assertThat(out.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(5);
        assertThat(out.write(ByteBuffer.allocate(0))).as("nothing to write").isZero();
        endOfStream.run();
        long deadline = System.nanoTime() + WITHIN.toNanos();
        int n;
        int total = 0;
        while ((n = in.read(dst)) >= 0 && System.nanoTime() < deadline) {
            total += n;
            if (n == 0) {
                Thread.sleep(5);
            }
        }
        assertThat(total).isEqualTo(5);
        assertThat(n).as("end of stream").isEqualTo(-1);
        assertThat(in.read(ByteBuffer.allocate(8))).as("still at end").isEqualTo(-1);
    }

    // ---- scatter / gather with offset and length -----------------------------------------------------------

    @ParameterizedTest(name = "direct buffers: {0}")
    @ValueSource(booleans = {true, false})
    void tcp_vectored_io_moves_only_the_range_asked(boolean direct) throws Exception {
        try (TcpListener listener = TcpListener.bind(anyLocal())) {
            TcpStream[] pair = tcpPair(listener);
            try (TcpStream client = pair[0]; TcpStream server = pair[1]) {
                checkRanges(client, server, direct);
            }
        }
    }

    @ParameterizedTest(name = "direct buffers: {0}")
    @ValueSource(booleans = {true, false})
    void unix_vectored_io_moves_only_the_range_asked(boolean direct) throws Exception {
        try (UnixStream.Pair pair = UnixStream.pair()) {
            checkRanges(pair.first(), pair.second(), direct);
        }
    }

    @ParameterizedTest(name = "direct buffers: {0}")
    @ValueSource(booleans = {true, false})
    void pipe_vectored_io_moves_only_the_range_asked(boolean direct) throws Exception {
        try (Pipe pipe = Pipe.open()) {
            checkRanges(pipe.sender(), pipe.receiver(), direct);
        }
    }

    private static void checkRanges(GatheringByteChannel out, ScatteringByteChannel in, boolean direct) throws Exception {
        ByteBuffer[] srcs = {text("skip", direct), text("abc", direct), text("defg", direct), text("skip", direct)};
        assertThat(out.write(srcs, 1, 2)).isEqualTo(7);
        assertThat(srcs[0].position()).as("outside the range: untouched").isZero();
        assertThat(srcs[3].position()).isZero();
        assertThat(srcs[1].hasRemaining() || srcs[2].hasRemaining()).isFalse();
        assertThat(out.write(srcs, 1, 2)).as("nothing remains in the range").isZero();

        ByteBuffer[] dsts = {alloc(8, direct), alloc(2, direct), alloc(5, direct), alloc(8, direct)};
        long deadline = System.nanoTime() + WITHIN.toNanos();
        long total = 0;
        while (total < 7 && System.nanoTime() < deadline) {
            long n = in.read(dsts, 1, 2);
            assertThat(n).isNotNegative();
            total += n;
        }
        assertThat(total).isEqualTo(7);
        assertThat(dsts[0].position()).as("outside the range: untouched").isZero();
        assertThat(dsts[3].position()).isZero();
        assertThat(string(dsts[1]) + string(dsts[2])).isEqualTo("abcdefg");
        assertThat(in.read(dsts, 1, 2)).as("no room left in the range").isZero();
        assertThat(in.read(dsts, 0, 1)).as("room, nothing sent: would block").isZero();

        assertThatThrownBy(() -> in.read(dsts, 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> out.write(srcs, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ---- close, isOpen, streams -----------------------------------------------------------------------------

    @Test
    void close_is_idempotent_and_later_calls_throw_closed_channel() throws Exception {
        try (TcpListener listener = TcpListener.bind(anyLocal()); Pipe pipe = Pipe.open()) {
            TcpStream[] pair = tcpPair(listener);
            pair[1].close();
            UnixStream.Pair unix = UnixStream.pair();
            unix.second().close();
            for (Channel channel : new Channel[] {pair[0], unix.first(), pipe.sender(), pipe.receiver()}) {
                assertThat(channel.isOpen()).isTrue();
                channel.close();
                channel.close();
                assertThat(channel.isOpen()).as(channel + " closed").isFalse();
                if (channel instanceof ReadableByteChannel r) {
                    assertThatThrownBy(() -> r.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
                }
                if (channel instanceof WritableByteChannel w) {
                    assertThatThrownBy(() -> w.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
                }
            }
        }
    }

    @Test
    void channels_streams_work_over_a_pipe_once_the_bytes_and_end_of_file_are_queued() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            byte[] text = "through java.nio.channels.Channels".getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = Channels.newOutputStream(pipe.sender())) {
                out.write(text);
            } // closes the sender: end of file follows the bytes
            assertThat(pipe.sender().isOpen()).isFalse();
            InputStream in = Channels.newInputStream(pipe.receiver());
            assertThat(in.readAllBytes()).isEqualTo(text);
        }
    }

    private static ByteBuffer alloc(int size, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    private static ByteBuffer text(String s, boolean direct) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return alloc(b.length, direct).put(b).flip();
    }

    private static String string(ByteBuffer b) {
        ByteBuffer d = b.duplicate().flip();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return new String(out, StandardCharsets.US_ASCII);
    }
}
