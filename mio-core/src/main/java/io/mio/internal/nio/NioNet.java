package io.mio.internal.nio;

import io.mio.internal.ClosedException;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;

/** Creates the selector backend's channels for the TCP and UDP sockets. */
final class NioNet {
    private NioNet() {}

    static ProtocolFamily family(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** A TCP listener with SO_REUSEADDR, as {@code TcpListener.bind(address, backlog)} makes. */
    static NioListener listen(InetSocketAddress address, int backlog) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(family(address));
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(address, backlog);
            return new NioListener(ch, "TcpListener");
        } catch (IOException e) {
            ch.close();
            throw NioErrors.withErrno(e, "bind to " + address);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static NioStream stream(SocketChannel ch, String kind) throws IOException {
        try {
            return new NioStream(ch, kind);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens a TCP socket and starts a non-blocking connect. */
    static NioStream connect(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open(family(address));
        NioStream s = stream(ch, "TcpStream");
        try {
            ch.connect(address);
        } catch (IOException e) {
            ch.close();
            throw NioErrors.withErrno(e, "connect to " + address);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    static NioDatagram udp(InetSocketAddress address) throws IOException {
        DatagramChannel ch = DatagramChannel.open(family(address));
        try {
            ch.bind(address);
            return new NioDatagram(ch, "UdpSocket");
        } catch (IOException e) {
            ch.close();
            throw NioErrors.withErrno(e, "bind to " + address);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static InetSocketAddress localAddr(NioListener h) throws IOException {
        return (InetSocketAddress) local(h.server(), h);
    }

    static SocketAddress local(NetworkChannel ch, NioHandle h) throws IOException {
        h.ensureOpen();
        try {
            return ch.getLocalAddress();
        } catch (ClosedChannelException e) {
            throw new ClosedException(h.toString());
        }
    }
}
