import GFSProtocol

/// Asks candidates one after another until one gives a full answer, without waiting on a silent one: a
/// candidate that fails hands over to the next at once, and one still not done after `hedgeAfter` has the
/// next asked as well, each in its turn (HDFS's hedged reads). The first full answer wins. A request left
/// running is not waited for: it ends at its own deadline, and what it brings is dropped.
enum HedgedRace {
    enum Outcome<Value: Sendable>: Sendable {
        /// Candidate `index` answered in full, `took` after it was asked.
        case answered(index: Int, Value, took: Duration)
        /// Every candidate failed, or the caller was cancelled.
        case failed
    }

    private enum Event<Value: Sendable>: Sendable {
        case answered(Int, Result<Value, GFSError>)
        case slow(Int)
    }

    /// Runs the race over `count` candidates. `ask` asks one; `check` throws the reason an answer is not a
    /// full one. `failed` hears of each failure, and `slow` of each candidate the race stopped waiting for
    /// alone, as they happen.
    static func run<Value: Sendable>(count: Int, hedgeAfter: Duration,
                                     ask: @escaping @Sendable (Int) async throws(GFSError) -> Value,
                                     check: (Value) throws(GFSError) -> Void,
                                     failed: (Int, GFSError) -> Void, slow: (Int) -> Void) async -> Outcome<Value> {
        guard count > 0 else { return .failed }
        let (events, sink) = AsyncStream.makeStream(of: Event<Value>.self)
        var timers: [Task<Void, Never>] = []
        defer {
            sink.finish()
            for timer in timers { timer.cancel() }
        }
        var sent: [Int: ContinuousClock.Instant] = [:]
        var asked = 0
        var waiting: Set<Int> = []
        func askNext() {
            let index = asked
            asked += 1
            waiting.insert(index)
            sent[index] = ContinuousClock.now
            Task {
                let result: Result<Value, GFSError>
                do throws(GFSError) { result = .success(try await ask(index)) } catch { result = .failure(error) }
                sink.yield(.answered(index, result))
            }
            if asked < count {
                timers.append(Task {
                    guard (try? await Task.sleep(for: hedgeAfter)) != nil else { return }
                    sink.yield(.slow(index))
                })
            }
        }
        askNext()
        for await event in events {
            switch event {
            case let .slow(index):
                // Only the latest request, still waiting, calls for one more.
                guard index == asked - 1, waiting.contains(index), asked < count else { continue }
                slow(index)
                askNext()
                continue
            case let .answered(index, result):
                waiting.remove(index)
                do throws(GFSError) {
                    let value = try result.get()
                    try check(value)
                    return .answered(index: index, value, took: sent[index].map { ContinuousClock.now - $0 } ?? .zero)
                } catch {
                    failed(index, error)
                }
            }
            // A failure moves on at once, whoever else is still being waited for.
            if asked < count {
                askNext()
            } else if waiting.isEmpty {
                return .failed
            }
        }
        return .failed  // the stream ends early only when the caller was cancelled
    }
}
