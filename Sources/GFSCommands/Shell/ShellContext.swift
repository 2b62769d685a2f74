import GFSProtocol

/// What a command run inside `gfs shell` sees of the shell: its current remote directory.
enum ShellContext {
    /// Relative remote paths resolve against this (the root outside the shell).
    @TaskLocal static var workingDirectory: GFSPath = .root
}
