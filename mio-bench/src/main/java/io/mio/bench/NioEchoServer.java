package io.mio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Echo server on plain java.nio, written the careful way: one thread, {@link Selector#select(java.util.function.Consumer)}
 * (no selected-key set to iterate and clear), one direct read buffer shared by all connections, TCP_NODELAY.
 * The JDK's selector is level-triggered, so each readiness is served with one read; an echo that does not
 * fit is kept in the key's attachment and the key switches from OP_READ to OP_WRITE until it is written.
 *
 * <p>Usage: {@code NioEchoServer [port]}; prints {@code READY <port>}.
 */
public final class NioEchoServer {
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(ServerSupport.SHARED_BUFFER);
    private final Selector selector;
    private final ServerSocketChannel listener;

    private NioEchoServer(Selector selector, ServerSocketChannel listener) {
        this.selector = selector;
        this.listener = listener;
    }

    public static void main(String[] args) throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", ServerSupport.port(args)), ServerSupport.BACKLOG);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            ServerSupport.ready(((InetSocketAddress) listener.getLocalAddress()).getPort());
            NioEchoServer server = new NioEchoServer(selector, listener);
            while (true) {
                selector.select(server::onReady);
            }
        }
    }

    private void onReady(SelectionKey key) {
        try {
            if (key.channel() == listener) {
                accept();
            } else if (key.isWritable()) {
                flushBacklog(key);
            } else if (key.isReadable()) {
                echo(key);
            }
        } catch (IOException e) {
            close(key); // reset by the peer: drop the connection
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = listener.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ);
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        ByteBuffer buf = buffer;
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
            close(key);
            return;
        }
        if (n == 0) {
            return;
        }
        buf.flip();
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                ByteBuffer rest = ByteBuffer.allocateDirect(buf.remaining());
                rest.put(buf).flip();
                key.attach(rest);
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
        }
    }

    private void flushBacklog(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        ByteBuffer rest = (ByteBuffer) key.attachment();
        while (rest.hasRemaining()) {
            if (ch.write(rest) == 0) {
                return;
            }
        }
        key.attach(null);
        key.interestOps(SelectionKey.OP_READ);
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // nothing more to do for a dropped connection
        }
    }
}
