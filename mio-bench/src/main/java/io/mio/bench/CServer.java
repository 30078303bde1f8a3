package io.mio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/** Builds the C echo server (shipped as a resource) with gcc, once per directory. */
final class CServer {
    private CServer() {
    }

    /** Why the C server is not available (no gcc, or it failed), or null. */
    static String problem;

    /** Compiles {@code epoll_echo.c} into {@code dir}; returns the binary, or null (see {@link #problem}). */
    static synchronized Path build(Path dir) {
        Path binary = dir.resolve("epoll_echo");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        try {
            Files.createDirectories(dir);
            Path source = dir.resolve("epoll_echo.c");
            try (InputStream in = CServer.class.getResourceAsStream("c/epoll_echo.c")) {
                if (in == null) {
                    problem = "epoll_echo.c is not on the class path";
                    return null;
                }
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problem = "gcc failed: " + out.strip();
                return null;
            }
            return binary;
        } catch (IOException e) {
            problem = "no C compiler (gcc): " + e.getMessage();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
            return null;
        }
    }
}
