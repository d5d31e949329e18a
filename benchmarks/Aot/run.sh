#!/usr/bin/env bash
# Publishes the same one-call console app three ways (TypedHttp, Refit 16.4's generated client, hand-written
# HttpClient) with Native AOT, then reports binary size, trim/AOT warnings and start-to-first-response time
# (hyperfine) against the AOT microservice sample serving /inventory/{sku} on 127.0.0.1. TypedHttpNoTlsApp is the
# TypedHttp app with the one setting only TypedHttp has, its TLS feature switch off (docs/engine.md): a fourth row,
# not a replacement for the like-for-like three. TypedHttpNoHttp2App has its HTTP/2 switch off: what HTTP/2 costs.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
out="$here/../results/aot"
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

for app in HttpClientApp RefitApp TypedHttpApp TypedHttpNoTlsApp TypedHttpNoHttp2App; do
  dotnet publish "$app" -c Release -r linux-x64 -o "$out/$app" > "$out/$app.publish.log" 2>&1
  warnings=$( { grep -Eo "warning IL[23][0-9]{3}" "$out/$app.publish.log" || true; } | sort -u | wc -l)
  size=$(stat -c %s "$out/$app/$app")
  awk -v a="$app" -v s="$size" -v w="$warnings" 'BEGIN { printf "%-14s %10d bytes  %5.1f MiB  %d distinct IL2xxx/IL3xxx warnings\n", a, s, s / 1048576, w }'
done

dotnet publish ../../samples/AotMicroservice -c Release -r linux-x64 -o "$out/server" > "$out/server.publish.log" 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$out/server/AotMicroservice" --urls "http://127.0.0.1:$port" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/inventory/probe" >/dev/null 2>&1 && break; sleep 0.1; done

url="http://127.0.0.1:$port"
hyperfine -N --warmup 5 --runs 40 --export-json "$out/startup.json" --export-markdown "$out/startup.md" \
  -n HttpClient "$out/HttpClientApp/HttpClientApp $url" \
  -n Refit "$out/RefitApp/RefitApp $url" \
  -n TypedHttp "$out/TypedHttpApp/TypedHttpApp $url" \
  -n "TypedHttp (TLS off)" "$out/TypedHttpNoTlsApp/TypedHttpNoTlsApp $url"
