#!/usr/bin/env bash
# Compiles io.mio programs to wasm32-wasi with TeaVM 0.13.1 and io.mio's WASI backend: HelloMio, TcpServer and
# UdpServer from mio-examples (the very same .java files the JVM runs) and the conformance guest.
#   scripts/build-wasi-examples.sh [OUTDIR]     (default: ./wasi-out)
# Then run one on mio-wasm or on WasmEdge, e.g.:
#   mio-wasm/scripts/mio-wasm run --allow-bind '127.0.0.1:*' wasi-out/tcp_server.wasm 9000
#   wasmedge --dir .:. wasi-out/tcp_server.wasm 9000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-wasi-out}" && cd "${1:-wasi-out}" && pwd)"
cd "$root"
. scripts/jdk.sh
echo "build-wasi-examples: compiling with TeaVM (about a minute the first time)..." >&2
./mvnw -B -ntp -q -pl mio-wasi-examples -am -DskipTests package
cp mio-wasi-examples/target/wasm/*.wasm "$out/"
ls -l "$out"/*.wasm
