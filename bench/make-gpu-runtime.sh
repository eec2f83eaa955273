#!/usr/bin/env bash
# Builds what a lent GPU machine needs to run dsf4j (it has no JDK and no network), in the repo root:
#   target/dsf4j.jar   the shaded jar (mvn package, tests skipped)
#   jdk25-runtime/     a jlink'd JDK 25 runtime: java.base, jdk.incubator.vector, jdk.unsupported
# Both are git-ignored; the device tool's `run` carries them (see README.md, "CUDA").
# The carry limit is 64 MiB for everything that travels; this prints the sizes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk/bin/jlink" ]; then
  echo "make-gpu-runtime: no jlink under $jdk: set JAVA_HOME to a JDK 25" >&2
  exit 1
fi
export JAVA_HOME=$jdk
mvn -q -B -DskipTests package
rm -rf jdk25-runtime
"$jdk/bin/jlink" --add-modules java.base,jdk.incubator.vector,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output jdk25-runtime
jdk25-runtime/bin/java --add-modules jdk.incubator.vector -version 2>&1 | grep -v WARNING | head -n 1
du -sh target/dsf4j.jar jdk25-runtime
echo "carry: [\"target/dsf4j.jar\", \"jdk25-runtime\"]  (total must stay under 64 MiB with the working tree)"
