import GFSCore
import GFSProtocol
import NIOCore

/// Reads that ride through a replica that stopped answering (a SIGSTOPped or wedged chunkserver: its kernel
/// still takes the request, so only the reply's deadline would end the wait).
extension Client {
    /// What asking the replicas of one range came to.
    enum RangeRead: Sendable {
        case read([ByteBuffer])
        /// Every replica asked failed; `denied` if one refused the token.
        case failed([String], denied: Bool)
    }

    /// `servers` in their order, the suspect ones last.
    func trustedFirst(_ servers: [ServerID]) -> [ServerID] {
        let now = clock.now
        return suspects.withLockedValue { $0.ordered(servers, at: now) }
    }

    /// Reads the range from the first of `candidates` to answer in full. One that fails is suspected and the
    /// next is asked; one silent for `hedgeAfter` is suspected and the next is asked as well, and the first
    /// full answer wins (HDFS's hedged reads). A request left waiting on a silent server is not waited for:
    /// it ends at its own deadline, and its answer is dropped.
    func firstRead(_ chunk: ChunkLocation, from candidates: [ServerID], offset: Int64, length: Int) async -> RangeRead {
        enum Event: Sendable {
            case answered(Int, Result<[ByteBuffer], GFSError>)
            case slow(Int)
        }
        guard !candidates.isEmpty else { return .failed([], denied: false) }
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        var timers: [Task<Void, Never>] = []
        defer {
            sink.finish()
            for timer in timers { timer.cancel() }
        }
        let (chunks, hedgeAfter) = (self.chunks, self.hedgeAfter)
        var asked = 0
        var waiting: Set<Int> = []
        var failures: [String] = []
        var denied = false
        func askNext() {
            let index = asked
            let server = candidates[index]
            asked += 1
            waiting.insert(index)
            Task {
                let result: Result<[ByteBuffer], GFSError>
                do throws(GFSError) {
                    result = .success(try await chunks.read(chunk.handle, version: chunk.version, offset: offset,
                                                            length: length, from: server, token: chunk.token))
                } catch {
                    result = .failure(error)
                }
                sink.yield(.answered(index, result))
            }
            if asked < candidates.count {
                timers.append(Task {
                    guard (try? await Task.sleep(for: hedgeAfter)) != nil else { return }
                    sink.yield(.slow(index))
                })
            }
        }
        askNext()
        for await event in events {
            switch event {
            case let .slow(index):
                // Only the latest request, still waiting, calls for another.
                guard index == asked - 1, waiting.contains(index), asked < candidates.count else { continue }
                suspect(candidates[index])
                askNext()
            case let .answered(index, .success(parts)):
                waiting.remove(index)
                let server = candidates[index]
                let count = parts.reduce(0) { $0 + $1.readableBytes }
                if count == length {
                    suspects.withLockedValue { $0.answered(server) }
                    return .read(parts)
                }
                failures.append("\(server): short read (\(count) of \(length) bytes)")
            case let .answered(index, .failure(error)):
                waiting.remove(index)
                let server = candidates[index]
                failures.append("\(server): \(error.message)")
                denied = denied || error.code == .denied
                // A silent or unreachable server, not one that answered about this chunk (a checksum, a version).
                if error.code == .timeout || error.code == .unavailable { suspect(server) }
            }
            // A failure moves on at once, whoever else is still being waited for.
            if asked < candidates.count {
                askNext()
            } else if waiting.isEmpty {
                return .failed(failures, denied: denied)
            }
        }
        // The stream ends early only when the read was cancelled.
        return .failed(failures + ["cancelled"], denied: denied)
    }

    private func suspect(_ server: ServerID) {
        let now = clock.now
        suspects.withLockedValue { $0.suspect(server, at: now) }
    }
}
