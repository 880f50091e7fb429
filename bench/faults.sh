#!/usr/bin/env bash
# bench/faults.sh: fault runs against a real eddy process.
#
# 1. Full disk during writes. The data directory is a small tmpfs (default
#    128 MiB) that also holds a ballast file. eddy bench writes until the
#    disk is full; PutRecords must then fail with clear errors
#    (InternalFailure, the cause logged by eddy), never a silent loss. The
#    ballast is deleted; writes must resume. eddy is restarted and
#    `eddy bench verify` checks that every acknowledged record is there
#    exactly once.
# 2. Corrupted segment. eddy writes enough into one shard of a two-shard
#    stream to seal a segment (64 MiB) and is stopped cleanly; bytes in the
#    middle of the sealed segment are flipped; eddy is restarted. Reads of
#    the damaged range must fail with a typed error naming the shard and the
#    lost range (eddy's log: "read of damaged shard"), verify must report the
#    loss, and reads elsewhere (the other shard, the damaged shard before
#    the damage, new writes) must work.
#
# Needs: root (or sudo) to mount the tmpfs for part 1 (part 1 is skipped
# with a message otherwise), about 300 MB of free disk for part 2, go, curl.
# Usage: bench/faults.sh [--tmpfs-size 128m] [--keep DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TMPFS_SIZE=128m
KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
	--tmpfs-size) TMPFS_SIZE=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done
need curl
build_tools
WORK=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/eddy-faults.XXXXXX")}
mkdir -p "$WORK"
MNT=$WORK/disk
MOUNTED=0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
finish() {
	cleanup
	if [ "$MOUNTED" = 1 ]; then $SUDO umount "$MNT" || log "could not unmount $MNT"; fi
	[ -n "$KEEP" ] || rm -rf "$WORK"
}
trap finish EXIT
FAIL=0
check() { # check CONDITION-DESCRIPTION RESULT(0|1)
	if [ "$2" = 0 ]; then log "PASS: $1"; else log "FAIL: $1"; FAIL=1; fi
}
verify() { # verify EP STREAM OUT ACKLOG...: runs eddy bench verify, returns its status
	local ep=$1 stream=$2 out=$3 rc=0
	shift 3
	local args=()
	for a in "$@"; do args+=(--ack-log "$a"); done
	"$BIN/eddy" bench verify --endpoint "$ep" --stream "$stream" "${args[@]}" --progress off >"$out" 2>&1 || rc=$?
	return $rc
}

# ---- 1. full disk ---------------------------------------------------------
part1() {
	if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
		log "SKIP full-disk run: mounting a tmpfs needs root or passwordless sudo"
		return
	fi
	mkdir -p "$MNT"
	$SUDO mount -t tmpfs -o "size=$TMPFS_SIZE" tmpfs "$MNT"
	MOUNTED=1
	[ "$(id -u)" = 0 ] || $SUDO chown "$(id -u)" "$MNT"
	local ballast_mb=$(( $(df -m --output=avail "$MNT" | tail -1) / 4 ))
	dd if=/dev/zero of="$MNT/ballast" bs=1M count="$ballast_mb" status=none
	log "full disk: $TMPFS_SIZE tmpfs at $MNT with a $ballast_mb MiB ballast"
	local port ep logf=$WORK/full-disk-server.log
	port=$(free_port)
	ep=http://127.0.0.1:$port
	start_eddy "$MNT/data" "$port" "$logf"
	# Write until the disk is full (1 KiB records, no rate limit).
	local rc=0
	"$BIN/eddy" bench put --endpoint "$ep" --stream full --shards 2 --record-size 1024 --batch 100 --concurrency 4 \
		--duration 15s --timeout 5s --ack-log "$WORK/full-1.acks" --json --progress off >"$WORK/full-1.json" 2>"$WORK/full-1.err" || rc=$?
	log "disk: $(df -h --output=used,avail "$MNT" | tail -1 | xargs) (used, available)"
	grep -A12 '"errors"' "$WORK/full-1.json" | sed -n '1,12p' >&2 || true
	grep -q 'InternalFailure' "$WORK/full-1.json"
	check "PutRecords fails with InternalFailure once the disk is full" $?
	grep -qi 'no space left on device' "$logf"
	check "eddy logs the cause (no space left on device)" $?
	kill -0 "$EDDY_PID" 2>/dev/null
	check "eddy keeps running with a full disk" $?

	rm -f "$MNT/ballast"
	log "ballast deleted: $(df -h --output=avail "$MNT" | tail -1 | xargs) available"
	rc=0
	"$BIN/eddy" bench put --endpoint "$ep" --stream full --record-size 1024 --batch 100 --concurrency 2 \
		--records 5000 --duration 60s --timeout 5s --ack-log "$WORK/full-2.acks" --json --progress off >"$WORK/full-2.json" 2>"$WORK/full-2.err" || rc=$?
	local acked
	acked=$(grep -m1 '"records":' "$WORK/full-2.json" | tr -dc 0-9)
	[ "$rc" = 0 ] && [ "${acked:-0}" = 5000 ]
	check "writes resume once space frees (5000 of 5000 records acknowledged: ${acked:-0})" $?

	stop_pid "$EDDY_PID" TERM
	start_eddy "$MNT/data" "$port" "$logf"
	verify "$ep" full "$WORK/full-verify.txt" "$WORK/full-1.acks" "$WORK/full-2.acks"
	check "after a restart every acknowledged record is present exactly once, in order, intact" $?
	grep '^verify\|^ ' "$WORK/full-verify.txt" | head -8 >&2
	stop_pid "$EDDY_PID" TERM
}

