#!/usr/bin/env bash
# Requests per second on one keep-alive connection to the hyper-shaped test guest (src/test/c/http_server.c: each
# response's head and body in two sock_send calls), with mio-wasm's default --tcp-nodelay and with --no-tcp-nodelay
# (Nagle's algorithm on, as WasmEdge leaves it). Usage: mio-wasm/scripts/bench-nodelay.sh [SECONDS per run, 5]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/scripts/jdk.sh"
secs="${1:-5}"
guest="$root/mio-wasm/src/test/resources/guests/http_server.wasm"
for flag in --tcp-nodelay --no-tcp-nodelay; do
  log="$(mktemp)"
  "$root/mio-wasm/scripts/mio-wasm" run --allow-bind '127.0.0.1:*' "$flag" "$guest" 0 1 >"$log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 600); do  # the first run may build mio-wasm first
    port="$(sed -n 's/^listening //p' "$log")"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "bench-nodelay: the guest did not start" >&2; cat "$log" >&2; kill "$pid"; exit 1; }
  printf '%-17s ' "$flag:"
  java "$root/mio-wasm/scripts/KeepAliveClient.java" 127.0.0.1 "$port" "$secs"
  wait "$pid"
  rm -f "$log"
done
