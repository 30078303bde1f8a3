package io.mio.net;

import io.mio.internal.ClosedException;
import io.mio.internal.nio.NioErrors;
import io.mio.internal.nio.NioListener;
import io.mio.internal.nio.NioStream;
import io.mio.internal.nio.Unsupported;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link TcpSocket} on the selector backend. The JDK decides between a stream and a listener when the channel is
 * created, so the options live on a {@link SocketChannel} (which also takes the bind, so that {@code localAddr}
 * works) and {@link #listen} moves them to a new {@link ServerSocketChannel} bound to the same address (the
 * options a listening channel cannot hold, such as TCP_NODELAY, go to each accepted stream, as Linux's
 * inheritance does).
 */
final class NioTcpSocket {
    private final SocketChannel ch;
    private final Map<SocketOption<?>, Object> set = new LinkedHashMap<>();
    private InetSocketAddress bound;

    NioTcpSocket(boolean v6) throws IOException {
        ch = SocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.configureBlocking(false);
    }

    private void ensureOpen() throws ClosedException {
        if (!ch.isOpen()) {
            throw new ClosedException("TcpSocket");
        }
    }

    <T> void set(SocketOption<T> option, T value) throws IOException {
        ensureOpen();
        if (!ch.supportedOptions().contains(option)) {
            throw Unsupported.option(option.name(), "TcpSocket");
        }
        try {
            ch.setOption(option, value);
        } catch (ClosedChannelException e) {
            throw new ClosedException("TcpSocket");
        }
        set.put(option, value);
    }

    <T> T get(SocketOption<T> option) throws IOException {
        ensureOpen();
        if (!ch.supportedOptions().contains(option)) {
            throw Unsupported.option(option.name(), "TcpSocket");
        }
        try {
            return ch.getOption(option);
        } catch (ClosedChannelException e) {
            throw new ClosedException("TcpSocket");
        }
    }

    void setLinger(Duration linger) throws IOException {
        set(StandardSocketOptions.SO_LINGER, NioOpts.lingerSeconds(linger));
    }

    Duration linger() throws IOException {
        int s = get(StandardSocketOptions.SO_LINGER);
        return s < 0 ? null : Duration.ofSeconds(s);
    }

    void setKeepaliveIdle(Duration d) throws IOException {
        set(ExtendedSocketOptions.TCP_KEEPIDLE, SockOpts.seconds(d, 32767, "TCP_KEEPIDLE"));
    }

    void setKeepaliveInterval(Duration d) throws IOException {
        set(ExtendedSocketOptions.TCP_KEEPINTERVAL, SockOpts.seconds(d, 32767, "TCP_KEEPINTVL"));
    }

    void setKeepaliveRetries(int count) throws IOException {
        NioOpts.checkRetries(count);
        set(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
    }

    void setOnlyV6(boolean on) throws IOException {
        ensureOpen();
        if (on) {
            throw Unsupported.option("IPV6_V6ONLY", "TcpSocket"); // the JDK's IPv6 sockets are always dual-stack
        }
    }

    void bind(InetSocketAddress address) throws IOException {
        ensureOpen();
        try {
            ch.bind(address);
        } catch (IOException e) {
            throw NioErrors.withErrno(e, "bind to " + address);
        }
        bound = (InetSocketAddress) ch.getLocalAddress();
    }

    InetSocketAddress localAddr() throws IOException {
        ensureOpen();
        return (InetSocketAddress) ch.getLocalAddress();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    NioListener listen(int backlog, boolean v6) throws IOException {
        ensureOpen();
        ServerSocketChannel server = ServerSocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            Map<SocketOption<?>, Object> inherited = new LinkedHashMap<>();
            for (Map.Entry<SocketOption<?>, Object> e : set.entrySet()) {
                if (server.supportedOptions().contains(e.getKey())) {
                    server.setOption((SocketOption) e.getKey(), e.getValue());
                } else {
                    inherited.put(e.getKey(), e.getValue());
                }
            }
            InetSocketAddress at = bound;
            ch.close(); // frees the address for the listener
            try {
                server.bind(at, backlog);
            } catch (IOException e) {
                throw NioErrors.withErrno(e, "bind to " + at);
            }
            NioListener l = new NioListener(server, "TcpListener");
            l.inherit(inherited);
            return l;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    NioStream connect(InetSocketAddress address) throws IOException {
        ensureOpen();
        NioStream s = new NioStream(ch, "TcpStream");
        try {
            ch.connect(address);
        } catch (IOException e) {
            s.close();
            throw NioErrors.withErrno(e, "connect to " + address);
        }
        return s;
    }

    void close() throws IOException {
        ch.close();
    }

    @Override
    public String toString() {
        return ch.isOpen() ? "selector-backend socket" : "closed";
    }
}
