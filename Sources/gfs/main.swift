import GFSCommands

// Busybox dispatch: `gfs-cat a` (a link to this binary) runs `gfs cat a`.
let arguments = GFS.arguments(from: CommandLine.arguments)
GFS.prepareProcess(for: arguments)
await GFS.run(arguments: arguments)
