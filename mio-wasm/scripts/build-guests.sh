#!/usr/bin/env bash
# Rebuilds mio-wasm's test guests into src/test/resources/guests/*.wasm: the C programs of src/test/c with
# clang-14 for wasm32-wasi against Debian's wasi-libc, the hand-written modules of src/test/wat with wat2wasm.
# The .wasm files are committed, so the tests need no toolchain; run this after editing a guest. Installs the toolchain with apt-get when it is missing (Debian 12: run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 wabt)
if ! command -v clang-14 >/dev/null || ! command -v wat2wasm >/dev/null || ! command -v wasm-ld-14 >/dev/null || [ ! -f /usr/lib/wasm32-wasi/libc.a ] \
   || ! ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
fi
out=src/test/resources/guests
mkdir -p "$out"
for c in src/test/c/*.c; do
  name=$(basename "$c" .c)
  clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror -Wl,--strip-debug -o "$out/$name.wasm" "$c"
  echo "built $out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
done
for w in src/test/wat/*.wat; do
  name=$(basename "$w" .wat)
  wat2wasm -o "$out/$name.wasm" "$w"
  echo "built $out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
done
