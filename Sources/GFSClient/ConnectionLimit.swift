import GFSProtocol
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Connections a server holds at once, overall and from one address, so no peer can take every descriptor:
/// past either bound a new connection gets one `ERR UNAVAILABLE` and is closed.
final class ConnectionLimit: Sendable {
    let total: Int
    let perPeer: Int
    private let open = NIOLockedValueBox<(total: Int, byPeer: [String: Int])>((0, [:]))

    /// Raises this process's soft descriptor limit to its hard one (at most 2^20), as Go does for every program:
    /// a user's login gets a soft limit of 1,024, kept low only for programs that use select(2), and a server
    /// under it would turn clients away past 768 connections. NIO waits with epoll, which has no such bound.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, 1 << 20)
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = wanted
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Bounds below this process's descriptor limit, leaving room for its files and outgoing connections.
    init() {
        var limit = rlimit()
        let descriptors = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        total = max(16, min(16384, descriptors - 256))
        perPeer = max(8, total / 4)
    }

    /// Counts a new connection from `peer` in, or says it is one too many.
    func admit(_ peer: String) -> Bool {
        open.withLockedValue { state in
            guard state.total < total, state.byPeer[peer, default: 0] < perPeer else { return false }
            state.total += 1
            state.byPeer[peer, default: 0] += 1
            return true
        }
    }

    func left(_ peer: String) {
        open.withLockedValue { state in
            state.total -= 1
            let count = state.byPeer[peer, default: 1] - 1
            state.byPeer[peer] = count > 0 ? count : nil
        }
    }

    /// Says why, then closes: the connection never reaches the role.
    final class Refusal: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let reason: String
        init(_ reason: String) { self.reason = reason }

        func channelActive(context: ChannelHandlerContext) {
            var buffer = context.channel.allocator.buffer(capacity: 128)
            Reply.error(GFSError(.unavailable, reason)).writeHead(to: &buffer)
            let channel = context.channel
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }
}
