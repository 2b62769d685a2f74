"""The fault schedule, drawn entirely up front from the seed (so a seed replays the same faults at the same
times), and the thread that injects it into the cluster and undoes it."""

import os
import threading
import time

from common import BAD_DISK, CHUNKSERVERS, MAX_DOWN, REGISTRY, HarnessError
from cluster import last_chunk, last_chunk_replicas, latest_primary
from netns import CLIENTS

RECORDS = "/chaos/records"
LONG_STOP = 10.0  # a stop longer than this outlasts the clients' reply timeout


class Fault:
    def __init__(self, at, kind, target, length=0.0, detail=None):
        self.at = at  # seconds after the workload starts
        self.kind = kind  # kill | stop | disk (chunkservers) | mkill | mstop (master) | shadow | cut (links)
        self.target = target  # chunkserver index (None for the master and the shadow)
        self.length = length  # seconds down
        self.detail = detail or {}
        self.actual = target  # the chunkserver really hit (a biased stop picks it at run time)


def plan_faults(rng, duration, master_faults, partitions=False, etcd=False):
    """The fault schedule. Intervals during which each chunkserver is (planned) down are tracked so that no
    more than MAX_DOWN are ever down together; a restart is given a margin to register. At most one master
    fault at a time, with 3-6 s between them; the shadow is killed now and then, one fault at a time. With
    partitions, a cut of links counts as its chunkserver being down."""
    faults = []
    down = []  # (start, end, target)
    master_free_at = shadow_free_at = 0.0
    at = 0.0
    while True:
        at += rng.uniform(1.0, 4.0)
        if at >= duration:
            return faults
        kinds = ["kill", "stop", "disk"] + (["master", "shadow"] if master_faults else [])
        weights = [4, 5, 3] + ([1.5, 0.5] if master_faults else [])
        if partitions:
            kinds.append("cut")
            weights.append(3)
        kind = rng.choices(kinds, weights)[0]
        if kind == "master":
            sub = rng.choice(["mkill", "mstop"])
            length = rng.uniform(1.0, 3.0) if sub == "mkill" else rng.uniform(1.0, 4.0)
            if at >= master_free_at:
                faults.append(Fault(at, sub, None, length))
                master_free_at = at + length + rng.uniform(3.0, 6.0)
                continue
            kind = "disk"
        if kind == "shadow":
            length = rng.uniform(1.0, 3.0)
            if at >= shadow_free_at:
                faults.append(Fault(at, "shadow", None, length))
                shadow_free_at = at + length + 5.0
                continue
            kind = "disk"
        if kind in ("kill", "stop", "cut"):
            # One draw for the chosen kind only, so the other kinds' schedules stay as they were.
            bounds = {"kill": (1.0, 5.0), "stop": (0.5, 12.0), "cut": (1.0, 15.0)}[kind]
            length = rng.uniform(*bounds)
            detail = {"bias": rng.random() < 0.4, "pick": rng.random()} if kind == "stop" else {}
            if kind == "cut":
                detail = plan_cut(rng, etcd)
            end = at + length + (2.0 if kind == "kill" else 0.5)  # margin: restart and re-register
            overlapping = [d for d in down if d[0] < end and at < d[1]]
            busy = {d[2] for d in overlapping}
            candidates = [i for i in range(CHUNKSERVERS) if i not in busy]
            if len(overlapping) < MAX_DOWN and candidates:
                target = rng.choice(candidates)
                down.append((at, end, target))
                faults.append(Fault(at, kind, target, length, detail))
                continue
            kind = "disk"
        # A disk fault on the bad disk: which file and where is chosen at run time from these fractions,
        # since the chunk files that exist depend on timing.
        action = rng.choices(["flip", "truncate-chunk", "truncate-crc", "delete-crc"], [7, 1, 1, 1])[0]
        faults.append(Fault(at, "disk", BAD_DISK, 0.0, {
            "action": action, "pick": rng.random(), "where": rng.random(), "mask": rng.randint(1, 255)}))


