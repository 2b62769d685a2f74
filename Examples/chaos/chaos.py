#!/usr/bin/env python3
"""Seeded, replayable fault injection ("chaos") for gfs: real processes on loopback, real faults, and checks
that nothing acknowledged was lost.

Usage:
    python3 Examples/chaos/chaos.py --seed 7 --duration 60 [--binary .build/debug/gfs] [--keep] [-v]
    make chaos SEED=7 DURATION=60            # one seed
    make chaos SEEDS="1 2 3" DURATION=30     # these seeds, one after another
    make chaos SEEDS=5                       # five seeds: SEED, SEED+1, … (SEED defaults to 1)

Options: --no-master-faults leaves the master and its shadow alone; --no-full-disk runs without the small
tmpfs; --keep keeps the run's folder even when it passes (a failing run always keeps it and prints where);
-v prints faults as they happen; --etcd runs the two masters as an elected pair (`gfs master --etcd`, each
the other's log replica) on a Debian etcd of the run's own: master faults hit whichever is the primary then,
a master that steps down (exit 75, its election lease lapsed) is started again as a supervisor would, and
with partitions a cut may part the primary from etcd (and from the chunkservers) while clients still reach
it; every check below holds as it is. --tls makes an authority and a certificate with openssl, serves every
role over TLS and makes every client (the harness's own requests too) trust only that authority, so a frozen
or cut-off server also hangs TLS handshakes.

Modules (all in this folder, standard library only): common.py (constants, process registry, fault log,
violations), cluster.py (processes, ports, the gfs runner, the master's line protocol, the tmpfs),
faults.py (schedule and injector), workload.py (client loops and the ledger of acknowledged work),
checks.py (invariants), replicas.py (reading every live replica), and this entry point.

One run:
  1. Copies the gfs binary into a fresh temporary folder (it may be rebuilt under us), and starts a master
     (1 MiB chunks, 3 s leases, 2 s heartbeat timeout), a shadow master (`--shadow-of`) and 5 chunkservers
     (`--master PRIMARY,SHADOW`) on addresses fixed up front, so a killed server comes back on the same
     address and folder. With --partitions (the default; needs root and iproute2) each server runs in a
     network namespace of its own, 10.77.N.2-8 on a bridge made for the run whose 10.77.N.1 is the clients'
     (netns.py); without, all on 127.0.0.1. One chunkserver other than the bad disk (drawn from the seed)
     keeps its folder on a 48 MiB tmpfs mounted for the run, so its disk fills up (skipped, and logged, if
     mounting fails); tmpfs, namespaces and bridge are removed at the end, also on failure and Ctrl-C.
  2. Runs a workload for --duration seconds: 3 appender loops (`gfs append --create /chaos/records`, a batch
     of unique lines `w<writer>-<seq>-<padding>` on stdin each time), 2 putter loops (`gfs put` of random
     files of 0..3 MiB to /chaos/files/), 2 mutator loops (`gfs write --offset N` of 1 B..1.5 MiB into
     acknowledged put files, one writer per file at a time, sometimes across a chunk boundary or past the
     end; now and then `gfs rm`, `gfs truncate -s`, `gfs setrep 2-4`, or `gfs concat --pad` of it and up to
     two other settled files into a new one), a snapshot loop (`gfs snapshot /chaos/files /chaos/snap-N` every
     8-20 s) and a namespace loop (`gfs mkdir -p`, sometimes `gfs mv`). Something is "acknowledged" only when
     its gfs command exited 0; a failure or timeout is not.
  3. Meanwhile injects faults every 1-4 s, all drawn up front from random.Random(seed), so one seed always
     replays the same schedule and workload (the interleaving with the processes' own timing differs):
     SIGKILL a chunkserver and restart it 1-5 s later; SIGSTOP one for 0.5-12 s (shorter and longer than the
     heartbeat timeout and than the clients' 10 s reply timeout) then SIGCONT, 40% of the stops aimed at a
     chunkserver holding the last chunk of /chaos/records (LOOKUP on the master), where appends land; on the
     "bad disk" chunkserver (cs5) flip a byte of a chunk file, truncate a chunk or checksum file, or delete a
     checksum file. Never more than 2 chunkservers are down (killed or stopped) at once, so 3 replicas of 5
     always survive. Unless --no-master-faults: SIGKILL the master and restart it on its address and folder
     1-3 s later, or SIGSTOP it for 1-4 s, one master fault at a time with 3-6 s between them; now and
     then SIGKILL the shadow and restart it 1-3 s later; and once, a third to a half into the run, make the
     master's disk full for 4-12 s (its folder is a 64 MiB tmpfs, shrunk to what it holds, then grown back;
     drawn from a generator of its own, so the rest of the schedule is what it was without it). With
     --partitions, cut links for 1-15 s with `ip route add blackhole|prohibit` in the sender's namespace:
     isolate a chunkserver from both masters while clients and chunkservers still reach it (60% of these aimed
     at the primary of the records' last chunk, found from the --ack-log), cut one direction of one link
     (master->cs, cs->master, cs->cs, clients->cs or cs->clients), or cut two chunkservers from each other.
     A cut counts as its chunkserver being down for the at-most-2 rule.
  4. Stops the workload, lets in-flight commands finish, heals every cut, resumes and restarts every server,
     removes the files of failed puts (as a user would), and waits up to 60 s from the end of the last fault
     for `gfs fsck` to exit 0.
  5. Checks, and fails the run naming the first violation:
     - every acknowledged record is in `gfs cat /chaos/records` exactly once and intact;
     - every acknowledged put file reads back byte-identical to its put with every acknowledged write
       applied in order; after a failed write only its length is held (at least what was acknowledged);
     - every file whose `gfs rm` was acknowledged is gone (`gfs stat` exits 1), after all the restarts;
     - every acknowledged snapshot holds, byte-identical, each source file that was acknowledged and
       untouched (no write or rm started) from before the snapshot started until it was acknowledged, as
       the source was then, though the source was written and removed since; and none removed before it;
     - every acknowledged mkdir (under its final name after an acknowledged mv) exists;
     - the shadow's namespace under /chaos (names, types, sizes, walked with LS) equals the primary's within
       30 s;
     - no two chunkservers acknowledged mutations of one chunk under leases in force at once: from every
       chunkserver's `--ack-log`, one primary per chunk version, and no primary ordering a mutation at a
       version older than one another primary had already used;
     - every replica the master calls live (`gfs fsck --chunks --json`) holds the acknowledged data, read
       straight from its chunkserver with `READ handle= version= offset= length=` at the master's version:
       a file's chunk (put files and snapshot copies) must equal the expected bytes at index*chunk-size; a
       record file's chunk replicas must each hold every acknowledged record of that chunk (see
       replicas.py for the rule); a CHECKSUM error from the bad-disk chunkserver is the injected corruption
       caught, not a violation;
     - no server died that the schedule did not kill, and no log holds a crash trace.
  6. Prints one summary line (`seed=… duration=… faults=… (…) acked: … | lost=… dup=… corrupt=…
     bad_replicas=… caught=… back=… snap_bad=… shadow=… overlaps=… hung=… heal=…s | PASS` or `| FAIL: <first
     violation>`); a failing run first prints every violation, the fault log and the tail of each server's
     log. Exit status 0 on pass, 1 on fail. hung counts client commands killed after 30 s: they are simply not
     acknowledged, so not a violation, but each is a user left waiting.
     faults: kill/stop of chunkservers (longstop: stops over 10 s, laststop: stops aimed at the records'
     last chunk, both among the stops), flip/trunc/rmcrc on the bad disk, mkill/mstop of the master, shadow
     kills, mdisk: the master's disk full, isolate/oneway/pair: cuts (cutprimary: isolations that found the
     primary), fulldisk=1 when the tmpfs was mounted. lost: acknowledged records, files and directories not read
     back; dup: records read more than once; corrupt: records or files read back altered; bad_replicas: live
     replicas lacking acknowledged data; caught: bad-disk replicas whose damage gfs's checksums reported
     when read (not a violation); back: removed files that came back; snap_bad: snapshot files missing or
     altered; shadow: equal | differs; heal: seconds from every server running again until `gfs fsck` exits 0.

Everything it starts is killed by pid on exit, on Ctrl-C and on exceptions. Only 127.0.0.1 and the run's
own 10.77.N.0/24 (hosts in namespaces it made, with no route out) are ever used. Standard library only.
"""

