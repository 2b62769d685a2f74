import GFSCore
import NIOCore

/// One protocol line: a verb (or `OK` / `ERR`), positional arguments, then `key=value` fields, all decoded.
public struct Line: Equatable, Sendable, CustomStringConvertible {
    /// A `key=value` token.
    public struct Field: Equatable, Sendable {
        /// The key: lower-case letters, digits and `_`.
        public var key: String
        /// The decoded value.
        public var value: String

        /// Creates a field.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The first token, upper-cased.
    public var verb: String
    /// Bare tokens after the verb, decoded.
    public var arguments: [String]
    /// `key=value` tokens in order, decoded.
    public var fields: [Field]

    /// Creates a line.
    public init(_ verb: String, _ arguments: [String] = [], _ fields: [Field] = []) {
        self.verb = verb
        self.arguments = arguments
        self.fields = fields
    }

    /// Creates a line from `key: value` pairs; nil values are left out, so optional fields read naturally.
    public init(_ verb: String, _ arguments: [String] = [], fields pairs: KeyValuePairs<String, String?>) {
        self.init(verb, arguments, pairs.compactMap { key, value in value.map { Field(key, $0) } })
    }

    /// The wire form, without the newline.
    public var description: String {
        var text = verb
        if verb == "ERR" {
            // The message of an error is free text for people: written raw, with control bytes made visible.
            // Its fields (`Line.errorFieldKeys`) go between the code and the text, which runs to the end.
            func raw(_ argument: String) -> String {
                " " + String(decoding: argument.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 },
                             as: UTF8.self)
            }
            if let code = arguments.first { text += raw(code) }
            for field in fields { text += " " + field.key + "=" + PercentEncoding.encode(field.value) }
            for argument in arguments.dropFirst() { text += raw(argument) }
            return text
        }
        for argument in arguments { text += " " + PercentEncoding.encode(argument) }
        for field in fields { text += " " + field.key + "=" + PercentEncoding.encode(field.value) }
        return text
    }

    /// Appends the wire form and its newline to `buffer`, straight into its memory: a listing's reply is
    /// hundreds of lines, and building each as a String first was a third of the master's time answering LS.
    public func write(to buffer: inout ByteBuffer) {
        guard verb != "ERR" else {
            buffer.writeString(description)
            buffer.writeInteger(UInt8(ascii: "\n"))
            return
        }
        // Room for the worst case: every byte of every token escaped to three.
        var room = verb.utf8.count + 1
        for argument in arguments { room += 1 + 3 * argument.utf8.count }
        for field in fields { room += 2 + field.key.utf8.count + 3 * field.value.utf8.count }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { out in
            var index = PercentEncoding.copy(verb, to: out, at: 0)
            for argument in arguments {
                out[index] = UInt8(ascii: " ")
                index = PercentEncoding.encode(argument, to: out, at: index + 1)
            }
            for field in fields {
                out[index] = UInt8(ascii: " ")
                index = PercentEncoding.copy(field.key, to: out, at: index + 1)
                out[index] = UInt8(ascii: "=")
                index = PercentEncoding.encode(field.value, to: out, at: index + 1)
            }
            out[index] = UInt8(ascii: "\n")
            return index + 1
        }
    }

    // MARK: - Reading fields

    /// The value of `key`, if present (the last one wins).
    public subscript(key: String) -> String? { fields.last { $0.key == key }?.value }

    /// The value of `key`, or BADREQ naming it.
    public func require(_ key: String) throws(GFSError) -> String {
        guard let value = self[key] else { throw GFSError(.badRequest, "\(verb): missing \(key)=") }
        return value
    }

