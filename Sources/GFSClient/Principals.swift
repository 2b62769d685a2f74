import GFSCore

/// The secrets a server accepts, by principal: the cluster secret, and on the master the client principals
/// of its `--principals` file (a 0600 file of `NAME SECRET` lines; a client's own secret file is one of them).
public struct Principals: Sendable {
    private var secrets: [String: ClusterSecret]

    /// Only the cluster secret.
    public init(cluster: ClusterSecret) {
        secrets = [Principal.cluster: cluster]
    }

    /// The cluster secret and the client principals in the file at `path`.
    public init(cluster: ClusterSecret, file path: String) throws(GFSError) {
        self.init(cluster: cluster)
        let text = try ClusterSecret.readPrivate(path, what: "principals file")
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard content.contains(where: { !$0.isWhitespace }) else { continue }
            let secret: ClusterSecret
            do { secret = try ClusterSecret(text: String(content)) } catch {
                throw GFSError(.badRequest, "principals file \(path) line \(number + 1): \(error.message)")
            }
            guard secret.principal != Principal.cluster, secrets[secret.principal] == nil else {
                throw GFSError(.badRequest, "principals file \(path) line \(number + 1): want NAME SECRET, each name once, not '\(Principal.cluster)'")
            }
            secrets[secret.principal] = secret
        }
    }

    /// The secret `principal` must prove, if it is known here.
    public subscript(principal: String) -> ClusterSecret? { secrets[principal] }

    /// The cluster secret.
    public var cluster: ClusterSecret? { secrets[Principal.cluster] }
}
