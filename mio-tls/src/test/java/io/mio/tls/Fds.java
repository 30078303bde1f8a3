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
public final class Fds {
    private Fds() {}

    /** Descriptor number to what it refers to (socket:[inode], a path, ...). */
    public static TreeMap<Integer, String> open() {
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
    public static void assertNoSocketLeak(TreeMap<Integer, String> before) throws InterruptedException {
        List<String> was = sockets(before);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> now = sockets(open());
        while (!now.equals(was) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = sockets(open());
        }
        java.util.Map<String, String> tcp = tcpSockets();
        List<String> leaked = now.stream().filter(s -> !was.contains(s))
                .map(s -> s + " " + tcp.getOrDefault(s.replaceAll(".*socket:\\[(\\d+)\\].*", "$1"), "")).toList();
        assertThat(now).as("open sockets and pipes after the test (before: %s; new: %s)", was, leaked).isEqualTo(was);
    }

    /** Socket inode to "local port -> remote port, state (hex, as in tcp_states.h)" from /proc/net/tcp and tcp6. */
    private static java.util.Map<String, String> tcpSockets() {
        java.util.Map<String, String> byInode = new java.util.TreeMap<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(file));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    byInode.put(f[9], file.substring(10) + " " + port(f[1]) + " -> " + port(f[2]) + " state " + f[3]);
                }
            } catch (IOException | RuntimeException e) {
                byInode.put(file, "unreadable: " + e);
            }
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                byInode.put(f[6], "unix " + (f.length > 7 ? f[7] : "(unnamed)"));
            }
        } catch (IOException | RuntimeException e) {
            byInode.put("/proc/net/unix", "unreadable: " + e);
        }
        return byInode;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }

    private static List<String> sockets(TreeMap<Integer, String> fds) {
        return fds.entrySet().stream()
                .filter(e -> e.getValue().startsWith("socket:") || e.getValue().startsWith("anon_inode:")
                        || e.getValue().startsWith("pipe:"))
                .map(e -> e.getKey() + "->" + e.getValue()).toList();
    }
}
