"""The replica check: every replica the master calls live (`gfs fsck --chunks --json`) is read straight from
its chunkserver with `READ handle= version= offset= length=` at the master's version, and judged against the
acknowledged data: put files (after writes) and snapshot copies byte for byte, the record file record by
record. A CHECKSUM error from the bad-disk chunkserver is the injected corruption caught, not a violation."""

import hashlib
import json
import time

from common import BAD_DISK, CHUNK_SIZE, HarnessError, allowed, connect
from checks import id_order, retry
from workload import expected_bytes


def chunk_map(cluster):
    """path -> list of chunks {index, handle, version, live: [addresses]}, from `gfs fsck --chunks --json`."""
    result = retry(cluster, ["fsck", "--chunks", "--json", "/chaos"])
    try:
        entries = json.loads(result.out)["entries"]
    except (ValueError, KeyError) as error:
        raise HarnessError(f"cannot parse gfs fsck --json ({result.why()}): {error}")
    chunks = {}
    for entry in entries:
        if entry.get("kind") == "chunk":
            live = [a for a in entry.get("live", "").split(",") if a]
            chunks.setdefault(entry["path"], []).append({
                "index": int(entry["index"]), "handle": entry["handle"], "version": int(entry["version"]), "live": live})
    for path in chunks:
        chunks[path].sort(key=lambda c: c["index"])
    return chunks


def read_replica(address, handle, version, length=CHUNK_SIZE):
    """(bytes, None) or (None, error) for READ of one replica, straight from its chunkserver."""
    host, port = address.rsplit(":", 1)
    if not allowed(host):
        return None, f"refusing address {address}: not loopback nor this run's own network"
    try:
        with connect(host, port, timeout=15) as s:
            s.sendall(f"READ handle={handle} version={version} offset=0 length={length}\n".encode())
            reader = s.makefile("rb")
            line = reader.readline().decode(errors="replace").strip()
            if not line.startswith("OK"):
                return None, line or "connection closed"
            fields = dict(token.split("=", 1) for token in line.split()[1:] if "=" in token)
            count = int(fields.get("len", "0"))
            data = reader.read(count)
            if len(data) != count:
                return None, f"short payload ({len(data)} of {count} bytes)"
            return data, None
    except OSError as error:
        return None, f"connection error: {error}"


def parse_records(data):
    """The payloads of every well-formed record in a replica's bytes (magic, length, crc, writer, sequence,
    payload). The checksum is not recomputed: a payload only counts when it equals a line that was sent."""
    payloads = []
    position = data.find(b"GFSr")
    while position >= 0 and position + 28 <= len(data):
        length = int.from_bytes(data[position + 4:position + 8], "little")
        end = position + 28 + length
        if length <= CHUNK_SIZE and end <= len(data):
            payloads.append(data[position + 28:end])
        position = data.find(b"GFSr", position + 1)
    return payloads


