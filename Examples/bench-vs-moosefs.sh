#!/usr/bin/env bash
# gfs beside MooseFS 3.0 on this machine: the same bytes, 3 replicas each, the same disk, in one run.
# Installs Debian's moosefs-master, -chunkserver and -client when missing (needs root and /dev/fuse), runs a
# master, 3 chunkservers and mfsmount in a scratch folder, and tears them down at exit. Prints each
# workload for both systems and the ratio gfs/MooseFS.
#   write:   SIZE MiB from a local file, then sync   (gfs put      | cp to the mount)
#   read:    the same file, page cache dropped first (gfs cat      | cat from the mount)
#   append:  8 writers of 4 KiB records into one file (gfs append | O_APPEND writes)
#   create:  FILES empty files from 16 threads        (gfs bench meta | open(O_CREAT) on the mount)
#   stat:    the same files, 16 threads
# Usage: Examples/bench-vs-moosefs.sh [SIZE-MiB] [FILES] [path/to/gfs]   (default 1024, 20000, .build/release/gfs)
set -euo pipefail
size_mib=${1:-1024}
files=${2:-20000}
gfs=$(realpath "${3:-.build/release/gfs}")
records=${RECORDS:-4000}   # per appender
[ "$(id -u)" = 0 ] || { echo "needs root (MooseFS daemons and a FUSE mount)" >&2; exit 2; }
if ! command -v mfsmaster >/dev/null || ! command -v mfsmount >/dev/null; then
    apt-get install -y -qq moosefs-master moosefs-chunkserver moosefs-client >/dev/null
fi
source "$(dirname "$0")/cluster.sh"
start_cluster

# Every byte stays on loopback. MooseFS will not use a loopback address it is told about, so chunkservers
# dial the master at 0.0.0.0 (which Linux connects to 127.0.0.1), and the master remaps the 127.0.0.1 it
# sees them from to 0.0.0.0 before telling clients and other chunkservers where they are.
mfs=$work/moosefs
mnt=$mfs/mnt
mkdir -p "$mfs/master" "$mnt"
cp /var/lib/mfs/metadata.mfs.empty "$mfs/master/metadata.mfs"
echo "* / rw,alldirs,maproot=0" > "$mfs/exports.cfg"
# Below the ephemeral range (32768 and up), where no outgoing connection holds a port.
base=$((10000 + RANDOM % 20000))
cat > "$mfs/master.cfg" <<CFG
WORKING_USER = root
WORKING_GROUP = root
DATA_PATH = $mfs/master
EXPORTS_FILENAME = $mfs/exports.cfg
MATOML_LISTEN_HOST = 127.0.0.1
MATOML_LISTEN_PORT = $base
MATOCS_LISTEN_HOST = 127.0.0.1
MATOCS_LISTEN_PORT = $((base + 1))
MATOCL_LISTEN_HOST = 127.0.0.1
MATOCL_LISTEN_PORT = $((base + 2))
REMAP_BITS = 32
REMAP_SOURCE_IP_CLASS = 127.0.0.1
REMAP_DESTINATION_IP_CLASS = 0.0.0.0
CFG
stop_moosefs() {
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
    for i in 1 2 3; do mfschunkserver -c "$mfs/cs$i/cs.cfg" stop >/dev/null 2>&1 || true; done
    mfsmaster -c "$mfs/master.cfg" stop >/dev/null 2>&1 || true
}
trap 'stop_moosefs; kill $cluster_pid 2>/dev/null || true; wait $cluster_pid 2>/dev/null || true; rm -rf "$work"' EXIT
mfsmaster -c "$mfs/master.cfg" start >/dev/null 2>&1
for i in 1 2 3; do
    mkdir -p "$mfs/cs$i/hdd"
    echo "$mfs/cs$i/hdd" > "$mfs/cs$i/hdd.cfg"
    cat > "$mfs/cs$i/cs.cfg" <<CFG
WORKING_USER = root
WORKING_GROUP = root
DATA_PATH = $mfs/cs$i
HDD_CONF_FILENAME = $mfs/cs$i/hdd.cfg
CSSERV_LISTEN_HOST = 127.0.0.1
CSSERV_LISTEN_PORT = $((base + 2 + i))
MASTER_HOST = 0.0.0.0
MASTER_PORT = $((base + 1))
CFG
    mfschunkserver -c "$mfs/cs$i/cs.cfg" start >/dev/null 2>&1