import sys
sys.dont_write_bytecode = True  # keep Examples/chaos free of __pycache__

import argparse
import atexit
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import traceback

from common import (BAD_DISK, CHUNKSERVERS, HEAL_DEADLINE, REGISTRY, Clock, EventLog, HarnessError, Tally,
                    Violations, quiet_shutdown, tail)
from cluster import Cluster
from faults import FaultInjector, check_processes, plan_faults, plan_master_disk
from workload import Ledger, workers
import checks
import replicas


def copy_binary(binary, folder, wait):
    """A private copy of the binary (the tree's may be rebuilt mid-run), once it exists and runs."""
    deadline = time.monotonic() + wait
    while True:
        if os.path.exists(binary):
            copy = os.path.join(folder, "gfs")
            shutil.copy2(binary, copy)
            if subprocess.run([copy, "--version"], capture_output=True).returncode == 0:
                return copy
        if time.monotonic() > deadline:
            raise HarnessError(f"no working gfs binary at {binary}")
        print(f"chaos: waiting for {binary} to be built", file=sys.stderr, flush=True)
        time.sleep(10)


def run(args):
    root = tempfile.mkdtemp(prefix=f"gfs-chaos-{args.seed}-")
    log = EventLog(Clock(), args.verbose)
    violations, tally, ledger = Violations(), Tally(), Ledger()
    injector = cluster = None
    failed, interrupted, summary = True, False, None
    stopping = threading.Event()
    atexit.register(REGISTRY.kill_all)
    try:
        binary = copy_binary(args.binary, root, args.wait_binary)
        rng = random.Random(args.seed)
        faults = plan_faults(rng, args.duration, args.master_faults, args.partitions, args.etcd)
        if args.master_faults:
            faults += plan_master_disk(random.Random(args.seed * 7919 + 1), args.duration)
            faults.sort(key=lambda fault: fault.at)
        full_disk = rng.randrange(CHUNKSERVERS - 1) if args.full_disk else None  # never the bad disk (last)
        cluster = Cluster(binary, root, log, full_disk, args.partitions, args.etcd, args.tls)
        cluster.start()
        log(f"cluster up: master {cluster.master.address}, shadow {cluster.shadow.address}, chunkservers "
            + " ".join(f"{s.name}={s.address}" for s in cluster.chunkservers) + f" (bad disk: cs{BAD_DISK + 1})")
        for setup in (["mkdir", "-p", "/chaos/files", "/chaos/dirs"], ["append", "--create", "/chaos/records"]):
            result = checks.retry(cluster, setup)
            if not result.ok:
                raise HarnessError(f"setup gfs {' '.join(setup)} failed: {result.why()}")

        scratch = os.path.join(root, "local")
        os.makedirs(scratch)
        threads = workers(args.seed, cluster, ledger, stopping, scratch)
        injector = FaultInjector(cluster, faults, log, stopping, violations)
        log(f"workload and faults start: {len(faults)} faults planned over {args.duration:g}s")
        for thread in threads:
            thread.start()
        injector.start()
        stopping.wait(args.duration)

        stopping.set()
        log("fault phase over: stopping the workload, restoring every server")
        injector.join()
        injector.restore_all()
        restored_at = time.monotonic()
        for thread in threads:
            thread.join()  # in-flight commands finish (each is bounded by CLIENT_TIMEOUT)
        log(f"workload stopped: acked records={len(ledger.acked)} files={len(ledger.files)} writes={ledger.writes} "
            f"rms={ledger.removes} truncates={ledger.truncates} concats={ledger.concats} setreps={ledger.setreps} "
            f"snaps={len(ledger.snapshots)} dirs={len(ledger.dirs)}; failed commands: "
            f"append={ledger.append_failures} put={ledger.put_failures} write={ledger.write_failures} "
            f"truncate/concat/setrep={ledger.reshape_failures} "
            f"rm={ledger.remove_failures} snapshot={ledger.snapshot_failures} mkdir/mv={ledger.namespace_failures}")
        if not cluster.wait_for_live_chunkservers(CHUNKSERVERS, within=30):
            log("not every chunkserver is alive 30s after the restore")
        for path in ledger.failed_puts:
            # What a user does with a failed put: remove what may be left (gfs put tries too).
            checks.retry(cluster, ["rm", "-f", path])

        heal, why = checks.wait_for_heal(cluster, log, restored_at)
        tally.heal, tally.heal_checked = heal, True
        if heal is None:
            violations.add("heal", f"did not heal: gfs fsck still unhealthy after {HEAL_DEADLINE:.0f}s ({why.strip()[:1200]})")
        checks.check_records(cluster, ledger, violations, tally)
        checks.check_files(cluster, args.seed, ledger, violations, tally)
        checks.check_removed(cluster, ledger, violations, tally)
        checks.check_snapshots(cluster, args.seed, ledger, violations, tally)
        checks.check_dirs(cluster, ledger, violations, tally)
        with cluster.lock:
            # A primary whose election lease lapsed as the faults ended (a SIGSTOP resumed at the end) exits
            # with 75 after the restore: started again here, as a supervisor would, so it can follow.
            check_processes(cluster, log, violations)
        checks.check_shadow(cluster, log, violations, tally)
        checks.check_leases(cluster, violations, tally)
        replicas.check_replicas(cluster, args.seed, ledger, violations, tally, log)
        with cluster.lock:
            check_processes(cluster, log, violations)
        checks.check_crash_traces(cluster, violations)
        failed = bool(violations.items)
        summary = summary_line(args, injector, cluster, ledger, tally, violations)
    except KeyboardInterrupt:
        interrupted = True
        summary = f"seed={args.seed} | INTERRUPTED"
        raise
    except HarnessError as error:
        violations.add("harness", f"harness error: {error}")
        summary = summary_line(args, injector, cluster, ledger, tally, violations)
    except Exception as error:  # a bug in this script: still one summary line, and the traceback
        traceback.print_exc()
        violations.add("harness", f"harness crashed: {error!r}")
        summary = summary_line(args, injector, cluster, ledger, tally, violations)
    finally:
        stopping.set()  # the fault and workload threads stop before their next step
        REGISTRY.kill_all()
        if cluster:
            cluster.unmount_all()
            cluster.teardown_network()
        if failed and violations.items and not interrupted:
            ledger.dump(os.path.join(root, "ledger.json"))
            report_failure(args, root, log, violations, cluster)
        if summary:
            print(summary, flush=True)
        if (failed and not interrupted) or args.keep:
            print(f"chaos: run folder kept at {root}", flush=True)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


