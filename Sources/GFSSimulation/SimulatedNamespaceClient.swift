import GFSCore
import GFSProtocol

/// A client changing names under a folder of its own, as scripts and `gfs shell` do: mkdir, create, rename
/// and rm, each retried until it has an answer. What it was told succeeded is the model the master's
/// namespace must match once the history has healed, master crashes and all (its log must hold them).
final class SimulatedNamespaceClient: Role {
    let root: GFSPath
    var working = true
    /// Paths the client was told exist, and whether each is a directory.
    private(set) var model: [GFSPath: Bool] = [:]
    /// The same, as lists in the order they were made, to draw from without sorting the model each time.
    private var folders: [GFSPath] = []
    private var files: [GFSPath] = []
    private(set) var acknowledged = 0
    /// Paths of operations given up on without an answer: they may or may not have taken effect.
    private var uncertain: Set<GFSPath> = []
    private var made = 0
    private(set) var liveness = Liveness()
    private var attempts = MutationAttempts(patience: Patience(timeout: SimulatedClient.patience, now: Instant(sinceStart: .zero), seed: 0))
    let callTimeout: Int64 = 10_000_000_000

    init(node: Int, root: GFSPath, scheduler: Scheduler, network: Network<Int, Message>) {
        self.root = root
        super.init(node: node, scheduler: scheduler, network: network)
        later(scheduler.draw(0...1_000_000_000)) { [self] in next() }
    }

    private enum Operation {
        case makeDirectory(GFSPath)
        case create(GFSPath)
        case move(GFSPath, GFSPath)
        case remove(GFSPath)
    }

    private func child(_ name: String, of parent: GFSPath) -> GFSPath { parent.appending(name) }

    /// Draws the next operation from what the model says exists.
    private func draw() -> Operation {
        made += 1
        let folders = [root] + self.folders
        let folder = folders[Int(scheduler.draw(0...Int64(folders.count - 1)))]
        switch scheduler.draw(0...9) {
        case 0...1 where folders.count < 12:
            return .makeDirectory(child("d\(made)", of: folder))
        case 2...5:
            return .create(child("f\(made)", of: folder))
        case 6...7 where !files.isEmpty:
            let file = files[Int(scheduler.draw(0...Int64(files.count - 1)))]
            return .move(file, child("m\(made)", of: folder))
        case 8...9 where !files.isEmpty:
            return .remove(files[Int(scheduler.draw(0...Int64(files.count - 1)))])
        default:
            return .create(child("f\(made)", of: folder))
        }
    }

    private func next() {
        guard working else { return }
        liveness.started(at: scheduler.now)
        attempts = MutationAttempts(patience: Patience(timeout: SimulatedClient.patience, now: now,
                                                       seed: UInt64(bitPattern: scheduler.draw(0...Int64.max))))
        attempt(draw(), tries: 0)
    }

    private func attempt(_ operation: Operation, tries: Int) {
        let request: MasterRequest
        switch operation {
        case let .makeDirectory(path): request = .makeDirectory(path, parents: true)
        case let .create(path): request = .create(path, replication: 3)
        case let .move(source, destination): request = .move(source, to: destination)
        case let .remove(path): request = .remove(path, recursive: false)
        }
        call(0, timeout: callTimeout, { .master(call: $0, request, report: []) }) { [self] result in
            switch (result, operation) {
            case (.success, _):
                done(operation)
            // A retry told the work is already done: the earlier attempt took effect (no one else works here).
            case let (.failure(error), .create) where tries > 0 && error.code == .exists,
                 let (.failure(error), .move) where tries > 0 && error.code == .notFound,
                 let (.failure(error), .remove) where tries > 0 && error.code == .notFound:
                done(operation)
            case let (.failure(error), _):
                // Retried as the client library retries: with patience, a request that cannot succeed at once.
                switch attempts.failed(error, at: now) {
                case let .again(pause):
                    later(pause.nanosecondsClamped) { [self] in attempt(operation, tries: tries + 1) }
                case .giveUp:
                    let unknown: [GFSPath]
                    switch operation {
                    case let .makeDirectory(path), let .create(path), let .remove(path): unknown = [path]
                    case let .move(source, destination): unknown = [source, destination]
                    }
                    // Whether these exist is unknown from now on: no later operation is drawn on them, or a
                    // retry's NOTFOUND could not tell that an earlier attempt took effect (seed 7818: a
                    // duplicated MV answered NOTFOUND first, and a later move of the same source was judged
                    // done by its retry's NOTFOUND).
                    uncertain.formUnion(unknown)
                    files.removeAll(where: unknown.contains)
                    folders.removeAll(where: unknown.contains)
                    liveness.gaveUp(at: scheduler.now)
                    next()
                }
            }
        }
    }

    private func done(_ operation: Operation) {
        acknowledged += 1
        liveness.finished()
        switch operation {
        case let .makeDirectory(path):
            if model.updateValue(true, forKey: path) == nil { folders.append(path) }
        case let .create(path):
            if model.updateValue(false, forKey: path) == nil { files.append(path) }
        case let .move(source, destination):
            model[source] = nil
            files.removeAll { $0 == source }
            if model.updateValue(false, forKey: destination) == nil { files.append(destination) }
        case let .remove(path):
            model[path] = nil
            files.removeAll { $0 == path }
        }
        later(scheduler.draw(100_000_000...2_000_000_000)) { [self] in next() }
    }

    /// Where the master's namespace under `root` differs from what this client was told.
    func differences(from namespace: Namespace) -> [String] {
        var found: [String] = []
        for (path, isDirectory) in model.sorted(by: { $0.key < $1.key }) where !uncertain.contains(path) {
            guard let entry = namespace[path] else {
                found.append("acknowledged \(path) is missing")
                continue
            }
            if (entry.kind == .directory) != isDirectory { found.append("\(path) is the wrong kind") }
        }
        for path in namespace.subtree(root) where path != root && model[path] == nil && !uncertain.contains(path) {
            found.append("\(path) exists but was never acknowledged, or was removed or renamed")
        }
        return found
    }
}
