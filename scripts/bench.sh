#!/usr/bin/env bash
# The loopback echo benchmark: io.mio against java.nio, virtual threads, Netty epoll and io_uring, C epoll and
# io_uring servers and
# WebAssembly echo guests under mio-wasm (among them mio-examples' TcpServer compiled to wasm32-wasi by TeaVM,
# also on WasmEdge when wasmedge is installed); then the scale part: each server holding 0 to ~20000 idle
# connections (memory per connection, cost of the active traffic meanwhile); then the HTTP part: wrk against
# mio-examples' HttpServer, Netty's HTTP codec and the JDK's HttpServer on virtual threads. Builds mio-bench and
# the Java examples compiled to wasm (mio-wasi-examples, TeaVM: a minute or two), runs every server in turn as its
# own process pinned to CPU 0 with the load generator pinned to CPU 1, and writes docs/benchmarks.md,
# docs/benchmarks.csv, docs/benchmarks-scale.csv, docs/benchmarks-http.csv and the charts docs/benchmarks-*.png.
#
#   scripts/bench.sh              default mode: echo part with 1, 64 and 1000 connections x 64 B and 4 KiB
#                                 (wasm guests: 1 and 64 x 64 B), 3 rounds; scale part with 0, 1000, 10000 and
#                                 50000 idle connections (those over the open-file limit are skipped and the
#                                 largest count that fits is run instead), 1 round (about 12 min with the TeaVM
#                                 build); HTTP part with plaintext, json and 16-pipelined plaintext at 64 and 1000
#                                 connections, 3 rounds (about 6 min)
#                                 io.mio on its URING backend (mio-uring) is in both parts' default servers: the
#                                 report's section "io_uring backend: targets" marks issue 13's targets met or missed,
#                                 and the scale part gives kernel memory per idle connection (/proc/meminfo's
#                                 SUnreclaim; its epoll/io_uring registration caches from /proc/slabinfo, as root)
#   scripts/bench.sh --full       adds 10000 connections to the echo part
#   scripts/bench.sh --part scale only the scale part (--part echo, --part http, or a list: --part echo,http;
#                                 --no-scale and --no-http leave one part out)
#   scripts/bench.sh --part wasm  only the WebAssembly section: io.mio native and the wasm guests at 1 and 64
#                                 connections x 64 B, 3 rounds (about 4 min); replaces that section of
#                                 docs/benchmarks.md and writes docs/benchmarks-wasm.csv, the rest stays as it is
#   scripts/bench.sh --part wasi-startup
#                                 the .wasm size of each Java example compiled to wasm32-wasi and TcpServer's
#                                 start-up time on mio-wasm, WasmEdge (interpreter, AOT) and the JVM, median of 3
#                                 (--startup-runs N): the section's subsection "Java compiled to wasm32-wasi"
#   scripts/bench.sh --part wasm-density
#                                 1, 10 and 100 echo guests in one mio-wasm JVM (run --instances N) against one
#                                 WasmEdge AOT process per guest: RSS and PSS in total and per additional guest,
#                                 each guest checked to echo; and requests/s on one keep-alive connection to the
#                                 hyper-shaped guest with and without --tcp-nodelay, WasmEdge beside it (about 3 min;
#                                 --density-guests 1,10,100, --nodelay-s 5): its own section of docs/benchmarks.md
#                                 and docs/benchmarks-wasm-density.csv
#   scripts/bench.sh --part uring-targets
#                                 issue 13's io_uring targets in paired rounds: io.mio URING (and with send(2) writes),
#                                 io.mio EPOLL, C epoll short read, C io_uring and Netty io_uring started once and
#                                 kept running; 8 rounds measure 64 x 64 B, 1 x 64 B, 1 x 4 KiB and 1000 x 64 B server after
#                                 server, seconds apart (about 14 min; --paired-cells 64x64,1x64,1x4096,1000x64): the section "io_uring backend: targets, paired
#                                 runs" of docs/benchmarks.md and docs/benchmarks-uring-paired.csv
#   scripts/bench.sh --smoke      only checks that every server starts and echoes correctly, and holds idle
#                                 connections while others echo, and that every HTTP server answers correctly
#                                 (no timings)
# Other options (--rounds N, --measure-ms, --warmup-ms, --perf-ms, --servers mio,nio,..., --idle 0,1000,...,
# --scale-active N, --scale-servers ..., --http-servers mio,netty,jdk, --http-loads plaintext,json,pipelined,
# --http-conns 64,1000, --http-rounds N, --http-measure-s S, --docs DIR) go to io.mio.bench.Bench (see its javadoc).
#
# Needs gcc (C servers), liburing-dev (the C io_uring server), perf (syscall counts), taskset (pinning) and wrk (the HTTP part's load generator):
# where one is missing and this runs as root on Debian, it is installed with apt-get (and said so); otherwise
# that part is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh

