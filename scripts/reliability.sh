#!/usr/bin/env bash
# The full reliability run of issue 7 (mio-reliability): soak with 10,000 connections and up to 1,000,000
# checked round trips (time-bounded), every fault kind, descriptor exhaustion, registry races.
# Prints the figures that docs/reliability.md records. Extra arguments go to ReliabilityMain
# (e.g. --short, --connections 2000, --soak-seconds 60).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
# Two descriptors per connection live in this one process: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
./mvnw -B -ntp -q -pl mio-reliability -am -DskipTests package
cp="mio-reliability/target/classes:mio-core/target/classes"
exec java --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" io.mio.reliability.ReliabilityMain "$@"
