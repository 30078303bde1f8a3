package io.mio.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** This process's open descriptors, from /proc/self/fd: to show that a test leaked none. */
final class Fds {
    private Fds() {}

    /** Descriptor number to what it refers to (socket:[inode], a path, ...). */
    static TreeMap<Integer, String> open() {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : list.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue; // the directory's own descriptor, closed by now
                }
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    /**
     * Asserts that the sockets open now are those of {@code before} (other descriptors, such as the JDK's jar and
     * random files, come and go on their own). Waits a little for closes another thread is finishing.
     */
    static void assertNoSocketLeak(TreeMap<Integer, String> before) throws InterruptedException {
        List<String> was = sockets(before);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> now = sockets(open());
        while (!now.equals(was) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = sockets(open());
        }
        assertThat(now).as("open sockets and pipes after the test (before: %s)", was).isEqualTo(was);
    }

    private static List<String> sockets(TreeMap<Integer, String> fds) {
        return fds.entrySet().stream()
                .filter(e -> e.getValue().startsWith("socket:") || e.getValue().startsWith("anon_inode:")
                        || e.getValue().startsWith("pipe:"))
                .map(e -> e.getKey() + "->" + e.getValue()).toList();
    }
}
