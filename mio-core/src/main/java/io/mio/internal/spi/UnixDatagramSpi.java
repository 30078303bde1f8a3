package io.mio.internal.spi;

import io.mio.net.Shutdown;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A backend's Unix-domain datagram socket, behind {@link io.mio.net.UnixDatagram}; methods as the public ones of the
 * same name ({@code int} results: a datagram's size or {@link UdpSocketSpi#WOULD_BLOCK}).
 */
public interface UnixDatagramSpi extends SourceSpi {
    /** {@code address} is neither null nor unnamed (checked by the public class). */
    void connect(UnixAddress address) throws IOException;

    int sendTo(ByteBuffer src, UnixAddress target) throws IOException;

    int sendTo(byte[] src, int offset, int length, UnixAddress target) throws IOException;

    UnixAddress recvFrom(ByteBuffer dst) throws IOException;

    int send(ByteBuffer src) throws IOException;

    int send(byte[] src, int offset, int length) throws IOException;

    int recv(ByteBuffer dst) throws IOException;

    int recv(byte[] dst, int offset, int length) throws IOException;

    int peek(ByteBuffer dst) throws IOException;

    void shutdown(Shutdown how) throws IOException;

    UnixAddress localAddr() throws IOException;

    UnixAddress peerAddr() throws IOException;

    IOException takeError() throws IOException;
}
