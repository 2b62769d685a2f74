"""The invariants checked once the faults stop and every server runs again, each adding to the Violations
and the Tally: healing, records, files (after writes), removals, snapshots, directories, the shadow's
namespace, and crash traces. The per-replica check is in replicas.py."""

import time

from common import CRASH_PATTERNS, HEAL_DEADLINE, SHADOW_DEADLINE
from cluster import listing, status_sequence
from workload import expected_bytes, record_id

BATCH = 16  # files per `gfs cat` when reading many files that are expected to be right


def retry(cluster, arguments, attempts=4):
    """A check's command, retried while the cluster is unavailable (exit 3) or slow, so a momentary hiccup
    after healing is not mistaken for lost data."""
    result = None
    for attempt in range(attempts):
        result = cluster.gfs(arguments)
        if result.ok or result.status not in (None, 3):
            return result
        time.sleep(1 + attempt)
    return result


def wait_for_heal(cluster, log, started):
    """Seconds from `started` (every server running again) until `gfs fsck` exits 0, or None and why not."""
    result = None
    while time.monotonic() - started < HEAL_DEADLINE:
        result = cluster.gfs(["fsck"], timeout=20)
        if result.ok:
            seconds = time.monotonic() - started
            log(f"fsck healthy after {seconds:.1f}s")
            return seconds, None
        time.sleep(1)
    if result is None:
        return None, "no answer"
    # What is wrong is in fsck's error line and its chunk lines not marked healthy (which name the servers).
    wrong = [line for line in result.text.splitlines() if line.startswith("chunk\t") and "\thealthy\t" not in line]
    return None, result.why() + " " + " | ".join(wrong[:5])


def check_records(cluster, ledger, violations, tally):
    result = retry(cluster, ["cat", "/chaos/records"])
    if not result.ok:
        violations.add("records", f"gfs cat /chaos/records failed ({result.why()}); checking the "
                                  f"{len(result.out)} bytes it printed")
    seen = {}
    first_corrupt = None
    lines = result.out.split(b"\n")
    # The last piece is empty after a final newline, or a record cut short by a failed cat: not a record.
    if lines[-1] == b"" or not result.ok:
        lines.pop()
    for raw in lines:
        line = raw.decode(errors="replace")
        rid = record_id(line)
        if ledger.sent.get(rid) != line:
            tally.corrupt += 1
            first_corrupt = first_corrupt or (line[:80] + (" (sent: " + ledger.sent[rid][:80] + ")" if rid in ledger.sent else " (never sent)"))
            continue
        seen[rid] = seen.get(rid, 0) + 1
    if first_corrupt:
        violations.add("records", f"{tally.corrupt} corrupt record(s) in gfs cat /chaos/records, first: {first_corrupt}")
    duplicated = sorted((rid for rid, n in seen.items() if n > 1), key=id_order)
    tally.dup += len(duplicated)
    if duplicated:
        violations.add("records", f"{len(duplicated)} record(s) read more than once, first: {duplicated[0]} "
                                  f"x{seen[duplicated[0]]}")
    lost = sorted((rid for rid in ledger.acked if rid not in seen), key=id_order)
    tally.lost += len(lost)
    if lost:
        violations.add("records", f"{len(lost)} of {len(ledger.acked)} acknowledged record(s) missing from gfs cat "
                                  f"/chaos/records, first: {lost[0]}")
    return seen


def id_order(rid):
    writer, sequence = rid[1:].split("-")
    return int(writer), int(sequence)


