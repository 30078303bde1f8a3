#!/usr/bin/env bash
# Rebuilds the committed wasm binaries outside mio-wasm from their sources: the benchmark's echo guest
# (mio-bench/src/main/wasm) and the reliability suite's hand-written guests (mio-reliability/src/test/wat).
# mio-wasm's own guests have mio-wasm/scripts/build-guests.sh, which also installs the toolchain; run it first.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in mio-bench/src/main/wasm/*.c; do
  clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror -Wl,--strip-debug -o "${c%.c}.wasm" "$c"
  echo "built ${c%.c}.wasm"
done
for w in mio-reliability/src/test/wat/*.wat; do
  out="mio-reliability/src/test/resources/guests/$(basename "$w" .wat).wasm"
  wat2wasm -o "$out" "$w"
  echo "built $out"
done
