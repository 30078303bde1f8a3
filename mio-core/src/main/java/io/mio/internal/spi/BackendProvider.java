package io.mio.internal.spi;

import io.mio.Backend;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Everything the public classes create, from one backend: {@link Backends#provider()} gives the JVM's one instance.
 * Each factory does what the public factory it serves documents; one a backend cannot offer throws
 * {@link UnsupportedOperationException} naming why (as the SELECTOR backend does for raw descriptors). The public
 * classes do the backend-neutral argument checks first (backlog not negative, ...).
 */
public interface BackendProvider {
    /** Which backend this is. */
    Backend backend();

    /** A new selector, for {@link io.mio.Poll#open()}. */
    SelectorSpi openSelector() throws IOException;

    /** Where polls and registry calls are reported for the JDK's tools; {@link Telemetry#NONE} unless overridden. */
    default Telemetry telemetry() {
        return Telemetry.NONE;
    }

    // ---- TCP ----------------------------------------------------------------------------------------

    /** {@link io.mio.net.TcpStream#connect}: a new socket with a non-blocking connect started. */
    TcpStreamSpi connectTcp(InetSocketAddress address) throws IOException;

    /** {@link io.mio.net.TcpStream#fromRawFd}. */
    TcpStreamSpi adoptTcpStream(int fd) throws IOException;

    /** {@link io.mio.net.TcpListener#bind(InetSocketAddress, int)}: SO_REUSEADDR, bind, listen. */
    TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException;

    /** {@link io.mio.net.TcpListener#fromRawFd}. */
    TcpListenerSpi adoptTcpListener(int fd) throws IOException;

    /** {@link io.mio.net.TcpSocket#newV4()} ({@code v6} false) and {@link io.mio.net.TcpSocket#newV6()}. */
    TcpSocketSpi openTcpSocket(boolean v6) throws IOException;

    // ---- UDP ----------------------------------------------------------------------------------------

    /** {@link io.mio.net.UdpSocket#bind}. */
    UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException;

    /**
     * {@link io.mio.net.UdpSocket.Builder#bind}: a socket of {@code address}'s family with these options, bound.
     * {@code onlyV6} null leaves IPV6_V6ONLY alone (the public class has rejected it for an IPv4 address); buffer
     * sizes 0 leave them alone.
     */
    UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException;

    /** {@link io.mio.net.UdpSocket#fromRawFd}. */
    UdpSocketSpi adoptUdp(int fd) throws IOException;

    // ---- Unix domain --------------------------------------------------------------------------------

    /** {@link io.mio.net.UnixStream#connect(UnixAddress)}. */
    UnixStreamSpi connectUnix(UnixAddress address) throws IOException;

    /** {@link io.mio.net.UnixStream#pair()}. */
    SourcePair<UnixStreamSpi> unixStreamPair() throws IOException;

    /** {@link io.mio.net.UnixStream#fromRawFd}. */
    UnixStreamSpi adoptUnixStream(int fd) throws IOException;

    /** {@link io.mio.net.UnixListener#bind(UnixAddress)}. */
    UnixListenerSpi bindUnix(UnixAddress address, int backlog) throws IOException;

    /** {@link io.mio.net.UnixListener#fromRawFd}. */
    UnixListenerSpi adoptUnixListener(int fd) throws IOException;

    /** {@link io.mio.net.UnixDatagram#bind(UnixAddress)}. */
    UnixDatagramSpi bindUnixDatagram(UnixAddress address) throws IOException;

    /** {@link io.mio.net.UnixDatagram#unbound()}. */
    UnixDatagramSpi unboundUnixDatagram() throws IOException;

    /** {@link io.mio.net.UnixDatagram#pair()}. */
    SourcePair<UnixDatagramSpi> unixDatagramPair() throws IOException;

    /** {@link io.mio.net.UnixDatagram#fromRawFd}. */
    UnixDatagramSpi adoptUnixDatagram(int fd) throws IOException;

    // ---- pipes and descriptors ----------------------------------------------------------------------

    /** {@link io.mio.unix.Pipe#open()}. */
    PipeSpi openPipe() throws IOException;

    /** {@link io.mio.unix.Pipe.Sender#fromRawFd}. */
    PipeSpi.Sender adoptPipeSender(int fd) throws IOException;

    /** {@link io.mio.unix.Pipe.Receiver#fromRawFd}. */
    PipeSpi.Receiver adoptPipeReceiver(int fd) throws IOException;

    /**
     * {@link io.mio.unix.Pipe#startChild}: starts {@code pb} with the non-null ends as the child's stdin, stdout and
     * stderr (ends of this provider).
     */
    Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException;

    /** {@link io.mio.unix.SourceFd#SourceFd(int)}: registers {@code fd} without owning it. */
    SourceFdSpi sourceFd(int fd);
}
