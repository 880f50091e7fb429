#!/usr/bin/env bash
# bench/soak.sh DURATION: run eddy at 70% of its maximum load for DURATION
# (producers and a tailing consumer), sampling the server's RSS, CPU, open
# file descriptors and goroutines every few seconds into a CSV, then check
# for an upward trend: the last third of the samples must not exceed the
# first third by more than the margins below.
#
# At that load the data grows by tens of MB/s while the shortest retention
# is 24 hours, so the load moves to a new stream every --segment and deletes
# the one before the previous: the data on disk stays bounded (about two
# segments' worth) and stream deletion and space reclamation are soaked too.
#
# Usage: bench/soak.sh [DURATION=30m] [--interval 5s] [--calibrate 20s]
#                      [--segment 2m] [--batch 500] [--record-size 100]
#                      [--shards 4] [--out DIR]
# Needs go and curl. Writes bench/results/soak-DATE/ (samples.csv,
# calibrate.json, load.json, summary.txt). Exit status 1 on a trend.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=30m
INTERVAL=5
CALIBRATE=20s
SEGMENT=2m
BATCH=500
SIZE=100
SHARDS=4
OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--interval) INTERVAL=${2%s}; shift 2 ;;
	--calibrate) CALIBRATE=$2; shift 2 ;;
	--segment) SEGMENT=$2; shift 2 ;;
	--batch) BATCH=$2; shift 2 ;;
	--record-size) SIZE=$2; shift 2 ;;
	--shards) SHARDS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,18p' "$0"; exit 0 ;;
	[0-9]*) DURATION=$1; shift ;;
	*) die "unknown argument $1" ;;
	esac
done
need curl
build_tools
OUT=${OUT:-$ROOT/bench/results/soak-$(date +%Y-%m-%d)}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/eddy-soak.XXXXXX")
trap 'cleanup; rm -rf "$WORK"' EXIT
PORT=$(free_port)
EP=http://127.0.0.1:$PORT
# secs D: a Go duration (90s, 2m, 1h30m) in whole seconds.
secs() { awk -v d="$1" 'BEGIN { t = 0; while (match(d, /^[0-9.]+(ms|h|m|s)/)) { v = substr(d, 1, RLENGTH); u = v; sub(/[0-9.]+/, "", u); v += 0; t += (u == "h" ? v * 3600 : u == "m" ? v * 60 : u == "ms" ? v / 1000 : v); d = substr(d, RLENGTH + 1) } printf "%d", t }'; }
TOTAL=$(secs "$DURATION")
SEG=$(secs "$SEGMENT")
[ "$TOTAL" -gt 0 ] && [ "$SEG" -gt 0 ] || die "bad duration $DURATION or segment $SEGMENT"

