import GFSClient
import GFSProtocol
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// An audit trail of what this server acknowledged as primary: one line per mutation, with the wall time it was
/// ordered at, the chunk, the version and when its lease ends. Fault-injection runs check from these that no two servers
/// acknowledged mutations of one chunk under overlapping leases (DESIGN.md §6).
final class AcknowledgementLog: Sendable {
    private let descriptor: NIOLockedValueBox<Int32>
    private let server: ServerID

    /// Appends to `path`, creating it if needed.
    init(path: String, server: ServerID) throws(GFSError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GFSError(.internal, "\(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = NIOLockedValueBox(descriptor)
        self.server = server
    }

    deinit { descriptor.withLockedValue { _ = close($0) } }

    /// Records one acknowledged mutation of `handle` at `version`, ordered at wall time `ordered` under a lease
    /// ending at wall time `leaseEnd` (both in milliseconds since the epoch).
    func record(_ verb: String, handle: ChunkHandle, version: ChunkVersion, offset: Int64, bytes: Int,
                ordered: Int64, leaseEnd: Int64) {
        let line = Line(verb, fields: [
            "time_ms": String(ordered), "server": server.description, "handle": handle.description,
            "version": String(version), "offset": String(offset), "bytes": String(bytes),
            "lease_end_ms": String(leaseEnd),
        ]).description + "\n"
        descriptor.withLockedValue { descriptor in
            _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        }
    }
}
