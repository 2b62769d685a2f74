#!/usr/bin/env bash
# `gfs put` (3 replicas) beside the honest bound for it: 3 concurrent writers of the same bytes into 3 local
# files, each with fdatasync (3 × dd conv=fdatasync), alternated for ROUNDS rounds, each run starting from the
# same settled machine.
#
# Why settle: on a virtual machine that gives freed memory back to its host (virtio-balloon free page
# reporting, a couple of seconds after the free), filling the page cache with pages the host took back is
# ~10× slower than with pages freed a moment ago (dd of 1 GiB into a new file: ~400 MB/s after 20 s idle,
# ~3.4 GB/s right after removing another 1 GiB file). Whichever run follows a large delete gets the fast
# pages, so runs back to back compare luck. Each run here starts once nothing is left to write back and
# SETTLE seconds have passed since the last delete. Each run's files are deleted after it, gfs's too (and
# collected at once), so every run writes into disk blocks freed by the run before, never into fresh ones:
# a virtual disk can be slower there as well.
# Usage: Examples/bench-write-bound.sh [size-in-MiB] [rounds] [settle-seconds] [path/to/gfs]
#        (defaults 1024, 3, 15, .build/release/gfs; settle 0 skips settling altogether)
set -euo pipefail
mib=${1:-1024}
rounds=${2:-3}
settle=${3:-15}
gfs=${4:-.build/release/gfs}
for value in "$mib" "$rounds"; do
    [[ $value =~ ^[1-9][0-9]{0,6}$ ]] || { echo "size and rounds must be whole numbers from 1 (got '$value')" >&2; exit 2; }
done
[[ $settle =~ ^[0-9]{1,4}$ ]] || { echo "settle must be a whole number of seconds (got '$settle')" >&2; exit 2; }
source "$(dirname "$0")/cluster.sh"
start_cluster
if [ "$(stat -f -c %T "$work")" = tmpfs ]; then
    echo "warning: $work is on tmpfs, where fdatasync does nothing; set TMPDIR to a disk" >&2
fi

head -c $((mib << 20)) /dev/urandom > "$work/input"
# Seconds taken by a command; its failure stops the script (`set -e` does not reach inside `$(…)`).
timed() { local start end; start=$(date +%s.%N); "$@" || exit; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }
rate() { awk -v mib="$mib" -v s="$1" 'BEGIN { printf "%.0f", mib * 1.048576 / s }'; }
# Nothing dirty or under writeback (within 64 MiB, 120 s at most), then the settle time.
settled() {
    [ "$settle" = 0 ] && return
    for _ in $(seq 1200); do
        [ "$(awk '/^(Dirty|Writeback):/ { kb += $2 } END { print kb < 65536 }' /proc/meminfo)" = 1 ] && break
        sleep 0.1
    done
    sleep "$settle"
}
bound() {
    local pids=()
    for i in 1 2 3; do
        dd if="$work/input" of="$work/bound-$i" bs=8M conv=fdatasync status=none &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || return; done
}

ratios=()
for round in $(seq "$rounds"); do
    settled
    t_bound=$(timed bound)
    rm -f "$work"/bound-*
    settled
    t_put=$(timed "$gfs" put "$work/input" "/bench-$round")
    "$gfs" rm "/bench-$round"
    "$gfs" gc --now > /dev/null
    for _ in $(seq 600); do
        [ -z "$(find "$work" -name '*.chunk' -print -quit)" ] && break
        sleep 0.1
    done
    if [ -n "$(find "$work" -name '*.chunk' -print -quit)" ]; then
        echo "round $round: gfs's replicas were still on disk 60 s after gc --now" >&2
        exit 1
    fi
    ratio=$(awk -v a="$t_bound" -v b="$t_put" 'BEGIN { printf "%.2f", a / b }')
    ratios+=("$ratio")
    echo "round $round: 3 writers + fdatasync $(rate "$t_bound") MB/s, gfs put $(rate "$t_put") MB/s, ratio $ratio"
done
# The middle ratio; with an even number of rounds, the mean of the two in the middle.
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "%.2f", NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
echo "size: $mib MiB, 3 replicas, settle ${settle} s; median ratio $median"
