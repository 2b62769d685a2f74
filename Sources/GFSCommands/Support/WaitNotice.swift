/// The line a command shows on a terminal while its client waits out a failure ("waiting: ALLOCATE: cannot
/// connect to 127.0.0.1:7700: Connection refused"), redrawn in place and wiped once the wait is over. On a
/// pipe nothing is shown: the command either goes on or fails with one error line.
enum WaitNotice {
    static func show(_ reason: String?) {
        guard let reason else { return StandardStreams.write(text: "\r\u{1B}[K", to: 2) }
        let line = "gfs: waiting: " + reason
        StandardStreams.write(text: "\r" + String(line.prefix(120)) + "\u{1B}[K", to: 2)
    }
}
