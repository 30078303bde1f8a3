#!/usr/bin/env bash
# Runs every test of every module (unit, conformance, allocation, leak and Epsilon-GC runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
exec ./mvnw -B -ntp verify "$@"