delete_stream() {
	curl -sf -o /dev/null -X POST "$EP/" -H 'Content-Type: application/x-amz-json-1.1' \
		-H 'X-Amz-Target: Kinesis_20131202.DeleteStream' -H "X-Amz-Date: $(date -u +%Y%m%dT%H%M%SZ)" \
		-H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/$(date -u +%Y%m%d)/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00" \
		-d "{\"StreamName\":\"$1\"}" || log "deleting $1 failed"
}

start_eddy "$WORK/data" "$PORT" "$OUT/server.log"
COMMON=(--endpoint "$EP" --shards "$SHARDS" --batch "$BATCH" --record-size "$SIZE" --concurrency 8 --progress off --json)

log "calibrating: maximum load for $CALIBRATE"
"$BIN/eddy" bench put "${COMMON[@]}" --stream soak-calibrate --duration "$CALIBRATE" >"$OUT/calibrate.json"
delete_stream soak-calibrate
MAX=$(grep -m1 '"records_per_s"' "$OUT/calibrate.json" | tr -dc '0-9.')
RATE=$(awk -v m="$MAX" 'BEGIN { printf "%d", m * 0.7 }')
log "maximum $MAX records/s; soaking at $RATE records/s for $DURATION"

CSV=$OUT/samples.csv
echo "seconds,rss_mb,cpu_percent,open_fds,goroutines,data_mb,steady" >"$CSV"
STEADY=$WORK/steady
STOP=$WORK/stop-sampling
sample_loop() {
	local start now stat ticks rss fds gor data cpu prev_ticks="" prev_t=""
	start=$(date +%s.%N)
	while [ ! -e "$STOP" ] && kill -0 "$EDDY_PID" 2>/dev/null; do
		now=$(date +%s.%N)
		stat=$(cat "/proc/$EDDY_PID/stat")
		ticks=$(echo "${stat##*)}" | awk '{print $12 + $13}')
		rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$EDDY_PID/status")
		fds=$(find "/proc/$EDDY_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		gor=$(curl -sf "$EP/metrics" | awk '/^go_goroutines / {print $2}')
		data=$(du -sm "$WORK/data" 2>/dev/null | cut -f1)
		cpu=""
		if [ -n "$prev_ticks" ]; then
			cpu=$(awk -v a="$prev_ticks" -v b="$ticks" -v t0="$prev_t" -v t1="$now" 'BEGIN { printf "%.1f", (b - a) / (t1 - t0) }')
		fi
		echo "$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.0f", b - a }'),$rss,$cpu,$fds,${gor:-},$data,$([ -e "$STEADY" ] && echo 1 || echo 0)" >>"$CSV"
		prev_ticks=$ticks
		prev_t=$now
		sleep "$INTERVAL"
	done
}
sample_loop &
SAMPLER_PID=$!
PIDS+=("$SAMPLER_PID")

t0=$(date +%s)
k=0
while [ $(($(date +%s) - t0)) -lt "$TOTAL" ]; do
	k=$((k + 1))
	left=$((TOTAL - ($(date +%s) - t0)))
	seg=$((left < SEG ? left : SEG))
	log "segment $k: stream soak-$k for ${seg}s"
	"$BIN/eddy" bench mixed "${COMMON[@]}" --stream "soak-$k" --no-verify --consume poll --rate "$RATE" \
		--duration "${seg}s" --server-pid "$EDDY_PID" >"$OUT/load-$k.json" 2>"$OUT/load-$k.err" ||
		die "segment $k failed: $(tail -3 "$OUT/load-$k.err")"
	[ -s "$OUT/load-$k.err" ] || rm -f "$OUT/load-$k.err"
	if [ "$k" -gt 2 ]; then
		delete_stream "soak-$((k - 2))"
		touch "$STEADY" # from now on streams come and go: the steady state
	fi
done
touch "$STOP"
wait "$SAMPLER_PID" || true

# Trend check over the steady state (after the first stream deletion: before
# it, data and open files grow by design): mean of the last third against
# the first third. Margins: RSS +20% and +32 MB, fds +16,
# goroutines +20% and +16; CPU is reported, not judged (it follows the load).
awk -F, -v out="$OUT/summary.txt" '
NR == 1 || $7 != 1 { next }
{ n++; for (i = 2; i <= 5; i++) v[n, i] = $i }
END {
	if (n < 6) { m = "too few steady-state samples for a trend check (" n "): run longer than 3 segments"; print m > out; print m; exit 1 }
	k = int(n / 3); split("rss_mb cpu_percent open_fds goroutines", name, " ")
	bad = 0
	for (i = 2; i <= 5; i++) {
		a = 0; b = 0; ca = 0; cb = 0
		for (j = 1; j <= k; j++) if (v[j, i] != "") { a += v[j, i]; ca++ }
		for (j = n - k + 1; j <= n; j++) if (v[j, i] != "") { b += v[j, i]; cb++ }
		a = ca ? a / ca : 0; b = cb ? b / cb : 0
		limit = a
		if (i == 2) limit = a * 1.2 + 32
		if (i == 4) limit = a + 16
		if (i == 5) limit = a * 1.2 + 16
		verdict = "ok"
		if (i != 3 && b > limit) { verdict = "UPWARD TREND"; bad = 1 }
		if (i == 3) verdict = "reported"
		line = sprintf("%-12s first third %10.1f  last third %10.1f  %s", name[i - 1], a, b, verdict)
		print line > out; print line
	}
	printf "%d samples\n", n > out
	exit bad
}' "$CSV" || { log "trend check failed; see $OUT"; exit 1; }
for f in "$OUT"/load-*.json; do
	echo "$(basename "$f"): $(grep -m1 '"records_per_s"' "$f" | tr -d ' ,') $(grep -A3 '"server"' "$f" | grep -m1 cpu_us_per_record | tr -d ' ,')"
done >>"$OUT/summary.txt"
log "no upward trend; results in $OUT"
