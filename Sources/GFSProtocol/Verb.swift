import GFSCore

/// The one table of protocol verbs: who sends each, whether it carries a payload, and a one-line summary.
/// `HELP`, the decoder's dispatch, and the man-page coverage test all read it.
public enum Verb: String, CaseIterable, Sendable {
    case mkdir = "MKDIR", create = "CREATE", ls = "LS", stat = "STAT", mv = "MV", rm = "RM"
    case lookup = "LOOKUP", allocate = "ALLOCATE", lease = "LEASE", setSize = "SETSIZE"
    case register = "REGISTER", heartbeat = "HEARTBEAT", corrupt = "CORRUPT", status = "STATUS"
    case tail = "TAIL", checkpoint = "CHECKPOINT", promote = "PROMOTE", snapshot = "SNAPSHOT"
    case report = "REPORT", leave = "LEAVE", drain = "DRAIN", tune = "TUNE"
    case deleted = "DELETED", undelete = "UNDELETE", gc = "GC", fsck = "FSCK"
    case revoke = "REVOKE", clone = "CLONE", replicate = "REPLICATE"
    case push = "PUSH", write = "WRITE", apply = "APPLY", sync = "SYNC", append = "APPEND", pad = "PAD", read = "READ"
    case local = "LOCAL", open = "OPEN"
    case grant = "GRANT"
    case hello = "HELLO", auth = "AUTH"
    case help = "HELP"
    case setrep = "SETREP", du = "DU", checksum = "CHECKSUM", concat = "CONCAT", setQuota = "SETQUOTA", quotas = "QUOTAS"
    case truncate = "TRUNCATE"

    /// The roles that answer a verb.
    public enum Role: String, Sendable { case master, chunkserver }

    /// Which roles answer this verb.
    public var roles: Set<Role> {
        switch self {
        case .mkdir, .create, .ls, .stat, .mv, .rm, .lookup, .allocate, .lease, .setSize, .register, .heartbeat,
            .corrupt, .tail, .checkpoint, .promote, .snapshot, .report, .leave, .drain, .tune, .deleted, .undelete,
            .gc, .fsck, .setrep, .du, .concat, .setQuota, .quotas, .truncate:
            return [.master]
        case .push, .write, .apply, .sync, .append, .pad, .read, .local, .open, .grant, .revoke, .clone, .replicate, .checksum:
            return [.chunkserver]
        case .status, .help, .hello, .auth:
            return [.master, .chunkserver]
        }
    }

    /// Whether the request line carries a `len=` payload.
    public var carriesPayload: Bool { self == .push || self == .register || self == .report }

    /// The request's grammar, as in gfs-protocol(5).
    public var usage: String {
        switch self {
        case .mkdir: return "MKDIR path [parents=1] [call=ID]"
        case .create: return "CREATE path [replication=N] [call=ID]"
        case .ls: return "LS path [after=NAME] [limit=N]"
        case .stat: return "STAT path"
        case .mv: return "MV from to [call=ID]"
        case .rm: return "RM path [recursive=1] [call=ID]"
        case .lookup: return "LOOKUP path [stale=1]"
        case .allocate: return "ALLOCATE path index=N"
        case .lease: return "LEASE [PATH] handle=H"
        case .setSize: return "SETSIZE path size=N [touch=1] [handle=H]"
        case .register: return "REGISTER addr=A capacity=N free=N [rack=R] len=N"
        case .heartbeat: return "HEARTBEAT addr=A free=N [leases=H,H]"
        case .corrupt: return "CORRUPT handle=H addr=A"
        case .status: return "STATUS"
        case .tail: return "TAIL from=N [addr=A] [wait_ms=N]"
        case .checkpoint: return "CHECKPOINT"
        case .promote: return "PROMOTE"
        case .snapshot: return "SNAPSHOT from to [call=ID]"
        case .report: return "REPORT addr=A len=N"
        case .leave: return "LEAVE addr=A"
        case .drain: return "DRAIN addr=A [stop=1]"
        case .tune: return "TUNE [clones_per_server=N] [clones_total=N] [clone_rate=N]"
        case .deleted: return "DELETED [path]"
        case .undelete: return "UNDELETE path [call=ID]"
        case .gc: return "GC [all=1]"
        case .fsck: return "FSCK [path] [files=1] [chunks=1] [after=path] [limit=n]"
        case .revoke: return "REVOKE handle=H"
        case .clone: return "CLONE handle=H new=H version=V [length=N] [keep=N] [newest=V]"
        case .replicate: return "REPLICATE handle=H version=V from=A [rate=N]"
        case .push: return "PUSH id=X len=N [chain=A,A]"
        case .write: return "WRITE handle=H version=V offset=N id=X [secondaries=A,A]"
        case .apply: return "APPLY handle=H version=V serial=N offset=N id=X"
        case .sync: return "SYNC handle=H"
        case .append: return "APPEND handle=H version=V id=X [secondaries=A,A]"
        case .pad: return "PAD handle=H version=V serial=N size=N id=X"
        case .read: return "READ handle=H version=V offset=N length=N"
        case .local: return "LOCAL handle=H version=V"
        case .open: return "OPEN ticket=T"
        case .grant: return "GRANT handle=H version=V [lease_ms=N] [create=1]"
        case .hello: return "HELLO principal=P nonce=N"
        case .auth: return "AUTH proof=P"
        case .help: return "HELP"
        case .setrep: return "SETREP path replication=N [recursive=1]"
        case .du: return "DU path [children=1]"
        case .setQuota: return "SETQUOTA path [files=N] [bytes=N]"
        case .truncate: return "TRUNCATE path size=N [call=ID]"
        case .quotas: return "QUOTAS [path]"
        case .concat: return "CONCAT destination source... [replication=N] [pad=1] [call=ID]"
        case .checksum: return "CHECKSUM handle=H version=V length=N"
        }
    }

