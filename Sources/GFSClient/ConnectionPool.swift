import GFSProtocol

/// Reuses one connection per peer, reconnecting when it has closed. Concurrent requests share it (replies
/// are matched in order); streamed pushes use `Connection.connect` directly so their bytes never interleave.
public actor ConnectionPool {
    private var connections: [ServerID: Task<Connection, any Error>] = [:]
    /// Connections lent out one request at a time, for requests whose payload is streamed in parts.
    private var idle: [ServerID: [Connection]] = [:]
    private let connectTimeout: Duration
    /// Servers that must prove the client's own secret (masters): a client principal is a mere guest only
    /// of chunkservers, so from these a `guest` answer is an impostor's.
    private let proving: Set<ServerID>

    /// A pool whose connects give up after `connectTimeout`.
    public init(connectTimeout: Duration = .seconds(5), proving: Set<ServerID> = []) {
        self.connectTimeout = connectTimeout
        self.proving = proving
    }

    /// An open connection to `address`.
    public func connection(to address: ServerID) async throws(GFSError) -> Connection {
        if let task = connections[address] {
            if let connection = try? await task.value, connection.isActive { return connection }
            if connections[address] == task { connections[address] = nil }
            if let existing = connections[address] {
                if let connection = try? await existing.value, connection.isActive { return connection }
            }
        }
        let timeout = connectTimeout
        let guest = !proving.contains(address)
        let task = Task { try await Connection.connect(to: address, timeout: timeout, acceptingGuest: guest) }
        connections[address] = task
        do {
            return try await task.value
        } catch {
            if connections[address] == task { connections[address] = nil }
            throw error as? GFSError ?? GFSError(.unavailable, "cannot connect to \(address): \(error)")
        }
    }

    /// Sends one request to `address` over the pooled connection.
    public func call(_ address: ServerID, _ line: Line, timeout: Duration = .seconds(30)) async throws(GFSError) -> Reply {
        try await connection(to: address).call(line, timeout: timeout)
    }

    /// A connection no one else uses until it is given back with `giveBack`: for streamed payloads, whose
    /// parts must not interleave with other requests.
    public func borrow(_ address: ServerID) async throws(GFSError) -> Connection {
        while let connection = idle[address]?.popLast() {
            if connection.isActive { return connection }
        }
        return try await Connection.connect(to: address, timeout: connectTimeout, acceptingGuest: !proving.contains(address))
    }

    /// Returns a borrowed connection whose request completed; at most a few are kept per peer.
    public func giveBack(_ connection: Connection) {
        guard connection.isActive, idle[connection.address, default: []].count < 8 else {
            connection.close()
            return
        }
        idle[connection.address, default: []].append(connection)
    }

    /// Closes every connection.
    public func closeAll() {
        for connection in idle.values.joined() { connection.close() }
        idle.removeAll()
        for task in connections.values { Task { try? await task.value.close() } }
        connections.removeAll()
    }
}
