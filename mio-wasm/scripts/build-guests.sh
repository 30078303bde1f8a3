#!/usr/bin/env bash
# Rebuilds mio-wasm's test guests into src/test/resources/guests/*.wasm: the C programs of src/test/c with
# clang-14 for wasm32-wasi against Debian's wasi-libc, the no-crates Rust programs of src/test/rust with
# Debian's rustc 1.63 (target wasm32-wasi), the hand-written modules of src/test/wat with wat2wasm.
# The .wasm files are committed, so the tests need no toolchain; run this after editing a guest. Installs the toolchain with apt-get when it is missing (Debian 12: run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 wabt rustc libstd-rust-dev-wasm32)
if ! command -v clang-14 >/dev/null || ! command -v wat2wasm >/dev/null || [ ! -d /usr/lib/rustlib/wasm32-wasi ] || ! command -v wasm-ld-14 >/dev/null || [ ! -f /usr/lib/wasm32-wasi/libc.a ] \
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
# /usr/bin/rustc: a rustup toolchain earlier on PATH has no wasm32-wasi target
for r in src/test/rust/*.rs; do
  name=$(basename "$r" .rs)
  /usr/bin/rustc --edition 2021 --target wasm32-wasi -O -C strip=debuginfo -o "$out/$name.wasm" "$r"
  echo "built $out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
done
for w in src/test/wat/*.wat; do
  name=$(basename "$w" .wat)
  wat2wasm -o "$out/$name.wasm" "$w"
  echo "built $out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
done