    /// What the verb does, in a few plain words (no `=` or `%`, so it reads the same on the wire).
    public var summary: String {
        switch self {
        case .mkdir: return "make a directory (parents makes missing ancestors)"
        case .create: return "create an empty file"
        case .ls: return "list a directory as ENTRY lines"
        case .stat: return "describe one file or directory"
        case .mv: return "rename a file or directory tree"
        case .rm: return "remove a file or (with recursive) a directory tree"
        case .lookup: return "file size and chunk locations as CHUNK lines"
        case .allocate: return "chunk N of a file (created when it is the next one)"
        case .lease: return "primary and secondaries of a chunk (granting a lease if none is held)"
        case .setSize: return "record that a file was written up to size bytes"
        case .register: return "chunkserver joins with a report of its chunks (lines of handle version length)"
        case .heartbeat: return "chunkserver is alive and asks for lease extensions (gets EXTEND and DELETE lines)"
        case .corrupt: return "a replica failed its checksum"
        case .status: return "role and counters (the master adds a SERVER line per chunkserver)"
        case .tail: return "shadow reads log records from sequence N (waiting up to wait_ms for new ones)"
        case .checkpoint: return "shadow fetches the newest checkpoint when the records it needs are gone"
        case .promote: return "make a shadow master the primary (after the primary is gone)"
        case .snapshot: return "copy a file or directory tree at once (chunks shared until written)"
        case .report: return "chunkserver's periodic full report (gets DELETE lines for orphans and stale replicas)"
        case .leave: return "chunkserver stops for a restart (its chunks wait out the restart grace)"
        case .drain: return "move every replica off a chunkserver (stop ends draining)"
        case .tune: return "change re-replication limits and the copy rate in bytes per second"
        case .deleted: return "deleted files under a path as DELETED lines (original path and deletion time)"
        case .undelete: return "restore the newest deleted copy of a path"
        case .gc: return "collect deleted files past their grace period (all takes every deleted file)"
        case .fsck: return "health of files and chunks under a path (FILE and CHUNK lines for trouble)"
        case .revoke: return "master takes back a primary lease before a snapshot"
        case .clone: return "master asks for a local copy of a shared chunk (copy-on-write)"
        case .replicate: return "copy a chunk from another chunkserver (re-replication)"
        case .push: return "take bytes into a buffer and forward them down the chain as they arrive"
        case .write: return "primary applies pushed bytes then forwards to secondaries and answers when all did"
        case .apply: return "secondary applies pushed bytes in the serial order of the primary (durable after SYNC)"
        case .sync: return "make every mutation of a chunk applied so far durable (one fdatasync shared by many)"
        case .append: return "primary appends pushed bytes as one record at an offset it picks"
        case .pad: return "secondary pads the chunk with zeros when a record did not fit"
        case .read: return "read a range after verifying its block checksums"
        case .local: return "a ticket for a replica's files, for a reader on the same machine to read itself"
        case .open: return "the replica's files, sent open, for a LOCAL ticket (on LOCAL's socket only)"
        case .grant: return "adopt a new chunk version (and a lease when lease_ms is given)"
        case .hello: return "start proving the cluster secret (the reply holds the nonce and proof of the server)"
        case .auth: return "prove the cluster secret (until then every other verb is refused)"
        case .help: return "list the verbs this port answers"
        case .setrep: return "change the replication goal of a file (recursive: of every file under a directory)"
        case .du: return "files, directories, bytes and replicated bytes under a path (children: a USAGE line per child)"
        case .truncate: return "cut a file to size bytes (a chunk cut inside is replaced by a shortened copy)"
        case .setQuota: return "limit the entries and replicated bytes under a directory (neither field: no quota)"
        case .quotas: return "quotas at or under a path with their use, as QUOTA lines"
        case .concat: return "append the whole chunks of sources to a file (made if missing) without copying data"
        case .checksum: return "CRC32C of the first length bytes of a replica, composed from its block checksums"
        }
    }

    /// The verbs `role` answers, in table order.
    public static func answered(by role: Role) -> [Verb] { allCases.filter { $0.roles.contains(role) } }

    /// The `HELP` reply for `role`: one body line per verb, its grammar then its summary.
    public static func helpReply(for role: Role) -> Reply {
        .ok([.init("role", role.rawValue)], body: answered(by: role).map { verb in
            // Field names only: `=` would be percent-encoded, and the exact grammar is in gfs-protocol(5).
            let names = verb.usage.split(separator: " ").dropFirst().map { $0.split(separator: "=")[0] + ($0.hasPrefix("[") && $0.contains("=") ? "]" : "") }
            return Line(verb.rawValue, names.map(String.init) + ["--"] + verb.summary.split(separator: " ").map(String.init))
        })
    }
}
