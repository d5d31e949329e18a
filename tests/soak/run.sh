#!/usr/bin/env bash
# The bounded soak of issue 9: tests/soak/run.sh [REQUESTS [CONCURRENCY [CLOSE_FRACTION]]]
# Defaults: 100000 requests, concurrency 64, 1 % of connections closed by the server. Exit 0 when every check passes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet build "$here/Soak.csproj" -c Release -nologo -v quiet
exec dotnet "$here/bin/Release/net10.0/Soak.dll" "$@"
