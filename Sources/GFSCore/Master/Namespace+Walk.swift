extension Namespace {
    /// Whether `lhs` comes before `rhs` in tree order: a directory before what it holds, siblings by name.
    /// That is the order of their components, not of their strings ("/a/b" comes before "/a-c").
    public static func treeOrder(_ lhs: GFSPath, _ rhs: GFSPath) -> Bool {
        lhs.components.lexicographicallyPrecedes(rhs.components)
    }

    /// Visits the paths at or below `top` in tree order, strictly after `after` (a path below `top`) when
    /// given, at most `limit` of them, and returns the last one visited if more follow (the cursor of the
    /// next page), else nil. The trash is left out unless `top` is in it. Each directory a page enters is
    /// scanned once for its next `limit` names (`childNames`), so a page costs what it visits plus one pass
    /// over each directory it is in, never a sort of the whole tree. (Paging through one directory of a
    /// million files scans it once a page.)
    public func walk(_ top: GFSPath, after: GFSPath? = nil, limit: Int = .max,
                     _ visit: (GFSPath, Entry) throws(GFSError) -> Void) throws(GFSError) -> GFSPath? {
        guard let topEntry = self[top] else { throw GFSError(.notFound, "\(top): no such file or directory") }
        let hidden = top.isInTrash ? nil : Trash.folder.name
        var budget = max(limit, 1)
        // One frame per directory being listed: its page of names, and the next one to visit.
        var stack: [(directory: GFSPath, names: [String], next: Int, more: Bool)] = []
        func open(_ directory: GFSPath, after name: String?) {
            let page = childNames(of: directory, after: name, limit: max(budget, 1), hiding: directory.isRoot ? hidden : nil)
            stack.append((directory, page.names, 0, page.more))
        }
        var last: GFSPath?
        if let after {
            guard after == top || after.isDescendant(of: top) else { throw GFSError(.badRequest, "\(after) is not below \(top)") }
            if hidden != nil, after.isInTrash { throw GFSError(.badRequest, "\(after) is in the trash, which \(top) leaves out") }
            // The frames `after` is inside, outermost first: each resumes after the name on the way down.
            let depth = top.components.count
            var directory = top
            for name in after.components.dropFirst(depth) {
                open(directory, after: name)
                directory = directory.appending(name)
            }
            open(directory, after: nil)
        } else {
            try visit(top, topEntry)
            budget -= 1
            last = top
            if topEntry.kind == .directory { open(top, after: nil) }
        }
        while let frame = stack.last {
            guard frame.next < frame.names.count else {
                // A page cut short is cut by the budget: something follows.
                if frame.more { return last }
                stack.removeLast()
                continue
            }
            guard budget > 0 else { return last }
            stack[stack.count - 1].next += 1
            let path = frame.directory.appending(frame.names[frame.next])
            guard let entry = self[path] else { continue }
            try visit(path, entry)
            budget -= 1
            last = path
            if entry.kind == .directory { open(path, after: nil) }
        }
        return nil
    }
}
