#!/usr/bin/env bash
# What authentication, exports and chunk tokens cost: two clusters side by side on loopback, one open (no
# secret) and one with a cluster secret, the masters' key, a client principal, an exports file and an audit
# log, whose client reaches the chunkservers as a guest with tokens. `gfs bench` runs against each in turn, ROUNDS times
# alternating (ABBA), and the script prints the median of each and the ratio secured/open.
# Usage: Examples/bench-tokens.sh [MODE…]  (default: write read meta; ROUNDS=3, SIZE=512M, CLIENTS=4,
#        FILES=10000, GFS=.build/release/gfs)
set -euo pipefail
gfs=$(realpath "${GFS:-.build/release/gfs}")
rounds=${ROUNDS:-3}
modes=("$@")
[ $# -gt 0 ] || modes=(write read meta)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

# Starts a master and 3 chunkservers in $work/$1 with the extra master flags after it; sets $master.
start() {
    local name=$1; shift
    local dir=$work/$name secret=()
    mkdir -p "$dir"
    [ "$name" = secured ] && secret=(--secret-file "$work/cluster.secret")
    "$gfs" master --dir "$dir/master" --listen 127.0.0.1:0 --log-level warning "${secret[@]}" "$@" > "$dir/master.out" &
    pids+=($!)
    until grep -q READY "$dir/master.out" 2>/dev/null; do sleep 0.1; done
    master=$(awk '/READY/{print $2}' "$dir/master.out")
    for i in 1 2 3; do
        "$gfs" chunkserver --dir "$dir/cs$i" --listen 127.0.0.1:0 --master "$master" --log-level warning \
            "${secret[@]}" ${secret:+--master-public-key "$work/master.pub"} > "$dir/cs$i.out" &
        pids+=($!)
    done
}

umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/cluster.secret"
echo "bench $(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$work/principals"
cp "$work/principals" "$work/bench.secret"
# The masters' key pair, made with openssl (what gfs up makes): 32 raw bytes each, in hex.
openssl genpkey -algorithm ed25519 -out "$work/master.pem" 2>/dev/null
openssl pkey -in "$work/master.pem" -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n' > "$work/master.key"
openssl pkey -in "$work/master.pem" -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n' > "$work/master.pub"
echo "127.0.0.0/8  /  rw" > "$work/exports"
start open
open=$master
start secured --principals "$work/principals" --exports "$work/exports" --audit-log "$work/audit.log" \
    --master-key "$work/master.key"
secured=$master
for master in "$open" "$secured"; do
    file=$work/bench.secret
    [ "$master" = "$open" ] && file=
    until [ "$(GFS_SECRET_FILE=$file "$gfs" status --master "$master" 2>/dev/null | grep -c $'\talive\t')" = 3 ]; do sleep 0.2; done
done

# The throughput figure of one bench run (MB/s, or ops/s for each meta phase).
run() {
    local master=$1 file=$2 mode=$3
    GFS_SECRET_FILE=$file "$gfs" bench "$mode" --master "$master" --clients "${CLIENTS:-4}" --size "${SIZE:-512M}" \
        --files "${FILES:-10000}" --json | python3 -c '
import json, sys
for result in json.load(sys.stdin):
    print(result["name"], result["rate"])'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '%-8s %14s %14s %8s\n' operation open secured ratio
for mode in "${modes[@]}"; do
    : > "$work/$mode.open"; : > "$work/$mode.secured"
    # ABBA order, and dirty pages flushed before each run: neither cluster always runs after the other's writes.
    for round in $(seq "$rounds"); do
        for side in $([ $((round % 2)) = 1 ] && echo "open secured" || echo "secured open"); do
            sync
            if [ "$side" = open ]; then
                run "$open" "" "$mode" >> "$work/$mode.open"
            else
                run "$secured" "$work/bench.secret" "$mode" >> "$work/$mode.secured"
            fi
        done
    done
    for op in $(awk '{print $1}' "$work/$mode.open" | sort -u); do
        a=$(awk -v op="$op" '$1==op {print $2}' "$work/$mode.open" | median)
        b=$(awk -v op="$op" '$1==op {print $2}' "$work/$mode.secured" | median)
        printf '%-8s %14.1f %14.1f %8.3f\n' "$op" "$a" "$b" "$(echo "$b / $a" | bc -l)"
    done
done
echo "audit log lines: $(wc -l < "$work/audit.log")"
