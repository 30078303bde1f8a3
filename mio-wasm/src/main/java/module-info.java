/**
 * Runs wasm32-wasi modules written against WasmEdge's socket API on Chicory, with every socket call and every
 * {@code poll_oneoff} served by io.mio's {@link io.mio.Poll}. Entry points: {@link io.mio.wasm.WasmRunner} (embed)
 * and {@link io.mio.wasm.Main} (command line). Uses only io.mio's exported API.
 */
module io.mio.wasm {
    requires io.mio;
    requires transitive com.dylibso.chicory.wasi; // and so runtime and wasm: they appear in the API
    requires com.dylibso.chicory.compiler;
    requires info.picocli;
    requires java.logging;
    requires jdk.management; // the process's open-file limit, the default socket cap

    exports io.mio.wasm;

    opens io.mio.wasm to info.picocli;
}
