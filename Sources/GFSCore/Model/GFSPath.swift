/// An absolute, normalised path in the gfs namespace: `/` or `/a/b` with no empty, `.` or `..` components.
///
/// Paths are plain strings to the master (GFS §4.1 keeps a full-path lookup table, not per-directory inodes),
/// so this type only guarantees one spelling per name.
public struct GFSPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The normalised text, always starting with `/`.
    public let string: String

    /// The root directory.
    public static let root = GFSPath(normalized: "/")

    private init(normalized: String) { self.string = normalized }

    /// Normalises `text`, resolving it against `base` when it is relative; `.` and `..` are resolved
    /// lexically. Returns nil for an empty path or one whose components contain NUL.
    public init?(_ text: String, relativeTo base: GFSPath = .root) {
        guard !text.isEmpty, !text.utf8.contains(0) else { return nil }
        if Self.isNormalized(text) {
            self.init(normalized: text)
            return
        }
        var components = text.utf8.first == UInt8(ascii: "/") ? [] : base.components
        for part in Self.split(text) {
            switch part {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(part)
            }
        }
        self.init(components: components)
    }

    /// Normalises `text` if it is absolute (its first byte is `/`); nil otherwise. Tested on the byte, not with
    /// `hasPrefix("/")`: a `/` followed by a combining mark is one Character that is not "/", so a path that
    /// parsed once would be refused when printed and read back (FuzzWire found it).
    public init?(absolute text: String) {
        guard text.utf8.first == UInt8(ascii: "/") else { return nil }
        self.init(text)
    }

    /// Whether `text` is already absolute and normalised (no empty, `.` or `..` component, no trailing `/`):
    /// the common case on the wire, taken as is without splitting and rejoining.
    static func isNormalized(_ text: String) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var bytes = text.utf8.makeIterator()
        guard bytes.next() == slash else { return false }
        var length = 0, dots = 0
        while true {
            let byte = bytes.next()
            if byte == nil || byte == slash {
                // An empty component is only allowed as the whole of "/".
                if length == 0 { return byte == nil && text.utf8.count == 1 }
                if dots == length, length <= 2 { return false }
                if byte == nil { return true }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == dot { dots += 1 }
            }
        }
    }

    /// Builds a path from components that are already valid names.
    public init(components: [String]) {
        self.string = "/" + components.joined(separator: "/")
    }

    /// The names from the root down; empty for `/`.
    public var components: [String] { Self.split(string) }

    /// The non-empty names between `/` bytes. Split on bytes, not Characters: a `/` followed by a combining
    /// mark is one Character, and a split that missed it would disagree with `parent` (the fuzzer found a
    /// MKDIR -p whose logged parents did not replay).
    static func split(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The last component, or `/` for the root.
    public var name: String {
        guard !isRoot, let slash = lastSlash else { return "/" }
        return String(string[string.utf8.index(after: slash)...])
    }

    /// The directory that holds this path; the root is its own parent. Sliced from the text, since the
    /// master asks for it on every lookup.
    public var parent: GFSPath {
        guard let slash = lastSlash, slash != string.startIndex else { return .root }
        return GFSPath(normalized: String(string[..<slash]))
    }

    /// Where the last `/` byte is. Scanned in the contiguous bytes: `utf8.lastIndex(of:)` steps index by
    /// index, and took a tenth of a log replay.
    private var lastSlash: String.Index? {
        let slash = UInt8(ascii: "/")
        guard let found = string.utf8.withContiguousStorageIfAvailable({ $0.lastIndex(of: slash) }) else {
            return string.utf8.lastIndex(of: slash)
        }
        return found.map { string.utf8.index(string.utf8.startIndex, offsetBy: $0) }
    }

    /// Whether this is `/`.
    public var isRoot: Bool { string == "/" }

    /// Whether `directory` holds this path directly, found without slicing out the parent.
    public func isChild(of directory: GFSPath) -> Bool {
        guard !isRoot, let slash = lastSlash else { return false }
        let offset = string.utf8.distance(from: string.startIndex, to: slash)
        if directory.isRoot { return offset == 0 }
        return offset == directory.string.utf8.count && string.utf8.starts(with: directory.string.utf8)
    }

    /// The child of this directory called `name`.
    public func appending(_ name: String) -> GFSPath { GFSPath(normalized: isRoot ? "/" + name : string + "/" + name) }

    /// Whether `self` is `other` or lies beneath it.
    public func isDescendant(of other: GFSPath) -> Bool {
        // Split on `/` bytes like `parent`, but names compared as Strings like `==` and the namespace's tables
        // (so a name and its canonically equivalent spelling are one name here too).
        if other.isRoot || string == other.string { return true }
        let (mine, theirs) = (components, other.components)
        return mine.count > theirs.count && zip(mine, theirs).allSatisfy { $0 == $1 }
    }

    /// This path moved from under `oldPrefix` to under `newPrefix`; `self` must be a descendant of `oldPrefix`.
    public func replacingPrefix(_ oldPrefix: GFSPath, with newPrefix: GFSPath) -> GFSPath {
        precondition(isDescendant(of: oldPrefix), "\(self) is not under \(oldPrefix)")
        return GFSPath(components: newPrefix.components + components.dropFirst(oldPrefix.components.count))
    }

    public var description: String { string }

    public static func < (lhs: GFSPath, rhs: GFSPath) -> Bool { lhs.string < rhs.string }
}
