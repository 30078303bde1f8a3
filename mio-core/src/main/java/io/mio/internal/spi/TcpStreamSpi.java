package io.mio.internal.spi;

import io.mio.net.Shutdown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A backend's TCP connection, behind {@link io.mio.net.TcpStream}: each method does what the public method of the
 * same name documents (results, exceptions, allocation). The whole-array forms ({@code read(byte[])},
 * {@code read(ByteBuffer[])}, ...) are resolved in the public class.
 */
public interface TcpStreamSpi extends SourceSpi {
    int read(ByteBuffer dst) throws IOException;

    int read(byte[] dst, int offset, int length) throws IOException;

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    int peek(ByteBuffer dst) throws IOException;

    int peek(byte[] dst, int offset, int length) throws IOException;

    int write(ByteBuffer src) throws IOException;

    int write(byte[] src, int offset, int length) throws IOException;

    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    int sendUrgent(byte b) throws IOException;

    void shutdown(Shutdown how) throws IOException;

    InetSocketAddress peerAddr() throws IOException;

    InetSocketAddress localAddr() throws IOException;

    void setNodelay(boolean nodelay) throws IOException;

    boolean nodelay() throws IOException;

    void setTtl(int ttl) throws IOException;

    int ttl() throws IOException;

    void setLinger(Duration linger) throws IOException;

    Duration linger() throws IOException;

    void setKeepalive(boolean on) throws IOException;

    boolean keepalive() throws IOException;

    void setKeepaliveIdle(Duration idle) throws IOException;

    Duration keepaliveIdle() throws IOException;

    void setKeepaliveInterval(Duration interval) throws IOException;

    Duration keepaliveInterval() throws IOException;

    void setKeepaliveRetries(int count) throws IOException;

    int keepaliveRetries() throws IOException;

    void setQuickack(boolean on) throws IOException;

    boolean quickack() throws IOException;

    void setRecvBufferSize(int bytes) throws IOException;

    int recvBufferSize() throws IOException;

    void setSendBufferSize(int bytes) throws IOException;

    int sendBufferSize() throws IOException;

    void setTos(int tos) throws IOException;

    int tos() throws IOException;

    IOException takeError() throws IOException;
}
