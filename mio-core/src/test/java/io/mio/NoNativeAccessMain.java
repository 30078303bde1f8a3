package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;
import io.mio.net.UnixStream;
import io.mio.unix.Pipe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Run by {@link NoNativeAccessTest} in a JVM without native access ({@code --illegal-native-access=deny}): the
 * automatic choice must be the SELECTOR backend, and using every kind of source must never reach
 * {@code java.lang.foreign}'s restricted methods (deny turns such a call into an exception).
 */
public final class NoNativeAccessMain {
    private NoNativeAccessMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("use-selector")) {
            Backend.use(Backend.SELECTOR); // chosen by API before first use, although native access is on
        }
        System.out.println("backend=" + Backend.current());
        Events events = Events.withCapacity(16);
        try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream client = TcpStream.connect(listener.localAddr());
             Waker waker = new Waker(poll.registry(), new Token(99))) {
            poll.registry().register(listener, new Token(0), Interest.READABLE);
            poll.registry().register(client, new Token(1), Interest.READABLE.add(Interest.WRITABLE));
            await(poll, events, 0);
            try (TcpStream server = listener.accept()) {
                server.write(new byte[] {1, 2, 3});
                await(poll, events, 1);
                if (client.read(ByteBuffer.allocate(8)) != 3) {
                    throw new AssertionError("TCP bytes lost");
                }
            }
            waker.wake();
            await(poll, events, 99);
            try (UdpSocket a = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0));
                 UdpSocket b = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0))) {
                poll.registry().register(b, new Token(2), Interest.READABLE);
                a.sendTo(new byte[] {4}, b.localAddr());
                await(poll, events, 2);
                if (b.recv(new byte[4]) != 1) {
                    throw new AssertionError("UDP datagram lost");
                }
            }
            try (UnixStream.Pair pair = UnixStream.pair(); Pipe pipe = Pipe.open();
                 TcpSocket s = TcpSocket.newV4()) {
                poll.registry().register(pair.second(), new Token(3), Interest.READABLE);
                poll.registry().register(pipe.receiver(), new Token(4), Interest.READABLE);
                pair.first().write(new byte[] {5});
                pipe.sender().write(new byte[] {6});
                await(poll, events, 3);
                s.setReuseAddr(true).setNodelay(true);
            }
        }
        System.out.println("ok");
    }

    private static void await(Poll poll, Events events, long token) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(100));
            for (Event e : events) {
                if (e.token().value() == token) {
                    return;
                }
            }
        }
        throw new AssertionError("no event for token " + token);
    }
}
