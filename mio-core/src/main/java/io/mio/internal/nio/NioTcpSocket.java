package io.mio.internal.nio;

import io.mio.internal.ClosedException;
import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpSocketSpi;
import io.mio.internal.spi.TcpStreamSpi;
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
 * {@code TcpSocket} on the selector backend. The JDK decides between a stream and a listener when the channel is
 * created, so the options live on a {@link SocketChannel} (which also takes the bind, so that {@code localAddr}
 * works) and {@link #listen} moves them to a new {@link ServerSocketChannel} bound to the same address (the
 * options a listening channel cannot hold, such as TCP_NODELAY, go to each accepted stream, as Linux's
 * inheritance does).
 */
final class NioTcpSocket implements TcpSocketSpi {
    private final SocketChannel ch;
    private final boolean v6;
    private final Map<SocketOption<?>, Object> set = new LinkedHashMap<>();
    private InetSocketAddress bound;

    NioTcpSocket(boolean v6) throws IOException {
        ch = SocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.configureBlocking(false);
        this.v6 = v6;
    }

    private void ensureOpen() throws ClosedException {
        if (!ch.isOpen()) {
            throw new ClosedException("TcpSocket");
        }
    }

    private <T> void set(SocketOption<T> option, T value) throws IOException {
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

    private <T> T get(SocketOption<T> option) throws IOException {
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

    @Override
    public void setReuseAddr(boolean on) throws IOException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean reuseAddr() throws IOException {
        return get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setReusePort(boolean on) throws IOException {
        set(StandardSocketOptions.SO_REUSEPORT, on);
    }

    @Override
    public boolean reusePort() throws IOException {
        return get(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    public void setKeepalive(boolean on) throws IOException {
        set(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean keepalive() throws IOException {
        return get(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setRecvBufferSize(int bytes) throws IOException {
        set(StandardSocketOptions.SO_RCVBUF, NioOpts.checkBuffer(bytes, "SO_RCVBUF"));
    }

    @Override
    public int recvBufferSize() throws IOException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        set(StandardSocketOptions.SO_SNDBUF, NioOpts.checkBuffer(bytes, "SO_SNDBUF"));
    }

    @Override
    public int sendBufferSize() throws IOException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setNodelay(boolean on) throws IOException {
        set(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean nodelay() throws IOException {
        return get(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setTos(int tos) throws IOException {
        set(StandardSocketOptions.IP_TOS, NioOpts.checkTos(tos));
    }

    @Override
    public int tos() throws IOException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setFastOpen(int queueLength) {
        throw Unsupported.option("TCP_FASTOPEN", "TcpSocket");
    }

    @Override
    public int fastOpen() {
        throw Unsupported.option("TCP_FASTOPEN", "TcpSocket");
    }

    @Override
    public void setLinger(Duration linger) throws IOException {
        set(StandardSocketOptions.SO_LINGER, NioOpts.lingerSeconds(linger));
    }

    @Override
    public Duration linger() throws IOException {
        int s = get(StandardSocketOptions.SO_LINGER);
        return s < 0 ? null : Duration.ofSeconds(s);
    }

    @Override
    public void setKeepaliveIdle(Duration d) throws IOException {
        set(ExtendedSocketOptions.TCP_KEEPIDLE, NioOpts.seconds(d, 32767, "TCP_KEEPIDLE"));
    }

    @Override
    public void setKeepaliveInterval(Duration d) throws IOException {
        set(ExtendedSocketOptions.TCP_KEEPINTERVAL, NioOpts.seconds(d, 32767, "TCP_KEEPINTVL"));
    }

    @Override
    public void setKeepaliveRetries(int count) throws IOException {
        NioOpts.checkRetries(count);
        set(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
    }

    @Override
    public void setOnlyV6(boolean on) throws IOException {
        ensureOpen();
        if (on) {
            throw Unsupported.option("IPV6_V6ONLY", "TcpSocket"); // the JDK's IPv6 sockets are always dual-stack
        }
    }

    @Override
    public boolean onlyV6() throws IOException {
        localAddr();
        return false; // the JDK's IPv6 sockets are dual-stack
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        ensureOpen();
        try {
            ch.bind(address);
        } catch (IOException e) {
            throw NioErrors.withErrno(e, "bind to " + address);
        }
        bound = (InetSocketAddress) ch.getLocalAddress();
    }

    @Override
    public InetSocketAddress localAddr() throws IOException {
        ensureOpen();
        return (InetSocketAddress) ch.getLocalAddress();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TcpListenerSpi listen(int backlog) throws IOException {
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
            return new NioTcpListener(l);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public TcpStreamSpi connect(InetSocketAddress address) throws IOException {
        ensureOpen();
        NioStream s = new NioStream(ch, "TcpStream");
        try {
            ch.connect(address);
        } catch (IOException e) {
            s.close();
            throw NioErrors.withErrno(e, "connect to " + address);
        }
        return new NioTcpStream(s);
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    @Override
    public String toString() {
        return ch.isOpen() ? "selector-backend socket" : "closed";
    }
}