def summary_line(args, injector, cluster, ledger, tally, violations):
    counts = injector.counts if injector else {}
    faults = injector.total() if injector else 0
    names = ("kill", "stop", "longstop", "laststop", "flip", "trunc", "rmcrc")
    if args.master_faults:
        names += ("mkill", "mstop", "shadow", "mdisk")
    if args.partitions:
        names += ("isolate", "cutprimary", "oneway", "pair") + (("etcd",) if args.etcd else ())
    detail = " ".join(f"{k}={counts.get(k, 0)}" for k in names)
    detail += f" fulldisk={1 if cluster and cluster.full_disk is not None else 0}"
    heal = f"{tally.heal:.1f}s" if tally.heal is not None else "never" if tally.heal_checked else "-"
    # One line, whatever the violation's text holds (a server log, say).
    first = " / ".join(line.strip() for line in (violations.first() or "").splitlines() if line.strip())
    verdict = f"FAIL: {first[:400]}" if violations.items else "PASS"
    return (f"seed={args.seed}{' etcd' if args.etcd else ''}{' tls' if args.tls else ''} duration={args.duration:g}s faults={faults} ({detail}) "
            f"acked: records={len(ledger.acked)} files={len(ledger.files)} writes={ledger.writes} "
            f"rms={ledger.removes} truncs={ledger.truncates} concats={ledger.concats} setreps={ledger.setreps} "
            f"snaps={len(ledger.snapshots)} dirs={len(ledger.dirs)} | "
            f"lost={tally.lost} dup={tally.dup} corrupt={tally.corrupt} bad_replicas={len(tally.bad_replicas)} "
            f"caught={tally.caught} back={tally.resurrected} snap_bad={tally.snap_bad} shadow={tally.shadow} "
            f"overlaps={tally.overlaps} hung={cluster.hung if cluster else 0} "
            f"heal={heal} | {verdict}")


