import GFSCore

/// The views a batch's replies wait for. A view shares the state's persistent trees, so the first change
/// after it copies the paths it touches, and dropping it frees them: one view per batch cost a path copy and
/// its freeing per create. Batches whose records go to disk in one fsync share one view instead, taken after
/// the last of them is applied (`takeOwedView`), or when the first of them is answered.
///
/// Not with log replicas: a shared view may hold records after a batch's own, and if a replica fails to
/// confirm those, the view may not be published while the batch's own records were confirmed and its reply
/// is OK. With log replicas each batch takes its view before it waits, at its own last record.
///
/// Views are taken only where the state holds no change that is not in the log: between actor turns (every
/// change is applied and appended with no suspension in between) and at the start of one.
extension MasterService {
    /// Before a batch applies a namespace change: takes the view owed to the batches before it, unless their
    /// records still wait in the log's queue, where the change's records join them (same fsync, same view).
    func takeOwedView() {
        guard viewOwed, !log.newestIsQueued else { return }
        takeView()
    }

    /// A batch about to wait for its records: with log replicas, it takes its own view now (see above).
    func takeViewBeforeWaiting() {
        if !logReplicas.isEmpty { takeView() }
    }

    /// Takes a view of the state as it is now, holding every record handed out so far (none if the log
    /// failed, or while handing over: a refused mutation may then be in the state and in no log).
    @discardableResult
    func takeView() -> (sequence: UInt64, view: ReadView)? {
        guard role == .primary, !handingOver, let sequence = try? log.lastAssignedUnlessFailed() else { return nil }
        viewOwed = false
        if let published = reads.sequence { viewsToPublish.removeAll { $0.sequence <= published } }
        if let newest = viewsToPublish.last, newest.sequence == sequence { return newest }
        let taken = (sequence: sequence, view: state.readView)
        viewsToPublish.append(taken)
        return taken
    }

    /// Once record `sequence` is durable and on the log replicas: publishes a view that holds it, so a read
    /// after the reply sees the change. When the view taken holds later records too, waits for those; if they
    /// fail, their own requests are told, and this one publishes nothing (a reload puts out the durable state).
    func publishCovering(_ sequence: UInt64, reloadsBefore: Int) async {
        guard let published = reads.sequence, published < sequence else { return }
        guard let target = viewsToPublish.first(where: { $0.sequence >= sequence }) ?? takeView() else {
            // The log failed since this batch's records became durable: a reload puts out the durable state.
            reloadAfterLogFailure()
            return
        }
        if target.sequence > sequence {
            do throws(GFSError) {
                try await log.waitDurable(target.sequence)
                try checkNoReloadSince(reloadsBefore)
                try await waitForReplicas(target.sequence)
            } catch {
                reloadAfterLogFailure()
                return
            }
        }
        reads.publish(target.view, at: target.sequence)
        viewsToPublish.removeAll { $0.sequence <= target.sequence }
    }

    /// Puts out a view of the durable state as the primary's reads (it started, was elected or promoted, or
    /// reloaded): views taken before are of a state that may be gone.
    func resetReads() {
        viewsToPublish.removeAll()
        viewOwed = false
        reads.reset(state.readView, at: log.durable, stillLeading: stillLeading)
    }
}
