import AsyncHTTPClient
import Foundation
import GFSCore
import NIOCore

/// The few calls of etcd's v3 API that master election needs, over its JSON gateway (etcd 3.4's
/// `/v3/...` paths, keys and values in base64, 64-bit numbers as strings). Each call tries the endpoints in
/// turn, so one etcd member down does not stop an election.
struct EtcdClient: Sendable {
    let endpoints: [String]
    let http: HTTPClient
    let timeout: TimeAmount

    init(endpoints: [String], timeout: TimeAmount = .seconds(2)) {
        self.endpoints = endpoints
        self.timeout = timeout
        http = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// A key's value and the revision that created it (the epoch, for the leader key).
    struct Value: Sendable, Equatable {
        var value: String
        var createRevision: UInt64
    }

    /// `/v3/lease/grant`: a lease of `ttl` seconds; its ID.
    func grantLease(ttl: Int64) async throws(GFSError) -> String {
        let reply: LeaseReply = try await post("/v3/lease/grant", LeaseRequest(TTL: String(ttl), ID: nil))
        guard let id = reply.ID, (Int64(reply.TTL ?? "") ?? 0) > 0 else { throw GFSError(.unavailable, "etcd granted no lease") }
        return id
    }

    /// `/v3/lease/keepalive` once: the seconds left, 0 once the lease is gone.
    func keepAlive(_ id: String) async throws(GFSError) -> Int64 {
        let reply: KeepAliveReply = try await post("/v3/lease/keepalive", LeaseRequest(TTL: nil, ID: id))
        return Int64(reply.result?.TTL ?? "") ?? 0
    }

    /// `/v3/lease/revoke`, when a master stops on purpose and hands leadership on at once.
    func revokeLease(_ id: String) async {
        let _: Empty? = try? await post("/v3/lease/revoke", LeaseRequest(TTL: nil, ID: id))
    }

    /// `/v3/kv/range` of one key.
    func get(_ key: String) async throws(GFSError) -> Value? {
        let reply: RangeReply = try await post("/v3/kv/range", RangeRequest(key: Self.encode(key)))
        return reply.kvs?.first.flatMap(Self.value)
    }

    /// One change of a transaction.
    enum Change: Sendable {
        case put(String, String, lease: String?)
        case delete(String)
    }

    /// Makes `changes` only if every key of `created` was created at that revision (0: does not exist);
    /// whether they were made, and the revision after.
    func transaction(if created: [(key: String, revision: UInt64)], then changes: [Change]) async throws(GFSError)
        -> (succeeded: Bool, revision: UInt64)
    {
        let request = TxnRequest(
            compare: created.map { .init(key: Self.encode($0.key), result: "EQUAL", target: "CREATE", create_revision: String($0.revision)) },
            success: changes.map { change in
                switch change {
                case let .put(key, value, lease):
                    return .init(request_put: .init(key: Self.encode(key), value: Self.encode(value), lease: lease))
                case let .delete(key):
                    return .init(request_delete_range: .init(key: Self.encode(key)))
                }
            },
            failure: [])
        let reply: TxnReply = try await post("/v3/kv/txn", request)
        return (reply.succeeded ?? false, UInt64(reply.header?.revision ?? "") ?? 0)
    }

    // MARK: - Wire

    private func post<Body: Encodable, Answer: Decodable>(_ path: String, _ body: Body) async throws(GFSError) -> Answer {
        let bytes: Data
        do { bytes = try JSONEncoder().encode(body) } catch { throw GFSError(.internal, "etcd request: \(error)") }
        var failure = GFSError(.unavailable, "no etcd endpoint")
        for endpoint in endpoints {
            var request = HTTPClientRequest(url: endpoint + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
            do {
                let response = try await http.execute(request, timeout: timeout)
                let body = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else {
                    failure = GFSError(.unavailable, "etcd \(endpoint)\(path): HTTP \(response.status.code) \(String(buffer: body).prefix(200))")
                    continue
                }
                return try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
            } catch {
                failure = GFSError(.unavailable, "etcd \(endpoint)\(path): \(error)")
            }
        }
        throw failure
    }

    static func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    private static func value(_ kv: KeyValue) -> Value? {
        guard let data = kv.value.flatMap({ Data(base64Encoded: $0) }), let text = String(data: data, encoding: .utf8),
            let created = UInt64(kv.create_revision ?? "")
        else { return nil }
        return Value(value: text, createRevision: created)
    }

    private struct Empty: Codable {}
    private struct Header: Codable { var revision: String? }
    private struct LeaseRequest: Codable { var TTL: String?; var ID: String? }
    private struct LeaseReply: Codable { var ID: String?; var TTL: String? }
    private struct KeepAliveReply: Codable { var result: LeaseReply? }
    private struct RangeRequest: Codable { var key: String }
    private struct KeyValue: Codable { var key: String?; var value: String?; var create_revision: String? }
    private struct RangeReply: Codable { var kvs: [KeyValue]? }
    private struct TxnRequest: Codable {
        struct Compare: Codable { var key: String; var result: String; var target: String; var create_revision: String }
        struct Put: Codable { var key: String; var value: String; var lease: String? }
        struct Delete: Codable { var key: String }
        struct Operation: Codable {
            var request_put: Put?
            var request_delete_range: Delete?
            init(request_put: Put) { self.request_put = request_put }
            init(request_delete_range: Delete) { self.request_delete_range = request_delete_range }
        }
        var compare: [Compare]
        var success: [Operation]
        var failure: [Operation]
    }
    private struct TxnReply: Codable { var header: Header?; var succeeded: Bool? }
}
