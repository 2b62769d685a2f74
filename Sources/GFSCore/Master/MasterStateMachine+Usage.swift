/// What `SETREP` and `DU` ask of the namespace: a new replication goal for files already written, and what a
/// tree holds.
extension MasterStateMachine {
    /// Files, directories, bytes, and bytes times each file's replication (the disk space it takes, as HDFS's
    /// `du` and space quota count it).
    public struct Usage: Sendable, Equatable {
        public var files = 0, directories = 0
        public var bytes: Int64 = 0, space: Int64 = 0

        public init() {}

        mutating func add(_ entry: Namespace.Entry) {
            if entry.kind == .directory {
                directories += 1
            } else {
                files += 1
                bytes = bytes.addingReportingOverflow(entry.length).overflow ? .max : bytes + entry.length
                let (product, overflow) = entry.length.multipliedReportingOverflow(by: Int64(entry.replication))
                space = overflow || space.addingReportingOverflow(product).overflow ? .max : space + product
            }
        }
    }

    /// What `path` and everything under it hold (the trash left out unless asked for).
    public func usage(_ path: GFSPath) throws(GFSError) -> Usage {
        _ = try stat(path)
        var usage = Usage()
        for current in namespace.subtree(path) where current == path || !current.isInTrash || path.isInTrash {
            if let entry = namespace[current] { usage.add(entry) }
        }
        return usage
    }

    /// Validates and applies `SETREP`: every file at or (with `recursive`) under `path` gets `replication` as
    /// its goal. Returns the mutations, one per file whose goal changed.
    public mutating func setReplication(_ path: GFSPath, to replication: Int, recursive: Bool) throws(GFSError) -> [Mutation] {
        guard (1...16).contains(replication) else { throw GFSError(.badRequest, "replication must be 1...16, not \(replication)") }
        let entry = try stat(path)
        if entry.kind == .directory, !recursive {
            throw GFSError(.isDirectory, "\(path): is a directory (setrep -R changes every file under it)")
        }
        let mutations = namespace.subtree(path).compactMap { current -> Mutation? in
            guard let file = namespace[current], file.kind == .file, file.replication != replication else { return nil }
            return Mutation.setReplication(current, replication: replication)
        }
        // All or nothing: every file's new goal is checked against the quotas before any is applied.
        if !quotas.isEmpty { try checkQuota(mutations.flatMap(quotaChanges)) }
        for mutation in mutations { apply(mutation) }
        return mutations
    }
}
