#!/usr/bin/env bash
# User-space CPU per echo round trip: each server's total CPU time (from /proc) split into user and kernel time
# by sampling it with `perf record -e cpu-clock` (works without hardware counters). Compares io.mio with
# java.nio, Netty epoll, virtual threads and the C epoll server, judges the issue's user-CPU targets and writes
# docs/benchmarks-user-cpu.md with the user-space profile of every server. About 8 minutes with the defaults.
#
#   scripts/bench-user-cpu.sh [--servers mio,nio,netty,vthread,c-drain,c-short] [--conns 1,64] [--rounds 3]
#                             [--warmup-s 3] [--measure-s 5] [--freq 10000] [--docs DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh

ensure() { # ensure COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-user-cpu: installing Debian package $2 (for $1)"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "bench-user-cpu: $1 is missing (Debian package $2)" >&2
    exit 1
  fi
}
ensure perf linux-perf
ensure gcc gcc
ensure taskset util-linux

echo "bench-user-cpu: building mio-bench"
cp_file=mio-bench/target/classpath.txt
./mvnw -B -ntp -q -DskipTests -pl mio-bench -am package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -DincludeScope=runtime >/dev/null

pin=()
server_cpu=-1
if [ "$(nproc --all)" -ge 2 ]; then
  pin=(taskset -c 1)
  server_cpu=0
fi
exec "${pin[@]}" java --enable-native-access=ALL-UNNAMED -cp "mio-bench/target/classes:$(cat "$cp_file")" \
  io.mio.bench.UserCpu --server-cpu "$server_cpu" --command "scripts/bench-user-cpu.sh${*:+ $*}" "$@"
