"""The workload: client loops that append, put, write, truncate, concat, setrep, remove, snapshot and make
directories, and the ledger of what was acknowledged (a gfs command that exited 0). Every byte is generated from the seed, so expected
contents are regenerated at check time instead of being kept in memory."""

import os
import random
import string
import threading

from common import CHUNK_SIZE

PADDING = string.ascii_lowercase + string.digits  # never "GFSr", never "-"


class FileState:
    """An acknowledged put file and what happened to it since. Writes are serial per file (a file is `busy`
    while one runs), so its expected bytes are the put's bytes with each acknowledged write applied in order.
    A failed write leaves its region undefined: from then on only the length is checked."""

    def __init__(self, path, origin, size):
        self.path = path
        # (putter, count, size): the put's bytes are file_content(seed, *origin); or ("concat", parts), parts
        # ((version, padded), ...): each source's bytes then, the padded ones with zeros to a chunk boundary.
        self.origin = origin
        # Acknowledged changes in order: (offset, length, write key) for a write, ("cut", size) for a truncate.
        self.writes = []
        self.size = size  # exact size while defined; a lower bound once undefined
        self.undefined = False
        self.removed = None  # None | "acked" (rm exited 0) | "maybe" (rm failed: may or may not be gone)
        self.busy = False

    def version(self):
        """What the bytes are now, as a value a snapshot can keep: (origin, writes, size)."""
        return (self.origin, tuple(self.writes), self.size)


def expected_bytes(seed, version):
    origin, writes, _ = version
    if origin[0] == "concat":
        data = bytearray()
        for part, padded in origin[1]:
            data += expected_bytes(seed, part)
            if padded:
                data += b"\0" * (-len(data) % CHUNK_SIZE)
    else:
        data = bytearray(file_content(seed, *origin))
    for change in writes:
        if change[0] == "cut":
            del data[change[1]:]
            continue
        offset, length, key = change
        chunk = write_content(seed, key, length)
        if offset + length > len(data):
            data.extend(b"\0" * (offset + length - len(data)))
        data[offset:offset + length] = chunk
    return bytes(data)


def file_content(seed, putter, number, size):
    return random.Random(f"{seed}/put/{putter}/{number}").randbytes(size)


def write_content(seed, key, length):
    return random.Random(f"{seed}/write/{key}").randbytes(length)


class Snapshot:
    """An acknowledged snapshot of /chaos/files: the files it must hold byte-identical (acknowledged and
    untouched by any write or rm from before the command started until it was acknowledged), and the files
    it must not hold (removals acknowledged before it started)."""

    def __init__(self, number, path):
        self.number = number
        self.path = path
        self.candidates = {}  # source path -> version, when the command started
        self.touched = set()  # source paths a write or rm started on while the command ran
        self.absent = set()  # source paths whose rm was acknowledged before the command started
        self.expected = {}  # snapshot path -> version, once acknowledged


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}  # record id -> line, every line ever sent
        self.acked = {}  # record id -> line, lines of batches whose `gfs append` exited 0
        self.append_failures = 0
        self.files = {}  # remote path -> FileState, puts that exited 0
        self.failed_puts = []  # remote paths of puts that failed: removed before healing
        self.put_failures = 0
        self.writes = 0  # acknowledged writes
        self.write_failures = 0
        self.truncates = 0  # acknowledged truncates
        self.concats = 0  # acknowledged concats
        self.setreps = 0  # acknowledged setreps
        self.reshape_failures = 0  # failed truncates, concats and setreps
        self.removes = 0  # acknowledged rms
        self.remove_failures = 0
        self.snapshots = []  # acknowledged Snapshot objects
        self.running_snapshots = []  # Snapshot objects whose command has not returned
        self.snapshot_failures = 0
        self.dirs = {}  # name -> set of paths it may be at (two after a failed mv)
        self.namespace_failures = 0

    def dump(self, path):
        """The acknowledged file work, as JSON, for a failing run's folder (evidence when judging a violation)."""
        import json
        with self.lock, open(path, "w") as f:
            json.dump({"files": {p: {"origin": s.origin, "writes": s.writes, "size": s.size, "undefined": s.undefined,
                                     "removed": s.removed} for p, s in sorted(self.files.items())},
                       "snapshots": {n.path: {"expected": {p: list(v[1]) for p, v in n.expected.items()},
                                              "touched": sorted(n.touched), "absent": sorted(n.absent)}
                                     for n in self.snapshots}}, f, indent=1)

    def begin_mutation(self, state):
        """Called with the lock held when a write or rm of `state` starts."""
        state.busy = True
        for snapshot in self.running_snapshots:
            snapshot.touched.add(state.path)


