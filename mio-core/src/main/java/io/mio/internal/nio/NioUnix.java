package io.mio.internal.nio;

import io.mio.net.UnixAddress;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** The Unix-domain sockets on the selector backend: the JDK's UNIX-family {@link SocketChannel}s. */
final class NioUnix {
    private NioUnix() {}

    static UnsupportedOperationException noDatagram() {
        return Unsupported.feature("UnixDatagram", "the JDK has no Unix-domain datagram channel");
    }

    private static UnixDomainSocketAddress jdk(UnixAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isAbstract()) {
            throw Unsupported.feature("the abstract Unix address " + address,
                    "the JDK's Unix-domain channels take path names only");
        }
        return address.toUnixDomainSocketAddress();
    }

    static UnixAddress address(SocketAddress a) {
        if (a instanceof UnixDomainSocketAddress u && !u.getPath().toString().isEmpty()) {
            return UnixAddress.of(u.getPath());
        }
        return UnixAddress.unnamed();
    }

    static UnixAddress unnamed(NioStream s) throws IOException {
        s.ensureOpen();
        return UnixAddress.unnamed();
    }

    static NioStream stream(SocketChannel ch) throws IOException {
        try {
            return new NioStream(ch, "UnixStream");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static NioStream connect(UnixAddress address) throws IOException {
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to an unnamed Unix address");
        }
        UnixDomainSocketAddress target = jdk(address);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        NioStream s = stream(ch);
        try {
            ch.connect(target);
        } catch (IOException e) {
            ch.close();
            throw NioErrors.withErrno(e, "connect to " + address);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    /**
     * Binds and listens. An unnamed address lets the JDK pick a path in the temporary directory (the epoll
     * backend autobinds an abstract name instead).
     */
    static NioListener listen(UnixAddress address, int backlog) throws IOException {
        UnixDomainSocketAddress local = address.isUnnamed() ? null : jdk(address);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(local, backlog);
            return new NioListener(ch, "UnixListener");
        } catch (IOException e) {
            ch.close();
            throw NioErrors.withErrno(e, "bind to " + address);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Two connected streams. The JDK has no socketpair: this connects through a listener on a fresh path in a
     * private temporary directory, removed again before returning (so both ends' addresses are unnamed... the
     * accepting end's local address names the removed path).
     */
    static NioStream[] pair() throws IOException {
        Path dir = Files.createTempDirectory("mio-pair");
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 1);
            SocketChannel a = SocketChannel.open(StandardProtocolFamily.UNIX);
            SocketChannel b;
            try {
                a.connect(UnixDomainSocketAddress.of(path));
                b = server.accept();
            } catch (IOException | RuntimeException e) {
                a.close();
                throw e;
            }
            NioStream first = stream(a);
            NioStream second;
            try {
                second = stream(b);
            } catch (IOException | RuntimeException e) {
                first.close();
                throw e;
            }
            return new NioStream[] {first, second};
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
