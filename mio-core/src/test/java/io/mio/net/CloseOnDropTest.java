package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * mio's close_on_drop: the server accepts and at once closes the connection; the client, driven by a small
 * state machine that reregisters after every event, sees the close as readable and reads end of stream.
 */
@Timeout(30)
class CloseOnDropTest {
    private static final Token SERVER = new Token(0);
    private static final Token CLIENT = new Token(1);

    private enum State { CONNECTING, CONNECTED, AFTER_READ }

    private final class Handler {
        final TcpListener server;
        final TcpStream client;
        State state = State.CONNECTING;
        boolean done;
        int accepted;

        Handler(TcpListener server, TcpStream client) {
            this.server = server;
            this.client = client;
        }

        void readable(Poll poll, Token token) throws IOException {
            if (token.equals(SERVER)) {
                TcpStream s;
                while ((s = server.accept()) != null) {
                    accepted++;
                    s.close(); // "drop" the accepted stream right away
                }
                return;
            }
            assertThat(token).isEqualTo(CLIENT);
            byte[] buf = new byte[1024];
            if (state != State.AFTER_READ) {
                int n = client.read(buf);
                assertThat(n).as("the peer sent nothing, so the first read is end of stream or would block").isLessThanOrEqualTo(0);
                if (n == 0) {
                    poll.registry().reregister(client, CLIENT, Interest.READABLE);
                    return; // spurious wake-up: wait for the next event
                }
                state = State.AFTER_READ;
            }
            int n = client.read(buf);
            if (n == -1) {
                done = true;
            } else if (n > 0) {
                fail("the client socket should have nothing to read, got " + n + " bytes");
            }
            poll.registry().reregister(client, CLIENT, Interest.READABLE);
        }

        void writable(Poll poll, Token token) throws IOException {
            assertThat(token).as("only the client asked for writable").isEqualTo(CLIENT);
            assertThat(client.takeError()).isNull();
            if (state == State.CONNECTING) {
                state = State.CONNECTED;
            }
            poll.registry().reregister(client, CLIENT, Interest.READABLE);
        }
    }

    @Test
    void close_on_drop() throws Exception {
        try (Poll poll = Poll.open(); TcpListener server = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            poll.registry().register(server, SERVER, Interest.READABLE);
            try (TcpStream client = TcpStream.connect(server.localAddr())) {
                poll.registry().register(client, CLIENT, Interest.WRITABLE);
                Events events = Events.withCapacity(1024);
                Handler h = new Handler(server, client);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!h.done) {
                    assertThat(System.nanoTime()).as("finished in time; state " + h.state).isLessThan(deadline);
                    poll.poll(events, Duration.ofMillis(200));
                    for (Event e : events) {
                        if (e.isReadable()) {
                            h.readable(poll, e.token());
                        }
                        if (e.isWritable()) {
                            h.writable(poll, e.token());
                        }
                    }
                }
                assertThat(h.state).isEqualTo(State.AFTER_READ);
                assertThat(h.accepted).isEqualTo(1);
            }
        }
    }
}