def read_many(cluster, seed, expected):
    """{path: problem} for files (path -> version) that do not read back byte-identical. Files are read
    BATCH at a time with one `gfs cat`; a batch that is not exactly right is read again file by file."""
    problems = {}
    paths = sorted(expected)
    for start in range(0, len(paths), BATCH):
        batch = paths[start:start + BATCH]
        wanted = [expected_bytes(seed, expected[p]) for p in batch]
        result = cluster.gfs(["cat"] + batch)
        if result.ok and result.out == b"".join(wanted):
            continue
        for path, data in zip(batch, wanted):
            result = retry(cluster, ["cat", path])
            if result.ok and result.out == data:
                continue
            if result.ok and len(result.out) == len(data):
                problems[path] = ("corrupt", f"{path}: {len(data)} bytes read back with different contents "
                                             f"(first difference at byte {first_difference(result.out, data)})")
            else:
                problems[path] = ("lost", f"{path}: read {len(result.out)} of {len(data)} bytes"
                                          + ("" if result.ok else f" ({result.why()})"))
    return problems


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def check_files(cluster, seed, ledger, violations, tally):
    """Defined files read back byte-identical (put, then every acknowledged write in order); a file with a
    failed write reads back at least as long as its acknowledged length."""
    live = {p: s for p, s in ledger.files.items() if not s.removed}
    problems = read_many(cluster, seed, {p: s.version() for p, s in live.items() if not s.undefined})
    for path, state in sorted(live.items()):
        if state.undefined:
            result = retry(cluster, ["cat", path])
            if not result.ok or len(result.out) < state.size:
                problems[path] = ("lost", f"{path} (written, a write failed): read {len(result.out)} bytes, at least "
                                          f"{state.size} acknowledged" + ("" if result.ok else f" ({result.why()})"))
    for kind, _ in problems.values():
        if kind == "lost":
            tally.lost += 1
        else:
            tally.corrupt += 1
    if problems:
        violations.add("files", f"{len(problems)} of {len(live)} acknowledged file(s) do not read back, first: "
                                f"{sorted(problems.items())[0][1][1]}")


def check_removed(cluster, ledger, violations, tally):
    """A file whose `gfs rm` exited 0 is gone (`gfs stat` exits 1) after every restart, and stays gone."""
    back = []
    for path, state in sorted(ledger.files.items()):
        if state.removed == "acked":
            result = retry(cluster, ["stat", path])
            if result.status != 1:
                back.append(f"{path} (gfs stat: {'exit 0, it exists' if result.ok else result.why()})")
    tally.resurrected = len(back)
    if back:
        violations.add("removed", f"{len(back)} removed file(s) are back, first: {back[0]}")


def check_snapshots(cluster, seed, ledger, violations, tally):
    """Each acknowledged snapshot holds every file that was settled when it was taken, byte-identical to
    the source then (whatever was written or removed since), and none whose removal came before it."""
    first = None
    for snapshot in ledger.snapshots:
        problems = read_many(cluster, seed, snapshot.expected)
        for path in sorted(snapshot.absent):
            copy = snapshot.path + path[len("/chaos/files"):]
            result = retry(cluster, ["stat", copy])
            if result.status != 1:
                problems[copy] = ("back", f"{copy}: in the snapshot, but {path} was removed before it was taken")
        tally.snap_bad += len(problems)
        if problems and not first:
            first = f"{snapshot.path}: {len(problems)} of {len(snapshot.expected)} file(s) wrong, first: " \
                    f"{sorted(problems.items())[0][1][1]}"
    if first:
        violations.add("snapshots", first)


def check_dirs(cluster, ledger, violations, tally):
    """Every acknowledged mkdir is there, under its last acknowledged name (either name after a failed mv).
    Looked up in one listing from the master; what it lacks is asked for again with `gfs stat`."""
    try:
        entries = listing(cluster.primary.address, "/chaos/dirs")
    except OSError:
        entries = {}
    missing = []
    for name, paths in sorted(ledger.dirs.items(), key=lambda item: int(item[0][1:])):
        if any(p + "/sub" in entries for p in paths):
            continue
        if not any(retry(cluster, ["stat", p + "/sub"]).ok for p in sorted(paths)):
            missing.append(f"{name} (at {' or '.join(sorted(paths))}/sub)")
    tally.lost += len(missing)
    if missing:
        violations.add("namespace", f"{len(missing)} acknowledged directory(ies) missing, first: {missing[0]}")