def report_failure(args, root, log, violations, cluster):
    print(f"FAIL: {violations.first()}")
    flags = "" if args.master_faults else " --no-master-faults"
    flags += "" if args.full_disk else " --no-full-disk"
    flags += "" if args.partitions else " --no-partitions"
    flags += (" --etcd" if args.etcd else "") + (" --tls" if args.tls else "")
    print(f"seed: {args.seed} (replay: python3 {sys.argv[0]} --seed {args.seed} --duration {args.duration:g}"
          f" --binary {args.binary}{flags})")
    print("violations:")
    for kind, text in violations.items[:20]:
        print(f"  [{kind}] {text}")
    if len(violations.items) > 20:
        print(f"  … {len(violations.items) - 20} more")
    print("fault log:")
    for line in log.lines:
        print(f"  {line}")
    if cluster:
        for server in cluster.servers:
            for path in server.logs[-1:]:
                print(f"--- tail of {os.path.relpath(path, root)} ({server.name} {server.address}) ---")
                print(tail(path, 15))
    sys.stdout.flush()


def interrupt(*_):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault schedule and workload (default 1)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of workload and faults (default 60)")
    parser.add_argument("--binary", default=".build/debug/gfs", help="gfs binary (copied before use)")
    parser.add_argument("--master-faults", action=argparse.BooleanOptionalAction, default=True,
                        help="also SIGKILL/SIGSTOP the master and SIGKILL the shadow (default on)")
    parser.add_argument("--full-disk", action=argparse.BooleanOptionalAction, default=True,
                        help="put one chunkserver's folder on a small tmpfs that fills up (default on)")
    parser.add_argument("--partitions", action=argparse.BooleanOptionalAction, default=True,
                        help="run each server in a network namespace of its own and cut links between them "
                             "(needs root; default on)")
    parser.add_argument("--etcd", action="store_true",
                        help="the two masters elect their primary in etcd (Debian's etcd-server) instead of a fixed "
                             "primary and shadow; master faults hit whichever is the primary, and with partitions a "
                             "cut may part the primary from etcd")
    parser.add_argument("--tls", action="store_true",
                        help="every role serves TLS with a certificate from a fresh authority (made with openssl), "
                             "and every client trusts only it, so faults also hit TLS handshakes")
    parser.add_argument("--keep", action="store_true", help="keep the run folder even when the run passes")
    parser.add_argument("--wait-binary", type=float, default=600, help="seconds to wait for the binary to exist")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the fault log as it happens")
    args = parser.parse_args()
    quiet_shutdown()
    # Ctrl-C and SIGTERM (from make or CI) both clean up; SIGINT is set explicitly because a shell starting
    # us in the background leaves it ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("chaos: interrupted; every process it started has been killed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
