import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<folder>/LOCK`, so two servers never share one data folder. Released when the
/// process exits.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// Creates the folder if needed, locks it, and makes it its owner's alone; UNAVAILABLE when another
    /// process holds it, or the folder cannot be made private (it is another user's).
    public init(_ folder: String, role: String) throws(GFSError) {
        try Self.makeDirectories(folder)
        let path = folder + "/LOCK"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GFSError(.unavailable, "\(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw GFSError(.unavailable, "\(folder) is in use by another \(role) (LOCK is held)")
        }
        // Only once it is this server's: a second server must hear that the folder is in use, and touch nothing.
        do { try Self.makePrivate(folder) } catch {
            close(descriptor)
            throw error
        }
        let note = "\(getpid()) \(role)\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Mode 0700, as HDFS keeps a DataNode's data folders: a server's replicas, logs and checkpoints are read
    /// only through the server, which checks tokens and export rules, and never straight off the disk by
    /// another user of the machine. A folder opened wider (or made by an older gfs) is closed again, keeping
    /// its setgid and sticky bits; one that belongs to another user is refused, as HDFS refuses it.
    static func makePrivate(_ folder: String) throws(GFSError) {
        var status = stat()
        guard stat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw GFSError(.unavailable, "\(folder) is not a folder this server can use")
        }
        guard status.st_mode & 0o077 != 0 else { return }
        guard chmod(folder, status.st_mode & 0o7700) == 0 else {
            let reason = errno == EPERM ? "it belongs to uid \(status.st_uid), and this server runs as uid \(geteuid()); chown it"
                : String(cString: strerror(errno))
            throw GFSError(.unavailable, "cannot make \(folder) its owner's alone (mode 700): \(reason)")
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
