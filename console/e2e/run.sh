#!/usr/bin/env bash
# Browser tests of the admin console: builds rampart, starts it on a free
# port with a temporary data folder on SQLite, and again on PostgreSQL (a
# schema of its own in RAMPART_TEST_DATABASE_URL's database), and runs
# console.spec.mjs against each with Debian's chromium (never a downloaded
# browser).
#
#   console/e2e/run.sh                 # both databases
#   console/e2e/run.sh --screenshots   # also writes docs/console/*.png (SQLite run)
#   E2E_DIALECTS=sqlite console/e2e/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shots=
[ "${1:-}" = "--screenshots" ] && shots="$repo/docs/console"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "e2e: /usr/bin/chromium is required (apt-get install chromium)"; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)

tmp="$(mktemp -d)"
pids=()
schema=
pg_url="${RAMPART_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$schema" ] && psql "$pg_url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$tmp/rampart" ./cmd/rampart)

# start DIALECT: starts rampart, sets url and token.
start() {
  local dir="$tmp/$1" db=""
  mkdir -p "$dir"
  if [ "$1" = postgres ]; then
    schema="e2e_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psql "$pg_url" -qc "CREATE SCHEMA $schema" >/dev/null
    case "$pg_url" in *\?*) db="$pg_url&search_path=$schema" ;; *) db="$pg_url?search_path=$schema" ;; esac
  fi
  token="op-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" RAMPART_ADDR=127.0.0.1:0 RAMPART_DATA_DIR="$dir" RAMPART_DATABASE_URL="$db" \
    RAMPART_OPERATOR_TOKEN="$token" RAMPART_ARGON2_TIME=1 RAMPART_ARGON2_MEMORY_KIB=1024 RAMPART_RATE_LIMITS=off \
    RAMPART_SEND_LIMITS=off RAMPART_LOG_LEVEL=error "$tmp/rampart" serve >"$dir/out.log" 2>"$dir/err.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^rampart: listening on //p' "$dir/out.log")"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "e2e: rampart did not start:"; cat "$dir/err.log"; exit 1; }
  url="${url/127.0.0.1/localhost}" # a loopback name: the console's __Host- cookie is kept
}

for d in ${E2E_DIALECTS:-sqlite postgres}; do
  start "$d"
  echo "e2e: console on $d at $url"
  metrics="$repo/console/e2e/metrics-$d.json"
  s=""
  [ "$d" = sqlite ] && s="$shots"
  (cd "$here" && RAMPART_URL="$url" RAMPART_OPERATOR_TOKEN="$token" CONSOLE_SCREENSHOTS="$s" CONSOLE_METRICS="$metrics" \
    node --test --test-concurrency=1 console.spec.mjs)
  kill "${pids[-1]}" 2>/dev/null || true
done
js=$(gzip -9c "$repo/console/static/console.js" | wc -c)
echo "e2e: JavaScript served by the console: $(wc -c <"$repo/console/static/console.js") bytes, $js bytes gzip"
