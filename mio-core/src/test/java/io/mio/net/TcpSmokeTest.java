package io.mio.net;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TcpSmokeTest {
    @Test
    void echoes_bytes_between_a_connected_client_and_an_accepted_stream() throws Exception {
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            Events events = Events.withCapacity(16);
            Token server = new Token(0), client = new Token(1);
            poll.registry().register(listener, server, Interest.READABLE);
            try (TcpStream stream = TcpStream.connect(listener.localAddr())) {
                poll.registry().register(stream, client, Interest.WRITABLE.add(Interest.READABLE));
                boolean serverReady = false, clientReady = false;
                long until = System.nanoTime() + 5_000_000_000L;
                while (!(serverReady && clientReady) && System.nanoTime() < until) {
                    poll.poll(events, Duration.ofMillis(100));
                    for (var e : events) {
                        serverReady |= e.token().equals(server) && e.isReadable();
                        clientReady |= e.token().equals(client) && e.isWritable();
                    }
                }
                assertThat(serverReady).as("listener readable").isTrue();
                assertThat(clientReady).as("client writable").isTrue();
                try (TcpStream accepted = listener.accept()) {
                    assertThat(accepted).isNotNull();
                    assertThat(accepted.peerAddr()).isEqualTo(stream.localAddr());
                    assertThat(stream.write("hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo(5);
                    ByteBuffer buf = ByteBuffer.allocate(16);
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (buf.position() < 5 && System.nanoTime() < deadline) {
                        accepted.read(buf);
                    }
                    assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII)).isEqualTo("hello");
                }
            }
        }
    }
}
