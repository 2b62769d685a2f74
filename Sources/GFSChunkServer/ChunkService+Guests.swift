import GFSClient
import GFSProtocol

extension ChunkService {
    /// What a guest (a peer that did not prove the cluster secret) may ask: a chunk operation with a token the
    /// master issued for it, or HELP. Everything else is for members only (DESIGN §6).
    func admitGuest(_ request: ChunkRequest, line: Line) throws(GFSError) {
        let mode: ChunkToken.Mode, handle: ChunkHandle, version: ChunkVersion?
        switch request {
        case .help:
            return
        case let .read(chunk, chunkVersion, _, _), let .checksum(chunk, chunkVersion, _), let .local(chunk, chunkVersion):
            (mode, handle, version) = (.read, chunk, chunkVersion)
        case let .write(chunk, chunkVersion, _, _), let .append(chunk, chunkVersion, _):
            (mode, handle, version) = (.write, chunk, chunkVersion)
        case let .push(_, _, chain):
            let token = try guestToken(line)
            guard token.mode == .write else { throw GFSError(.denied, "token: PUSH needs a write token") }
            try token.check(handle: token.handle, version: nil, mode: .write, now: clock.wallMilliseconds)
            // A guest's bytes travel only along the replicas the master named.
            guard ChunkTokenKeys.digest([address] + chain) == token.replicas else {
                throw GFSError(.denied, "token: PUSH chain is not the replicas the master gave this token for")
            }
            return
        default:
            throw GFSError(.denied, "\(line.verb): only the master and chunkservers may send it (prove the cluster secret)")
        }
        try guestToken(line).check(handle: handle, version: version, mode: mode, now: clock.wallMilliseconds)
    }

    private func guestToken(_ line: Line) throws(GFSError) -> ChunkToken {
        guard let verifier = tokens else { throw GFSError(.internal, "a guest on a chunkserver without a secret") }
        guard let text = line[TokenField.field] else {
            throw GFSError(.denied, "\(line.verb): needs token= from the master (or prove the cluster secret)")
        }
        return try verifier.verify(text)
    }
}
