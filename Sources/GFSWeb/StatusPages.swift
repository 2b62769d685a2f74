import GFSCore
import GFSProtocol

/// The status pages as HTML that needs no JavaScript: tables, a little CSS, and a refresh every few seconds.
public enum StatusPages {
    /// The master's page: health, the master itself, one row per chunkserver, recent events.
    public static func master(_ report: MasterReport) -> String {
        let health = report.health
        var page = head(title: "gfs master \(report.address)")
        page += "<h1>gfs master <code>\(escape(report.address))</code> <span class=\"\(health.status)\" id=\"cluster-status\">\(health.status)</span></h1>\n"
        if health == .shadow {
            page += "<h2>Health</h2>\n<p id=\"health\">Counted by the primary: a shadow knows replicas only from chunkservers' reports.</p>\n"
        } else {
            page += "<h2>Health</h2>\n" + table(id: "health", [
                ["files", "\(health.files)"], ["directories", "\(health.directories)"],
                ["bytes", ByteCount.format(health.bytes)], ["chunks", "\(health.chunks)"],
                ["healthy", "\(health.healthy)"], ["under-replicated", "\(health.underReplicated)"],
                ["missing", "\(health.missing)"], ["stale only", "\(health.staleOnly)"],
                ["stale replicas", "\(health.stale)"], ["corrupt replicas", "\(health.corrupt)"],
            ])
        }
        page += "<h2>Master</h2>\n" + table(id: "master", [
            ["role", report.role], ["epoch", "\(report.epoch)"], ["log sequence", "\(report.logSequence)"],
            ["checkpoint age", report.checkpointAgeSeconds.map { seconds($0) } ?? "none yet"],
            ["namespace entries", "\(report.entries)"], ["leases", "\(report.leases)"],
            ["live chunkservers", "\(report.liveServers)"], ["copies in flight", "\(report.copiesInFlight)"],
            ["operations per second", format1(report.operationsPerSecond)],
        ])
        page += "<h2>Chunkservers</h2>\n"
        page += rows(id: "servers", headers: ["address", "state", "rack", "chunks", "used", "free", "last heartbeat", "copies"],
                     report.servers.map { server in
                         (server.state, [server.address, server.state, server.rack.isEmpty ? "-" : server.rack,
                                         "\(server.chunks)", ByteCount.format(server.usedBytes),
                                         ByteCount.format(server.freeBytes),
                                         seconds(server.lastHeartbeatSeconds) + " ago", "\(server.copiesInFlight)"])
                     })
        page += "<h2>Recent events</h2>\n"
        page += rows(id: "events", headers: ["time", "event", "what"],
                     report.events.map { ($0.kind, [$0.time, $0.kind, $0.text]) })
        return page + foot()
    }

    /// A chunkserver's page.
    public static func chunkServer(_ report: ChunkServerReport) -> String {
        var page = head(title: "gfs chunkserver \(report.address)")
        page += "<h1>gfs chunkserver <code>\(escape(report.address))</code></h1>\n"
        page += table(id: "chunkserver", [
            ["masters", report.masters.joined(separator: ", ")], ["chunks", "\(report.chunks)"],
            ["capacity", ByteCount.format(report.capacityBytes)],
            ["free", ByteCount.format(report.freeBytes)],
            ["pushed bytes held", ByteCount.format(Int64(report.bufferedBytes))],
            ["operations per second", format1(report.operationsPerSecond)],
            ["bytes read", ByteCount.format(report.bytesRead)],
            ["bytes written", ByteCount.format(report.bytesWritten)],
            ["bytes replicated", ByteCount.format(report.bytesReplicated)],
        ])
        return page + foot()
    }

    /// Text made safe to put between tags and in attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
        <title>\(escape(title))</title>
        <style>
        body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; margin-bottom: 1em; }
        th, td { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
        th { background: #f3f3f3; }
        .healthy, .alive { color: #17692f; } .degraded, .dead { color: #b00020; font-weight: bold; }
        .resting, .draining { color: #9a6700; }
        h1 span { font-size: 60%; vertical-align: middle; }
        </style></head><body>

        """
    }

    private static func foot() -> String {
        "<p><a href=\"/status.json\">status.json</a> · <a href=\"/metrics\">metrics</a> · refreshes every 5 s</p>\n</body></html>\n"
    }

    /// Two columns: a name and its value.
    private static func table(id: String, _ pairs: [[String]]) -> String {
        var html = "<table id=\"\(id)\">\n"
        for pair in pairs where pair.count == 2 {
            html += "<tr><th>\(escape(pair[0]))</th><td>\(escape(pair[1]))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// A header row, then one row per item with its class (a state or an event kind).
    private static func rows(id: String, headers: [String], _ rows: [(String, [String])]) -> String {
        var html = "<table id=\"\(id)\">\n<tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (kind, cells) in rows {
            html += "<tr class=\"\(escape(kind))\">" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func seconds(_ value: Double) -> String { format1(value) + " s" }

    private static func format1(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let tenths = (value * 10).rounded()
        return tenths.magnitude < 1e15 ? "\(Int64(tenths) / 10).\(abs(Int64(tenths) % 10))" : "\(value)"
    }
}
