/// A role's disk with fsync semantics: writes land in a volatile cache and survive a crash only once synced.
/// A crash keeps each unsynced file's synced contents, or (drawn from the seed) a torn mix of the two, the
/// way a real page cache loses whole pages.
public struct SimulatedDisk<Name: Hashable & Comparable, Contents: Equatable> {
    private var durable: [Name: Contents] = [:]
    private var volatile: [Name: Contents?] = [:]  // nil: removed, not yet synced
    /// Bytes the disk holds at most (counted by the caller's measure); writes past it fail as a full disk.
    public var capacity: Int
    private let size: (Contents) -> Int

    public init(capacity: Int = .max, size: @escaping (Contents) -> Int) {
        self.capacity = capacity
        self.size = size
    }

    /// What a read sees now.
    public subscript(name: Name) -> Contents? {
        if let pending = volatile[name] { return pending }
        return durable[name]
    }

    public var names: [Name] {
        (durable.keys.filter { volatile[$0] == nil } + volatile.compactMap { $0.value == nil ? nil : $0.key }).sorted()
    }

    public var used: Int { names.reduce(0) { $0 + (self[$1].map(size) ?? 0) } }

    /// Writes a file's new contents; false (nothing written) when the disk would be past its capacity.
    public mutating func write(_ name: Name, _ contents: Contents) -> Bool {
        if capacity < .max {
            let growth = size(contents) - (self[name].map(size) ?? 0)
            guard growth <= 0 || used + growth <= capacity else { return false }
        }
        volatile[name] = .some(contents)
        return true
    }

    public mutating func remove(_ name: Name) { volatile[name] = .some(nil) }

    /// Damage done to the medium (a flipped bit): whatever a read of `name` would see, cached or on disk.
    public mutating func damage(_ name: Name, _ change: (Contents) -> Contents) {
        if let contents = durable[name] { durable[name] = change(contents) }
        if case let .some(.some(contents)) = volatile[name] { volatile[name] = .some(change(contents)) }
    }

    /// fsync of one file (and of its directory entry).
    public mutating func sync(_ name: Name) {
        guard let pending = volatile.removeValue(forKey: name) else { return }
        durable[name] = pending
    }

    public mutating func syncAll() {
        for name in Array(volatile.keys) { sync(name) }
    }

    /// Power loss: what was not synced is gone, except that `keep` may choose, per unsynced file, to keep
    /// its new contents anyway (the kernel wrote the page back before the crash).
    public mutating func crash(keep: (Name) -> Bool) {
        for (name, pending) in volatile.sorted(by: { $0.key < $1.key }) where keep(name) {
            durable[name] = pending
        }
        volatile.removeAll()
    }
}
