import GFSClient
import GFSProtocol
import NIOCore

/// Receives a `PUSH` payload and forwards each part to the next chunkserver in the chain as soon as it
/// arrives (GFS §3.2), so a push to three replicas takes about as long as a push to one.
enum PushReceiver {
    /// Replicas a chunk may have (the master's limit), so the chain after the first is shorter.
    static let longestChain = 16
    static func receive(_ line: Line, length: Int,
                        frames: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator,
                        service: ChunkService, guest: Bool) async throws -> Reply {
        let request: ChunkRequest
        do {
            request = try ChunkRequest(line)
        } catch {
            try await drain(&frames)
            return .error(error)
        }
        guard case let .push(id, _, chain) = request else {
            try await drain(&frames)
            return .error(GFSError(.badRequest, "\(line.verb) takes no payload"))
        }
        if guest {
            do { try service.admitGuest(request, line: line) } catch {
                try await drain(&frames)
                return .error(error)
            }
        }
        // No loops: a chain naming this server, or one server twice, would have servers push to each other
        // and buffer the payload again at every hop.
        guard !chain.contains(service.address), Set(chain).count == chain.count, chain.count < Self.longestChain else {
            try await drain(&frames)
            return .error(GFSError(.badRequest, "PUSH chain= must name other chunkservers, each once, at most \(Self.longestChain - 1)"))
        }
        // Room for the whole payload before any of it is read (or forwarded): a claimed length costs nothing
        // the server has not set aside (in memory, at most twice what is set aside: `PushedBytes`).
        do { try service.pushes.reserve(length) } catch {
            try await drain(&frames)
            return .error(error)
        }
        var stored = false
        defer { if !stored { service.pushes.release(length) } }
        var failure: GFSError?
        var downstream: Connection?
        var downstreamReply: EventLoopFuture<Reply>?
        if let next = chain.first {
            do {
                let connection = try await service.pool.borrow(next)
                let forward = ChunkRequest.push(id: id, length: length, chain: Array(chain.dropFirst()))
                downstreamReply = connection.startStreaming(forward.line)
                downstream = connection
            } catch {
                failure = GFSError(.unavailable, "forwarding push to \(next): \(error.message)")
            }
        }
        var data = PushedBytes()
        receiving: while let frame = try await frames.next() {
            guard case .part(let bytes, let last) = frame else { break }
            data.append(bytes)
            if failure == nil, let downstream {
                do { try await downstream.write(bytes) } catch {
                    failure = GFSError(.unavailable, "forwarding push to \(downstream.address): \(error.message)")
                }
            }
            if last { break receiving }
        }
        guard data.count == length else {
            downstream?.close()
            throw GFSError(.badRequest, "connection closed mid-payload")
        }
        if failure == nil, let downstreamReply {
            do { _ = try await downstreamReply.reply() } catch {
                failure = GFSError(error.code, "forwarding push to \(chain[0]): \(error.message)")
            }
        }
        if let downstream {
            // Only a connection whose exchange finished cleanly is in frame for the next push.
            if failure == nil { await service.pool.giveBack(downstream) } else { downstream.close() }
        }
        if let failure { return .error(failure) }
        service.pushes.store(id, data)
        stored = true
        return .ok()
    }

    /// Skips the rest of a payload that will not be used, so the connection stays in frame.
    static func drain(_ frames: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator) async throws {
        while let frame = try await frames.next() {
            if case .part(_, true) = frame { return }
        }
    }
}
