/// An error every role can send and every client understands: a fixed upper-case code plus free text.
///
/// It maps one-to-one onto the wire (`ERR CODE text`) and onto the CLI's exit status.
public struct GFSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The fixed set of error codes (gfs-protocol(5), ERRORS).
    public enum Code: String, CaseIterable, Sendable {
        case notFound = "NOTFOUND"
        case exists = "EXISTS"
        case notDirectory = "NOTDIR"
        case isDirectory = "ISDIR"
        case notEmpty = "NOTEMPTY"
        case badRequest = "BADREQ"
        case tooLarge = "TOOLARGE"
        case stale = "STALE"
        case notPrimary = "NOTPRIMARY"
        case lease = "LEASE"
        case checksum = "CHECKSUM"
        case chunkFull = "CHUNKFULL"
        case readOnly = "READONLY"
        case noSpace = "NOSPACE"
        case unavailable = "UNAVAILABLE"
        case timeout = "TIMEOUT"
        case denied = "DENIED"
        case quota = "QUOTA"
        case `internal` = "INTERNAL"

        /// The process exit status the CLI uses for this code (see `ExitStatus`).
        public var exitCode: Int32 {
            switch self {
            case .badRequest: return ExitStatus.usage
            case .unavailable, .timeout: return ExitStatus.unavailable
            case .checksum, .stale: return ExitStatus.integrity
            default: return ExitStatus.failed
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence for a person; never parsed.
    public var message: String
    /// When the failure is known to pass (a lease held by an unreachable primary runs out), how long from
    /// now; the wire's `retry_ms=`. A client counts that long as progress promised (`Patience`).
    public var retryAfter: Duration?

    /// Creates an error with a code, a message and, if known, when it passes.
    public init(_ code: Code, _ message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}

/// The exit statuses of every `gfs` command and of `gfs shell` scripts, as gfs(1) documents them.
public enum ExitStatus {
    /// The operation failed: not found, exists, not empty, no space …
    public static let failed: Int32 = 1
    /// The command line (or a request it made) was malformed.
    public static let usage: Int32 = 2
    /// The cluster could not be reached or could not serve the request in time.
    public static let unavailable: Int32 = 3
    /// Data integrity: a checksum mismatch, a stale replica, or fsck found trouble.
    public static let integrity: Int32 = 4
}
