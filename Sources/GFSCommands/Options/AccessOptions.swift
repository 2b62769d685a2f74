import ArgumentParser
import Foundation
import GFSClient
import GFSMaster
import GFSProtocol

/// The master's flags for who may do what, once there is a cluster secret.
struct AccessOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Client principals and their secrets, one 'NAME SECRET' line each, in a file only this master's user may read (needs --secret-file). A client proves its principal with a secret file holding its one line.",
        valueName: "file"), completion: .file())
    var principals: String?

    @Option(help: ArgumentHelp(
        "Who may do what from where: 'ADDRESS PATH [ro|rw,admin,principal=NAME,minrep=N,maxrep=N]' lines (needs --secret-file; see README, Security). Without it, every authenticated principal may do everything.",
        valueName: "file"), completion: .file())
    var exports: String?

    @Option(help: ArgumentHelp(
        "The masters' private key (a file only this master's user may read; gfs up makes one): this master signs its handshakes with it, and chunkservers given the public key take master's orders only from its holders. Needs --secret-file.",
        valueName: "file"), completion: .file())
    var masterKey: String?

    @Option(help: ArgumentHelp("Append one line per namespace change, administrative order and refusal to this file.",
                               valueName: "file"), completion: .file())
    var auditLog: String?

    /// The principals and access control for a master with `secret`; without one, the flags that need it are
    /// refused.
    func load(secret: ClusterSecret?) throws -> (Principals?, AccessControl?) {
        guard let secret else {
            if principals != nil || exports != nil || masterKey != nil {
                throw ValidationError("--principals, --exports and --master-key need a cluster secret (--secret-file): without one, anyone is trusted")
            }
            return (nil, try auditLog.map { try AccessControl(auditLog: $0) })
        }
        if let masterKey {
            let key = try MasterKey.loadPrivate(masterKey)
            MasterKey.use(signing: key, trusted: key.publicKey)
        }
        let table = try principals.map { try Principals(cluster: secret, file: $0) } ?? Principals(cluster: secret)
        var rules = ExportRules.open
        if let exports {
            guard let text = try? String(contentsOfFile: exports, encoding: .utf8) else {
                throw GFSError(.notFound, "exports file \(exports): cannot read it")
            }
            rules = try ExportRules(parsing: text)
        }
        return (table, try AccessControl(exports: rules, tokenKeys: ChunkTokenKeys(secret: secret), auditLog: auditLog))
    }
}
