/**
 * The WASI backend (not exported; linked only into wasm32-wasi builds made with TeaVM): {@code Poll} over
 * {@code poll_oneoff}, TCP and UDP over WasmEdge's socket imports. {@link io.mio.internal.wasi.WasiBackends}
 * replaces the JVM's backend chooser in that build. A guest has one thread: nothing here is synchronised,
 * and a {@code Waker} is a note to the next poll.
 */
package io.mio.internal.wasi;
