#!/usr/bin/env bash
# bench/compare.sh: eddy side by side with kinesalite and kinesis-local (the
# npm build of kinesis-mock), plus this machine's HTTP and disk ceilings, in
# one run. Every workload is driven by `eddy bench` with identical flags.
#
# Usage: bench/compare.sh [--duration 30s] [--smoke] [--shards "4 1000"]
#                         [--servers "eddy kinesalite kinesis-local"]
#                         [--out DIR] [--no-update]
#
#   --duration D   per workload (default 30s)
#   --smoke        mark the results as a smoke run (directory suffix -smoke)
#   --no-update    leave BENCHMARKS.md alone
#
# Needs go, node and npm, curl. Installs kinesalite@3.3.3 and
# kinesis-local@0.6.2 with npm into bench/.cache/npm. Servers listen on
# loopback only. Writes bench/results/DATE[-smoke]/ (results.json,
# results.md, chart.svg, raw/, logs/) and the "Side by side" section of
# BENCHMARKS.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=30s
SMOKE=0
SHARDS="4 1000"
SERVERS="eddy kinesalite kinesis-local"
OUT=""
UPDATE=1
CMDLINE="bench/compare.sh $*"
while [ $# -gt 0 ]; do
	case $1 in
	--duration) DURATION=$2; shift 2 ;;
	--smoke) SMOKE=1; shift ;;
	--shards) SHARDS=$2; shift 2 ;;
	--servers) SERVERS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--no-update) UPDATE=0; shift ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done
need node npm curl
KINESALITE_VERSION=3.3.3
KINESIS_LOCAL_VERSION=0.6.2
NPM=$CACHE/npm
DUR_S=$(awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /ms$/) n /= 1000; else if (d ~ /m$/) n *= 60; print int(n) + 1 }')

if [ -z "$OUT" ]; then
	OUT=$ROOT/bench/results/$(date +%Y-%m-%d)
	[ "$SMOKE" = 1 ] && OUT=$OUT-smoke
fi
RAW=$OUT/raw
LOGS=$OUT/logs
rm -rf "$RAW" "$LOGS"
mkdir -p "$RAW" "$LOGS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/eddy-compare.XXXXXX")
trap 'cleanup; rm -rf "$WORK"' EXIT

build_tools
if [ ! -f "$NPM/node_modules/kinesalite/package.json" ] ||
	! grep -q "\"version\": \"$KINESALITE_VERSION\"" "$NPM/node_modules/kinesalite/package.json" ||
	[ ! -f "$NPM/node_modules/kinesis-local/main.js" ] ||
	! grep -q "\"version\" : \"$KINESIS_LOCAL_VERSION\"" "$NPM/node_modules/kinesis-local/package.json"; then
	log "installing kinesalite@$KINESALITE_VERSION and kinesis-local@$KINESIS_LOCAL_VERSION into $NPM"
	mkdir -p "$NPM"
	npm install --prefix "$NPM" --no-audit --no-fund --loglevel error \
		"kinesalite@$KINESALITE_VERSION" "kinesis-local@$KINESIS_LOCAL_VERSION" >"$LOGS/npm.log" 2>&1 ||
		{ tail -20 "$LOGS/npm.log" >&2; die "npm install failed"; }
fi

# Workloads: name, then eddy bench flags.
declare -A WORKLOAD=(
	[put500x100]="--batch 500 --record-size 100 --concurrency 8"
	[put500x1k]="--batch 500 --record-size 1024 --concurrency 8"
	[single100]="--batch 0 --record-size 100 --concurrency 64"
)
WORKLOADS="put500x100 put500x1k single100"

# poll_idle SHARDS: how often a tailing consumer polls a caught-up shard:
# 200 ms (AWS's 5 reads/s per shard) for a few shards, 1 s (the KCL's
# default idle time) for many, so that idle polls do not swamp the server.
poll_idle() { if [ "$1" -ge 100 ]; then echo 1s; else echo 200ms; fi; }

# bench_case NAME PID ENDPOINT SHARDS WORKLOAD CONSUMER: one eddy bench run.
bench_case() {
	local name=$1 pid=$2 ep=$3 shards=$4 w=$5 consumer=$6 mode=put rc=0
	local f=$RAW/${name}_${shards}_${w}_${consumer}
	local extra=()
	if [ "$consumer" = poll ]; then
		mode=mixed
		extra=(--consume poll --consumers 4 --drain 60s --poll-idle "$(poll_idle "$shards")")
	fi
	log "$name, $shards shards, $w, consumer $consumer"
	# shellcheck disable=SC2086
	timeout $((DUR_S * 3 + 180)) "$BIN/eddy" bench "$mode" --endpoint "$ep" --stream "cmp$shards" --shards "$shards" \
		--duration "$DURATION" --server-pid "$pid" --json --progress off ${WORKLOAD[$w]} "${extra[@]}" \
		>"$f.json" 2>"$f.stderr" || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then # 3 = integrity violations: the JSON says which
		{ echo "exit status $rc:"; tail -5 "$f.stderr"; } >"$f.err"
		rm -f "$f.json"
	fi
	[ -s "$f.stderr" ] || rm -f "$f.stderr"
}

