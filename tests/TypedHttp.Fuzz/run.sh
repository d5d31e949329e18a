#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine's response parser and chunked decoder (issue 9).
#
#   tests/TypedHttp.Fuzz/run.sh DURATION      e.g. 300, 90s, 10m, 1h
#
# Builds the fuzz target in Release, instruments TypedHttp.dll in place with SharpFuzz, and runs afl-fuzz (AFL++,
# Debian package afl++) on ONE core for DURATION, starting from the committed seed corpus. Findings (queue,
# crashes, hangs, fuzzer_stats) go to $FUZZ_WORK (default /tmp/typedhttp-fuzz); every crash and hang is replayed
# at the end and the summary printed. Exit status: 0 without crashes or hangs, 1 otherwise.
#
# Environment: FUZZ_WORK (work directory), FUZZ_CPU (the core to pin to, default 0), FUZZ_TARGET (response,
# the default, with corpus/; hpack with corpus-hpack/; frames with corpus-frames/).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
duration="${1:?usage: run.sh DURATION (seconds, or with s/m/h)}"
case "$duration" in
  *h) seconds=$(( ${duration%h} * 3600 )) ;;
  *m) seconds=$(( ${duration%m} * 60 )) ;;
  *s) seconds=${duration%s} ;;
  *)  seconds=$duration ;;
esac
work="${FUZZ_WORK:-/tmp/typedhttp-fuzz}"
cpu="${FUZZ_CPU:-0}"
export FUZZ_TARGET="${FUZZ_TARGET:-response}"
case "$FUZZ_TARGET" in
  response) corpus="$here/corpus" ;;
  hpack|frames) corpus="$here/corpus-$FUZZ_TARGET" ;;
  *) echo "unknown FUZZ_TARGET $FUZZ_TARGET (response, hpack, frames)" >&2; exit 2 ;;
esac
out="$work/bin"
tools="$work/tools"

command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

rm -rf "$out"
dotnet build "$here/TypedHttp.Fuzz.csproj" -c Release -o "$out" -nologo -v quiet
"$tools/sharpfuzz" "$out/TypedHttp.dll"

findings="$work/findings"
rm -rf "$findings"
mkdir -p "$findings"

# One core: afl-fuzz runs one target process at a time; taskset keeps the runtime's helper threads there too.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export DOTNET_gcServer=0 DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
taskset -c "$cpu" afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 10000 -m none -- dotnet "$out/TypedHttp.Fuzz.dll" \
  > "$work/afl.log" 2>&1 || { tail -40 "$work/afl.log" >&2; exit 2; }

stats="$findings/default/fuzzer_stats"
echo "== target $FUZZ_TARGET, afl-fuzz $(grep -E '^afl_version' "$stats" | awk '{print $3}') on $(nproc) cores (pinned to core $cpu), $(date -u +%Y-%m-%dT%H:%MZ)"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability)' "$stats"

status=0
for kind in crashes hangs; do
  dir="$findings/default/$kind"
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir" | grep -v README || true)" ]; then
    echo "== $kind (replayed; copy each into tests/TypedHttp.Tests/Reliability as a regression test)"
    dotnet "$out/TypedHttp.Fuzz.dll" replay "$dir" || true
    status=1
  fi
done
exit $status
