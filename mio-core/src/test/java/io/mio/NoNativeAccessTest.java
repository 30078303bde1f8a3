package io.mio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Without native access the library picks the SELECTOR backend by itself and works without any FFM call. */
@Timeout(60)
class NoNativeAccessTest {
    @Test
    void without_native_access_the_selector_backend_is_chosen_and_never_touches_ffm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--illegal-native-access=deny", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), NoNativeAccessMain.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        String out = readAll(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("backend=SELECTOR").contains("ok").doesNotContain("WARNING");
        // The fallback is logged once (System.Logger "io.mio", here through java.util.logging), naming the flag.
        String flag = "Run with --enable-native-access=ALL-UNNAMED to use EPOLL";
        assertThat(out.split(Pattern.quote(flag), -1)).as(out).hasSize(2);
        assertThat(out).contains("io.mio uses the portable SELECTOR backend: native access is not enabled");
    }

    @Test
    void backend_use_before_first_use_chooses_the_selector_backend_even_with_native_access() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), NoNativeAccessMain.class.getName(), "use-selector");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        String out = readAll(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("backend=SELECTOR").contains("ok").doesNotContain("--enable-native-access");
    }

    @Test
    void the_epoll_backend_requested_without_native_access_fails_naming_the_flag() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.EPOLL.isAvailable(), "needs a platform the EPOLL backend supports");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--illegal-native-access=deny", "-Dio.mio.backend=epoll", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), NoNativeAccessMain.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        String out = readAll(p);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("backend=EPOLL").contains("UnsupportedOperationException").contains("--enable-native-access");
    }

    @Test
    void the_uring_backend_requested_where_it_cannot_run_fails_naming_the_cause() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.EPOLL.isAvailable(), "needs a platform the EPOLL backend supports");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--illegal-native-access=deny", "-Dio.mio.backend=uring", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), NoNativeAccessMain.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        String out = readAll(p);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).as(out).contains("UnsupportedOperationException").contains("io.mio.backend=uring")
                .contains("URING backend cannot run here").contains("--enable-native-access");
    }

    private static String readAll(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
