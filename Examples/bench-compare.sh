#!/usr/bin/env bash
# Two gfs binaries side by side on the same machine in the same run, interleaved (A, B, A, B ...), so a
# change's cost is read as a ratio while the machine's noise hits both alike.
# Usage: Examples/bench-compare.sh OLD_GFS NEW_GFS [rounds] [write size] [append size]
# e.g.:  git worktree add /tmp/old <commit> && (cd /tmp/old && swift build -c release --product gfs)
#        swift build -c release --product gfs
#        Examples/bench-compare.sh /tmp/old/.build/release/gfs .build/release/gfs 2
set -euo pipefail
old=${1:?usage: bench-compare.sh OLD_GFS NEW_GFS [rounds] [write size] [append size]}
new=${2:?usage: bench-compare.sh OLD_GFS NEW_GFS [rounds] [write size] [append size]}
rounds=${3:-2}
write_size=${4:-512M}
append_size=${5:-128M}
for round in $(seq "$rounds"); do
    for side in old new; do
        binary=${!side}
        echo "round $round $side write:  $("$binary" bench write --local --size "$write_size" | head -1)"
        echo "round $round $side append: $("$binary" bench append --local --clients 8 --size "$append_size" | head -1)"
    done
done
