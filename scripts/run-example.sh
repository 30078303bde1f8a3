#!/usr/bin/env bash
# Builds the library and runs an example: the README example by default, or the class named as $1
# (for example: scripts/run-example.sh TcpServer 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
example="${1:-HelloMio}"
shift || true
# The TLS examples live in mio-tls (module io.mio.tls), the others in mio-examples.
case "$example" in
  Tls*) dir=mio-tls; module=io.mio.tls; package=io.mio.tls.examples ;;
  *) dir=mio-examples; module=io.mio.examples; package=io.mio.examples ;;
esac
cp_file=$dir/target/classpath.txt
# One reactor build of the example's module and what it needs, nothing installed into ~/.m2 (a stale io.mio
# there is never picked up): every module writes its class path to the same file, and the example's module,
# built last, has the final say.
./mvnw -B -ntp -q -DskipTests -pl "$dir" -am package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -DincludeScope=runtime >/dev/null
# The library runs as the named module io.mio, so native access is granted to it by name.
exec java --enable-native-access=io.mio \
  --module-path "$dir/target/classes:$(cat "$cp_file")" \
  --module "$module/$package.$example" "$@"
