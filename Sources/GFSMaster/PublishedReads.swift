import GFSCore
import GFSProtocol
import NIOConcurrencyHelpers

/// What a primary answers `STAT` and `LS` from: its state as of its newest durable commit. A view is an O(1)
/// copy of persistent trees, taken when the commit's records are queued and published once they are durable
/// (and on the log replicas), so no read tells of a mutation a failed fsync could still undo. A shadow
/// publishes none: its reads go through its actor, which follows the primary's log.
public final class PublishedReads: Sendable {
    private struct Published {
        var view: ReadView
        var sequence: UInt64
        /// Under etcd: whether the election lease surely still holds.
        var stillLeading: (@Sendable () -> Bool)?
    }

    private let published = NIOLockedValueBox<Published?>(nil)

    public init() {}

    /// The newest view; nil on a shadow, or when the election lease may have lapsed (the actor then exits).
    public var current: ReadView? {
        guard let published = published.withLockedValue({ $0 }) else { return nil }
        if let leading = published.stillLeading, !leading() { return nil }
        return published.view
    }

    /// Publishes `view`, the state as of log record `sequence`, unless a newer view is out already.
    func publish(_ view: ReadView, at sequence: UInt64) {
        published.withLockedValue { published in
            guard var newer = published, sequence > newer.sequence else { return }
            (newer.view, newer.sequence) = (view, sequence)
            published = newer
        }
    }

    /// Puts out `view` whatever was out before (the primary started, was elected or promoted, or reloaded its
    /// durable state); nil withdraws it (a shadow).
    func reset(_ view: ReadView?, at sequence: UInt64, stillLeading: (@Sendable () -> Bool)?) {
        published.withLockedValue { $0 = view.map { Published(view: $0, sequence: sequence, stillLeading: stillLeading) } }
    }

    /// The reply to `STAT` or `LS` from `view`; nil for any other request.
    static func answer(_ request: MasterRequest, from view: ReadView) throws(GFSError) -> Reply? {
        switch request {
        case let .list(path, after, limit):
            let page = try view.list(path, after: after, limit: limit ?? MasterRequest.listPage)
            return .ok(page.next.map { [Line.Field("next", $0)] } ?? [],
                       body: page.entries.map { EntryInfo(path: $0.path, entry: $0.entry).line })
        case let .stat(path):
            var info = EntryInfo(path: path, entry: try view.stat(path))
            info.shared = view.sharing(path)
            return .ok(info.fields)
        default:
            return nil
        }
    }
}
