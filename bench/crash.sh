#!/usr/bin/env bash
# bench/crash.sh N: kill eddy with SIGKILL at random moments N times while
# `eddy bench put` writes to it; after every restart, `eddy bench verify`
# checks that every record acknowledged in any earlier cycle is present
# exactly once, in order and intact (records whose response was lost may be
# present or not, and are counted). Stops at the first violation and keeps
# the data directory.
#
# Usage: bench/crash.sh [N=100] [--rate R=20000] [--seed S] [--keep DIR]
# Needs go and curl. The short version (5 kills) is test/crash, run by
# `go test ./...`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

N=100
RATE=20000
SEED=$RANDOM
KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	-h | --help) sed -n '2,12p' "$0"; exit 0 ;;
	[0-9]*) N=$1; shift ;;
	*) die "unknown argument $1" ;;
	esac
done
need curl
build_tools
WORK=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/eddy-crash.XXXXXX")}
mkdir -p "$WORK"
DATA=$WORK/data
LOGF=$WORK/server.log
OK=0
trap 'cleanup; if [ "$OK" = 1 ] && [ -z "$KEEP" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi' EXIT
log "seed $SEED, $N kills, load $RATE records/s, work directory $WORK"
RANDOM=$SEED

PORT=$(free_port)
EP=http://127.0.0.1:$PORT
start_eddy "$DATA" "$PORT" "$LOGF"
ACKS=()
total_start=$(date +%s)
for i in $(seq 1 "$N"); do
	ack=$WORK/acks-$i
	ACKS+=(--ack-log "$ack")
	"$BIN/eddy" bench put --endpoint "$EP" --stream crash --shards 4 --concurrency 4 --batch 100 --record-size 200 \
		--keys fixed:16 --rate "$RATE" --duration 1h --timeout 5s --producer-base $((i * 100)) --ack-log "$ack" \
		--json --progress off >"$WORK/put-$i.json" 2>"$WORK/put-$i.err" &
	BENCH_PID=$!
	# A random moment between 0.2 and 2.2 s into the load.
	sleep "$(printf '%d.%03d' $((RANDOM % 2)) $((200 + RANDOM % 800)))"
	kill -KILL "$EDDY_PID"
	wait "$EDDY_PID" 2>/dev/null || true
	kill -TERM "$BENCH_PID"
	wait "$BENCH_PID" || die "kill $i: eddy bench put failed: $(tail -3 "$WORK/put-$i.err")"
	acked=$(grep -m1 '"records":' "$WORK/put-$i.json" | tr -dc 0-9)
	start_eddy "$DATA" "$PORT" "$LOGF"
	rc=0
	"$BIN/eddy" bench verify --endpoint "$EP" --stream crash "${ACKS[@]}" --progress off >"$WORK/verify-$i.txt" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$WORK/verify-$i.txt" >&2
		die "kill $i: verification failed (exit $rc); data directory kept in $DATA"
	fi
	log "kill $i/$N: $acked records acknowledged in this cycle; $(grep '^verify' "$WORK/verify-$i.txt")"
done
OK=1
log "$N kills, no violation ($(($(date +%s) - total_start)) s)"