def plan_cut(rng, etcd=False):
    """Which links a cut breaks; the chunkserver it centres on is the fault's target (or, for an isolated
    primary, the one holding the lease at run time). Shapes:
      isolate  the chunkserver and both masters cannot reach each other; clients and chunkservers still can
               (so a primary goes on serving under its lease, cut off from the master);
      oneway   one direction of one link: master->cs, cs->master, cs->cs, clients->cs or cs->clients;
      pair     two chunkservers cannot reach each other (a primary and its secondary, often);
      etcd     (with --etcd) the primary master and etcd cannot reach each other, and half the time neither
               can the primary and the chunkservers, while clients still reach it: it must step down, and
               get nothing acknowledged once the other master may have been elected.
    Without --etcd the draws are what they always were, so older seeds replay the same schedule."""
    shapes, weights = (["isolate", "oneway", "pair", "etcd"], [4, 4, 2, 3]) if etcd else (["isolate", "oneway", "pair"], [4, 4, 2])
    shape = rng.choices(shapes, weights)[0]
    detail = {"shape": shape, "route": rng.choice(["blackhole", "blackhole", "prohibit"]),
              "other": rng.random(), "pick": rng.random()}
    if shape == "isolate":
        detail["bias"] = rng.random() < 0.6
    if shape == "oneway":
        detail["direction"] = rng.choice(["master>cs", "cs>master", "cs>cs", "clients>cs", "cs>clients"])
    if shape == "etcd":
        detail["chunkservers"] = rng.random() < 0.5
    return detail


def plan_master_disk(rng, duration):
    """One window in the middle of the run during which the master's disk is full (its log cannot grow),
    drawn from a generator of its own so that the rest of a seed's schedule stays as it was."""
    at = rng.uniform(0.3, 0.6) * duration
    return [Fault(at, "mdisk", None, rng.uniform(4.0, 12.0))]


COUNTERS = ("kill", "stop", "longstop", "laststop", "flip", "trunc", "rmcrc", "mkill", "mstop", "shadow", "mdisk",
            "isolate", "oneway", "pair", "cutprimary", "etcd")


