import GFSCommands

// Busybox dispatch: `gfs-cat a` (a link to this binary) runs `gfs cat a`.
await GFS.run(arguments: GFS.arguments(from: CommandLine.arguments))
