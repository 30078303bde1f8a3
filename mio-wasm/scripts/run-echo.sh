#!/usr/bin/env bash
# Builds mio-wasm and runs the example wasm echo server: the poll()-driven C guest src/test/c/poll_server.c
# (wasi-libc poll -> poll_oneoff, served by io.mio's Poll) under `mio-wasm run`, allowed to bind only
# 127.0.0.1:PORT (default 9001). Talk to it with `nc 127.0.0.1 9001`; stop it with Ctrl-C.
#   mio-wasm/scripts/run-echo.sh [PORT]
# The guest is rebuilt from its C source when clang-14 and wasi-libc are installed (see build-guests.sh);
# otherwise the committed src/test/resources/guests/poll_server.wasm runs.
set -euo pipefail
port="${1:-9001}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. scripts/jdk.sh
wasm=mio-wasm/src/test/resources/guests/poll_server.wasm
mkdir -p mio-wasm/target
if command -v clang-14 >/dev/null && [ -f /usr/lib/wasm32-wasi/libc.a ]; then
  clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror -Wl,--strip-debug \
    -o mio-wasm/target/poll_server.wasm mio-wasm/src/test/c/poll_server.c
  wasm=mio-wasm/target/poll_server.wasm
fi
echo "building mio-wasm..." >&2
rm -f mio-wasm/target/classpath.txt # make scripts/mio-wasm package the current sources
./mvnw -B -ntp -q -pl mio-wasm -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$root/mio-wasm/target/classpath.txt" -DincludeScope=runtime >/dev/null
echo "echo server on 127.0.0.1:$port; in another terminal:  nc 127.0.0.1 $port" >&2
# poll_server PORT COUNT: serve until COUNT connections have closed (here: practically forever)
exec mio-wasm/scripts/mio-wasm run --allow-bind "127.0.0.1:$port" "$wasm" "$port" 1000000000
