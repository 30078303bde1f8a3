#!/usr/bin/env bash
# Checks scripts/jdk.sh, the JDK guard every script sources: an unusable JAVA_HOME is reported and replaced by a
# JDK 25 or newer, and with no JDK 25 to be found the script stops with a message that says so (this part hides
# /usr/lib/jvm and /opt in a private mount namespace, so it needs root and unshare; skipped otherwise).
# Run by scripts/test.sh; about a second.
set -uo pipefail
cd "$(dirname "$0")/.."
failures=0
check() { # check NAME CONDITION-RESULT DETAIL
  if [ "$2" = 0 ]; then echo "jdk-guard-test: ok: $1"; else echo "jdk-guard-test: FAILED: $1: $3" >&2; failures=$((failures + 1)); fi
}

out="$(JAVA_HOME=/nonexistent bash -c '. scripts/jdk.sh && java -XshowSettings:properties -version 2>&1 | sed -n "s/^ *java.specification.version = //p"' 2>&1)"
major="$(echo "$out" | tail -1)"
[ "${major:-0}" -ge 25 ] 2>/dev/null; check "a bad JAVA_HOME is replaced by a JDK 25 or newer" $? "got: $out"
echo "$out" | grep -q "JAVA_HOME=/nonexistent is not a JDK 25"; check "a bad JAVA_HOME is reported" $? "got: $out"

if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
  empty="$(mktemp -d)"
  out="$(unshare -m bash -c "mount --bind '$empty' /usr/lib/jvm && { [ ! -d /opt ] || mount --bind '$empty' /opt; } \
    && PATH=/usr/bin:/bin JAVA_HOME= bash -c '. scripts/jdk.sh && java -version'" 2>&1)"
  rc=$?
  rmdir "$empty"
  if [ "$rc" = 0 ]; then
    echo "jdk-guard-test: skipped the no-JDK case (a JDK 25 outside /usr/lib/jvm and /opt is still found)"
  else
    echo "$out" | grep -q "needs JDK 25 or newer; none found"
    check "with no JDK 25 the scripts stop with a message that says so" $? "exit $rc, got: $out"
  fi
else
  echo "jdk-guard-test: skipped the no-JDK case (needs root and unshare)"
fi
exit "$failures"
