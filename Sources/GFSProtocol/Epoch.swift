import GFSCore

/// Masters are fenced by epoch (DESIGN §6): every order a master gives a chunkserver (GRANT, REVOKE, CLONE,
/// REPLICATE, and the DELETE and EXTEND in heartbeat replies) carries `epoch=E`, the etcd revision at which
/// it won its election; a chunkserver refuses orders from an epoch below the highest it has seen. A master
/// run without etcd has epoch 0, and the field is left out.
public enum Epoch {
    /// The field's name.
    public static let field = "epoch"

    /// `line` with `epoch=E` added (nothing for epoch 0).
    public static func stamp(_ line: Line, _ epoch: UInt64) -> Line {
        guard epoch > 0 else { return line }
        var line = line
        line.fields.append(.init(field, String(epoch)))
        return line
    }

    /// The epoch `line` carries; 0 when it has none.
    public static func of(_ line: Line) throws(GFSError) -> UInt64 {
        UInt64(try line.integer(field) ?? 0)
    }
}

extension ChunkRequest {
    /// The request as master `epoch` sends it.
    public func line(epoch: UInt64) -> Line { Epoch.stamp(line, epoch) }
}

extension ChunkRequest {
    /// Whether only the primary master may send this (and so it carries the master's epoch).
    public var isMasterOrder: Bool {
        switch self {
        case .grant, .revoke, .clone, .replicate: return true
        default: return false
        }
    }
}
