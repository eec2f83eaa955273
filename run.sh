#!/usr/bin/env bash
# dsf4j launcher.
#   ./run.sh              train the default model on the default data, report validation perplexity
#   ./run.sh test         build and run the whole test suite
#   ./run.sh COMMAND ...  any dsf4j command (./run.sh --help lists them)
# Finds a JDK 25 by itself (JAVA_HOME if it is 25 or newer, else the machine's installed JDK 25),
# and rebuilds target/dsf4j.jar whenever a source is newer than it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

java_major() {  # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* /opt/java/openjdk /opt/jdk-25* "$HOME"/.sdkman/candidates/java/25*)
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  local home v
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v=$(java_major "$home/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$home"; return 0; fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk); then
  echo "dsf4j: no JDK 25 found (JAVA_HOME is '${JAVA_HOME:-unset}'); install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# For the bench/ scripts that run Maven or java themselves: JAVA_HOME=$(./run.sh --print-java-home)
if [ "${1:-}" = --print-java-home ]; then echo "$JAVA_HOME"; exit 0; fi

if ! command -v mvn >/dev/null 2>&1; then
  echo "dsf4j: Maven (mvn) is not on PATH; install Maven 3.8 or newer" >&2
  exit 1
fi

JAR=target/dsf4j.jar
JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC)
# Transparent huge pages for the Java heap where Linux offers them ('always' or 'madvise'): a step reads
# its 67 MB chunks of logits down their columns (dW's packing), which on 4 KiB pages misses the TLB on
# every row. PTB GRU 3L256 DSF at 2 threads on a Zen 5: 3-9% more tokens/s in each of 5 alternated pairs
# (bench/results/zen5-2026-12-02e). Where it is 'never', the flag would only print a warning.
thp=/sys/kernel/mm/transparent_hugepage/enabled
if [ -r "$thp" ] && grep -qE '\[(always|madvise)\]' "$thp"; then JVM_FLAGS+=(-XX:+UseTransparentHugePages); fi

build_jar() {
  # Under mpirun or srun every process runs this script at once: one builds, the others wait for it.
  mkdir -p target
  exec 9>target/.build.lock
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if [ ! -f "$JAR" ] || [ -n "$(find pom.xml src/main -newer "$JAR" -print -quit)" ]; then
    echo "dsf4j: building $JAR ..." >&2
    local log
    log=$(mktemp)
    if ! mvn -q -B -DskipTests package >"$log" 2>&1; then
      sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
      rm -f "$log"
      echo "dsf4j: the build failed (Maven's output above)" >&2
      exit 1
    fi
    rm -f "$log"
  fi
  exec 9>&-
}

# The MPI tests need Open MPI (mpirun and libmpi.so.40); without it they are skipped with the reason.
# As root on Debian/Ubuntu, the test command installs it when it is missing; a failed install only
# means skipped tests.
install_mpi_for_tests() {
  command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 || return 0
  [ "$(id -u)" = 0 ] || return 0
  dpkg -s openmpi-bin libopenmpi-dev >/dev/null 2>&1 && return 0
  echo "dsf4j: installing openmpi-bin and libopenmpi-dev (apt-get) for the MPI tests ..." >&2
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0)
  if command -v timeout >/dev/null 2>&1; then apt=(timeout 600 "${apt[@]}"); fi
  "${apt[@]}" install openmpi-bin libopenmpi-dev >/dev/null 2>&1 \
    || { "${apt[@]}" update >/dev/null 2>&1 && "${apt[@]}" install openmpi-bin libopenmpi-dev >/dev/null 2>&1; } \
    || echo "dsf4j: could not install Open MPI; the MPI tests will be skipped" >&2
}

# stdin → stdout, without the first line when it is the JVM's incubator-module notice.
drop_incubator_notice() {
  local first
  if IFS= read -r first; then
    [[ $first == "WARNING: Using incubator modules"* ]] || printf '%s\n' "$first"
  else
    printf '%s' "$first"   # stderr ended without a newline
  fi
  exec cat
}

case "${1:-}" in
  test)
    shift
    install_mpi_for_tests
    exec mvn -B test "$@"
    ;;
  *)
    build_jar
    # The incubator module prints one warning per JVM, its first line on stderr; it says nothing a user
    # can act on. The filter drops that line and passes the rest through as it comes (not line by line,
    # so that a download's progress bar, redrawn with \r, shows at once). It ignores Ctrl-C and SIGTERM:
    # dsf4j train answers them by saving a checkpoint, and its messages must still reach stderr; the
    # filter ends when java closes stderr.
    exec java "${JVM_FLAGS[@]}" ${DSF4J_JAVA_OPTS:-} -jar "$JAR" "$@" 2> >(trap '' INT TERM; drop_incubator_notice >&2)
    ;;
esac
