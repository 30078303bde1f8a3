package io.mio.examples;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * mio's README example in Java: a listener and a client in one poll loop. The client connects, the server
 * accepts, and the program ends once the client's connection is established.
 */
public final class HelloMio {
    // Tokens tell the events of the two sources apart.
    private static final Token SERVER = new Token(0);
    private static final Token CLIENT = new Token(1);

    public static void main(String[] args) throws IOException {
        try (Poll poll = Poll.open();
             TcpListener server = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            Events events = Events.withCapacity(128);
            poll.registry().register(server, SERVER, Interest.READABLE);

            try (TcpStream client = TcpStream.connect(server.localAddr())) {
                poll.registry().register(client, CLIENT, Interest.READABLE.add(Interest.WRITABLE));
                TcpStream accepted = null;
                while (true) {
                    poll.poll(events, null); // blocks until an event arrives
                    for (Event event : events) {
                        if (event.token().equals(SERVER)) {
                            // Edge-triggered: accept until it would block (null).
                            TcpStream connection;
                            while ((connection = server.accept()) != null) {
                                System.out.println("server: accepted a connection from " + connection.peerAddr());
                                if (accepted != null) {
                                    accepted.close();
                                }
                                accepted = connection;
                            }
                        } else if (event.token().equals(CLIENT)) {
                            if (event.isWritable()) {
                                System.out.println("client: connected to " + client.peerAddr()
                                        + " from " + client.localAddr());
                            }
                            if (accepted != null) {
                                accepted.close();
                            }
                            System.out.println("done");
                            return;
                        }
                    }
                }
            }
        }
    }
}
