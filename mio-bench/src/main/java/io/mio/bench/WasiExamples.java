package io.mio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * mio-examples' programs compiled to wasm32-wasi by TeaVM 0.13.1 with io.mio's WASI backend: the build of
 * mio-wasi-examples writes them to {@code mio-wasi-examples/target/wasm} (scripts/bench.sh runs that build
 * before the benchmark; nothing of it is committed). Also WasmEdge, where it is installed: its version and the
 * ahead-of-time compilation of a module ({@code wasmedge compile}), once per module content.
 */
final class WasiExamples {
    private WasiExamples() {
    }

    /** The echo server of mio-examples, compiled to wasm (the guest of the benchmark's WASI_TCP kinds). */
    static final String TCP_SERVER = "tcp_server.wasm";
    /** The examples mio-wasi-examples compiles, as their .wasm names. */
    static final List<String> EXAMPLES = List.of("hello_mio.wasm", TCP_SERVER, "udp_server.wasm");
    /** System property naming the directory of the .wasm files, if not the build's output directory. */
    static final String DIR_PROPERTY = "io.mio.bench.wasi.dir";
    /** The build's output directory, relative to the repository root. */
    static final String BUILD_DIR = "mio-wasi-examples/target/wasm";

    /** Why {@link #wasmedgeAot} gave no module (wasmedge missing, or its compile failed), or null. */
    static volatile String aotProblem;

    /** The directory of the .wasm files: the property's, else the build's seen from the root or from a module. */
    static Path dir() {
        String property = System.getProperty(DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        Path fromRoot = Path.of(BUILD_DIR);
        Path fromModule = Path.of("..").resolve(BUILD_DIR);
        return Files.isDirectory(fromRoot) || !Files.isDirectory(fromModule) ? fromRoot : fromModule;
    }

    /** The compiled example {@code name} (absolute), or null when it was not built. */
    static Path find(String name) {
        Path p = dir().resolve(name).toAbsolutePath().normalize();
        return Files.isRegularFile(p) ? p : null;
    }

    /** Why {@code name} is missing: it names the file and the command that builds it. */
    static String missing(String name) {
        return dir().resolve(name) + " is not built (scripts/bench.sh builds it with mio-wasi-examples' Maven build,"
                + " TeaVM 0.13.1; or run scripts/build-wasi-examples.sh)";
    }

    /** The {@code wasmedge} binary on the PATH, or null. */
    static Path wasmedge() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "wasmedge");
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** Why WasmEdge is not there. */
    static final String NO_WASMEDGE = "wasmedge is not installed (not on the PATH; it is not packaged for Debian"
            + " and the project never installs it)";

    /** WasmEdge's version ("0.17.1", from {@code wasmedge --version}), or "not installed". */
    static String wasmedgeVersion() {
        Path w = wasmedge();
        if (w == null) {
            return "not installed";
        }
        try {
            Process p = new ProcessBuilder(w.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("?").trim();
            int v = first.indexOf("version ");
            return v < 0 ? first : first.substring(v + 8).trim();
        } catch (IOException e) {
            return "not runnable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /**
     * {@code wasm} compiled ahead of time by WasmEdge into {@code dir} ({@code wasmedge compile}), reused while the
     * module's content is the same; null when wasmedge is missing or the compile failed ({@link #aotProblem}).
     */
    static synchronized Path wasmedgeAot(Path wasm, Path dir) {
        Path w = wasmedge();
        if (w == null) {
            aotProblem = NO_WASMEDGE;
            return null;
        }
        try {
            String name = wasm.getFileName().toString().replaceFirst("\\.wasm$", "");
            Path out = dir.toAbsolutePath().resolve(name + "-" + digest(wasm) + ".so");
            if (Files.isRegularFile(out)) {
                return out;
            }
            Files.createDirectories(dir);
            Path partial = dir.toAbsolutePath().resolve(out.getFileName() + ".partial.so");
            String log = compile(w, wasm, partial);
            if (log != null) {
                aotProblem = "wasmedge compile failed: " + log;
                return null;
            }
            Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            aotProblem = "wasmedge compile failed: " + e.getMessage();
            return null;
        }
    }

    /** Runs {@code wasmedge compile wasm out}: null when it succeeded, else its output's last lines. */
    static String compile(Path wasmedge, Path wasm, Path out) throws IOException {
        Process p = new ProcessBuilder(wasmedge.toString(), "compile", wasm.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no result after 600 s";
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
            List<String> lines = log.strip().lines().toList();
            return "exit " + p.exitValue() + ": " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        }
        return null;
    }

    private static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(in.readAllBytes());
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The port in TcpServer's line {@code " $ nc HOST PORT"}, or -1 when {@code line} is not that line. */
    static int ncPort(String line) {
        String s = line.strip();
        if (!s.startsWith("$ nc ")) {
            return -1;
        }
        String[] f = s.split("\\s+");
        try {
            return f.length == 4 ? Integer.parseInt(f[3]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