    /// The integer value of `key`, or nil when absent; BADREQ when present but not an integer in `range`.
    public func integer(_ key: String, in range: ClosedRange<Int64> = 0...Int64.max) throws(GFSError) -> Int64? {
        guard let text = self[key] else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw GFSError(.badRequest, "\(verb): \(key)=\(text) is not an integer in \(range)")
        }
        return value
    }

    /// The integer value of `key`; BADREQ when absent or malformed.
    public func requireInteger(_ key: String, in range: ClosedRange<Int64> = 0...Int64.max) throws(GFSError) -> Int64 {
        guard let value = try integer(key, in: range) else { throw GFSError(.badRequest, "\(verb): missing \(key)=") }
        return value
    }

    /// A flag field: true for `key=1`, false when absent or `0`.
    public func flag(_ key: String) -> Bool { self[key].map { $0 == "1" || $0 == "true" } ?? false }

    /// The chunk handle in `key`; BADREQ when absent or malformed.
    public func handle(_ key: String = "handle") throws(GFSError) -> ChunkHandle {
        let text = try require(key)
        guard let handle = ChunkHandle(hex: text) else { throw GFSError(.badRequest, "\(verb): bad handle \(text)") }
        return handle
    }

    /// The 32-hex-digit name in `key` (a ticket, a proof); BADREQ when absent or malformed.
    public func randomName(_ key: String) throws(GFSError) -> RandomName {
        let text = try require(key)
        guard let name = RandomName(text) else { throw GFSError(.badRequest, "\(verb): \(key)=\(text): want 32 hex digits") }
        return name
    }

    /// A server address in `key`; BADREQ when absent or malformed.
    public func server(_ key: String) throws(GFSError) -> ServerID {
        let text = try require(key)
        guard let server = ServerID(text) else { throw GFSError(.badRequest, "\(verb): bad address \(text)") }
        return server
    }

    /// A comma-separated list of server addresses in `key` (empty when absent).
    public func servers(_ key: String) throws(GFSError) -> [ServerID] {
        guard let text = self[key], !text.isEmpty else { return [] }
        var result: [ServerID] = []
        for part in text.split(separator: ",") {
            guard let server = ServerID(part) else { throw GFSError(.badRequest, "\(verb): bad address \(part)") }
            result.append(server)
        }
        return result
    }

    /// Positional argument `index` as an absolute path; BADREQ when missing or not a path.
    public func path(_ index: Int) throws(GFSError) -> GFSPath {
        guard index < arguments.count else { throw GFSError(.badRequest, "\(verb): missing path") }
        return try checkedPath(arguments[index])
    }

    /// The absolute path in field `key`, or nil when absent or empty; BADREQ when not a path.
    public func optionalPath(_ key: String) throws(GFSError) -> GFSPath? {
        guard let text = self[key], !text.isEmpty else { return nil }
        return try checkedPath(text)
    }

    private func checkedPath(_ text: String) throws(GFSError) -> GFSPath {
        guard let path = GFSPath(absolute: text) else {
            throw GFSError(.badRequest, "\(verb): \(text) is not an absolute path")
        }
        // A bound on depth bounds the work of one `MKDIR parents` and every walk up a path.
        var depth = 0
        for name in path.string.utf8.split(separator: UInt8(ascii: "/")) {
            depth += 1
            guard name.count <= Limits.longestName, depth <= Limits.deepestPath else {
                throw GFSError(.badRequest, "\(verb): a path has at most \(Limits.deepestPath) names of at most \(Limits.longestName) bytes each")
            }
        }
        return path
    }
}

extension Line {
    /// Parses one line's bytes (no newline). `ERR` lines keep their text raw as the second argument.
    public init(parsing bytes: some Collection<UInt8>) throws(GFSError) {
        let copy = Array(bytes)
        let parsed = copy.withUnsafeBytes { raw in Result { () throws(GFSError) in try Line(parsing: raw) } }
        self = try parsed.get()
    }

    /// Parses one line's bytes (no newline) where they lie: a client reads a listing as hundreds of lines,
    /// and a parse through generic collections (`split`, `String(validating:)`) cost more than the master's
    /// answer. Tokens are found by index; a token that is ASCII with no escape becomes a String with no
    /// validation, as any ASCII is UTF-8.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(GFSError) {
        var tokens = Tokens(bytes)
        guard let first = tokens.next() else { throw GFSError(.badRequest, "empty line") }
        guard let verb = Self.text(first) else { throw GFSError(.badRequest, "bad verb") }
        let upper = first.allSatisfy { $0 < 0x80 && !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        self.init(upper ? verb : verb.uppercased())
        if self.verb == "ERR" {
            if let code = tokens.next() { arguments.append(String(decoding: code, as: UTF8.self)) }
            var rest: [String] = []
            while let token = tokens.next() {
                if rest.isEmpty, let field = Self.errorField(token) {
                    fields.append(field)
                } else {
                    rest.append(String(decoding: token, as: UTF8.self))
                }
            }
            arguments.append(rest.joined(separator: " "))
            return
        }
        while let token = tokens.next() {
            if let equals = token.firstIndex(of: UInt8(ascii: "=")) {
                let key = UnsafeRawBufferPointer(rebasing: token[..<equals])
                guard !key.isEmpty, key.allSatisfy(Line.isKeyByte) else {
                    throw GFSError(.badRequest, "bad field name in \(String(decoding: token, as: UTF8.self))")
                }
                let value = try PercentEncoding.decode(UnsafeRawBufferPointer(rebasing: token[(equals + 1)...]))
                fields.append(Field(String(decoding: key, as: UTF8.self), value))
            } else {
                arguments.append(try PercentEncoding.decode(token))
            }
        }
    }

    /// The space-separated tokens of a line, empty ones skipped.
    private struct Tokens {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func next() -> UnsafeRawBufferPointer? {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            guard index < bytes.count else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
            return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        }
    }

    /// The only fields an `ERR` line carries, before its text. Only these are read as fields, so a text that
    /// happens to start with some other `a=b` stays whole.
    public static let errorFieldKeys: Set<String> = ["retry_ms"]

    /// `token` as one of `errorFieldKeys`, or nil.
    private static func errorField(_ token: UnsafeRawBufferPointer) -> Field? {
        guard let equals = token.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = String(decoding: UnsafeRawBufferPointer(rebasing: token[..<equals]), as: UTF8.self)
        guard errorFieldKeys.contains(key),
              let value = try? PercentEncoding.decode(UnsafeRawBufferPointer(rebasing: token[(equals + 1)...]))
        else { return nil }
        return Field(key, value)
    }

    /// The bytes as text, or nil when they are not UTF-8.
    static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: Array(bytes), as: UTF8.self)
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}
