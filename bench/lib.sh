# Shared helpers of the bench/ scripts (sourced, not run).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${EDDY_BENCH_CACHE:-$ROOT/bench/.cache}
BIN=$CACHE/bin
PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "this script needs '$c' on PATH"
	done
}

# build_tools builds eddy and the bench helpers into $BIN.
build_tools() {
	need go
	mkdir -p "$BIN"
	log "building eddy and the bench helpers"
	(cd "$ROOT" && go build -o "$BIN/eddy" ./cmd/eddy && go build -o "$BIN/sink" ./bench/sink &&
		go build -o "$BIN/diskbw" ./bench/diskbw && go build -o "$BIN/report" ./bench/report)
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# wait_http URL PID SECONDS waits until URL answers 200, failing if PID dies.
wait_http() {
	local url=$1 pid=$2 secs=$3 i
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || return 1
		if curl -sf -o /dev/null "$url"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# wait_port PORT PID SECONDS waits until PORT accepts connections.
wait_port() {
	local port=$1 pid=$2 secs=$3 i
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || return 1
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# stop_pid PID [SIGNAL] stops a process this script started and waits for it.
stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# cleanup stops every process recorded in PIDS.
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		stop_pid "$p" TERM
	done
}

# start_eddy DATA PORT LOG [extra serve flags...]: starts eddy, sets EDDY_PID.
start_eddy() {
	local data=$1 port=$2 logf=$3
	shift 3
	"$BIN/eddy" serve --data "$data" --listen "127.0.0.1:$port" --tls-listen "" \
		--create-delay 0s --delete-delay 0s --update-delay 0s --log-level warn "$@" >>"$logf" 2>&1 &
	EDDY_PID=$!
	PIDS+=("$EDDY_PID")
	wait_http "http://127.0.0.1:$port/readyz" "$EDDY_PID" 120 || { tail -20 "$logf" >&2; die "eddy did not become ready (log: $logf)"; }
}

machine_desc() {
	local model mem
	model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
	echo "$(nproc) vCPU ${model:-unknown CPU}, $mem RAM, Linux $(uname -r), $(go version | awk '{print $3}')"
}
