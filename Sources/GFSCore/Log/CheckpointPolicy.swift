/// When a master writes a checkpoint (GFS §2.6.3). A restart loads the newest checkpoint and replays the
/// log after it, so the log is checkpointed once it reaches a quarter of that checkpoint's size: the replay
/// then stays a fraction of the load, and a master of a million files restarts in about the time its
/// checkpoint takes to load. Writing checkpoints costs about four bytes per byte logged (more once
/// `largestLog` caps the wait: a state's size per `largestLog` logged), off the request path. A small log is
/// never worth one.
public struct CheckpointPolicy: Sendable, Equatable {
    /// A log this large asks for a checkpoint whatever the state's size (`--checkpoint-bytes`).
    public var largestLog: Int64
    /// Below this a log asks for none: replaying it takes a fraction of a second.
    public static let smallestLog: Int64 = 4 << 20

    public init(largestLog: Int64) { self.largestLog = largestLog }

    /// Whether a log file of `logBytes` after a checkpoint of `checkpointBytes` (0 for none) asks for the next.
    public func wantsCheckpoint(logBytes: Int64, checkpointBytes: Int64) -> Bool {
        logBytes >= min(largestLog, max(Self.smallestLog, checkpointBytes / 4))
    }
}
