package io.mio.internal.nio;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening TCP or Unix socket of the selector backend. */
public final class NioListener extends NioHandle {
    private final ServerSocketChannel server;
    /** Options set on the builder that a listening channel cannot hold: applied to each accepted stream. */
    private java.util.Map<SocketOption<?>, Object> inherited = java.util.Map.of();

    public NioListener(ServerSocketChannel server, String kind) throws IOException {
        super(server, kind);
        this.server = server;
    }

    public ServerSocketChannel server() {
        return server;
    }

    @Override
    int readOp() {
        return SelectionKey.OP_ACCEPT;
    }

    @Override
    int writeOp() {
        return 0;
    }

    /** Accepts one pending connection (non-blocking), or returns null and re-arms readable. */
    public SocketChannel accept() throws IOException {
        ensureOpen();
        SocketChannel c;
        try {
            c = server.accept();
        } catch (IOException e) {
            throw translate(e);
        }
        if (c == null) {
            rearm(R);
            return null;
        }
        if (!inherited.isEmpty()) {
            applyInherited(c);
        }
        return c;
    }

    public void inherit(java.util.Map<SocketOption<?>, Object> options) {
        inherited = java.util.Map.copyOf(options);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void applyInherited(SocketChannel c) throws IOException {
        try {
            for (java.util.Map.Entry<SocketOption<?>, Object> e : inherited.entrySet()) {
                c.setOption((SocketOption) e.getKey(), e.getValue());
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ensureOpen();
        Options.set(server, option, value, kind);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        ensureOpen();
        return Options.get(server, option, kind);
    }
}