# skip_all NAME SHARDS REASON marks every case of a server and shard count skipped.
skip_all() {
	local w c
	for w in $WORKLOADS; do
		for c in none poll; do
			echo "$3" >"$RAW/${1}_${2}_${w}_${c}.skip"
		done
	done
}

start_server() { # NAME SHARDS: sets SRV_PID and SRV_EP
	local name=$1 shards=$2 port
	port=$(free_port)
	SRV_EP=http://127.0.0.1:$port
	case $name in
	eddy)
		start_eddy "$WORK/eddy-$shards" "$port" "$LOGS/eddy-$shards.log"
		SRV_PID=$EDDY_PID
		return
		;;
	kinesalite)
		node "$NPM/node_modules/kinesalite/cli.js" --port "$port" --createStreamMs 0 --deleteStreamMs 0 \
			--updateStreamMs 0 --shardLimit 100000 >"$LOGS/$name-$shards.log" 2>&1 &
		;;
	kinesis-local)
		env KINESIS_MOCK_PLAIN_PORT="$port" KINESIS_MOCK_TLS_PORT="$(free_port)" \
			KINESIS_MOCK_CERT_PATH="$NPM/node_modules/kinesis-local/server.json" \
			CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms REGISTER_STREAM_CONSUMER_DURATION=0ms \
			DEREGISTER_STREAM_CONSUMER_DURATION=0ms START_STREAM_ENCRYPTION_DURATION=0ms STOP_STREAM_ENCRYPTION_DURATION=0ms \
			MERGE_SHARDS_DURATION=0ms SPLIT_SHARD_DURATION=0ms UPDATE_SHARD_COUNT_DURATION=0ms UPDATE_STREAM_MODE_DURATION=0ms \
			SHARD_LIMIT=100000 LOG_LEVEL=WARN \
			node "$NPM/node_modules/kinesis-local/main.js" >"$LOGS/$name-$shards.log" 2>&1 &
		;;
	*) die "unknown server $name" ;;
	esac
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_port "$port" "$SRV_PID" 60 || { tail -20 "$LOGS/$name-$shards.log" >&2; die "$name did not start"; }
}

# Ceilings: the disk, then HTTP alone.
log "disk ceiling (bench/diskbw in $WORK)"
"$BIN/diskbw" -dir "$WORK" >"$RAW/disk.json"
port=$(free_port)
"$BIN/sink" --listen "127.0.0.1:$port" 2>"$LOGS/sink.log" &
SINK_PID=$!
PIDS+=("$SINK_PID")
wait_port "$port" "$SINK_PID" 10 || die "sink did not start"
for w in $WORKLOADS; do
	bench_case sink "$SINK_PID" "http://127.0.0.1:$port" 1 "$w" none
done
stop_pid "$SINK_PID"

for name in $SERVERS; do
	for shards in $SHARDS; do
		start_server "$name" "$shards"
		log "$name: creating a $shards-shard stream"
		t0=$(date +%s)
		if ! timeout 600 "$BIN/eddy" bench put --endpoint "$SRV_EP" --stream "cmp$shards" --shards "$shards" \
			--records 1 --batch 1 --concurrency 1 --progress off >"$LOGS/$name-$shards-create.log" 2>&1; then
			skip_all "$name" "$shards" "$name could not create and write to a $shards-shard stream within 600 s: $(tail -1 "$LOGS/$name-$shards-create.log")"
			stop_pid "$SRV_PID"
			continue
		fi
		log "$name: stream ready in $(($(date +%s) - t0)) s"
		for w in $WORKLOADS; do
			for c in none poll; do
				bench_case "$name" "$SRV_PID" "$SRV_EP" "$shards" "$w" "$c"
			done
		done
		stop_pid "$SRV_PID"
	done
done

TITLE="Side-by-side run, $DURATION per workload"
[ "$SMOKE" = 1 ] && TITLE="SMOKE RUN ($DURATION per workload, on a shared machine: proves the scripts work; the figures are not measurements)"
cat >"$RAW/meta.json" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "title": "$TITLE", "duration": "$DURATION",
 "machine": "$(machine_desc)", "command": "$CMDLINE",
 "notes": "PutRecords: 8 producers; PutRecord: 64 producers; uniform random partition keys. Tailing consumers: 4 polling goroutines sharing the shards, GetRecords Limit 10000, a caught-up shard polled again after $(poll_idle 4) (4 shards) or $(poll_idle 1000) (1,000 shards). Server CPU and peak RSS come from /proc/PID of the server process (node for kinesalite and kinesis-local).",
 "versions": "$("$BIN/eddy" version | head -1 | tr -d '"'), kinesalite $KINESALITE_VERSION, kinesis-local $KINESIS_LOCAL_VERSION (node $(node --version))"}
JSON
args=(-raw "$RAW" -out "$OUT")
[ "$UPDATE" = 1 ] && args+=(-benchmarks "$ROOT/BENCHMARKS.md")
"$BIN/report" "${args[@]}"
log "results in $OUT (results.md, chart.svg, results.json)"
