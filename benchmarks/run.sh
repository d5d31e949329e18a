#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite. Usage: benchmarks/run.sh [--quick] [FILTER [BENCHMARKDOTNET ARGS...]]
#   --quick  BenchmarkDotNet's short job (3 warm-ups, 3 iterations, one process): minutes, not an hour.
#   FILTER   a BenchmarkDotNet filter such as '*Engine*' (default: everything).
#   ARGS     passed on, e.g. '--warmupCount 5 --iterationCount 20' for the noisy loopback figures.
# Results (markdown and JSON) land in benchmarks/results/; docs/benchmarks.md records the figures with the
# date and machine they were taken on.
set -euo pipefail
cd "$(dirname "$0")/.."
job=default
if [ "${1:-}" = "--quick" ]; then job=short; shift; fi
filter=${1:-*}
[ $# -gt 0 ] && shift
dotnet build benchmarks/TypedHttp.Benchmarks -c Release -warnaserror >/dev/null
dotnet run -c Release --no-build --project benchmarks/TypedHttp.Benchmarks -- \
  --filter "$filter" --job "$job" --exporters json markdown --artifacts benchmarks/results "$@"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -srm), .NET $(dotnet --version)"
