import ArgumentParser
import GFSClient
import GFSProtocol

/// `gfs promote --master SHADOW`: makes a shadow master the primary.
struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a shadow master the primary, after the primary is gone.",
        discussion: """
            Sends PROMOTE to the first address of --master. The shadow stops following, takes writes with \
            every mutation it has on disk, and grants no lease for one lease period. Make sure the old primary \
            is really gone: two primaries would diverge. Masters elected in etcd (--etcd) refuse it: there the \
            election promotes a shadow when the primary stops. A shadow still catching up with its primary \
            refuses it too, since it lacks records the primary acknowledged; if that primary is lost for good, \
            removing the file catching-up from the shadow's --dir lets it be promoted, with those records lost.
            """)

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let client = try cluster.client()
        let reply = try await client.master.promote(client.master.addresses[0])
        StandardStreams.output("\(client.master.addresses[0]) is the primary (log record \(reply.sequence.map(String.init) ?? "?"))")
        await client.close()
    }
}
