package io.mio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the C echo servers (shipped as resources) with gcc, once per directory: {@code epoll_echo} (the C epoll
 * kinds) and {@code uring_echo} (the C io_uring kind, with Debian's liburing-dev), next to each other. Used by the
 * harness's thread only.
 */
final class CServer {
    private CServer() {
    }

    /** Why the C servers are not available (no gcc, or it failed), or null. */
    static String problem;

    /**
     * Why the C io_uring server cannot run here, or null: no C compiler, liburing-dev missing, or the kernel
     * refused io_uring or lacks what the server uses (its {@code probe} mode says which).
     */
    static String uringProblem;

    /**
     * Compiles {@code epoll_echo.c} into {@code dir}, and {@code uring_echo.c} where liburing is installed (then
     * probes that io_uring works here, see {@link #uringProblem}); returns the epoll binary, or null (see
     * {@link #problem}). The io_uring binary is its sibling ({@link ServerKind#cProgram}).
     */
    static synchronized Path build(Path dir) {
        List<String> out = new ArrayList<>(1);
        Path epoll = compile(dir, "epoll_echo", List.of(), out);
        if (epoll == null) {
            problem = out.getFirst();
            uringProblem = problem;
            return null;
        }
        Path uring = compile(dir, "uring_echo", List.of("-luring"), out);
        uringProblem = uring == null ? out.getFirst() : probe(uring);
        return epoll;
    }

    /** Compiles {@code name.c} into {@code dir/name} unless it is there; null with the reason added to {@code problem}. */
    private static Path compile(Path dir, String name, List<String> libs, List<String> problem) {
        Path binary = dir.resolve(name);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        try {
            Files.createDirectories(dir);
            Path source = dir.resolve(name + ".c");
            try (InputStream in = CServer.class.getResourceAsStream("c/" + name + ".c")) {
                if (in == null) {
                    problem.add(name + ".c is not on the class path");
                    return null;
                }
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString()));
            cmd.addAll(libs);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                problem.add(compileProblem(text));
                return null;
            }
            return binary;
        } catch (IOException e) {
            problem.add("no C compiler (gcc): " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem.add("interrupted");
            return null;
        }
    }

    /** What a failed gcc run means: liburing missing (its header or library not found), or gcc's own words. */
    static String compileProblem(String gccOutput) {
        return gccOutput.contains("liburing.h") || gccOutput.contains("-luring")
                ? "liburing is not installed (Debian package liburing-dev; scripts/bench.sh installs it when run as root)"
                : "gcc failed: " + gccOutput.strip();
    }

    /** Runs {@code uring_echo probe}: null when io_uring works here, else what the probe printed. */
    private static String probe(Path uring) {
        try {
            Process p = new ProcessBuilder(uring.toString(), "probe").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "io_uring probe did not finish";
            }
            return p.exitValue() == 0 ? null : "io_uring is not usable here: " + text;
        } catch (IOException e) {
            return "io_uring probe failed to start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
