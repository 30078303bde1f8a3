package io.mio.internal.linux;

import io.mio.Backend;
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

import static io.mio.internal.linux.LinuxConstants.SOCK_DGRAM;
import static io.mio.internal.linux.LinuxConstants.SOCK_STREAM;

/** The EPOLL backend: epoll, eventfd and the socket syscalls through FFM. */
public final class LinuxProvider implements BackendProvider {
    @Override
    public Backend backend() {
        return Backend.EPOLL;
    }

    @Override
    public SelectorSpi openSelector() throws IOException {
        try {
            return EpollSelector.open();
        } catch (LinkageError | IllegalCallerException e) {
            // --illegal-native-access=deny (or a JDK without FFM access for this module) refused the downcalls.
            throw new UnsupportedOperationException("the EPOLL backend needs native access: run with "
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
        return LinuxTcpStream.connect(address);
    }

    @Override
    public TcpStreamSpi adoptTcpStream(int fd) throws IOException {
        return new LinuxTcpStream(SocketOps.adopt(fd, SOCK_STREAM, "TcpStream"), null);
    }

    @Override
    public TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException {
        return LinuxTcpListener.bind(address, backlog);
    }

    @Override
    public TcpListenerSpi adoptTcpListener(int fd) throws IOException {
        return new LinuxTcpListener(SocketOps.adopt(fd, SOCK_STREAM, "TcpListener"));
    }

    @Override
    public TcpSocketSpi openTcpSocket(boolean v6) throws IOException {
        return new LinuxTcpSocket(v6);
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException {
        return LinuxUdpSocket.bind(address);
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        return LinuxUdpSocket.bind(address, reuseAddr, reusePort, broadcast, onlyV6, recvBufferSize, sendBufferSize);
    }

    @Override
    public UdpSocketSpi adoptUdp(int fd) throws IOException {
        return LinuxUdpSocket.adopt(fd);
    }

    @Override
    public UnixStreamSpi connectUnix(UnixAddress address) throws IOException {
        return LinuxUnixStream.connect(address);
    }

    @Override
    public SourcePair<UnixStreamSpi> unixStreamPair() throws IOException {
        return LinuxUnixStream.pair();
    }

    @Override
    public UnixStreamSpi adoptUnixStream(int fd) throws IOException {
        return new LinuxUnixStream(UnixSock.adopt(fd, SOCK_STREAM, "UnixStream"));
    }

    @Override
    public UnixListenerSpi bindUnix(UnixAddress address, int backlog) throws IOException {
        return LinuxUnixListener.bind(address, backlog);
    }

    @Override
    public UnixListenerSpi adoptUnixListener(int fd) throws IOException {
        return new LinuxUnixListener(UnixSock.adopt(fd, SOCK_STREAM, "UnixListener"));
    }

    @Override
    public UnixDatagramSpi bindUnixDatagram(UnixAddress address) throws IOException {
        return LinuxUnixDatagram.bind(address);
    }

    @Override
    public UnixDatagramSpi unboundUnixDatagram() throws IOException {
        return LinuxUnixDatagram.unbound();
    }

    @Override
    public SourcePair<UnixDatagramSpi> unixDatagramPair() throws IOException {
        return LinuxUnixDatagram.pair();
    }

    @Override
    public UnixDatagramSpi adoptUnixDatagram(int fd) throws IOException {
        return new LinuxUnixDatagram(UnixSock.adopt(fd, SOCK_DGRAM, "UnixDatagram"));
    }

    @Override
    public PipeSpi openPipe() throws IOException {
        return LinuxPipe.open();
    }

    @Override
    public PipeSpi.Sender adoptPipeSender(int fd) throws IOException {
        return new LinuxPipe.Sender(FdOps.adopt(fd, true, "Pipe.Sender"));
    }

    @Override
    public PipeSpi.Receiver adoptPipeReceiver(int fd) throws IOException {
        return new LinuxPipe.Receiver(FdOps.adopt(fd, false, "Pipe.Receiver"));
    }

    @Override
    public SourceFdSpi sourceFd(int fd) {
        return new LinuxSourceFd(fd);
    }

    @Override
    public Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        return LinuxPipe.startChild(pb, stdin, stdout, stderr);
    }
}