done
mfsmount "$mnt" -H 127.0.0.1 -P $((base + 2)) >/dev/null 2>&1
mfssetgoal -r 3 "$mnt" >/dev/null
# Wait until MooseFS can store three copies: a file written earlier would be left under its goal.
for _ in $(seq 100); do
    echo probe > "$mnt/probe" && sync
    sleep 0.2
    mfscheckfile "$mnt/probe" 2>/dev/null | grep -q "with 3 copies" && break
done
rm -f "$mnt/probe"

now() { date +%s.%N; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
declare -A result
measure() {  # measure NAME COMMAND… : seconds the command took
    local start end
    start=$(now)
    "${@:2}"
    end=$(now)
    result[$1]=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
}

head -c $((size_mib << 20)) /dev/urandom > "$work/source"
awk -v n="$records" 'BEGIN { line = sprintf("%4094s", ""); gsub(/ /, "x", line); for (i = 0; i < n; i++) print i line }' \
    | cut -c1-4095 > "$work/records"
drop_caches

measure gfs-write sh -c "'$gfs' put '$work/source' /big && sync"
measure mfs-write sh -c "cp '$work/source' '$mnt/big' && sync"
drop_caches
measure gfs-read sh -c "'$gfs' cat /big > /dev/null"
measure mfs-read sh -c "cat '$mnt/big' > /dev/null"

"$gfs" append --create /log < /dev/null
measure gfs-append sh -c "for i in 1 2 3 4 5 6 7 8; do '$gfs' append /log < '$work/records' & done; wait"
measure mfs-append sh -c "for i in 1 2 3 4 5 6 7 8; do dd if='$work/records' of='$mnt/log' bs=4096 oflag=append conv=notrunc status=none & done; wait"

meta=$("$gfs" bench meta --clients 16 --files "$files" --json)
gfs_create=$(python3 -c 'import json,sys; print(next(p["rate"] for p in json.load(sys.stdin) if p["name"]=="create"))' <<< "$meta")
gfs_stat=$(python3 -c 'import json,sys; print(next(p["rate"] for p in json.load(sys.stdin) if p["name"]=="stat"))' <<< "$meta")
read -r mfs_create mfs_stat < <(python3 - "$mnt/meta" "$files" <<'PY'
import os, sys, time
from concurrent.futures import ThreadPoolExecutor
root, files = sys.argv[1], int(sys.argv[2])
os.makedirs(root)
names = [f"{root}/d{i // 100}" for i in range(0, files, 100)]
for name in names: os.mkdir(name)
paths = [f"{root}/d{i // 100}/f{i}" for i in range(files)]
def create(path): os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
with ThreadPoolExecutor(16) as pool:
    start = time.monotonic(); list(pool.map(create, paths)); created = time.monotonic() - start
    start = time.monotonic(); list(pool.map(os.stat, paths)); statted = time.monotonic() - start
print(files / created, files / statted)
PY
)

mib=$size_mib
row() { awk -v name="$1" -v g="$2" -v m="$3" -v unit="$4" 'BEGIN { printf "%-8s  gfs %10.0f %-9s  moosefs %10.0f %-9s  ratio %.2f\n", name, g, unit, m, unit, g / m }'; }
echo "same machine, 3 replicas each; $size_mib MiB file, 8 x $records records of 4 KiB, $files files"
row write  "$(awk -v b=$mib -v s="${result[gfs-write]}" 'BEGIN { print b * 1.048576 / s }')" \
           "$(awk -v b=$mib -v s="${result[mfs-write]}" 'BEGIN { print b * 1.048576 / s }')" "MB/s"
row read   "$(awk -v b=$mib -v s="${result[gfs-read]}" 'BEGIN { print b * 1.048576 / s }')" \
           "$(awk -v b=$mib -v s="${result[mfs-read]}" 'BEGIN { print b * 1.048576 / s }')" "MB/s"
row append "$(awk -v n=$((8 * records)) -v s="${result[gfs-append]}" 'BEGIN { print n / s }')" \
           "$(awk -v n=$((8 * records)) -v s="${result[mfs-append]}" 'BEGIN { print n / s }')" "records/s"
row create "$gfs_create" "$mfs_create" "ops/s"
row stat   "$gfs_stat" "$mfs_stat" "ops/s"