def appender(number, rng, cluster, ledger, stopping):
    sequence = 0
    while not stopping.is_set():
        lines = []
        for _ in range(rng.randint(1, 300)):
            sequence += 1
            lines.append(f"w{number}-{sequence}-" + "".join(rng.choices(PADDING, k=rng.randint(0, 600))))
        with ledger.lock:
            for line in lines:
                ledger.sent[record_id(line)] = line
        result = cluster.gfs(["append", "--create", "/chaos/records"], stdin=("\n".join(lines) + "\n").encode())
        with ledger.lock:
            if result.ok:
                for line in lines:
                    ledger.acked[record_id(line)] = line
            else:
                ledger.append_failures += 1
        stopping.wait(rng.uniform(0.0, 0.3))


def record_id(line):
    return "-".join(line.split("-", 2)[:2])


def putter(number, rng, seed, cluster, ledger, stopping, scratch):
    count = 0
    while not stopping.is_set():
        count += 1
        roll = rng.random()
        size = 0 if roll < 0.05 else rng.randint(1, 64 << 10) if roll < 0.3 else rng.randint(1, 3 * CHUNK_SIZE)
        data = file_content(seed, number, count, size)
        local = os.path.join(scratch, f"p{number}-{count}")
        with open(local, "wb") as f:
            f.write(data)
        remote = f"/chaos/files/p{number}-{count}"
        result = cluster.gfs(["put", local, remote])
        os.unlink(local)  # the bytes are regenerated from the seed when checked
        with ledger.lock:
            if result.ok:
                ledger.files[remote] = FileState(remote, (number, count, size), size)
            else:
                ledger.failed_puts.append(remote)
                ledger.put_failures += 1
        stopping.wait(rng.uniform(0.0, 0.5))


def mutator(number, rng, seed, cluster, ledger, stopping):
    """`gfs write --offset` into, and now and then `gfs rm` of, acknowledged put files, one at a time per
    file. Offsets stay within what is known to exist (no holes); a write may extend the file."""
    count = 0
    while not stopping.wait(rng.uniform(0.1, 0.6)):
        with ledger.lock:
            ready = sorted(p for p, s in ledger.files.items() if not s.busy and not s.removed)
            if not ready:
                continue
            state = ledger.files[ready[rng.randrange(len(ready))]]
            ledger.begin_mutation(state)
        count += 1
        roll = rng.random()
        try:
            if roll < 0.10:
                remove(cluster, ledger, state)
            elif roll < 0.18:
                truncate(rng, cluster, ledger, state)
            elif roll < 0.24:
                setrep(rng, cluster, ledger, state)
            elif roll < 0.30:
                concat(rng, cluster, ledger, state, f"/chaos/files/c{number}-{count}")
            else:
                write(rng, seed, cluster, ledger, state, f"{number}/{count}")
        finally:
            with ledger.lock:
                state.busy = False