def check_shadow(cluster, log, violations, tally):
    """Once caught up, the shadow's namespace under /chaos (names, types, sizes) equals the primary's. It is
    polled until equal, for SHADOW_DEADLINE seconds; nothing mutates any more."""
    deadline = time.monotonic() + SHADOW_DEADLINE
    difference = "never listed"
    while True:
        try:
            leader, follower = cluster.primary, cluster.follower
            primary = listing(leader.address, "/chaos")
            shadow = listing(follower.address, "/chaos")
            if primary == shadow:
                tally.shadow = "equal"
                log(f"shadow equals the primary ({len(primary)} entries under /chaos)")
                return
            difference = describe_difference(primary, shadow)
        except OSError as error:
            difference = f"listing failed: {error}"
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    tally.shadow = "differs"
    sequences = f"log sequence: primary {status_sequence(cluster.primary.address)}, " \
                f"shadow {status_sequence(cluster.follower.address)}"
    violations.add("shadow", f"shadow's namespace still differs from the primary's after {SHADOW_DEADLINE:.0f}s "
                             f"({sequences}): {difference}")


def describe_difference(primary, shadow):
    only_primary = sorted(set(primary) - set(shadow))
    only_shadow = sorted(set(shadow) - set(primary))
    changed = sorted(p for p in set(primary) & set(shadow) if primary[p] != shadow[p])
    parts = [f"{len(only_primary)} only on the primary" + (f" (first {only_primary[0]})" if only_primary else ""),
             f"{len(only_shadow)} only on the shadow" + (f" (first {only_shadow[0]})" if only_shadow else ""),
             f"{len(changed)} differ" + (f" (first {changed[0]}: primary {primary[changed[0]]}, shadow "
                                         f"{shadow[changed[0]]})" if changed else "")]
    return ", ".join(parts)


def check_leases(cluster, violations, tally):
    """No two chunkservers acknowledged mutations of one chunk under leases in force at once: from the
    chunkservers' --ack-log lines, one primary per chunk version, and no primary ordering a mutation at a
    version older than one another primary had already ordered at (the master bumps the version with every
    lease, so that would be two leases at once)."""
    primaries = {}  # (handle, version) -> servers
    by_chunk = {}  # handle -> [(time, version, server)]
    try:
        with open(cluster.acknowledgements, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
        try:
            handle, server = fields["handle"], fields["server"]
            version, at = int(fields["version"]), int(fields["time_ms"])
        except (KeyError, ValueError):
            violations.add("leases", f"unreadable --ack-log line: {line[:120]}")
            continue
        primaries.setdefault((handle, version), set()).add(server)
        by_chunk.setdefault(handle, []).append((at, version, server))
    problems = [f"chunk {h} v{v} was acknowledged by {sorted(s)}" for (h, v), s in primaries.items() if len(s) > 1]
    for handle, acks in by_chunk.items():
        newest = (0, None)  # (version, server)
        for at, version, server in sorted(acks):
            if version < newest[0] and server != newest[1]:
                problems.append(f"chunk {handle}: {server} acknowledged v{version} at {at} ms after {newest[1]} "
                                f"had acknowledged v{newest[0]}")
            if version > newest[0]:
                newest = (version, server)
    tally.overlaps = len(problems)
    if problems:
        violations.add("leases", f"{len(problems)} acknowledgement(s) under overlapping leases, first: {problems[0]}")
    return len(lines)


def check_crash_traces(cluster, violations):
    for server in cluster.servers:
        for path in server.logs:
            try:
                with open(path, "rb") as f:
                    text = f.read().decode(errors="replace")
            except OSError:
                continue
            match = CRASH_PATTERNS.search(text)
            if match:
                line = text[text.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
                violations.add("process", f"crash trace in {path}: {line[:200]}")
