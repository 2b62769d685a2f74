import ArgumentParser

/// `--progress`/`--no-progress` for commands that move file data: by default a progress line appears only
/// when stderr is a terminal, so pipes and cron mail never see it.
struct ProgressOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Show a progress line on stderr (default: only when stderr is a terminal).")
    var progress: Bool?

    /// A meter for a transfer of `total` bytes (nil when unknown), silent unless progress is wanted.
    func meter(_ label: String, total: Int64?) -> ProgressMeter {
        ProgressMeter(label: label, total: total, enabled: progress ?? StandardStreams.isTerminal(2),
                      quietPeriod: progress == true ? .zero : .milliseconds(500))
    }
}
