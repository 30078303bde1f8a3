#!/usr/bin/env bash
# Sourced by the other scripts: points JAVA_HOME at a JDK 25 or newer, or fails with a clear message.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
jdk_ok() { [ -x "$1/bin/javac" ] && [ "$(java_major "$1")" -ge 25 ] 2>/dev/null; }

if [ -n "${JAVA_HOME:-}" ] && jdk_ok "$JAVA_HOME"; then
  :
else
  if [ -n "${JAVA_HOME:-}" ]; then
    old_java="$(java_major "$JAVA_HOME" 2>/dev/null)"
    echo "note: JAVA_HOME=$JAVA_HOME is ${old_java:+Java $old_java, }not a JDK 25 or newer: looking for one" >&2
  fi
  found=""
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/temurin-2[5-9]* \
                   /usr/lib/jvm/java-2[5-9]-* /usr/lib/jvm/jdk-2[5-9]* /opt/java/openjdk \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    if [ -d "$candidate" ] && jdk_ok "$candidate"; then found="$candidate"; break; fi
  done
  if [ -z "$found" ]; then
    echo "error: Mio for Java needs JDK 25 or newer; none found (JAVA_HOME: ${JAVA_HOME:-unset}; java on PATH: $( (command -v java >/dev/null && java -version 2>&1 | head -1) || echo none)). Install one (e.g. Temurin 25) or set JAVA_HOME." >&2
    return 1 2>/dev/null || exit 1
  fi
  export JAVA_HOME="$found"
fi
export PATH="$JAVA_HOME/bin:$PATH"
