package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CompileCache} ({@code --cache-dir}): compiled classes kept between JVMs, never used unless they check out. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompileCacheTest {
    @TempDir
    Path tmp;

    private Path guest(String name) throws Exception {
        Path p = tmp.resolve(name + ".wasm");
        try (InputStream in = CompileCacheTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    /** Loads {@code wasm} through a fresh cache object on {@code dir} (as a new JVM would) and runs it once. */
    private static CompileCache runThrough(Path dir, Path wasm) throws Exception {
        CompileCache cache = CompileCache.open(dir);
        try (WasmHost host = WasmHost.load(wasm, true, cache)) {
            WasmHost.Guest g = host.start("g", host.guest().args(List.of("grow")));
            assertThat(g.awaitExit()).as("grow.wasm exits 0 (failure: %s)", g.failure()).isZero();
        }
        return cache;
    }

    private static Path onlyEntry(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            List<Path> l = files.toList();
            assertThat(l).hasSize(1);
            return l.get(0);
        }
    }

    @Test
    void the_first_run_stores_the_classes_and_the_next_loads_them() throws Exception {
        Path dir = tmp.resolve("cache");
        Path wasm = guest("grow");
        CompileCache first = runThrough(dir, wasm);
        assertThat(first.stores).hasValue(1);
        assertThat(first.hits).hasValue(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        Path entry = onlyEntry(dir);
        assertThat(Files.readString(entry, StandardCharsets.ISO_8859_1))
                .startsWith("mio-wasm compiled module 1\nchicory=" + CompileCache.chicoryVersion() + "\n");
        CompileCache second = runThrough(dir, wasm);
        assertThat(second.hits).hasValue(1);
        assertThat(second.stores).hasValue(0);
        assertThat(second.rejected).hasValue(0);
    }

    @Test
    void a_corrupt_entry_is_deleted_compiled_again_and_replaced() throws Exception {
        Path dir = tmp.resolve("cache");
        Path wasm = guest("grow");
        runThrough(dir, wasm);
        Path entry = onlyEntry(dir);
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length - 10] ^= 0x5a; // one flipped byte in the class bytes
        Files.write(entry, bytes);
        CompileCache again = runThrough(dir, wasm);
        assertThat(again.rejected).hasValue(1);
        assertThat(again.hits).hasValue(0);
        assertThat(again.stores).hasValue(1);
        assertThat(runThrough(dir, wasm).hits).as("the rewritten entry is good").hasValue(1);
    }

    @Test
    void a_truncated_entry_is_not_used() throws Exception {
        Path dir = tmp.resolve("cache");
        Path wasm = guest("grow");
        runThrough(dir, wasm);
        Path entry = onlyEntry(dir);
        byte[] bytes = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CompileCache again = runThrough(dir, wasm);
        assertThat(again.rejected).hasValue(1);
        assertThat(again.stores).hasValue(1);
    }

    @Test
    void another_modules_entry_or_another_chicory_versions_under_this_name_is_not_used() throws Exception {
        Path dir = tmp.resolve("cache");
        Path grow = guest("grow");
        Path other = guest("panic");
        runThrough(dir, grow);
        Path growEntry = onlyEntry(dir);
        // the panic module's entry name, holding grow's classes: a valid entry, for another module
        CompileCache c = CompileCache.open(dir);
        String panicDigest = com.dylibso.chicory.wasm.Parser.parse(other).digest();
        Files.copy(growEntry, c.entry(panicDigest));
        assertThat(c.get(panicDigest)).isNull();
        assertThat(c.rejected).hasValue(1);
        assertThat(c.entry(panicDigest)).doesNotExist();
        // grow's own entry rewritten as if by another Chicory version
        String growDigest = com.dylibso.chicory.wasm.Parser.parse(grow).digest();
        String text = Files.readString(growEntry, StandardCharsets.ISO_8859_1);
        Files.writeString(growEntry, text.replace("chicory=" + c.chicory() + "\n", "chicory=0.0.1\n"),
                StandardCharsets.ISO_8859_1);
        assertThat(c.get(growDigest)).isNull();
        assertThat(c.rejected).hasValue(2);
    }

    @Test
    void a_directory_others_may_write_is_refused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> CompileCache.open(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may be written by others (rwxrwxrwx)");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> CompileCache.open(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void the_command_line_uses_the_cache_and_a_bad_dir_is_a_usage_error() throws Exception {
        Path dir = tmp.resolve("cli-cache");
        Path wasm = guest("grow");
        MainTest.Result first = MainTest.run("run", "-v", "--cache-dir", dir.toString(), wasm.toString());
        assertThat(first.code()).isZero();
        assertThat(first.err()).contains("mio-wasm: compiled code stored in the cache: " + dir);
        MainTest.Result second = MainTest.run("run", "-v", "--cache-dir", dir.toString(), wasm.toString());
        assertThat(second.code()).isZero();
        assertThat(second.err()).contains("mio-wasm: compiled code loaded from the cache: " + dir);
        Path file = Files.writeString(tmp.resolve("file"), "x");
        MainTest.Result bad = MainTest.run("run", "--cache-dir", file.toString(), wasm.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--cache-dir " + file + ": the cache directory " + file + " is not a directory");
    }
}