updated=""
ensure() { # ensure COMMAND DEBIAN-PACKAGE WHAT-FOR
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: $1 is missing (needed for $3): installing Debian package $2 with apt-get"
    if [ -z "$updated" ]; then apt-get update -qq >/dev/null 2>&1 || true; updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 \
      || echo "bench: could not install $2: $3 will be skipped"
  else
    echo "bench: $1 is missing and cannot be installed here: $3 will be skipped"
  fi
}
ensure_header() { # ensure_header HEADER DEBIAN-PACKAGE WHAT-FOR: as ensure, for a C library (its header)
  [ -e "/usr/include/$1" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: $1 is missing (needed for $3): installing Debian package $2 with apt-get"
    if [ -z "$updated" ]; then apt-get update -qq >/dev/null 2>&1 || true; updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 \
      || echo "bench: could not install $2: $3 will be skipped"
  else
    echo "bench: $1 is missing and cannot be installed here: $3 will be skipped"
  fi
}
ensure gcc gcc "the C epoll server"
ensure_header liburing.h liburing-dev "the C io_uring server"
ensure perf linux-perf "syscall and context-switch counts"
ensure taskset util-linux "pinning server and client to separate CPUs"
ensure wrk wrk "the HTTP part"

echo "bench: building mio-bench"
cp_file=mio-bench/target/classpath.txt
# One reactor build (nothing installed into the local repository): the last module built is mio-bench, so
# the class path file ends up holding its class path, with mio-core's jar from this work tree.
./mvnw -B -ntp -q -DskipTests -pl mio-bench -am package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -DincludeScope=runtime >/dev/null

# mio-examples' HelloMio, TcpServer and UdpServer compiled to wasm32-wasi with TeaVM (mio-wasi-examples/target/wasm),
# from this work tree's sources, for the wasm guest "Java TcpServer compiled to wasm" and the start-up part. Not
# for a run of the scale part alone, nor when --servers names no wasi-tcp kind. If the build fails the harness skips those, saying the .wasm is not built.
wasi_build=1
prev=""
for a in "$@"; do
  if [ "$prev" = --part ] && [ "$a" = scale ]; then wasi_build=""; fi
  # servers named without the Java TcpServer compiled to wasm: nothing of that build is used (but by wasi-startup)
  if [ "$prev" = --servers ] && [[ ",$a," != *,wasi-tcp* ]]; then no_wasi_server=1; fi
  if [ "$prev" = --part ] && [[ ",$a," == *,wasi-startup,* ]]; then wasi_startup=1; fi
  if [ "$prev" = --part ] && [ "$a" = wasm-density ]; then wasi_build=""; fi # needs no TeaVM build
  if [ "$prev" = --part ] && [ "$a" = uring-targets ]; then wasi_build=""; fi
  prev="$a"
done
if [ -n "${no_wasi_server:-}" ] && [ -z "${wasi_startup:-}" ]; then wasi_build=""; fi
if [ -n "$wasi_build" ]; then
  echo "bench: compiling the Java examples to wasm32-wasi with TeaVM (mio-wasi-examples; a minute or two)"
  wasi_log="$(mktemp)"
  if ! ./mvnw -B -ntp -q -DskipTests -pl mio-wasi-examples -am package >"$wasi_log" 2>&1; then
    echo "bench: the mio-wasi-examples build failed (the Java guests compiled to wasm will be skipped); Maven said:"
    tail -20 "$wasi_log"
    rm -rf mio-wasi-examples/target/wasm # no stale .wasm from an earlier build
  fi
  rm -f "$wasi_log"
fi

# The scale part's servers need one descriptor per idle connection: raise the soft open-file limit to the
# hard one (the harness and every process it starts inherit it). Raising the hard limit needs root.
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || echo "bench: could not raise the open-file limit (soft $(ulimit -Sn), hard $(ulimit -Hn))"

pin=()
server_cpu=-1
if command -v taskset >/dev/null 2>&1 && [ "$(nproc --all)" -ge 2 ]; then
  pin=(taskset -c 1)
  server_cpu=0
else
  echo "bench: fewer than 2 CPUs or no taskset: server and client are not pinned"
fi

exec "${pin[@]}" java -Djava.awt.headless=true --enable-native-access=ALL-UNNAMED \
  -cp "mio-bench/target/classes:$(cat "$cp_file")" io.mio.bench.Bench \
  --server-cpu "$server_cpu" --work mio-bench/target/bench --docs docs \
  --command "scripts/bench.sh${*:+ $*}" "$@"
