package io.mio.internal.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A backend's TCP socket being configured, behind {@link io.mio.net.TcpSocket}. The public class keeps what is the
 * same everywhere (the address family checks, IPv4/IPv6 option checks, the "spent" state after listen or connect);
 * setters return nothing (the public class returns itself). Not thread-safe, like the public class.
 */
public interface TcpSocketSpi {
    void setReuseAddr(boolean on) throws IOException;

    boolean reuseAddr() throws IOException;

    void setReusePort(boolean on) throws IOException;

    boolean reusePort() throws IOException;

    /** Called only on an IPv6 socket. */
    void setOnlyV6(boolean on) throws IOException;

    /** Called only on an IPv6 socket. */
    boolean onlyV6() throws IOException;

    void setKeepalive(boolean on) throws IOException;

    boolean keepalive() throws IOException;

    void setKeepaliveIdle(Duration idle) throws IOException;

    void setKeepaliveInterval(Duration interval) throws IOException;

    void setKeepaliveRetries(int count) throws IOException;

    void setLinger(Duration linger) throws IOException;

    Duration linger() throws IOException;

    void setRecvBufferSize(int bytes) throws IOException;

    int recvBufferSize() throws IOException;

    void setSendBufferSize(int bytes) throws IOException;

    int sendBufferSize() throws IOException;

    void setNodelay(boolean on) throws IOException;

    boolean nodelay() throws IOException;

    void setTos(int tos) throws IOException;

    int tos() throws IOException;

    /** {@code queueLength} is already checked non-negative. */
    void setFastOpen(int queueLength) throws IOException;

    int fastOpen() throws IOException;

    /** {@code address} is of this socket's family (checked by the public class). */
    void bind(InetSocketAddress address) throws IOException;

    InetSocketAddress localAddr() throws IOException;

    /** Listens ({@code backlog} checked non-negative); the socket then belongs to the returned listener. */
    TcpListenerSpi listen(int backlog) throws IOException;

    /** Starts a connect; the socket then belongs to the returned stream. */
    TcpStreamSpi connect(InetSocketAddress address) throws IOException;

    /** Closes the socket (called only while it did not become a listener or stream). Idempotent. */
    void close();
}
