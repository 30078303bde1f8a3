package io.mio.internal.nio;

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

/** The SELECTOR backend: java.nio.channels.Selector and the JDK's channels. */
public final class NioProvider implements BackendProvider {
    @Override
    public Backend backend() {
        return Backend.SELECTOR;
    }

    @Override
    public SelectorSpi openSelector() throws IOException {
        return NioSelector.open();
    }

    @Override
    public io.mio.internal.spi.Telemetry telemetry() {
        return io.mio.internal.jfr.JfrTelemetry.INSTANCE;
    }

    @Override
    public TcpStreamSpi connectTcp(InetSocketAddress address) throws IOException {
        return new NioTcpStream(NioNet.connect(address));
    }

    @Override
    public TcpStreamSpi adoptTcpStream(int fd) throws IOException {
        throw Unsupported.rawFd("TcpStream.fromRawFd");
    }

    @Override
    public TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException {
        return new NioTcpListener(NioNet.listen(address, backlog));
    }

    @Override
    public TcpListenerSpi adoptTcpListener(int fd) throws IOException {
        throw Unsupported.rawFd("TcpListener.fromRawFd");
    }

    @Override
    public TcpSocketSpi openTcpSocket(boolean v6) throws IOException {
        return new NioTcpSocket(v6);
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException {
        return NioUdpSocket.bind(address);
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        return NioUdpSocket.bind(address, reuseAddr, reusePort, broadcast, onlyV6, recvBufferSize, sendBufferSize);
    }

    @Override
    public UdpSocketSpi adoptUdp(int fd) throws IOException {
        throw Unsupported.rawFd("UdpSocket.fromRawFd");
    }

    @Override
    public UnixStreamSpi connectUnix(UnixAddress address) throws IOException {
        return new NioUnixStream(NioUnix.connect(address), false);
    }

    @Override
    public SourcePair<UnixStreamSpi> unixStreamPair() throws IOException {
        NioStream[] p = NioUnix.pair();
        return new SourcePair<>(new NioUnixStream(p[0], true), new NioUnixStream(p[1], true));
    }

    @Override
    public UnixStreamSpi adoptUnixStream(int fd) throws IOException {
        throw Unsupported.rawFd("UnixStream.fromRawFd");
    }

    @Override
    public UnixListenerSpi bindUnix(UnixAddress address, int backlog) throws IOException {
        return new NioUnixListener(NioUnix.listen(address, backlog));
    }

    @Override
    public UnixListenerSpi adoptUnixListener(int fd) throws IOException {
        throw Unsupported.rawFd("UnixListener.fromRawFd");
    }

    @Override
    public UnixDatagramSpi bindUnixDatagram(UnixAddress address) throws IOException {
        throw NioUnix.noDatagram();
    }

    @Override
    public UnixDatagramSpi unboundUnixDatagram() throws IOException {
        throw NioUnix.noDatagram();
    }

    @Override
    public SourcePair<UnixDatagramSpi> unixDatagramPair() throws IOException {
        throw NioUnix.noDatagram();
    }

    @Override
    public UnixDatagramSpi adoptUnixDatagram(int fd) throws IOException {
        throw NioUnix.noDatagram();
    }

    @Override
    public PipeSpi openPipe() throws IOException {
        return NioPipe.open();
    }

    @Override
    public PipeSpi.Sender adoptPipeSender(int fd) throws IOException {
        throw Unsupported.rawFd("Pipe.Sender.fromRawFd");
    }

    @Override
    public PipeSpi.Receiver adoptPipeReceiver(int fd) throws IOException {
        throw Unsupported.rawFd("Pipe.Receiver.fromRawFd");
    }

    @Override
    public SourceFdSpi sourceFd(int fd) {
        throw Unsupported.feature("SourceFd", "java.nio.channels.Selector registers only the JDK's own channels, "
                + "not arbitrary file descriptors");
    }

    @Override
    public Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        return NioPipe.startChild(pb, stdin, stdout, stderr);
    }
}