class FaultInjector(threading.Thread):
    """Runs the schedule: each fault at its time, and its end (restart, SIGCONT) at its time plus length."""

    def __init__(self, cluster, faults, log, stopping, violations):
        super().__init__(daemon=True, name="faults")
        self.cluster = cluster
        self.log = log
        self.stopping = stopping
        self.violations = violations
        self.counts = dict.fromkeys(COUNTERS + ("skipped",), 0)
        self.actions = []  # (time, order, callable)
        for order, fault in enumerate(faults):
            self.actions.append((fault.at, order, lambda f=fault: self.begin(f)))
            if fault.kind != "disk":
                self.actions.append((fault.at + fault.length, order, lambda f=fault: self.end(f)))
        self.actions.sort(key=lambda a: (a[0], a[1]))
        self.pending_ends = set()  # faults begun and not yet ended
        self.last_fault_at = None  # monotonic time of the last fault begun

    def run(self):
        try:
            self.inject()
        except Exception as error:  # a bug here must fail the run, not quietly end the schedule
            self.violations.add("harness", f"the fault injector stopped: {error!r}")
            raise

    def inject(self):
        started = time.monotonic()
        for at, _, action in self.actions:
            if self.stopping.wait(max(0.0, started + at - time.monotonic())):
                return
            with self.cluster.lock:
                check_processes(self.cluster, self.log, self.violations)
                action()

    def master_disk(self, fault, full):
        if full:
            size = self.cluster.fill_master_disk()
            if size is None:
                self.log("master: disk-full skipped (no tmpfs under its folder)")
                self.counts["skipped"] += 1
                return
            self.log(f"master: disk full (tmpfs shrunk to {size} bytes) for {fault.length:.1f}s")
            self.counts["mdisk"] += 1
            self.pending_ends.add(fault)
        elif fault in self.pending_ends:
            self.pending_ends.discard(fault)
            self.cluster.free_master_disk()
            self.log("master: disk space back")

    def server_of(self, fault):
        """The server a fault hits: chosen when it begins (under --etcd the primary may change), kept for its end."""
        if getattr(fault, "server", None) is None:
            if fault.kind in ("mkill", "mstop"):
                fault.server = self.cluster.primary
            elif fault.kind == "shadow":
                fault.server = self.cluster.follower
            else:
                fault.server = self.cluster.chunkservers[fault.actual]
        return fault.server

    def begin(self, fault):
        cluster = self.cluster
        if fault.kind == "disk":
            self.corrupt(cluster.chunkservers[fault.target], fault.detail)
            return
        if fault.kind == "mdisk":
            self.master_disk(fault, full=True)
            return
        if fault.kind == "cut":
            self.cut(fault)
            return
        if fault.kind == "stop" and fault.detail.get("bias"):
            self.aim_at_last_chunk(fault)
        server = self.server_of(fault)
        if fault.kind in ("kill", "stop") and (server.state != "up" or cluster.down_count() >= MAX_DOWN):
            # The plan keeps at most MAX_DOWN down, but a late restart or a biased stop can change that.
            self.log(f"{server.name}: {fault.kind} skipped ({cluster.down_count()} chunkservers down, "
                     f"{server.name} is {server.state})")
            self.counts["skipped"] += 1
            return
        if server.state != "up":
            self.log(f"{server.name}: {fault.kind} skipped ({server.name} is {server.state})")
            self.counts["skipped"] += 1
            return
        pid = server.process.pid
        if fault.kind in ("kill", "mkill", "shadow"):
            self.log(f"{server.name}: SIGKILL (pid {pid}), restart in {fault.length:.1f}s")
            server.kill()
        else:
            why = " (holds the last chunk of /chaos/records)" if fault.detail.get("last") else ""
            self.log(f"{server.name}: SIGSTOP (pid {pid}) for {fault.length:.1f}s{why}")
            server.stop()
        self.counts[fault.kind] += 1
        if fault.kind == "stop" and fault.length > LONG_STOP:
            self.counts["longstop"] += 1
        if fault.detail.get("last"):
            self.counts["laststop"] += 1
        self.last_fault_at = time.monotonic()
        self.pending_ends.add(fault)

    def aim_at_last_chunk(self, fault):
        """A biased stop hits a chunkserver that holds the record file's last chunk (where appends land),
        picked among those that are up by the fault's seeded fraction; the planned target if none is."""
        addresses = last_chunk_replicas(self.cluster.primary.address, RECORDS)
        holders = [i for i, s in enumerate(self.cluster.chunkservers) if s.address in addresses and s.state == "up"]
        if holders:
            fault.actual = holders[min(len(holders) - 1, int(fault.detail["pick"] * len(holders)))]
            fault.detail["last"] = True

    def links(self, fault):
        """The (source, destination) host pairs a cut breaks; its chunkserver is fault.actual."""
        detail = fault.detail
        cs = self.cluster.chunkservers[fault.actual].name
        others = [s.name for s in self.cluster.chunkservers if s.name != cs]
        other = others[min(len(others) - 1, int(detail["other"] * len(others)))]
        if detail["shape"] == "isolate":
            return [(cs, "master"), ("master", cs), (cs, "shadow"), ("shadow", cs)]
        if detail["shape"] == "etcd":
            primary = self.cluster.primary.name
            servers = [s.name for s in self.cluster.chunkservers] if detail["chunkservers"] else []
            return [(primary, "etcd"), ("etcd", primary)] + [link for s in servers for link in ((primary, s), (s, primary))]
        if detail["shape"] == "pair":
            return [(cs, other), (other, cs)]
        source, destination = detail["direction"].split(">")
        names = {"cs": cs, "master": "master", "clients": CLIENTS}
        if source == destination == "cs":
            return [(cs, other)]
        return [(names[source], names[destination])]

    def cut(self, fault):
        network = self.cluster.network
        if network is None:
            self.log("cut skipped (no network of namespaces)")
            self.counts["skipped"] += 1
            return
        detail = fault.detail
        why = ""
        if detail.get("bias"):
            handle, _ = last_chunk(self.cluster.primary.address, RECORDS)
            primary = latest_primary(self.cluster.acknowledgements, handle) if handle else None
            for index, server in enumerate(self.cluster.chunkservers):
                if server.address == primary:
                    fault.actual = index
                    why = " (the primary of the last chunk of /chaos/records)"
                    self.counts["cutprimary"] += 1
        links = self.links(fault)
        fault.detail["links"] = []
        for link in links:
            try:
                if network.cut(*link, kind=detail["route"]):
                    fault.detail["links"].append(link)  # recorded as cut, so the heal undoes exactly these
            except HarnessError as error:
                self.log(f"cut {link[0]}->{link[1]} failed: {error}")
        self.log(f"cut ({detail['shape']}, {detail['route']}) for {fault.length:.1f}s{why}: "
                 + ", ".join(f"{a}->{b}" for a, b in links))
        self.counts[detail["shape"]] += 1
        self.last_fault_at = time.monotonic()
        self.pending_ends.add(fault)

    def end(self, fault):
        if fault.kind == "mdisk":
            self.master_disk(fault, full=False)
            return
        if fault.kind == "cut":
            if fault in self.pending_ends:
                self.pending_ends.discard(fault)
                for link in fault.detail.get("links", []):
                    try:
                        self.cluster.network.heal(*link)
                    except HarnessError as error:
                        self.log(f"heal {link[0]}->{link[1]} failed: {error}")
                self.log("healed: " + ", ".join(f"{a}->{b}" for a, b in fault.detail.get("links", [])))
            return
        if fault not in self.pending_ends:
            return
        self.pending_ends.discard(fault)
        server = self.server_of(fault)
        if fault.kind in ("stop", "mstop"):
            server.cont()
            self.log(f"{server.name}: SIGCONT")
        else:
            restart(server, self.log, self.violations)

    def corrupt(self, server, detail):
        """Damages one chunk or checksum file of the bad-disk chunkserver, picked by the fault's fractions."""
        folder = os.path.join(self.cluster.root, server.name, "chunks")
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        action = detail["action"]
        suffix = ".chunk" if action in ("flip", "truncate-chunk") else ".crc"
        candidates = [n for n in names if n.endswith(suffix)]
        if action == "flip":
            candidates = [n for n in candidates if size_of(os.path.join(folder, n)) > 0]
        if not candidates:
            self.log(f"{server.name}: disk {action} skipped (no {suffix} file yet)")
            self.counts["skipped"] += 1
            return
        name = candidates[min(len(candidates) - 1, int(detail["pick"] * len(candidates)))]
        path = os.path.join(folder, name)
        try:
            size = os.path.getsize(path)
            if action == "flip":
                offset = min(size - 1, int(detail["where"] * size))
                with open(path, "r+b") as f:
                    f.seek(offset)
                    byte = f.read(1)[0]
                    f.seek(offset)
                    f.write(bytes([byte ^ detail["mask"]]))
                self.log(f"{server.name}: flipped byte {offset} of {name} ({size} bytes) with mask {detail['mask']:#04x}")
                self.counts["flip"] += 1
            elif action.startswith("truncate"):
                length = int(detail["where"] * size)
                os.truncate(path, length)
                self.log(f"{server.name}: truncated {name} from {size} to {length} bytes")
                self.counts["trunc"] += 1
            else:
                os.unlink(path)
                self.log(f"{server.name}: deleted {name}")
                self.counts["rmcrc"] += 1
        except (OSError, IndexError) as error:  # the file went away under us (deleted by gfs): not a fault
            self.log(f"{server.name}: disk {action} of {name} skipped ({error})")
            self.counts["skipped"] += 1

    def restore_all(self):
        """After the fault phase: every pending restart and SIGCONT happens now."""
        with self.cluster.lock:
            for fault in sorted(self.pending_ends, key=lambda f: f.at):
                self.end(fault)
            if self.cluster.network:
                self.cluster.network.heal_all()
            for server in self.cluster.servers:
                if server.state == "stopped":
                    server.cont()
                    self.log(f"{server.name}: SIGCONT (restore)")
                elif server.state != "up":
                    restart(server, self.log, self.violations)
            check_processes(self.cluster, self.log, self.violations)

    def total(self):
        return sum(self.counts[k] for k in ("kill", "stop", "flip", "trunc", "rmcrc", "mkill", "mstop", "shadow",
                                            "mdisk", "isolate", "oneway", "pair"))


