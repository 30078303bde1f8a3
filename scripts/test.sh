#!/usr/bin/env bash
# Runs every test of every module (unit, conformance, allocation, leak and Epsilon-GC runs), and the Javadoc of the
# library modules with doclint, which fails the build on any warning (part of verify).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/jdk-guard-test.sh
. scripts/jdk.sh
exec ./mvnw -B -ntp verify "$@"
