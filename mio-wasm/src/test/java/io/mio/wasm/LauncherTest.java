package io.mio.wasm;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher script (mio-wasm/scripts/mio-wasm) in a copy of the repository's layout with a stand-in Maven
 * wrapper (it records each build and writes the jar and the classpath file) and a stand-in {@code java} (it prints
 * its arguments): it says when it builds, builds once, and builds again when a source or POM is newer than the
 * last build, as after a {@code git pull}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    @TempDir
    Path root;

    record Ran(int code, String out, String err) {}

    private static void write(Path p, String text, boolean executable) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        if (executable) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @BeforeEach
    void layout() throws IOException {
        Path launcher = Path.of("scripts/mio-wasm").toAbsolutePath(); // surefire runs in the module's directory
        write(root.resolve("mio-wasm/scripts/mio-wasm"), Files.readString(launcher), true);
        write(root.resolve("scripts/jdk.sh"), "export PATH=\"" + root.resolve("bin") + ":$PATH\"\n", false);
        write(root.resolve("bin/java"), "#!/usr/bin/env bash\necho \"java $*\"\n", true);
        write(root.resolve("mvnw"), """
                #!/usr/bin/env bash
                echo build >> builds.log
                if [ -f fail-build ]; then echo "[ERROR] BUILD FAILURE (stand-in)"; exit 1; fi
                for a in "$@"; do
                  case "$a" in -Dmdep.outputFile=*) echo /deps/a.jar:/deps/b.jar > "${a#-Dmdep.outputFile=}" ;; esac
                done
                touch mio-wasm/target/mio-wasm-0.1.0-SNAPSHOT.jar
                """, true);
        Files.createDirectories(root.resolve("mio-wasm/target"));
        write(root.resolve("pom.xml"), "<project/>\n", false);
        write(root.resolve("mio-core/pom.xml"), "<project/>\n", false);
        write(root.resolve("mio-wasm/pom.xml"), "<project/>\n", false);
        write(root.resolve("mio-core/src/main/java/io/mio/Poll.java"), "class Poll {}\n", false);
        write(root.resolve("mio-wasm/src/main/java/io/mio/wasm/Main.java"), "class Main {}\n", false);
    }

    private Ran launch(String... args) throws Exception {
        return launch(java.util.Map.of(), args);
    }

    private Ran launch(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("mio-wasm/scripts/mio-wasm")
                .toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().remove("MIO_WASM_JVM_FLAGS");
        pb.environment().remove("MIO_WASM_CACHE_DIR");
        pb.environment().remove("MIO_WASM_AOT");
        pb.environment().put("XDG_CACHE_HOME", root.resolve("xdg").toString()); // not the user's own cache
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), out, err);
    }

    private long builds() throws IOException {
        Path log = root.resolve("builds.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    /** As {@code git pull} leaves a changed file: modified after the last build (which is made 10 s old). */
    private void change(String path) throws IOException {
        Instant now = Instant.now();
        Files.setLastModifiedTime(root.resolve("mio-wasm/target/classpath.txt"), FileTime.from(now.minusSeconds(10)));
        Files.setLastModifiedTime(root.resolve(path), FileTime.from(now.minusSeconds(5)));
    }

    @Test
    void it_says_when_it_builds_builds_once_and_again_after_a_source_changes() throws Exception {
        Ran first = launch("run", "app.wasm", "x");
        assertThat(first.code()).isZero();
        assertThat(first.err()).startsWith("mio-wasm: first run: building io.mio and mio-wasm with Maven")
                .endsWith("mio-wasm: built.\n");
        assertThat(builds()).isEqualTo(1);
        assertThat(first.out()).startsWith("java -XX:+UseSerialGC -Xms8m -XX:TrimNativeHeapInterval=2000"
                        + " --enable-native-access=io.mio,io.mio.wasm --module-path ")
                .contains("mio-wasm-0.1.0-SNAPSHOT.jar:/deps/a.jar:/deps/b.jar")
                .endsWith("--module io.mio.wasm/io.mio.wasm.Main run app.wasm x\n");

        Ran second = launch("run", "app.wasm");
        assertThat(second.err()).as("nothing to build, nothing said").isEmpty();
        assertThat(builds()).isEqualTo(1);

        for (String changed : new String[] {"mio-core/src/main/java/io/mio/Poll.java",
                "mio-wasm/src/main/java/io/mio/wasm/Main.java", "mio-wasm/pom.xml", "pom.xml"}) {
            change(changed);
            long before = builds();
            Ran again = launch("run", "app.wasm");
            assertThat(again.err()).as(changed).startsWith("mio-wasm: sources changed since the last build: rebuilding");
            assertThat(builds()).as(changed).isEqualTo(before + 1);
            assertThat(launch("run", "app.wasm").err()).as("built after " + changed).isEmpty();
        }

        change("mio-wasm/src/main/java/io/mio/wasm/Main.java");
        Ran quiet = launch("run", "--quiet", "app.wasm");
        assertThat(quiet.err()).as("--quiet: builds without a word").isEmpty();
        assertThat(quiet.out()).endsWith("run --quiet app.wasm\n");
    }

    @Test
    void the_compile_cache_defaults_to_the_users_cache_directory_and_an_empty_setting_turns_it_off() throws Exception {
        launch("run", "app.wasm"); // the build
        write(root.resolve("bin/java"), "#!/usr/bin/env bash\necho \"cache=${MIO_WASM_CACHE_DIR-unset}\"\n", true);
        assertThat(launchWithout("XDG_CACHE_HOME", java.util.Map.of("HOME", "/home/u")).out())
                .isEqualTo("cache=/home/u/.cache/mio-wasm\n");
        assertThat(launch(java.util.Map.of("XDG_CACHE_HOME", "/xdg"), "run", "app.wasm").out())
                .isEqualTo("cache=/xdg/mio-wasm\n");
        assertThat(launch(java.util.Map.of("MIO_WASM_CACHE_DIR", ""), "run", "app.wasm").out()).isEqualTo("cache=\n");
        assertThat(launch(java.util.Map.of("MIO_WASM_CACHE_DIR", "/c"), "run", "app.wasm").out()).isEqualTo("cache=/c\n");
    }

    /** As {@link #launch}, with {@code unset} removed from the environment. */
    private Ran launchWithout(String unset, java.util.Map<String, String> env) throws Exception {
        List<String> cmd = List.of("bash", root.resolve("mio-wasm/scripts/mio-wasm").toString(), "run", "app.wasm");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().remove("MIO_WASM_JVM_FLAGS");
        pb.environment().remove("MIO_WASM_CACHE_DIR");
        pb.environment().remove(unset);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), out, err);
    }

    @Test
    void mio_wasm_jvm_flags_replaces_the_memory_flags() throws Exception {
        launch("run", "app.wasm"); // the build
        Ran g1 = launch(java.util.Map.of("MIO_WASM_JVM_FLAGS", "-XX:+UseG1GC -Xmx2g"), "run", "app.wasm");
        assertThat(g1.out()).startsWith("java -XX:+UseG1GC -Xmx2g --enable-native-access=io.mio,io.mio.wasm ");
        Ran none = launch(java.util.Map.of("MIO_WASM_JVM_FLAGS", ""), "run", "app.wasm");
        assertThat(none.out()).startsWith("java --enable-native-access=io.mio,io.mio.wasm ");
    }

    @Test
    void a_failed_build_shows_what_maven_said_and_is_tried_again_next_time() throws Exception {
        write(root.resolve("fail-build"), "", false);
        Ran failed = launch("run", "app.wasm");
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.err()).contains("mio-wasm: the build failed; Maven said:")
                .contains("[ERROR] BUILD FAILURE (stand-in)");
        assertThat(failed.out()).as("java is not started").isEmpty();
        Files.delete(root.resolve("fail-build"));
        Ran next = launch("run", "app.wasm");
        assertThat(next.code()).isZero();
        assertThat(next.err()).startsWith("mio-wasm: first run: building");
    }

    /** The last line the stand-in java printed: the command the launcher ran in the end. */
    private static String lastCommand(Ran r) {
        String[] lines = r.out().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void the_jvm_start_up_cache_is_recorded_once_created_once_and_then_used_until_the_jars_change() throws Exception {
        launch("run", "app.wasm"); // the build
        // a stand-in java that writes what the real one would: the recorded configuration, the created cache
        write(root.resolve("bin/java"), """
                #!/usr/bin/env bash
                echo "java $*"
                for a in "$@"; do
                  case "$a" in
                    -XX:AOTConfiguration=*) conf="${a#*=}" ;;
                    -XX:AOTCache=*) cache="${a#*=}" ;;
                    -XX:AOTMode=record) mode=record ;;
                    -XX:AOTMode=create) mode=create ;;
                  esac
                done
                if [ "${mode:-}" = record ]; then echo recorded > "$conf"; fi
                if [ "${mode:-}" = create ]; then echo created > "$cache"; fi
                """, true);
        Path dir = root.resolve("xdg/mio-wasm");
        Path foreign = Files.createDirectories(dir).resolve("notes.txt");
        Files.writeString(foreign, "mine");

        Ran help = launch("run", "--help");
        assertThat(lastCommand(help)).as("--help teaches nothing").doesNotContain("-XX:AOT");
        Ran first = launch("run", "app.wasm");
        assertThat(lastCommand(first)).contains(" -XX:AOTMode=record -XX:AOTConfiguration=" + dir + "/jvm-")
                .contains(".aotconf -Xlog:aot*=off -Xlog:cds*=off -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput ")
                .endsWith(" --module io.mio.wasm/io.mio.wasm.Main run app.wasm");
        String key = lastCommand(first).replaceAll(".*/jvm-([0-9]+)\\.aotconf.*", "$1");
        assertThat(dir.resolve("jvm-" + key + ".aotconf")).exists();

        Ran second = launch("run", "app.wasm");
        assertThat(second.err()).isEqualTo("mio-wasm: preparing the JVM's start-up cache from the last run (once per"
                + " build, a few seconds)...\n");
        assertThat(second.out()).as("the creating JVM's output is not the guest's").hasLineCount(1);
        assertThat(lastCommand(second)).contains(" -XX:AOTCache=" + dir + "/jvm-" + key + ".aot -Xlog:aot*=off ")
                .doesNotContain("AOTMode");
        assertThat(dir.resolve("jvm-" + key + ".aotconf")).doesNotExist();
        assertThat(dir.resolve("jvm-" + key + ".aot")).hasContent("created");

        Ran third = launch("run", "app.wasm");
        assertThat(third.err()).isEmpty();
        assertThat(lastCommand(third)).contains(" -XX:AOTCache=" + dir + "/jvm-" + key + ".aot ");
        assertThat(lastCommand(launch(java.util.Map.of("MIO_WASM_AOT", "0"), "run", "app.wasm")))
                .doesNotContain("-XX:AOT");

        // a rebuilt jar: another checksum; the old cache is deleted, the next run records again
        Files.setLastModifiedTime(root.resolve("mio-wasm/target/mio-wasm-0.1.0-SNAPSHOT.jar"),
                FileTime.from(Instant.now().plusSeconds(5)));
        Ran rebuilt = launch("run", "app.wasm");
        assertThat(lastCommand(rebuilt)).contains("-XX:AOTMode=record").doesNotContain("jvm-" + key + ".");
        assertThat(dir.resolve("jvm-" + key + ".aot")).doesNotExist();
        assertThat(foreign).hasContent("mine");

        // a directory others may write: no start-up cache at all
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(lastCommand(launch("run", "app.wasm"))).doesNotContain("-XX:AOT");
    }
}