def size_of(path):
    """A file's size, or 0 if gfs deleted it meanwhile."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def restart(server, log, violations):
    try:
        server.start()
        log(f"{server.name}: restarted (pid {server.process.pid}) on {server.address}")
    except HarnessError as error:
        violations.add("process", f"{server.name} could not be restarted: {error}")
        log(f"{server.name}: restart FAILED")


def check_processes(cluster, log, violations):
    """A server that exited although the schedule did not kill it is a violation; restart it to go on."""
    if REGISTRY.closed:  # cleanup has killed everything: not a crash
        return
    for server in cluster.servers:
        status = server.exited_unexpectedly()
        if status == 75 and cluster.etcd and server in (cluster.master, cluster.shadow):
            # A primary that could not renew its election lease exits with 75 by design; a supervisor
            # starts it again, and so does this.
            log(f"{server.name}: stepped down (its etcd lease lapsed; status 75); starting it again")
            REGISTRY.remove(server.process)
            server.state = "down"
            restart(server, log, violations)
            continue
        if status is not None:
            violations.add("process", f"{server.name} (pid {server.process.pid}) died unexpectedly with status "
                                      f"{status}; log {server.logs[-1]}")
            log(f"{server.name}: died unexpectedly (status {status}); restarting it")
            REGISTRY.remove(server.process)
            server.state = "down"
            restart(server, log, violations)