# ---- 2. corrupted segment -------------------------------------------------
part2() {
	local port ep logf=$WORK/corrupt-server.log data=$WORK/corrupt-data
	port=$(free_port)
	ep=http://127.0.0.1:$port
	start_eddy "$data" "$port" "$logf"
	log "corrupted segment: writing ~90 MB into one shard"
	# fixed:1 puts every record under one key, so one shard gets them all.
	"$BIN/eddy" bench put --endpoint "$ep" --stream dmg --shards 2 --record-size 1024 --batch 500 --concurrency 4 \
		--keys fixed:1 --records 90000 --duration 300s --ack-log "$WORK/dmg.acks" --progress off >"$WORK/dmg-put.txt" 2>&1 ||
		die "writing failed: $(tail -3 "$WORK/dmg-put.txt")"
	stop_pid "$EDDY_PID" TERM
	local seg
	seg=$(find "$data" -name '*.seg' -size +60M | sort | head -1)
	[ -n "$seg" ] || die "no sealed segment found under $data"
	local size off
	size=$(stat -c %s "$seg")
	off=$((size / 2))
	printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$seg" bs=1 seek="$off" conv=notrunc status=none
	log "flipped 8 bytes at offset $off of $seg"
	start_eddy "$data" "$port" "$logf"
	check "eddy restarts with a damaged sealed segment" 0
	local rc=0
	verify "$ep" dmg "$WORK/dmg-verify.txt" "$WORK/dmg.acks" || rc=$?
	grep '^verify\|^ ' "$WORK/dmg-verify.txt" | head -12 >&2
	[ "$rc" = 3 ] && grep -q 'unreadable' "$WORK/dmg-verify.txt" && grep -q 'missing' "$WORK/dmg-verify.txt"
	check "verify reports the damaged range as unreadable and its records as missing (not silently skipped)" $?
	local line
	line=$(grep -m1 'read of damaged shard' "$logf" || true)
	log "eddy: $line"
	echo "$line" | grep -q 'shard=shardId-' && echo "$line" | grep -Eq 'records [0-9]+\.\.[0-9]+ lost'
	check "eddy's error names the shard and the lost record range" $?
	local exact
	exact=$(grep -m1 '^verify' "$WORK/dmg-verify.txt" | sed -E 's/.* ([0-9]+) read back exactly once.*/\1/')
	[ "${exact:-0}" -gt 0 ]
	check "records before the damage are read back intact (${exact:-0})" $?
	rc=0
	"$BIN/eddy" bench mixed --endpoint "$ep" --stream dmg --records 2000 --keys fixed:1 --batch 100 --concurrency 2 \
		--duration 60s --progress off >"$WORK/dmg-mixed.txt" 2>&1 || rc=$?
	check "new writes to the damaged shard are acknowledged and read back (LATEST) after the damage" $rc
	stop_pid "$EDDY_PID" TERM
}

part1
part2
if [ "$FAIL" = 0 ]; then log "all fault checks passed"; else log "some fault checks FAILED (work directory: $WORK)"; KEEP=$WORK; exit 1; fi
