import GFSClient
import GFSCore
import GFSProtocol
import NIOCore
import SystemPackage

/// What `gfs bench` was asked to do.
struct BenchSettings: Sendable {
    var masters: [ServerID]
    var timeout: Duration
    var clients: Int
    /// Total bytes written or read (write, read, append).
    var size: Int64
    var recordSize: Int
    /// Records per append operation.
    var batch: Int
    /// Files created, statted and deleted (meta).
    var files: Int
    /// Where the benchmark's files go; removed afterwards.
    var root: GFSPath
    /// Whether replicas on this machine are read from their files (`--no-local-reads`: over their sockets).
    var localReads = true
}

/// The workloads, each run by `clients` concurrent clients with their own connections, timed as a whole
/// (wall clock, all clients) and per operation.
enum BenchWorkloads {
    /// What one client did.
    struct Share: Sendable {
        var operations = 0
        var bytes: Int64 = 0
        var latencies = Latencies()
    }

    /// Runs `body` once per client at the same time; returns the sum of their shares and the wall time.
    static func run(_ settings: BenchSettings,
                    _ body: @escaping @Sendable (Int, Client) async throws -> Share) async throws -> (Share, Double) {
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Share.self) { group in
            for index in 0..<settings.clients {
                group.addTask {
                    let client = Client(masters: settings.masters, timeout: settings.timeout, localReads: settings.localReads)
                    do {
                        let share = try await body(index, client)
                        await client.close()
                        return share
                    } catch {
                        await client.close()
                        throw error
                    }
                }
            }
            var total = Share()
            for try await share in group {
                total.operations += share.operations
                total.bytes += share.bytes
                total.latencies.merge(share.latencies)
            }
            return total
        }
        return (total, (ContinuousClock.now - start) / .seconds(1))
    }

    /// Random bytes to write: incompressible, and one buffer shared by every piece. Read from /dev/urandom in
    /// a few calls: eight bytes per getrandom(2) was a million system calls, a quarter of a second of the
    /// client's CPU, inside the timed write when no bound ran first.
    static let data: ByteBuffer = {
        var bytes = [UInt8](repeating: 0, count: 8 << 20)
        var filled = 0
        if let source = try? FileDescriptor.open("/dev/urandom", .readOnly, options: .closeOnExec) {
            bytes.withUnsafeMutableBytes { raw in
                while filled < raw.count,
                      let count = try? source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...])),
                      count > 0 {
                    filled += count
                }
            }
            try? source.close()
        }
        // Without /dev/urandom (a container without /dev): the slow way, for what is left.
        var buffer = ByteBuffer(bytes: bytes[..<filled])
        var generator = SystemRandomNumberGenerator()
        while buffer.readableBytes < bytes.count { buffer.writeInteger(generator.next() as UInt64) }
        return buffer.getSlice(at: buffer.readerIndex, length: bytes.count) ?? buffer
    }()

    /// Each client writes its own file of size/clients bytes, sequentially; latency is per piece (8 MiB).
    static func write(_ settings: BenchSettings) async throws -> BenchPhase {
        let each = settings.size / Int64(settings.clients)
        let data = Self.data  // made before the clock starts
        let (share, seconds) = try await run(settings) { index, client in
            let path = settings.root.appending("file-\(index)")
            try await client.master.create(path)
            var left = each
            var share = Share()
            share.bytes = try await client.writeStream(path, pieceWritten: { share.latencies.record($0); share.operations += 1 }) { count in
                guard left > 0 else { return nil }
                let length = Int(min(Int64(count), left, Int64(data.readableBytes)))
                left -= Int64(length)
                return data.getSlice(at: data.readerIndex, length: length)
            }
            return share
        }
        return BenchPhase(name: "write", clients: settings.clients, operations: share.operations, bytes: share.bytes,
                          seconds: seconds, latencies: share.latencies, perSecond: .megabytes)
    }

    /// Each client reads back the file `write` made for it; latency is per read request (4 MiB).
    static func read(_ settings: BenchSettings) async throws -> BenchPhase {
        let (share, seconds) = try await run(settings) { index, client in
            var share = Share()
            try await client.read(settings.root.appending("file-\(index)"),
                                  pieceRead: { share.latencies.record($0); share.operations += 1 }) { piece in
                share.bytes += Int64(piece.readableBytes)
            }
            return share
        }
        return BenchPhase(name: "read", clients: settings.clients, operations: share.operations, bytes: share.bytes,
                          seconds: seconds, latencies: share.latencies, perSecond: .megabytes)
    }

    /// Every client appends framed records to one shared file, `batch` records per append; latency is per
    /// append. The rate is records per second.
    static func append(_ settings: BenchSettings) async throws -> BenchPhase {
        let path = settings.root.appending("records")
        let setup = Client(masters: settings.masters, timeout: settings.timeout)
        try await setup.master.create(path, records: true)
        await setup.close()
        let each = max(1, Int(settings.size) / settings.recordSize / settings.clients)
        let record = data.getSlice(at: data.readerIndex, length: min(settings.recordSize, data.readableBytes)) ?? ByteBuffer()
        let (share, seconds) = try await run(settings) { _, client in
            let appender = RecordAppender(client: client, path: path, framed: true)
            var share = Share()
            var left = each
            while left > 0 {
                let count = min(left, settings.batch)
                let start = ContinuousClock.now
                try await appender.append(batch: Array(repeating: record, count: count))
                share.latencies.record(ContinuousClock.now - start)
                share.operations += count
                share.bytes += Int64(count * record.readableBytes)
                left -= count
            }
            try await appender.flush()
            return share
        }
        var phase = BenchPhase(name: "append", clients: settings.clients, operations: share.operations,
                               bytes: share.bytes, seconds: seconds, latencies: share.latencies, perSecond: .records)
        phase.notes["records_per_append"] = Double(settings.batch)
        phase.notes["megabytes_per_second"] = Double(share.bytes) / 1e6 / max(seconds, 1e-9)
        return phase
    }

    /// Creates, stats, lists and deletes `files` files, 100 to a directory, spread over the clients; each
    /// phase is timed on its own. With `masterPID` (a local master), each phase also notes the resident bytes
    /// each file adds and the CPU the master and this client used, so a reader can check that the client is
    /// the cheaper of the two.
    static func meta(_ settings: BenchSettings, masterPID: Int32?) async throws -> [BenchPhase] {
        let each = max(1, settings.files / settings.clients)
        @Sendable func path(_ client: Int, _ file: Int) -> GFSPath {
            settings.root.appending("meta-\(client)").appending("d\(file / 100)").appending("f\(file)")
        }
        let probe = Client(masters: settings.masters, timeout: settings.timeout)
        let primary: ServerID
        do {
            for client in 0..<settings.clients {
                for folder in stride(from: 0, to: each, by: 100) {
                    try await probe.master.makeDirectory(path(client, folder).parent, parents: true)
                }
            }
            primary = probe.master.address
            await probe.close()
        } catch {
            await probe.close()
            throw error
        }
        var connections: [Connection] = []
        defer { for connection in connections { connection.close() } }
        for _ in 0..<settings.clients {
            connections.append(try await Connection.connect(to: primary, timeout: settings.timeout, bodies: .counted))
        }
        let memory = { masterPID.flatMap { LocalCluster.residentBytes(of: "\($0)") } }
        let before = memory()
        var phases: [BenchPhase] = []
        func phase(_ name: String, _ operations: Int, _ request: @escaping @Sendable (Int, Int) -> MasterRequest) async throws {
            let cpu = BenchCPU(master: masterPID)
            let (share, seconds) = try await BenchDriver.run(connections, operations: operations, timeout: settings.timeout) {
                let request = request($0, $1)
                return request.isRemembered ? CallField.stamp(request.line, ClientCall.random()) : request.line
            }
            var phase = BenchPhase(name: name, clients: settings.clients, operations: share.operations, bytes: 0,
                                   seconds: seconds, latencies: share.latencies, perSecond: .operations)
            cpu.note(in: &phase)
            phases.append(phase)
        }
        try await phase("create", each) { .create(path($0, $1), replication: nil) }
        if let before, let after = memory() {
            phases[0].notes["master_bytes_per_file"] = Double(after - before) / Double(each * settings.clients)
        }
        try await phase("stat", each) { .stat(path($0, $1)) }
        let folders = (each + 99) / 100
        try await phase("ls", max(1, each / 10)) { .list(path($0, ($1 % folders) * 100).parent) }
        try await phase("delete", each) { .remove(path($0, $1), recursive: false) }
        return phases
    }
}
