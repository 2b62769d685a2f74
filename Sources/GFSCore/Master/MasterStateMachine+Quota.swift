/// A directory's quota (as HDFS's name and space quotas): limits, and what is under it now.
public struct DirectoryQuota: Sendable, Equatable {
    /// Most files and directories under it (itself not counted); nil: no limit.
    public var files: Int64?
    /// Most bytes under it, each file's counted once per replica; nil: no limit.
    public var bytes: Int64?
    /// Files and directories under it now.
    public var usedFiles: Int64 = 0
    /// Bytes times replication under it now.
    public var usedBytes: Int64 = 0

    public init(files: Int64?, bytes: Int64?, usedFiles: Int64 = 0, usedBytes: Int64 = 0) {
        self.files = files
        self.bytes = bytes
        self.usedFiles = usedFiles
        self.usedBytes = usedBytes
    }
}

/// Quotas per directory: what each mutation adds under them is counted as it is applied, so a check costs a
/// walk up the path, never down the tree; only setting a quota walks what is under it once.
extension MasterStateMachine {
    /// What a mutation adds (or, negative, takes away) at a path: entries and bytes times replication.
    struct QuotaChange {
        var path: GFSPath
        var files: Int64
        var bytes: Int64
    }

    /// Entries and replicated bytes at `path` and under it, the path itself counted.
    func quotaUse(_ path: GFSPath) -> (files: Int64, bytes: Int64) {
        var (files, bytes): (Int64, Int64) = (0, 0)
        for current in namespace.subtree(path) {
            guard let entry = namespace[current] else { continue }
            files += 1
            bytes = Self.adding(bytes, Self.space(entry.length, entry.replication))
        }
        return (files, bytes)
    }

    static func space(_ length: Int64, _ replication: Int) -> Int64 {
        let (product, overflow) = length.multipliedReportingOverflow(by: Int64(replication))
        return overflow ? .max : product
    }

    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// What `mutation` will change, worked out before it is applied (the old lengths and trees are needed).
    func quotaChanges(_ mutation: Mutation) -> [QuotaChange] {
        switch mutation {
        case let .makeDirectory(path, _), let .createFile(path, _, _, _):
            return [QuotaChange(path: path, files: 1, bytes: 0)]
        case let .remove(path, _):
            let use = quotaUse(path)
            return [QuotaChange(path: path, files: -use.files, bytes: -use.bytes)]
        case let .move(source, destination, _):
            let use = quotaUse(source)
            // The first delete makes the trash folder too (see `apply`).
            let trash = destination.isInTrash && namespace[Trash.folder] == nil
                ? [QuotaChange(path: Trash.folder, files: 1, bytes: 0)] : []
            return trash + [QuotaChange(path: source, files: -use.files, bytes: -use.bytes),
                            QuotaChange(path: destination, files: use.files, bytes: use.bytes)]
        case let .snapshot(source, destination, _):
            let use = quotaUse(source)
            return [QuotaChange(path: destination, files: use.files, bytes: use.bytes)]
        case let .setLength(path, length, _):
            guard let entry = namespace[path], length > entry.length else { return [] }
            return [QuotaChange(path: path, files: 0, bytes: Self.space(length - entry.length, entry.replication))]
        case let .setReplication(path, replication):
            guard let entry = namespace[path] else { return [] }
            let change = Self.space(entry.length, replication) - Self.space(entry.length, entry.replication)
            return [QuotaChange(path: path, files: 0, bytes: change)]
        case let .truncate(path, length, _, _, _):
            guard let entry = namespace[path], length < entry.length else { return [] }
            return [QuotaChange(path: path, files: 0, bytes: -Self.space(entry.length - length, entry.replication))]
        case let .concat(destination, sources, replication, _, padded):
            let goal = namespace[destination]?.replication ?? replication
            let padding = Set(padded.map(\.source))
            let length = sources.enumerated().reduce(Int64(0)) {
                Self.adding($0, concatLength(of: $1.element, padded: padding.contains($1.offset)))
            }
            return [QuotaChange(path: destination, files: namespace[destination] == nil ? 1 : 0, bytes: Self.space(length, goal))]
        default:
            return []
        }
    }

    /// The quota directories strictly above `path`.
    func quotaDirectories(above path: GFSPath) -> [GFSPath] {
        var found: [GFSPath] = []
        var current = path
        while !current.isRoot {
            current = current.parent
            if quotas[current] != nil { found.append(current) }
        }
        return found
    }

