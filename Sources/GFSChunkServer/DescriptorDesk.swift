import Foundation
import GFSClient
import GFSProtocol
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Where a reader on this machine collects a replica's files, open, for a ticket `LOCAL` gave it: this
/// server's descriptor socket (`DescriptorSocket`). The reader needs no right to the chunkserver's folder,
/// whichever user it runs as, and the files it gets are read-only. One thread answers, one connection at a
/// time: each is one line in and one out, and a peer that stalls is dropped after
/// `DescriptorSocket.serverPatience`. It lives as long as the process.
final class DescriptorDesk: Sendable {
    /// The socket's name in the abstract namespace.
    let name: String
    private let listener: Int32
    private let tickets = NIOLockedValueBox(LocalTickets())
    private let clock = SystemClock()
    private let store: ChunkStore
    private let logger: Logger

    private init(name: String, listener: Int32, store: ChunkStore, logger: Logger) {
        self.name = name
        self.listener = listener
        self.store = store
        self.logger = logger
    }

    /// Binds a fresh socket and starts answering on it; nil, with a warning, where that fails (local reads
    /// then go over the protocol port).
    static func open(store: ChunkStore, logger: Logger) -> DescriptorDesk? {
        let name = DescriptorSocket.randomName()
        guard let listener = DescriptorSocket.listen(name) else {
            let failure = String(cString: strerror(errno))
            logger.warning("no descriptor socket (\(failure)): local readers will use the port")
            return nil
        }
        let desk = DescriptorDesk(name: name, listener: listener, store: store, logger: logger)
        let thread = Thread { desk.answer() }
        thread.name = "gfs-descriptors"
        thread.start()
        return desk
    }

    /// A ticket for one `OPEN` of `handle`'s files, and the proof the files will come with.
    func ticket(for handle: ChunkHandle) -> (ticket: LocalTickets.Ticket, proof: RandomName) {
        var random = SystemRandomNumberGenerator()
        return tickets.withLockedValue { $0.issue(handle, now: clock.now, using: &random) }
    }

    private func answer() {
        var pause: UInt32 = 0
        while true {
            let connection = DescriptorSocket.accept(listener)
            guard connection >= 0 else {
                // Out of descriptors, or worse: wait for things to change rather than spin (as Go's net/http).
                if errno != EINTR && errno != ECONNABORTED {
                    pause = min(max(pause * 2, 5_000), 1_000_000)
                    usleep(pause)
                }
                continue
            }
            pause = 0
            DescriptorSocket.setPatience(DescriptorSocket.serverPatience, on: connection)
            serve(connection)
            close(connection)
        }
    }

    private func serve(_ connection: Int32) {
        // No file a peer attaches is taken in (`files: 0`).
        guard let (line, _) = DescriptorSocket.receive(on: connection, files: 0) else { return }
        do throws(GFSError) {
            guard let line else { throw GFSError(.badRequest, "not one line of at most \(DescriptorSocket.maximumLine) bytes") }
            guard case let .open(ticket) = try ChunkRequest(line) else {
                throw GFSError(.badRequest, "\(line.verb): only OPEN is answered on this socket")
            }
            guard let grant = tickets.withLockedValue({ $0.redeem(ticket, now: clock.now) }) else {
                throw GFSError(.denied, "OPEN: no such ticket (used, expired or never given)")
            }
            let opened = try store.openForReading(grant.handle)
            defer {
                close(opened.chunk)
                close(opened.checksum)
            }
            if let problem = DescriptorSocket.send(OpenReply(proof: grant.proof).reply.line, files: [opened.chunk, opened.checksum],
                                                   on: connection) {
                logger.debug("descriptor socket: a reader left before its files went: \(problem)")
            }
        } catch {
            if error.code == .internal { logger.warning("descriptor socket: \(error.message)") }
            DescriptorSocket.send(Reply.error(error).line, on: connection)
        }
    }
}
