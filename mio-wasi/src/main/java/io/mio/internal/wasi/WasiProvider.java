package io.mio.internal.wasi;

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

/**
 * The WASI backend: what io.mio's public classes create in a wasm32-wasi guest. TCP and UDP over WasmEdge's
 * socket imports; Unix sockets, pipes, {@code SourceFd}, adopting descriptors and child processes throw
 * {@link UnsupportedOperationException} naming the limit.
 */
public final class WasiProvider implements BackendProvider {
    /** The one instance of the guest. */
    public static final WasiProvider INSTANCE = new WasiProvider();

    private WasiProvider() {}

    @Override
    public Backend backend() {
        return Backend.WASI;
    }

    @Override
    public SelectorSpi openSelector() {
        return new WasiSelector();
    }

    @Override
    public TcpStreamSpi connectTcp(InetSocketAddress address) throws IOException {
        return WasiTcpStream.connect(address);
    }

    @Override
    public TcpStreamSpi adoptTcpStream(int fd) {
        throw adopt("TcpStream.fromRawFd");
    }

    @Override
    public TcpListenerSpi bindTcp(InetSocketAddress address, int backlog) throws IOException {
        return WasiTcpListener.bind(address, backlog);
    }

    @Override
    public TcpListenerSpi adoptTcpListener(int fd) {
        throw adopt("TcpListener.fromRawFd");
    }

    @Override
    public TcpSocketSpi openTcpSocket(boolean v6) {
        throw new UnsupportedOperationException("TcpSocket: not available in a WASI guest yet (use "
                + "TcpListener.bind / TcpStream.connect; the options it would set are mostly TCP- and IP-level ones "
                + "WasmEdge's sock_setsockopt cannot reach)");
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address) throws IOException {
        return WasiUdpSocket.bind(address, false, false, 0, 0);
    }

    @Override
    public UdpSocketSpi bindUdp(InetSocketAddress address, boolean reuseAddr, boolean reusePort, boolean broadcast,
            Boolean onlyV6, int recvBufferSize, int sendBufferSize) throws IOException {
        if (reusePort) {
            throw WasiUnsupported.option("UdpSocket.Builder.reusePort", "SO_REUSEPORT");
        }
        if (onlyV6 != null) {
            throw WasiUnsupported.option("UdpSocket.Builder.onlyV6", "IPV6_V6ONLY");
        }
        return WasiUdpSocket.bind(address, reuseAddr, broadcast, recvBufferSize, sendBufferSize);
    }

    @Override
    public UdpSocketSpi adoptUdp(int fd) {
        throw adopt("UdpSocket.fromRawFd");
    }

    @Override
    public UnixStreamSpi connectUnix(UnixAddress address) {
        throw unix("UnixStream.connect");
    }

    @Override
    public SourcePair<UnixStreamSpi> unixStreamPair() {
        throw unix("UnixStream.pair");
    }

    @Override
    public UnixStreamSpi adoptUnixStream(int fd) {
        throw unix("UnixStream.fromRawFd");
    }

    @Override
    public UnixListenerSpi bindUnix(UnixAddress address, int backlog) {
        throw unix("UnixListener.bind");
    }

    @Override
    public UnixListenerSpi adoptUnixListener(int fd) {
        throw unix("UnixListener.fromRawFd");
    }

    @Override
    public UnixDatagramSpi bindUnixDatagram(UnixAddress address) {
        throw unix("UnixDatagram.bind");
    }

    @Override
    public UnixDatagramSpi unboundUnixDatagram() {
        throw unix("UnixDatagram.unbound");
    }

    @Override
    public SourcePair<UnixDatagramSpi> unixDatagramPair() {
        throw unix("UnixDatagram.pair");
    }

    @Override
    public UnixDatagramSpi adoptUnixDatagram(int fd) {
        throw unix("UnixDatagram.fromRawFd");
    }

    @Override
    public PipeSpi openPipe() {
        throw WasiUnsupported.feature("Pipe.open", "pipes");
    }

    @Override
    public PipeSpi.Sender adoptPipeSender(int fd) {
        throw WasiUnsupported.feature("Pipe.Sender.fromRawFd", "pipes");
    }

    @Override
    public PipeSpi.Receiver adoptPipeReceiver(int fd) {
        throw WasiUnsupported.feature("Pipe.Receiver.fromRawFd", "pipes");
    }

    @Override
    public Process startChild(ProcessBuilder pb, PipeSpi.Receiver stdin, PipeSpi.Sender stdout, PipeSpi.Sender stderr) {
        throw WasiUnsupported.feature("Pipe.startChild", "child processes");
    }

    @Override
    public SourceFdSpi sourceFd(int fd) {
        throw WasiUnsupported.feature("SourceFd", "raw host descriptors");
    }

    private static UnsupportedOperationException unix(String call) {
        return WasiUnsupported.feature(call, "Unix domain sockets");
    }

    private static UnsupportedOperationException adopt(String call) {
        return WasiUnsupported.feature(call, "adopted raw descriptors");
    }
}
