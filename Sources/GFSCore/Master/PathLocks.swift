/// Namespace locks (GFS §4.1): an operation takes read locks on every ancestor of the paths it touches and
/// write locks on those paths. So a snapshot of /home/u (write lock on it) and a create of /home/u/f (read
/// lock on /home/u) serialize, while two creates in one directory (read locks on it, write locks on
/// different names) go on together.
public struct PathLocks: Sendable {
    /// The locks one operation needs.
    public struct Request: Sendable, Equatable {
        /// Paths locked for reading: the ancestors.
        public var reads: Set<GFSPath>
        /// Paths locked for writing.
        public var writes: Set<GFSPath>

        /// Read locks on the ancestors of `paths`, write locks on `paths` themselves.
        public init(writing paths: [GFSPath]) {
            writes = Set(paths)
            var ancestors = Set<GFSPath>()
            for path in paths {
                var current = path
                while !current.isRoot {
                    current = current.parent
                    ancestors.insert(current)
                }
            }
            reads = ancestors.subtracting(writes)
        }

        /// Read locks on `paths` and their ancestors: kept out by a snapshot of any of them, and by nothing
        /// else (chunk allocation, GFS §4.1).
        public init(reading paths: [GFSPath]) {
            let ancestors = Request(writing: paths).reads
            writes = []
            reads = ancestors.union(paths)
        }
    }

    private var readers: [GFSPath: Int] = [:]
    private var writers: Set<GFSPath> = []

    /// No locks held.
    public init() {}

    /// Whether `request` can be granted now.
    public func canAcquire(_ request: Request) -> Bool {
        request.writes.allSatisfy { !writers.contains($0) && (readers[$0] ?? 0) == 0 }
            && request.reads.allSatisfy { !writers.contains($0) }
    }

    /// Takes the locks; the caller checked `canAcquire`.
    public mutating func acquire(_ request: Request) {
        precondition(canAcquire(request), "lock conflict")
        for path in request.reads { readers[path, default: 0] += 1 }
        writers.formUnion(request.writes)
    }

    /// Gives the locks back.
    public mutating func release(_ request: Request) {
        for path in request.reads {
            let count = (readers[path] ?? 1) - 1
            readers[path] = count > 0 ? count : nil
        }
        writers.subtract(request.writes)
    }

    /// Whether nothing is held.
    public var isEmpty: Bool { readers.isEmpty && writers.isEmpty }
}