class ReplicaCheck:
    """Reads every live replica of the files under /chaos and judges it against the acknowledged data."""

    def __init__(self, cluster, seed, ledger, log):
        self.cluster = cluster
        self.seed = seed
        self.ledger = ledger
        self.log = log
        self.bad_disk = cluster.chunkservers[BAD_DISK].address

    def expected_files(self):
        """remote path -> version, for every file whose bytes are known: live defined put files and the
        settled files of each snapshot."""
        expected = {p: s.version() for p, s in self.ledger.files.items() if not s.removed and not s.undefined}
        for snapshot in self.ledger.snapshots:
            expected.update(snapshot.expected)
        return expected

    def run(self):
        """Problems {(handle, server): (kind, text)}, kind "error" (the read failed) or "content" (the bytes
        lack acknowledged data), and the set of corrupt bad-disk replicas caught by their checksums."""
        chunks = chunk_map(self.cluster)
        replicas = sum(len(c["live"]) for path in chunks for c in chunks[path])
        self.log(f"replica check: reading {replicas} live replicas of {sum(map(len, chunks.values()))} chunks "
                 f"of {len(chunks)} files")
        # Snapshot copies share chunks with their source: each replica is read once and held to every
        # file that uses the chunk, by the digest of the bytes that file expects there.
        uses = {}  # (handle, version) -> [(path, chunk, sha256 of the expected bytes, their length)]
        for path, version in sorted(self.expected_files().items()):
            data = expected_bytes(self.seed, version)
            for chunk in chunks.get(path, []):
                expected = data[chunk["index"] * CHUNK_SIZE:(chunk["index"] + 1) * CHUNK_SIZE]
                uses.setdefault((chunk["handle"], chunk["version"]), []).append(
                    (path, chunk, hashlib.sha256(expected).digest(), len(expected)))
        problems, caught = {}, set()
        for (handle, version), users in sorted(uses.items()):
            for server in users[0][1]["live"]:
                key = (handle, server)
                got, error = read_replica(server, handle, version)
                for path, chunk, digest, length in users:
                    if error:
                        if self.is_caught(server, error):
                            caught.add(key)
                        else:
                            problems[key] = ("error", f"{path} chunk {chunk['index']} on {server}: {error}")
                    elif len(got) < length or hashlib.sha256(got[:length]).digest() != digest:
                        problems[key] = ("content", f"{path} chunk {chunk['index']} ({handle} v{version}) on "
                                                    f"{server}: {len(got)} bytes differ from the {length} acknowledged")
                        break
        record_problems, record_caught = self.check_record_replicas(chunks.get("/chaos/records", []))
        problems.update(record_problems)
        return problems, caught | record_caught

    def is_caught(self, server, error):
        # The injected corruption, found by gfs's own checksums: what the bad disk is for, not a violation.
        return server == self.bad_disk and error.startswith("ERR CHECKSUM")

    def check_record_replicas(self, chunks):
        """A record append is written at least once; a failed attempt may leave a copy on some replicas
        of one chunk only, and the retry lands elsewhere. So the rule is: each acknowledged record must be
        on EVERY live replica of at least one chunk. A record that is not is charged to the live replicas
        lacking it in the chunks where some live replica has it. (Every replica is read directly, so no client
        read is needed to know which chunk a record is in.)"""
        acked_payloads = {(line + "\n").encode(): rid for rid, line in self.ledger.acked.items()}
        holders = {}  # rid -> {chunk index: set of servers holding it}
        live = {}
        problems, caught = {}, set()
        for chunk in chunks:
            live[chunk["index"]] = chunk
            for server in chunk["live"]:
                data, error = read_replica(server, chunk["handle"], chunk["version"])
                if error:
                    if self.is_caught(server, error):
                        caught.add((chunk["handle"], server))
                        # A caught replica is not counted as holding anything, nor as lacking anything.
                        chunk.setdefault("caught", set()).add(server)
                    else:
                        problems[(chunk["handle"], server)] = (
                            "error", f"/chaos/records chunk {chunk['index']} on {server}: {error}")
                    continue
                for payload in parse_records(data):
                    rid = acked_payloads.get(payload)
                    if rid:
                        holders.setdefault(rid, {}).setdefault(chunk["index"], set()).add(server)

        def readable(index):
            return [s for s in live[index]["live"] if s not in live[index].get("caught", set())]

        missing_everywhere = []
        for rid in sorted(self.ledger.acked, key=id_order):
            where = holders.get(rid, {})
            if any(set(readable(index)) <= servers for index, servers in where.items()):
                continue
            if not where:
                missing_everywhere.append(rid)
                continue
            for index, servers in where.items():
                for server in readable(index):
                    if server not in servers:
                        key = (live[index]["handle"], server)
                        problems.setdefault(key, ("content", f"/chaos/records chunk {index} ({live[index]['handle']} "
                                                             f"v{live[index]['version']}) on {server} lacks acknowledged "
                                                             f"record {rid} that {','.join(sorted(servers))} hold"))
        if missing_everywhere:
            problems[("-", "-")] = ("content", f"{len(missing_everywhere)} acknowledged record(s) on no live "
                                               f"replica, first: {missing_everywhere[0]}")
        return problems, caught


def check_replicas(cluster, seed, ledger, violations, tally, log):
    checker = ReplicaCheck(cluster, seed, ledger, log)
    problems, caught = checker.run()
    if any(kind == "error" for kind, _ in problems.values()):
        # The master may have moved or dropped a replica while we read it (a surplus copy deleted after
        # healing): a failed read counts only if a second look, a few seconds later, fails again. Bytes that
        # were read and lack acknowledged data count at once: nothing writes any more.
        for kind, text in list(problems.values())[:5]:
            log(f"replica check suspect ({kind}): {text}")
        log(f"replica check: {len(problems)} suspect replica(s); looking again in 5s")
        time.sleep(5)
        again, caught_again = checker.run()
        problems = {key: value for key, value in problems.items() if value[0] == "content" or key in again}
        caught |= caught_again
    tally.caught = len(caught)
    tally.bad_replicas = {key for key in problems if key != ("-", "-")}
    if problems:
        first = sorted(problems.items())[0][1][1]
        if tally.bad_replicas:
            first = f"{len(tally.bad_replicas)} live replica(s) lack acknowledged data, first: {first}"
        violations.add("replicas", first)
