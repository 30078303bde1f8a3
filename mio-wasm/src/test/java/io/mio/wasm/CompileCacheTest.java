package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
        return runThrough(CompileCache.open(dir), wasm);
    }

    private static CompileCache runThrough(CompileCache cache, Path wasm) throws Exception {
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

    /** Class bytes standing in for a module's: {@code n} bytes of {@code fill}. */
    private static byte[] classes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static void age(Path file, Duration by) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(by)));
    }

    @Test
    void the_least_recently_used_entry_is_evicted_and_a_hit_counts_as_a_use() throws Exception {
        Path dir = tmp.resolve("cache");
        CompileCache unbounded = CompileCache.open(dir);
        unbounded.putIfAbsent("module-1", classes(10_000, 1));
        unbounded.putIfAbsent("module-2", classes(10_000, 2));
        long entry = Files.size(unbounded.entry("module-1"));
        age(unbounded.entry("module-1"), Duration.ofHours(3)); // stored first
        age(unbounded.entry("module-2"), Duration.ofHours(2));
        // another JVM, with room for two entries: it uses module 1, then stores module 3
        CompileCache two = CompileCache.open(dir, 2 * entry + entry / 2);
        assertThat(two.get("module-1")).isEqualTo(classes(10_000, 1));
        two.putIfAbsent("module-3", classes(10_000, 3));
        assertThat(two.evicted).hasValue(1);
        assertThat(two.entry("module-2")).as("the least recently used").doesNotExist();
        assertThat(two.get("module-1")).isEqualTo(classes(10_000, 1));
        assertThat(two.get("module-3")).isEqualTo(classes(10_000, 3));
        assertThat(two.maxBytes()).isEqualTo(2 * entry + entry / 2);
    }

    @Test
    void eviction_deletes_only_what_this_cache_wrote_and_dead_writers_temporary_files() throws Exception {
        Path dir = tmp.resolve("cache");
        CompileCache cache = CompileCache.open(dir, 65536);
        String hex = "ab".repeat(32);
        Path notes = Files.write(dir.resolve("notes.txt"), classes(200_000, 'n'));
        Path foreign = Files.write(dir.resolve(hex + ".classes"), classes(200_000, 'f')); // an entry's name only
        Path outside = Files.write(tmp.resolve("outside"), Files.readAllBytes(store(cache, "linked")));
        age(outside, Duration.ofDays(1));
        Path link = Files.createSymbolicLink(dir.resolve("cd".repeat(32) + ".classes"), outside);
        Path subdir = Files.createDirectory(dir.resolve("ef".repeat(32) + ".classes"));
        Path deadTemp = Files.write(dir.resolve(".entry-123.tmp"), classes(100, 't'));
        age(deadTemp, CompileCache.STALE_TEMP.plusMinutes(1));
        Path liveTemp = Files.write(dir.resolve(".entry-456.tmp"), classes(100, 't'));
        Path oldOther = Files.write(dir.resolve("other.tmp"), classes(100, 'o'));
        age(oldOther, Duration.ofDays(30));
        Files.delete(cache.entry("linked"));

        cache.putIfAbsent("module-1", classes(40_000, 1));
        age(cache.entry("module-1"), Duration.ofHours(1));
        cache.putIfAbsent("module-2", classes(40_000, 2)); // two entries are over 64K: module 1 goes
        assertThat(cache.entry("module-1")).doesNotExist();
        assertThat(cache.entry("module-2")).exists();
        assertThat(cache.evicted).hasValue(1);
        assertThat(deadTemp).as("a dead writer's temporary file").doesNotExist();
        assertThat(List.of(notes, foreign, link, outside, subdir, liveTemp, oldOther)).allSatisfy(p ->
                assertThat(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("%s kept", p).isTrue());
        assertThat(Files.readAllBytes(foreign)).isEqualTo(classes(200_000, 'f'));
    }

    private static Path store(CompileCache cache, String digest) throws Exception {
        cache.putIfAbsent(digest, classes(1000, 7));
        return cache.entry(digest);
    }

    @Test
    void the_entry_just_stored_stays_even_alone_over_the_bound() throws Exception {
        CompileCache cache = CompileCache.open(tmp.resolve("cache"), 65536);
        cache.putIfAbsent("big", classes(100_000, 1));
        assertThat(cache.get("big")).isEqualTo(classes(100_000, 1));
        assertThatThrownBy(() -> CompileCache.open(tmp.resolve("cache"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive number of bytes, not 0");
    }

    @Test
    void an_entry_another_jvm_deletes_as_it_is_read_is_a_miss_and_the_module_is_compiled_again() throws Exception {
        Path dir = tmp.resolve("cache");
        Path wasm = guest("grow");
        runThrough(dir, wasm);
        CompileCache cache = CompileCache.open(dir);
        cache.beforeRead = file -> {
            try {
                Files.delete(file); // another JVM's eviction, between finding the entry and reading it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        runThrough(cache, wasm);
        assertThat(cache.hits).hasValue(0);
        assertThat(cache.rejected).hasValue(0);
        assertThat(cache.stores).as("compiled and stored again").hasValue(1);
        assertThat(runThrough(dir, wasm).hits).hasValue(1);
    }

    @Test
    void jvms_sharing_a_directory_too_small_for_both_never_see_a_broken_entry() throws Exception {
        Path dir = tmp.resolve("cache");
        CompileCache.open(dir);
        // two caches on one directory, as two JVMs; room for about one entry: each store evicts the other's
        CompletableFuture<?>[] jvms = new CompletableFuture<?>[2];
        for (int j = 0; j < 2; j++) {
            int fill = j + 1;
            CompileCache cache = CompileCache.open(dir, 65536);
            jvms[j] = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        String digest = "jvm-" + fill + "-module-" + (i % 3);
                        byte[] got = cache.get(digest);
                        assertThat(got == null || Arrays.equals(got, classes(40_000, fill)))
                                .as("a whole entry or none").isTrue();
                        if (got == null) {
                            cache.putIfAbsent(digest, classes(40_000, fill));
                        }
                    }
                    assertThat(cache.rejected).hasValue(0);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        CompletableFuture.allOf(jvms).get(50, TimeUnit.SECONDS);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".classes")).count())
                    .as("the bound holds once both have stored").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void the_command_line_bounds_the_cache_with_cache_max() throws Exception {
        Path dir = tmp.resolve("cli-cache");
        CompileCache other = CompileCache.open(dir);
        other.putIfAbsent("another module", classes(100_000, 1));
        age(other.entry("another module"), Duration.ofDays(2));
        Path wasm = guest("grow");
        MainTest.Result run = MainTest.run("run", "-v", "--cache-dir", dir.toString(), "--cache-max", "64K",
                wasm.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("mio-wasm: evicted the least recently used cache entry "
                + other.entry("another module"));
        assertThat(other.entry("another module")).doesNotExist();
        assertThat(onlyEntry(dir)).hasFileName(CompileCache.open(dir).entry(
                com.dylibso.chicory.wasm.Parser.parse(wasm).digest()).getFileName().toString());
        MainTest.Result bad = MainTest.run("run", "--cache-dir", dir.toString(), "--cache-max", "12X", wasm.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--cache-max 12X: a size is a number of bytes");
    }

    @Test
    void a_module_the_cache_holds_is_parsed_without_validating_it_again_and_its_entry_read_once() throws Exception {
        Path dir = tmp.resolve("cache");
        Path wasm = guest("grow");
        CompileCache first = runThrough(dir, wasm);
        assertThat(first.unvalidated).as("a miss validates").hasValue(0);
        CompileCache second = CompileCache.open(dir);
        AtomicInteger reads = new AtomicInteger();
        second.beforeRead = file -> reads.incrementAndGet();
        runThrough(second, wasm);
        assertThat(second.unvalidated).hasValue(1);
        assertThat(second.hits).hasValue(1);
        assertThat(reads).as("Chicory's get takes the entry the parse checked").hasValue(1);
        String digest = com.dylibso.chicory.wasm.Parser.parse(wasm).digest();
        assertThat(CompileCache.compilesEveryFunction(second.get(digest))).isTrue();
        assertThat(second.parse(Files.readAllBytes(wasm))).isEqualTo(com.dylibso.chicory.wasm.Parser.parse(wasm));
    }

    @Test
    void a_module_with_a_function_chicory_interprets_is_validated_even_on_a_hit() throws Exception {
        byte[] wasm = moduleWithAHugeFunction();
        Path dir = tmp.resolve("cache");
        for (int run = 0; run < 2; run++) {
            CompileCache cache = CompileCache.open(dir);
            try (WasmHost host = WasmHost.of("huge", wasm, true, cache)) {
                WasmHost.Guest g = host.start("g", host.guest().args(List.of("huge")));
                assertThat(g.awaitExit()).as("exits 0 (failure: %s)", g.failure()).isZero();
            }
            assertThat(cache.hits).hasValue(run);
            assertThat(cache.unvalidated).as("the interpreter reads what validation annotates").hasValue(0);
        }
        String digest = com.dylibso.chicory.wasm.Parser.parse(wasm).digest();
        assertThat(CompileCache.compilesEveryFunction(CompileCache.open(dir).get(digest)))
                .as("Chicory's classes for it show the interpreter fallback").isFalse();
    }

    /**
     * A module whose {@code _start} calls a function too large for one JVM method (12,000 rounds of {@code x = x * 7 +
     * 3}), which Chicory's compiler leaves to its interpreter, and stores the result at address 0.
     */
    private static byte[] moduleWithAHugeFunction() {
        var body = new java.io.ByteArrayOutputStream();
        body.write(0); // no locals beyond the parameter
        for (int i = 0; i < 12_000; i++) {
            body.writeBytes(new byte[] {0x20, 0, 0x41, 7, 0x6c, 0x41, 3, 0x6a, 0x21, 0}); // local.get 0 ... local.set 0
        }
        body.writeBytes(new byte[] {0x20, 0, 0x0b});
        byte[] start = {0, 0x41, 0, 0x41, 5, 0x10, 1, 0x36, 2, 0, 0x0b}; // i32.store(0, huge(5))
        byte[] types = {2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f};
        byte[] functions = {2, 0, 1};
        byte[] memory = {1, 0, 1};
        var exports = new java.io.ByteArrayOutputStream();
        exports.write(2);
        exports.write(6);
        exports.writeBytes("_start".getBytes(StandardCharsets.US_ASCII));
        exports.writeBytes(new byte[] {0, 0, 6});
        exports.writeBytes("memory".getBytes(StandardCharsets.US_ASCII));
        exports.writeBytes(new byte[] {2, 0});
        var code = new java.io.ByteArrayOutputStream();
        code.write(2);
        code.writeBytes(leb(start.length));
        code.writeBytes(start);
        code.writeBytes(leb(body.size()));
        code.writeBytes(body.toByteArray());
        var module = new java.io.ByteArrayOutputStream();
        module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(module, 1, types);
        section(module, 3, functions);
        section(module, 5, memory);
        section(module, 7, exports.toByteArray());
        section(module, 10, code.toByteArray());
        return module.toByteArray();
    }

    private static void section(java.io.ByteArrayOutputStream module, int id, byte[] payload) {
        module.write(id);
        module.writeBytes(leb(payload.length));
        module.writeBytes(payload);
    }

    private static byte[] leb(int n) {
        var out = new java.io.ByteArrayOutputStream();
        do {
            int b = n & 0x7f;
            n >>>= 7;
            out.write(n != 0 ? b | 0x80 : b);
        } while (n != 0);
        return out.toByteArray();
    }
}
