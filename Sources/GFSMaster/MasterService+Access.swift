import Foundation
import GFSClient
import GFSProtocol

/// With a cluster secret: what the master asks of callers that are not members (DESIGN §6), the chunk tokens
/// it hands them, and the audit log.
public struct AccessControl: Sendable {
    /// Who may do what (`--exports`); without a file, every authenticated principal may do everything.
    public var exports: ExportRules = .open
    /// Signs chunk tokens for client principals; nil without a cluster secret (no tokens are needed then).
    public var tokenKeys: ChunkTokenKeys?
    /// Where namespace changes and refusals are recorded, if anywhere.
    var audit: AuditLog?

    /// No secret: everyone is trusted.
    init() {}

    public init(exports: ExportRules = .open, tokenKeys: ChunkTokenKeys? = nil, auditLog: String? = nil) throws(GFSError) {
        self.exports = exports
        self.tokenKeys = tokenKeys
        audit = try auditLog.map { (path) throws(GFSError) in try AuditLog(path: path) }
    }
}

extension MasterService {
    /// Sets who may do what, the token keys and the audit log.
    public func secure(_ access: AccessControl) { self.accessControl = access }

    /// The request as a caller that is not a member may run it (a CREATE's replication brought within its
    /// rule's bounds), or DENIED.
    func authorize(_ request: MasterRequest, principal: String, address: [UInt8]?) throws(GFSError) -> MasterRequest {
        // Every need is checked (a CONCAT's sources as well as its destination) before anything is clamped.
        var rules: [ExportRules.Rule] = []
        for need in request.needs {
            guard need != .member else {
                throw GFSError(.denied, "\(principal) may not \(request.line.verb): only masters and chunkservers may")
            }
            rules.append(try accessControl.exports.check(need, principal: principal, address: address))
        }
        // Replication goals are held to the rule of the file that gets them (the first need).
        guard let rule = rules.first else { return request }
        switch request {
        case let .create(path, replication, records):
            return .create(path, replication: rule.clamp(replication ?? state.configuration.defaultReplication), records: records)
        case let .concat(destination, sources, replication, pad):
            return .concat(destination, sources: sources,
                           replication: rule.clamp(replication ?? state.configuration.defaultReplication), pad: pad)
        case let .setReplication(path, replication, recursive):
            return .setReplication(path, replication: rule.clamp(replication), recursive: recursive)
        default:
            return request
        }
    }

    /// `layout` with a read token on every chunk, for a client principal.
    func withReadTokens(_ layout: FileLayout, for principal: String?) -> FileLayout {
        guard let principal, let keys = accessControl.tokenKeys else { return layout }
        let now = state.clock.wallMilliseconds
        var layout = layout
        for index in layout.chunks.indices {
            let chunk = layout.chunks[index]
            layout.chunks[index].token = keys.issue(chunk.handle, version: chunk.version, mode: .read,
                                                    principal: principal, now: now)
        }
        return layout
    }

    /// `lease` with a write token bound to its replicas, for a client principal.
    func withWriteToken(_ lease: LeaseInfo, for principal: String?) -> LeaseInfo {
        guard let principal, let keys = accessControl.tokenKeys else { return lease }
        var lease = lease
        lease.token = keys.issue(lease.handle, version: lease.version, mode: .write,
                                 replicas: [lease.primary] + lease.secondaries, principal: principal,
                                 now: state.clock.wallMilliseconds)
        return lease
    }

    /// The token key periods chunkservers are to accept, announced by a primary only.
    var announcedTokenKeys: [UInt64] {
        guard accessControl.tokenKeys != nil, ordersAsPrimary else { return [] }
        return ChunkTokenKeys.accepted(at: state.clock.wallMilliseconds)
    }

    /// Writes the audit lines gathered so far (before a planned stop).
    public func flushAudit() { accessControl.audit?.flush() }

    /// Records a namespace change, an administrative order or a refusal in the audit log.
    func audit(_ request: Line, verb: Verb?, principal: String, address: String, reply: Reply) {
        guard let audit = accessControl.audit else { return }
        let audited: Set<Verb> = [.mkdir, .create, .mv, .rm, .snapshot, .undelete, .gc, .drain, .tune, .promote, .setrep, .concat, .setQuota, .truncate]
        guard reply.error?.code == .denied || verb.map(audited.contains) == true else { return }
        audit.record(request, principal: principal, address: address, result: reply.error?.code,
                     milliseconds: state.clock.wallMilliseconds)
    }
}
