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
    public TcpStreamSpi connectTcp(InetSocketAddress address) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public TcpStreamSpi adoptTcpStream(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public TcpListenerSpi adoptTcpListener(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public TcpSocketSpi openTcpSocket(boolean v6) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast, Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UdpSocketSpi adoptUdp(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixStreamSpi connectUnix(UnixAddress address) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public SourcePair<UnixStreamSpi> unixStreamPair() throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixStreamSpi adoptUnixStream(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixListenerSpi bindUnix(UnixAddress address, int backlog) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixListenerSpi adoptUnixListener(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixDatagramSpi bindUnixDatagram(UnixAddress address) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixDatagramSpi unboundUnixDatagram() throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public SourcePair<UnixDatagramSpi> unixDatagramPair() throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public UnixDatagramSpi adoptUnixDatagram(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public PipeSpi openPipe() throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public PipeSpi.Sender adoptPipeSender(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public PipeSpi.Receiver adoptPipeReceiver(int fd) throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public SourceFdSpi sourceFd(int fd) {
        throw new UnsupportedOperationException("not moved yet");
    }

    @Override
    public Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr)
            throws IOException {
        throw new UnsupportedOperationException("not moved yet");
    }
}
