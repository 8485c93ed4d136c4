#!/usr/bin/env bash
# Load test of the AI gateway (docs/benchmarks.md, "AI gateway"): builds
# Rampart and the load-test helper, starts Rampart on SQLite (development
# settings, rate limits off) and the helper's stand-in upstream, then runs
# wrk (Debian's package) against the stand-in straight and through Rampart,
# passthrough (guardrails and masking off, a short prompt) and guarded (on,
# a 4 KB prompt with an e-mail address).
#
#   gateway/loadtest/run.sh                 # as fast as wrk can (closed loop)
#   PACE_MS=10 CONNS=20 gateway/loadtest/run.sh   # about 2,000 requests/s at most
#
# Settings: DURATION (20s), CONNS (32), THREADS (2), PACE_MS (0: no wait
# between a connection's requests; else each connection waits that long,
# so the rate is at most CONNS*1000/PACE_MS requests/s), MODES
# ("passthrough guarded").
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
PACE_MS=${PACE_MS:-0}
MODES=${MODES:-passthrough guarded}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/rampart" ./cmd/rampart
go build -o "$work/loadtest" ./gateway/loadtest

# wait_for FILE PATTERN: the first line of FILE matching PATTERN, within 30 s.
wait_for() {
	for _ in $(seq 300); do
		if line=$(grep -m1 "$2" "$1" 2>/dev/null); then echo "$line"; return; fi
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

export RAMPART_OPERATOR_TOKEN="load-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/data"
RAMPART_ADDR=127.0.0.1:0 RAMPART_DATA_DIR="$work/data" RAMPART_DATABASE_URL="sqlite:$work/rampart.db" \
	RAMPART_RATE_LIMITS=off RAMPART_WEBHOOK_ALLOW_PRIVATE=true RAMPART_LOG_LEVEL=warn \
	"$work/rampart" serve >"$work/rampart.out" 2>"$work/rampart.err" &
pids+=($!)
url=$(wait_for "$work/rampart.out" "listening on" | sed 's/.*listening on //')

"$work/loadtest" -rampart "$url" -out "$work" -pace-ms "$PACE_MS" >"$work/loadtest.out" 2>&1 &
pids+=($!)
upstream=$(wait_for "$work/loadtest.out" "^ready " | cut -d' ' -f2)

echo "machine: $(nproc) vCPU, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNS -d$DURATION, pace ${PACE_MS} ms"
for mode in $MODES; do
	# Warm connections and caches, then measure.
	wrk -t1 -c4 -d2s -s "$work/$mode.lua" "$url/v1/ai/chat/completions" >/dev/null
	echo "== $mode: straight to the stand-in"
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/direct-$mode.lua" "$upstream/v1/chat/completions"
	echo "== $mode: through Rampart"
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/$mode.lua" "$url/v1/ai/chat/completions"
done
