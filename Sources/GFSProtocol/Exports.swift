@_exported import GFSCore
