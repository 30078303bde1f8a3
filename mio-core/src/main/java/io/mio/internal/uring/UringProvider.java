package io.mio.internal.uring;

import io.mio.Backend;
import io.mio.internal.linux.LinuxProvider;
import io.mio.internal.spi.BackendProvider;
import io.mio.internal.spi.PipeSpi;
import io.mio.internal.spi.SelectorSpi;
import io.mio.internal.spi.SourceFdSpi;
import io.mio.internal.spi.SourcePair;
import io.mio.internal.spi.TcpListenerSpi;
import io.mio.internal.spi.TcpSocketSpi;
import io.mio.internal.spi.TcpStreamSpi;
import io.mio.internal.spi.UdpSocketSpi;
import io.mio.internal.spi.UnixDatagramSpi;
import io.mio.internal.spi.UnixListenerSpi;
import io.mio.internal.spi.UnixStreamSpi;
import io.mio.net.UnixAddress;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The URING backend: readiness from io_uring ({@link UringSelector}), each source's I/O by the epoll backend's own
 * classes (created by {@link LinuxProvider}, wrapped so that registration and close go through the ring).
 * Stateless and thread-safe.
 */
public final class UringProvider implements BackendProvider {
    private final LinuxProvider linux = new LinuxProvider();

    /**
     * Checks that io_uring is usable here with what this backend needs, by setting up (and closing) a small ring.
     *
     * @throws UringUnavailableException naming the cause: not in the kernel, refused by
     *         {@code kernel.io_uring_disabled} or a seccomp filter, or a kernel too old
     * @throws IOException if the check itself fails for want of memory or descriptors
     */
    public static void checkAvailable() throws IOException {
        try {
            Uring.open(2).close();
        } catch (LinkageError | IllegalCallerException e) {
            throw new UnsupportedOperationException("the URING backend needs native access: run with "
                    + "--enable-native-access=io.mio (or ALL-UNNAMED on the class path)", e);
        }
    }

    @Override
    public Backend backend() {
        return Backend.URING;
    }

    @Override
    public SelectorSpi openSelector() throws IOException {
        try {
            return UringSelector.open();
        } catch (LinkageError | IllegalCallerException e) {
            throw new UnsupportedOperationException("the URING backend needs native access: run with "
                    + "--enable-native-access=io.mio (or ALL-UNNAMED on the class path), or choose the SELECTOR "
                    + "backend (-Dio.mio.backend=selector)", e);
        }
    }

    @Override
    public io.mio.internal.spi.Telemetry telemetry() {
        return io.mio.internal.jfr.JfrTelemetry.INSTANCE;
    }

    @Override
    public TcpStreamSpi connectTcp(InetSocketAddress address) throws IOException {
        return new UringTcpStream(linux.connectTcp(address));
    }

    @Override
    public TcpStreamSpi adoptTcpStream(int fd) throws IOException {
        return new UringTcpStream(linux.adoptTcpStream(fd));
    }

    @Override
    public TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException {
        return new UringTcpListener(linux.bindTcp(address, backlog));
    }

    @Override
    public TcpListenerSpi adoptTcpListener(int fd) throws IOException {
        return new UringTcpListener(linux.adoptTcpListener(fd));
    }

    @Override
    public TcpSocketSpi openTcpSocket(boolean v6) throws IOException {
        return new UringTcpSocket(linux.openTcpSocket(v6));
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException {
        return new UringUdpSocket(linux.bindUdp(address));
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        return new UringUdpSocket(linux.bindUdp(address, reuseAddr, reusePort, broadcast, onlyV6, recvBufferSize,
                sendBufferSize));
    }

    @Override
    public UdpSocketSpi adoptUdp(int fd) throws IOException {
        return new UringUdpSocket(linux.adoptUdp(fd));
    }

    @Override
    public UnixStreamSpi connectUnix(UnixAddress address) throws IOException {
        return new UringUnixStream(linux.connectUnix(address));
    }

    @Override
    public SourcePair<UnixStreamSpi> unixStreamPair() throws IOException {
        SourcePair<UnixStreamSpi> p = linux.unixStreamPair();
        return new SourcePair<>(new UringUnixStream(p.first()), new UringUnixStream(p.second()));
    }

    @Override
    public UnixStreamSpi adoptUnixStream(int fd) throws IOException {
        return new UringUnixStream(linux.adoptUnixStream(fd));
    }

    @Override
    public UnixListenerSpi bindUnix(UnixAddress address, int backlog) throws IOException {
        return new UringUnixListener(linux.bindUnix(address, backlog));
    }

    @Override
    public UnixListenerSpi adoptUnixListener(int fd) throws IOException {
        return new UringUnixListener(linux.adoptUnixListener(fd));
    }

    @Override
    public UnixDatagramSpi bindUnixDatagram(UnixAddress address) throws IOException {
        return new UringUnixDatagram(linux.bindUnixDatagram(address));
    }

    @Override
    public UnixDatagramSpi unboundUnixDatagram() throws IOException {
        return new UringUnixDatagram(linux.unboundUnixDatagram());
    }

    @Override
    public SourcePair<UnixDatagramSpi> unixDatagramPair() throws IOException {
        SourcePair<UnixDatagramSpi> p = linux.unixDatagramPair();
        return new SourcePair<>(new UringUnixDatagram(p.first()), new UringUnixDatagram(p.second()));
    }

    @Override
    public UnixDatagramSpi adoptUnixDatagram(int fd) throws IOException {
        return new UringUnixDatagram(linux.adoptUnixDatagram(fd));
    }

    @Override
    public PipeSpi openPipe() throws IOException {
        PipeSpi p = linux.openPipe();
        PipeSpi.Sender sender = new UringPipeSender(p.sender());
        PipeSpi.Receiver receiver = new UringPipeReceiver(p.receiver());
        return new PipeSpi() {
            @Override
            public Sender sender() {
                return sender;
            }

            @Override
            public Receiver receiver() {
                return receiver;
            }
        };
    }

    @Override
    public PipeSpi.Sender adoptPipeSender(int fd) throws IOException {
        return new UringPipeSender(linux.adoptPipeSender(fd));
    }

    @Override
    public PipeSpi.Receiver adoptPipeReceiver(int fd) throws IOException {
        return new UringPipeReceiver(linux.adoptPipeReceiver(fd));
    }

    @Override
    public Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        return linux.startChild(pb, inner(stdin), inner(stdout), inner(stderr));
    }

    @SuppressWarnings("unchecked")
    private static <T> T inner(T end) {
        return end == null ? null : (T) ((UringSource) end).inner();
    }

    @Override
    public SourceFdSpi sourceFd(int fd) {
        return new UringSourceFd(linux.sourceFd(fd));
    }
}
