import GFSCore

/// A namespace change a client may have to send again (MKDIR, CREATE, MV, RM, SNAPSHOT, UNDELETE) carries
/// `call=ID`, 32 hex digits it drew for that operation, the same on every retry. The primary remembers the
/// calls it carried out (they are in its log, so a new primary does too) and answers a retry of one as done.
public enum CallField {
    /// The field's name.
    public static let field = "call"

    /// `line` with `call=ID` added.
    public static func stamp(_ line: Line, _ call: ClientCall) -> Line {
        var line = line
        line.fields.append(.init(field, call.description))
        return line
    }

    /// The call `line` names, if any.
    public static func of(_ line: Line) throws(GFSError) -> ClientCall? {
        guard let text = line[field] else { return nil }
        guard let call = ClientCall(text) else { throw GFSError(.badRequest, "\(field)=\(text): want 32 hex digits") }
        return call
    }
}

extension MasterRequest {
    /// Whether a retry of this request is recognised by its `call=` (a namespace change not safe to repeat).
    public var isRemembered: Bool {
        switch self {
        // TRUNCATE too: repeated after appends that followed the first, it would cut them.
        case .makeDirectory, .create, .move, .remove, .snapshot, .undelete, .concat, .truncate: return true
        default: return false
        }
    }
}
