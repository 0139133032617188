#!/usr/bin/env bash
# Rebuilds the default task's committed files (server/src/main/resources/sail/task/) from the
# packages, then prints the simulated annotator's agreement report.
#
#   scripts/build-default-task.sh [--offline]
#
# Steps: fetch and unpack the packages into build-data/ (skipped where present), compile the server
# module, run sail.server.task.DefaultTaskBuilder, recompile so the new files are on the class path,
# run sail.server.task.AnnotatorReport.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn_flags=(-q -pl server)
if [[ "${1:-}" == "--offline" ]]; then
  mvn_flags+=(-o)
fi

scripts/fetch-task-packages.sh
mvn "${mvn_flags[@]}" compile
classpath_file="$(mktemp)"
trap 'rm -f "$classpath_file"' EXIT
mvn "${mvn_flags[@]}" dependency:build-classpath -Dmdep.outputFile="$classpath_file"
classpath="server/target/classes:$(cat "$classpath_file")"

java -cp "$classpath" sail.server.task.DefaultTaskBuilder build-data server/src/main/resources/sail/task
mvn "${mvn_flags[@]}" process-resources
java -cp "$classpath" sail.server.task.AnnotatorReport
