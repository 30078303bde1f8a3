package io.mio.examples;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Registry;
import io.mio.Token;
import io.mio.net.SocketAddressHolder;
import io.mio.net.UdpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * mio's {@code udp_server} example: an echo server on UDP. Every datagram goes back, unchanged, to the address
 * it came from. It serves until stopped.
 *
 * <p>Usage: {@code UdpServer [port]} (default 9000); then {@code nc -u 127.0.0.1 9000} (each line you type is
 * one datagram).
 *
 * <p>The loop allocates nothing per datagram: one direct buffer holds the datagram and one
 * {@link SocketAddressHolder} its sender, both reused, through the {@code recvFrom}/{@code sendTo} forms that
 * fill and read a holder instead of returning a new {@link InetSocketAddress}.
 */
public final class UdpServer {
    static final Token SOCKET = new Token(0);
    /**
     * Token of a {@link io.mio.Waker} that ends {@link #serve}. {@link #main} never creates one, so it serves until
     * killed; tests do, to stop a server they run on a thread.
     */
    static final Token STOP = new Token(1);
    /** Larger than any UDP payload over IPv4 (65,507 bytes), so no datagram is truncated. */
    private static final int MAX_DATAGRAM = 64 * 1024;

    private UdpServer() {}

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        try (Poll poll = Poll.open();
             UdpSocket socket = UdpSocket.bind(new InetSocketAddress("127.0.0.1", port))) {
            InetSocketAddress bound = socket.localAddr();
            System.out.println("You can connect to the server using `nc`:");
            System.out.println(" $ nc -u " + bound.getHostString() + " " + bound.getPort());
            System.out.println("Anything you type is echoed back.");
            System.out.flush();
            serve(poll, socket);
        }
    }

    /** Echoes {@code socket}'s datagrams until {@code poll} reports {@link #STOP}; closes nothing. */
    static void serve(Poll poll, UdpSocket socket) throws IOException {
        Registry registry = poll.registry();
        registry.register(socket, SOCKET, Interest.READABLE);
        Events events = Events.withCapacity(8);
        ByteBuffer datagram = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        SocketAddressHolder sender = new SocketAddressHolder();
        boolean replyPending = false;
        while (true) {
            poll.poll(events, null); // a signal may end it early with no events: the loop just polls again
            for (int i = 0; i < events.size(); i++) {
                long token = events.get(i).token().value();
                if (token == STOP.value()) {
                    return;
                }
                if (token == SOCKET.value()) {
                    // Readable or writable, the same work follows: finish the reply in hand, then drain.
                    boolean blocked = echo(socket, datagram, sender, replyPending);
                    if (blocked != replyPending) {
                        // Ask for writable only while a reply waits for room. Linux wakes a UDP socket's
                        // writers each time a sent datagram leaves its buffer, so wanting writable all the time
                        // would cost an extra event per reply.
                        registry.reregister(socket, SOCKET, blocked ? Interest.READABLE.add(Interest.WRITABLE)
                                : Interest.READABLE);
                        replyPending = blocked;
                    }
                }
            }
        }
    }

    /**
     * Sends the pending reply, if any, then receives and echoes until a receive would block (edge-triggered: only
     * then does a new datagram raise a new event).
     *
     * @return whether a reply is (still) pending because sending it would block
     */
    private static boolean echo(UdpSocket socket, ByteBuffer datagram, SocketAddressHolder sender,
            boolean replyPending) throws IOException {
        if (replyPending && !reply(socket, datagram, sender)) {
            return true;
        }
        while (true) {
            datagram.clear();
            if (socket.recvFrom(datagram, sender) == UdpSocket.WOULD_BLOCK) {
                return false;
            }
            datagram.flip(); // an empty datagram (0 bytes) is echoed too: it is a datagram, not a would-block
            if (!reply(socket, datagram, sender)) {
                // Stop receiving while the reply waits: the datagrams behind it stay queued in the kernel
                // (which drops the excess when its buffer fills, as UDP allows) instead of in this process.
                return true;
            }
        }
    }

    /** Sends {@code datagram} back to {@code sender}; false if that would block (then it stays for a retry). */
    private static boolean reply(UdpSocket socket, ByteBuffer datagram, SocketAddressHolder sender) throws IOException {
        try {
            return socket.sendTo(datagram, sender) != UdpSocket.WOULD_BLOCK;
        } catch (SocketException e) {
            // This one sender cannot be answered (no route, refused by a firewall rule, ...): drop its reply
            // rather than stop serving everybody else.
            return true;
        }
    }
}