    mutating func account(_ changes: [QuotaChange]) {
        for change in changes {
            for directory in quotaDirectories(above: change.path) {
                guard var quota = quotas[directory] else { continue }
                quota.usedFiles = Self.adding(quota.usedFiles, change.files)
                quota.usedBytes = Self.adding(quota.usedBytes, change.bytes)
                quotas[directory] = quota
            }
        }
    }

    /// QUOTA when `changes`, summed per directory (a rename inside one adds nothing to it), would take a
    /// directory past a limit; what does not grow a directory is always allowed.
    func checkQuota(_ changes: [QuotaChange]) throws(GFSError) {
        guard !quotas.isEmpty else { return }
        var sums: [GFSPath: (files: Int64, bytes: Int64)] = [:]
        for change in changes {
            for directory in quotaDirectories(above: change.path) {
                let sum = sums[directory] ?? (0, 0)
                sums[directory] = (Self.adding(sum.files, change.files), Self.adding(sum.bytes, change.bytes))
            }
        }
        for (directory, sum) in sums.sorted(by: { $0.key.string < $1.key.string }) {
            guard let quota = quotas[directory] else { continue }
            if let files = quota.files, sum.files > 0, Self.adding(quota.usedFiles, sum.files) > files {
                throw GFSError(.quota, "\(directory): quota of \(files) files and directories reached (\(quota.usedFiles) used)")
            }
            if let bytes = quota.bytes, sum.bytes > 0, Self.adding(quota.usedBytes, sum.bytes) > bytes {
                throw GFSError(.quota, "\(directory): quota of \(bytes) bytes (counting every replica) reached (\(quota.usedBytes) used, \(sum.bytes) more asked)")
            }
        }
    }

    /// QUOTA when applying `mutation` would take a directory past a limit.
    func checkQuota(for mutation: Mutation) throws(GFSError) {
        guard !quotas.isEmpty else { return }
        try checkQuota(quotaChanges(mutation))
    }

    /// QUOTA when chunk `index` of `path` would not fit: like HDFS, a file being written is charged for every
    /// chunk it has asked for, whole and times its replication, beyond the length it has reported.
    func checkQuotaForNewChunk(_ path: GFSPath, index: Int, entry: Namespace.Entry) throws(GFSError) {
        guard !quotas.isEmpty else { return }
        let (allocated, overflow) = Int64(index + 1).multipliedReportingOverflow(by: configuration.chunkSize)
        let charge = overflow ? .max : Self.space(max(0, allocated - entry.length), entry.replication)
        try checkQuota([QuotaChange(path: path, files: 0, bytes: charge)])
    }

    /// Quotas inside a moved tree move with it; those inside a removed one go.
    mutating func moveQuotas(from source: GFSPath, to destination: GFSPath?) {
        for path in quotas.keys where path == source || path.isDescendant(of: source) {
            let quota = quotas.removeValue(forKey: path)
            if let destination { quotas[path.replacingPrefix(source, with: destination)] = quota }
        }
    }

    /// Validates and applies `SETQUOTA`: limits on a directory (both nil removes its quota).
    public mutating func setQuota(_ path: GFSPath, files: Int64?, bytes: Int64?) throws(GFSError) -> Mutation {
        guard try stat(path).kind == .directory else { throw GFSError(.notDirectory, "\(path): quotas are set on directories") }
        guard (files ?? 0) >= 0, (bytes ?? 0) >= 0 else { throw GFSError(.badRequest, "a quota cannot be negative") }
        let mutation = Mutation.setQuota(path, files: files, bytes: bytes)
        apply(mutation)
        return mutation
    }

    mutating func applyQuota(_ path: GFSPath, files: Int64?, bytes: Int64?) {
        guard files != nil || bytes != nil else {
            quotas[path] = nil
            return
        }
        let use = quotaUse(path)
        let own = namespace[path].map { Self.space($0.length, $0.replication) } ?? 0
        quotas[path] = DirectoryQuota(files: files, bytes: bytes, usedFiles: use.files - 1, usedBytes: use.bytes - own)
    }

    /// Quotas at or under `path`, by path.
    public func quotas(under path: GFSPath) -> [(path: GFSPath, quota: DirectoryQuota)] {
        quotas.filter { $0.key == path || $0.key.isDescendant(of: path) }.sorted { $0.key.string < $1.key.string }
            .map { ($0.key, $0.value) }
    }
}
