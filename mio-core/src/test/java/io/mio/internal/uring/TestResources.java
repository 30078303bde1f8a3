package io.mio.internal.uring;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a test opened, closed in reverse order after it; and connected TCP pairs. Not thread-safe. */
final class TestResources {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Keeps {@code r} to be closed by {@link #closeAll()}; returns it. */
    <T extends AutoCloseable> T keep(T r) {
        resources.add(r);
        return r;
    }

    /** A client connected to {@code listener} and the stream it accepted, both kept; fails after {@code wait}. */
    TcpStream[] pair(TcpListener listener, Duration wait) throws Exception {
        TcpStream client = keep(TcpStream.connect(listener.localAddr()));
        long deadline = System.nanoTime() + wait.toNanos();
        TcpStream server;
        while ((server = listener.accept()) == null) {
            assertThat(System.nanoTime()).as("accepted in time").isLessThan(deadline);
            Thread.sleep(1);
        }
        keep(server);
        return new TcpStream[] {client, server};
    }

    /** Closes everything kept, the last kept first. */
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
