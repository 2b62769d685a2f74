import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<folder>/LOCK`, so two servers never share one data folder. Released when the
/// process exits.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// Creates the folder if needed and locks it; UNAVAILABLE when another process holds it.
    public init(_ folder: String, role: String) throws(GFSError) {
        try Self.makeDirectories(folder)
        let path = folder + "/LOCK"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GFSError(.unavailable, "\(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw GFSError(.unavailable, "\(folder) is in use by another \(role) (LOCK is held)")
        }
        let note = "\(getpid()) \(role)\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(GFSError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw GFSError(.unavailable, "cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
