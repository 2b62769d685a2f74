import GFSCore

extension MasterRequest {
    /// What this request needs of a caller that is not the cluster principal (DESIGN §6: with a secret,
    /// every state change comes from a peer entitled to it).
    public var needs: [ExportRules.Need] {
        switch self {
        case let .makeDirectory(path, _), let .create(path, _, _), let .remove(path, _), let .allocate(path, _),
            let .setSize(path, _, _, _), let .undelete(path), let .setReplication(path, _, _),
            let .truncate(path, _):
            return [.write(path)]
        case let .usage(path, _):
            // Like FSCK: a walk of the whole namespace is for admins.
            return path.isRoot ? [.admin] : [.read(path)]
        case let .list(path, _, _), let .stat(path), let .lookup(path, _), let .deleted(path), let .quotas(path):
            return [.read(path)]
        case let .move(source, destination):
            return [.write(source), .write(destination)]
        case let .concat(destination, sources, _, _):
            // Like a snapshot: the sources' leases are revoked and their writers copy on write afterwards.
            return [.write(destination)] + sources.map { .write($0) }
        case let .snapshot(source, destination):
            // A snapshot revokes the leases under its source and makes its writers copy on write.
            return [.write(source), .write(destination)]
        case let .lease(_, path):
            // Without the path, nothing ties the chunk to a file the caller may change.
            return path.map { [.write($0)] } ?? [.member]
        case let .fsck(path, _, _, _, _):
            return path.isRoot ? [.admin] : [.read(path)]
        case .promote, .drain, .tune, .collectGarbage, .setQuota:
            return [.admin]
        case .register, .heartbeat, .corrupt, .tail, .checkpoint, .report, .leave:
            return [.member]
        case .status, .help:
            return []
        }
    }
}

/// A chunk operation from a peer that is not a member carries `token=`, issued by the master in a `LOOKUP`
/// (read) or `LEASE` (write) reply.
public enum TokenField {
    public static let field = "token"

    /// `line` with `token=` added, when there is one.
    public static func stamp(_ line: Line, _ token: String?) -> Line {
        guard let token else { return line }
        var line = line
        line.fields.append(.init(field, token))
        return line
    }
}