def truncate(rng, cluster, ledger, state):
    """`gfs truncate -s` to a chunk boundary or inside a chunk, never longer (truncate only shrinks)."""
    if state.size and rng.random() < 0.4:
        size = CHUNK_SIZE * rng.randint(0, state.size // CHUNK_SIZE)
    else:
        size = rng.randint(0, state.size)
    result = cluster.gfs(["truncate", "-s", str(size), state.path])
    with ledger.lock:
        if result.ok:
            ledger.truncates += 1
            state.writes.append(("cut", size))
            state.size = size
        else:
            # It may or may not have happened: the bytes are no longer known, and the length may be either.
            ledger.reshape_failures += 1
            state.undefined = True
            state.size = min(state.size, size)


def setrep(rng, cluster, ledger, state):
    """`gfs setrep` between 2 and 4 replicas: never 1, since the bad disk may hold a lone replica. The bytes
    must not change, and fsck must count the new goal healthy after the run."""
    result = cluster.gfs(["setrep", str(rng.choice([2, 3, 3, 4])), state.path])
    with ledger.lock:
        if result.ok:
            ledger.setreps += 1
        else:
            ledger.reshape_failures += 1


def concat(rng, cluster, ledger, first, destination):
    """`gfs concat --pad` of `first` and up to two more settled files into a new file. The sources are
    held busy (no write or rm) while it runs, so their bytes then are what the destination must hold."""
    with ledger.lock:
        others = sorted(p for p, s in ledger.files.items()
                        if not s.busy and not s.removed and not s.undefined and p != first.path)
        sources = [first] + [ledger.files[p] for p in rng.sample(others, min(len(others), rng.randint(0, 2)))]
        if first.undefined:
            return
        for source in sources[1:]:
            source.busy = True
    try:
        parts = tuple((source.version(), index < len(sources) - 1) for index, source in enumerate(sources))
        result = cluster.gfs(["concat", "--pad", destination] + [source.path for source in sources])
        with ledger.lock:
            if result.ok:
                ledger.concats += 1
                data_size = 0
                for version, padded in parts:
                    data_size += version[2]
                    if padded:
                        data_size += -data_size % CHUNK_SIZE
                ledger.files[destination] = FileState(destination, ("concat", parts), data_size)
            else:
                ledger.reshape_failures += 1
                ledger.failed_puts.append(destination)  # may or may not exist: removed before healing
    finally:
        with ledger.lock:
            for source in sources[1:]:
                source.busy = False


def write(rng, seed, cluster, ledger, state, key):
    roll = rng.random()
    length = rng.randint(1, 4096) if roll < 0.4 else rng.randint(1, 256 << 10) if roll < 0.8 \
        else rng.randint(1, 3 * CHUNK_SIZE // 2)
    if state.size and rng.random() < 0.3:  # straddle a chunk boundary, where two chunks are written
        boundary = CHUNK_SIZE * rng.randint(0, state.size // CHUNK_SIZE)
        offset = max(0, min(state.size, boundary - rng.randint(0, length)))
    else:
        offset = rng.randint(0, state.size)
    result = cluster.gfs(["write", "--offset", str(offset), state.path], stdin=write_content(seed, key, length))
    with ledger.lock:
        if result.ok:
            ledger.writes += 1
            state.writes.append((offset, length, key))
            state.size = max(state.size, offset + length)
        else:
            ledger.write_failures += 1
            state.undefined = True


def remove(cluster, ledger, state):
    result = cluster.gfs(["rm", state.path])
    with ledger.lock:
        if result.ok:
            ledger.removes += 1
            state.removed = "acked"
        else:
            ledger.remove_failures += 1
            state.removed = "maybe"


def snapshotter(rng, cluster, ledger, stopping):
    """`gfs snapshot /chaos/files /chaos/snap-N` every 8-20 s while the other loops write and remove."""
    number = 0
    while not stopping.wait(rng.uniform(8.0, 20.0)):
        number += 1
        snapshot = Snapshot(number, f"/chaos/snap-{number}")
        with ledger.lock:
            for path, state in ledger.files.items():
                if state.removed == "acked":
                    snapshot.absent.add(path)
                elif not state.busy and not state.undefined and not state.removed:
                    snapshot.candidates[path] = state.version()
            ledger.running_snapshots.append(snapshot)
        result = cluster.gfs(["snapshot", "/chaos/files", snapshot.path])
        with ledger.lock:
            ledger.running_snapshots.remove(snapshot)
            if result.ok:
                for path, version in snapshot.candidates.items():
                    if path not in snapshot.touched:
                        snapshot.expected[snapshot.path + path[len("/chaos/files"):]] = version
                ledger.snapshots.append(snapshot)
            else:
                ledger.snapshot_failures += 1


def namespace_loop(rng, cluster, ledger, stopping):
    count = 0
    movable = []  # names acknowledged at one known path
    while not stopping.is_set():
        count += 1
        if movable and rng.random() < 0.3:
            name = movable.pop(rng.randrange(len(movable)))
            (old,) = ledger.dirs[name]
            new = f"/chaos/dirs/m{count}"
            result = cluster.gfs(["mv", old, new])
            with ledger.lock:
                if result.ok:
                    ledger.dirs[name] = {new}
                    movable.append(name)
                else:
                    # It may or may not have happened: either name counts, and it is not moved again.
                    ledger.dirs[name] = {old, new}
                    ledger.namespace_failures += 1
        else:
            name = f"d{count}"
            result = cluster.gfs(["mkdir", "-p", f"/chaos/dirs/{name}/sub"])
            with ledger.lock:
                if result.ok:
                    ledger.dirs[name] = {f"/chaos/dirs/{name}"}
                    movable.append(name)
                else:
                    ledger.namespace_failures += 1
        stopping.wait(rng.uniform(0.1, 0.6))


def workers(seed, cluster, ledger, stopping, scratch):
    """Every loop as a thread, each with its own generator derived from the seed, so its choices do not
    depend on timing."""
    def thread(name, target, *args):
        return threading.Thread(target=target, daemon=True, name=name, args=args)
    threads = [thread(f"appender{n}", appender, n, random.Random(f"{seed}/append/{n}"), cluster, ledger, stopping)
               for n in range(1, 4)]
    threads += [thread(f"putter{n}", putter, n, random.Random(f"{seed}/put/{n}"), seed, cluster, ledger, stopping,
                       scratch) for n in range(1, 3)]
    threads += [thread(f"mutator{n}", mutator, n, random.Random(f"{seed}/mutate/{n}"), seed, cluster, ledger,
                       stopping) for n in range(1, 3)]
    threads.append(thread("snapshots", snapshotter, random.Random(f"{seed}/snapshot"), cluster, ledger, stopping))
    threads.append(thread("namespace", namespace_loop, random.Random(f"{seed}/namespace"), cluster, ledger, stopping))
    return threads
