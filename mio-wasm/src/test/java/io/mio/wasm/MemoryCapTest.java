package io.mio.wasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guest memory cap (grow.wat: grows by 100 pages, exits 0 when that worked, 1 when memory.grow said -1). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryCapTest {
    @TempDir
    Path tmp;

    private static byte[] wasm(String name) throws Exception {
        try (InputStream in = MemoryCapTest.class.getResourceAsStream("/guests/" + name + ".wasm")) {
            return in.readAllBytes();
        }
    }

    @Test
    void a_capped_guest_cannot_grow_past_its_cap_and_an_uncapped_one_can() throws Exception {
        try (WasmRunner free = WasmRunner.builder(wasm("grow")).args(List.of("grow")).build()) {
            assertThat(free.run()).isZero();
        }
        try (WasmRunner capped = WasmRunner.builder(wasm("grow")).args(List.of("grow")).maxMemory(1 << 20).build()) {
            assertThat(capped.run()).as("1 MiB cap: growing to 101 pages fails").isEqualTo(1);
        }
        try (WasmRunner roomy = WasmRunner.builder(wasm("grow")).args(List.of("grow")).maxMemory(101 * 65536).build()) {
            assertThat(roomy.run()).as("exactly 101 pages allowed").isZero();
        }
    }

    @Test
    void caps_are_per_guest_in_a_host() throws Exception {
        try (WasmHost host = WasmHost.of("grow", wasm("grow"), true)) {
            WasmHost.Guest capped = host.start("capped", host.guest().args(List.of("grow")).maxMemory(1 << 20));
            WasmHost.Guest free = host.start("free", host.guest().args(List.of("grow")));
            assertThat(capped.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(free.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void a_memory_that_starts_above_the_cap_cannot_run_and_a_cap_below_a_page_is_refused() throws Exception {
        try (WasmRunner r = WasmRunner.builder(wasm("trap_echo")).args(List.of("trap_echo", "0")).maxMemory(65536)
                .build()) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("starts at 2 pages").hasMessageContaining("cap of 1 pages");
        }
        try (WasmHost host = WasmHost.of("trap_echo", wasm("trap_echo"), false)) {
            WasmHost.Guest g = host.start(host.guest().args(List.of("trap_echo", "0")).maxMemory(65536));
            assertThat(g.awaitExit(Duration.ofSeconds(30))).isEqualTo(Main.CANNOT_RUN);
        }
        assertThatThrownBy(() -> WasmRunner.builder(wasm("grow")).maxMemory(1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one 64 KiB page");
    }

    @Test
    void the_cli_takes_a_size_with_a_suffix() throws Exception {
        Path app = tmp.resolve("grow.wasm");
        Files.write(app, wasm("grow"));
        assertThat(MainTest.run("run", app.toString()).code()).isZero();
        assertThat(MainTest.run("run", "--max-memory", "1M", app.toString()).code()).isEqualTo(1);
        assertThat(MainTest.run("run", "--max-memory", "7m", app.toString()).code()).isZero();
        assertThat(MainTest.run("run", "--instances", "2", "--max-memory", "1M", app.toString()).code()).isEqualTo(1);
        MainTest.Result bad = MainTest.run("run", "--max-memory", "lots", app.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("a size is a number of bytes with an optional K, M or G suffix (64M), not lots");
        assertThat(MainTest.run("run", "--max-memory", "1K", app.toString()).err()).contains("at least 64K");
        MainTest.Result tooSmall = MainTest.run("run", "--max-memory", "64K", tmp.resolve("grow.wasm").toString());
        assertThat(tooSmall.code()).as("1 page: the module starts with 1, fits; its grow fails").isEqualTo(1);
    }
}
