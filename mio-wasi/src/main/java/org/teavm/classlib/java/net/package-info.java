/**
 * The {@code java.net} classes io.mio's public API uses and TeaVM 0.13.1's class library lacks, supplied
 * through TeaVM's class-library substitution: TeaVM renames {@code org.teavm.classlib.java.net.TName} to
 * {@code java.net.Name} in the wasm build, so io.mio's sources (and an application's) use the JDK's names
 * unchanged. Only what a wasm32-wasi guest can honour is here: literal addresses and {@code localhost}, no
 * name service: WasmEdge's {@code sock_getaddrinfo} is not wired into {@code InetAddress}.
 */
package org.teavm.classlib.java.net;
