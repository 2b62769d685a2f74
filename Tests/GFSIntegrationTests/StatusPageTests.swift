// Goal: people and Prometheus can watch a cluster: the master's and chunkservers' `--http` pages show health,
// servers and events, and /metrics is valid Prometheus text. Method: real processes; the page is loaded in
// headless Chromium (DOM and screenshot) and /metrics is parsed by Python's prometheus_client.
import Foundation
import GFSProtocol
import GFSTestSupport
import Testing

struct PageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite(.serialized) struct StatusPageTests {
    static let python = URL(fileURLWithPath: "/usr/bin/python3")
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let hasParser = (try? ProcessCluster.run(python, ["-c", "import prometheus_client"]).status) == 0

    /// Fetches a URL's body (python's urllib: the test needs no HTTP client of its own).
    static func fetch(_ url: String) throws -> Data {
        let result = try ProcessCluster.run(python, ["-c", "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())", url])
        guard result.status == 0 else { throw PageFailure("GET \(url): \(result.stderr)") }
        return result.output
    }

    /// The master's report, from /status.json.
    static func report(_ base: String) throws -> MasterReport {
        try JSONDecoder().decode(MasterReport.self, from: fetch(base + "status.json"))
    }

    /// Every sample of a /metrics page as prometheus_client parses it (`name{label="v",…}` → value), and each
    /// family's type. A page the parser rejects fails the test.
    struct Scrape: Decodable {
        var samples: [String: Double]
        var types: [String: String]
    }

    static func scrape(_ url: String) throws -> Scrape {
        let script = """
            import json, sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
            samples, types = {}, {}
            for family in text_string_to_metric_families(text):
                types[family.name] = family.type
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    samples[s.name + ("{%s}" % labels if labels else "")] = s.value
            print(json.dumps({"samples": samples, "types": types}))
            """
        let result = try ProcessCluster.run(python, ["-c", script, url])
        guard result.status == 0 else { throw PageFailure("prometheus_client rejected \(url): \(result.stderr)") }
        return try JSONDecoder().decode(Scrape.self, from: result.output)
    }

    /// The status page a chunkserver logged when it started.
    static func page(of server: ProcessCluster.Server) throws -> String {
        let log = try String(contentsOf: server.log, encoding: .utf8)
        let range = try #require(log.range(of: #"status page (http://[0-9.:]+/)"#, options: .regularExpression))
        return String(log[range].dropFirst("status page ".count))
    }

    @Test(.enabled(if: hasParser))
    func pagesShowHealthServersAndEventsAndMetricsParse() async throws {
        try await withCluster(chunkservers: 3,
                              master: ["--chunk-size", "64K", "--heartbeat-timeout", "2s", "--clones-total", "0",
                                       "--http", "127.0.0.1:0"],
                              chunkserver: ["--heartbeat-interval", "200ms", "--http", "127.0.0.1:0"]) { cluster in
            let data = testBytes(3 * 65536 + 7, seed: 5)
            #expect(try cluster.gfs(["put", "-", "/watched"], stdin: data).status == 0)
            let status = try JSONSerialization.jsonObject(with: cluster.gfs(["status", "--json"]).output) as? [String: Any]
            let http = try #require((status?["fields"] as? [String: Any])?["http"] as? String)
            let base = "http://\(http)/"

            let healthy = try Self.report(base)
            #expect(healthy.role == "primary" && healthy.health.status == "healthy")
            #expect(healthy.health.chunks == 4 && healthy.health.healthy == 4 && healthy.health.files == 1)
            #expect(healthy.servers.count == 3 && healthy.servers.allSatisfy { $0.state == "alive" && $0.chunks == 4 })
            #expect(healthy.events.filter { $0.kind == "joined" }.count == 3)

            // Every replica took every byte: each chunkserver wrote the whole file.
            let written = try Self.scrape(Self.page(of: cluster.chunkservers[1]) + "metrics")
            #expect(written.samples["gfs_written_bytes_total"] == Double(data.count))
            #expect(written.types["gfs_request_duration_seconds"] == "histogram")

            let victim = cluster.chunkservers[0]
            cluster.kill(victim)
            try await waitUntil("the page to show the loss") {
                let report = try Self.report(base)
                return report.health.underReplicated == 4 && report.events.contains { $0.kind == "died" && $0.text.contains(victim.address) }
            }
            // Over the sockets, so the chunkservers serve (and count) the bytes; a local read would not.
            #expect(try cluster.gfs(["cat", "--no-local-reads", "/watched"]).output == data)

            let master = try Self.scrape(base + "metrics")
            #expect(master.types["gfs_request_duration_seconds"] == "histogram")
            #expect((master.samples[#"gfs_request_duration_seconds_count{role="master",verb="CREATE"}"#] ?? 0) >= 1)
            #expect((master.samples[#"gfs_request_duration_seconds_count{role="master",verb="LOOKUP"}"#] ?? 0) >= 1)
            #expect(master.samples[#"gfs_chunks{health="under_replicated"}"#] == 4)
            #expect(master.samples[#"gfs_chunks{health="healthy"}"#] == 0)
            #expect(master.samples["gfs_live_chunkservers"] == 2)
            #expect((master.samples["gfs_log_fsync_duration_seconds_count"] ?? 0) >= 1)
            let reads = try cluster.chunkservers.dropFirst().map { try Self.scrape(Self.page(of: $0) + "metrics") }
            #expect(reads.map { $0.samples["gfs_read_bytes_total"] ?? 0 }.reduce(0, +) >= Double(data.count))

            #expect(throws: (any Error).self) { try Self.fetch(base + "nope") }  // 404

            // Whoever reaches the port holds at most 64 connections: those past it are closed at once.
            let held = try (0..<70).map { _ in try RawSocket(http, timeout: 0.01) }
            try await waitUntil("connections past 64 to be closed") { held.filter { $0.isClosedByPeer() }.count >= 6 }
            for socket in held { socket.shutdown() }
            try await waitUntil("the page to answer again") { (try? Self.report(base)) != nil }

            let chromium = try #require(Self.chromium, "the page checks need Debian's chromium")
            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]
            let dom = try ProcessCluster.run(URL(fileURLWithPath: chromium), flags + ["--dump-dom", base], limit: 60).stdout
            #expect(dom.contains(#"id="cluster-status">degraded<"#))
            #expect(dom.contains(#"<tr class="dead"><td>\#(victim.address)</td>"#))
            #expect(dom.contains(#"<tr class="died">"#))
            let shot = cluster.root.appendingPathComponent("status.png")
            _ = try ProcessCluster.run(URL(fileURLWithPath: chromium), flags + ["--screenshot=\(shot.path)", base], limit: 60)
            let png = try Data(contentsOf: shot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
        }
    }
}
