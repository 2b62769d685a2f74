import ArgumentParser
import GFSClient
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// TAB completion of remote paths in bash, zsh and fish: the generated scripts call back into `gfs`, which
/// lists the directory being typed on the master named by `--master` on the line, `GFS_MASTER`, or the default.
enum RemoteCompletion {
    static let kind = CompletionKind.custom { words, _, prefix in await candidates(words: words, prefix: prefix) }

    /// Paths under the directory `prefix` names that start with the rest of it; directories end in `/`.
    static func candidates(words: [String], prefix: String) async -> [String] {
        let word = prefix.isEmpty ? "/" : prefix
        guard word.hasPrefix("/"), let slash = word.lastIndex(of: "/") else { return [] }
        let folderText = String(word[...slash])
        let start = String(word[word.index(after: slash)...])
        guard let folder = GFSPath(folderText) else { return [] }
        let given = words.firstIndex(of: "--master").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        let text = given ?? getenv("GFS_MASTER").map { String(cString: $0) } ?? ClusterOptions.defaultMaster
        let masters = text.split(separator: ",").compactMap { ServerID($0) }
        let secretFile = words.firstIndex(of: "--secret-file").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        ClusterSecret.use(ClusterOptions.secretPath(given: secretFile).flatMap { try? ClusterSecret.load($0) }, requireProof: false)
        return await names(in: folder, masters: masters, timeout: .seconds(2))
            .filter { $0.hasPrefix(start) }.map { folderText + $0 }.sorted()
    }

    /// The names in a remote directory, directories ending in `/`; none when the master cannot say.
    static func names(in folder: GFSPath, masters: [ServerID], timeout: Duration) async -> [String] {
        guard !masters.isEmpty else { return [] }
        let client = Client(masters: masters, timeout: timeout)
        let entries = (try? await client.master.list(folder)) ?? []
        await client.close()
        return entries.map { $0.path.name + ($0.kind == .directory ? "/" : "") }
    }
}
