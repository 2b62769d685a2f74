import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<folder>/LOCK`, so two servers never share one data folder. Released when the
/// process exits.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// Creates the folder if needed, makes it its owner's alone, and locks it; UNAVAILABLE when another
    /// process holds it, or the folder cannot be made private.
    public init(_ folder: String, role: String) throws(GFSError) {
        try Self.makeDirectories(folder)
        try Self.makePrivate(folder)
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

    /// Mode 0700, as HDFS keeps a DataNode's data folders: a server's replicas, logs and checkpoints are read
    /// only through the server, which checks tokens and export rules, and never straight off the disk by
    /// another user of the machine. A folder opened wider (or made by an older gfs) is closed again.
    static func makePrivate(_ folder: String) throws(GFSError) {
        var status = stat()
        guard stat(folder, &status) == 0 else {
            throw GFSError(.unavailable, "cannot read \(folder): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o077 != 0 else { return }
        guard chmod(folder, 0o700) == 0 else {
            throw GFSError(.unavailable, "cannot make \(folder) its owner's alone (chmod 700): \(String(cString: strerror(errno)))")
        }
    }

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
