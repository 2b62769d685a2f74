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
        case `internal` = "INTERNAL"

        /// The process exit status the CLI uses for this code (1 unless a more telling one exists).
        public var exitCode: Int32 {
            switch self {
            case .notFound: return 2
            case .badRequest: return 64
            case .unavailable, .timeout: return 69
            case .checksum, .stale: return 74
            case .noSpace: return 75
            default: return 1
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence for a person; never parsed.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
