import Foundation
import GFSCore
import GFSProtocol
import Logging
import NIOConcurrencyHelpers

/// Master election on etcd, as GFS used Chubby: the master that creates `PREFIX/leader` under its etcd lease
/// is the primary, and the revision of that creation is its epoch; the others follow it as shadows and log
/// replicas. A primary that cannot renew its lease in time exits at once (a supervisor starts it again as a
/// shadow), so it never answers as primary once another may have been elected.
struct MasterElection: Sendable {
    let etcd: EtcdClient
    let prefix: String
    /// The address other roles reach this master at.
    let address: ServerID
    /// Seconds of the etcd lease: how long a dead primary holds the election up.
    let ttl: Int64
    let service: MasterService
    let logger: Logger

    var leaderKey: String { prefix + "/leader" }
    var initializedKey: String { prefix + "/initialized" }
    /// Present while the primary goes on without this master's log: it may not campaign.
    func behindKey(_ master: ServerID) -> String { prefix + "/behind/" + master.description }
    /// The other masters, whose logs the primary waits for.
    let peers: [ServerID]
    /// Whether this master may be the first primary of a new cluster with an empty log (`--bootstrap`).
    let bootstrap: Bool
    /// The etcd lease and epoch of this master's reign, while it is the primary.
    let reign = NIOLockedValueBox<(lease: String, epoch: UInt64)?>(nil)
    /// Set once a planned stop gives up the election: the process is about to exit 0, so losing the lease
    /// is no reason to exit 75 first.
    let leaving = NIOLockedValueBox(false)

    /// A planned stop: once the successor surely has every acknowledged mutation, gives up the election, so
    /// another master wins within moments instead of after the TTL. When a log replica in sync has every
    /// record, this master also records itself as behind (it will be, once the next primary writes), so the
    /// next primary does not wait out a replica timeout for it; back and caught up, it is in sync again. With
    /// no replica in sync it does not: it is then the only master that may campaign.
    func stepDown() async {
        guard let (lease, epoch) = reign.withLockedValue({ $0 }), let handOver = await service.handOver() else { return }
        leaving.withLockedValue { $0 = true }
        let leave: [EtcdClient.Change] = handOver == .toReplicas
            ? [.put(behindKey(address), "1", lease: nil), .delete(leaderKey)] : [.delete(leaderKey)]
        let outcome = try? await etcd.transaction(if: [(leaderKey, epoch)], then: leave)
        await etcd.revokeLease(lease)
        logger.notice("handed over: \(outcome?.succeeded == true ? "left the election" : "gave up the election lease")\(handOver == .alone ? " (no log replica in sync)" : "")")
    }

    func run() async {
        await service.requireInSyncConfirmation()
        var following: ServerID?
        var failures = 0
        // An empty master holds nothing acknowledged: it may campaign only to start a new cluster, and only
        // when told to (a master that lost its folder, or a second master started empty, would otherwise win
        // with an empty namespace and have every chunk deleted).
        while !Task.isCancelled {
            do {
                let begun = try await etcd.get(initializedKey) != nil
                if !bootstrap || begun { try await service.markCatchingUpIfEmpty() }
                break
            } catch {
                logger.warning("etcd: \(error.message); retrying")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        while !Task.isCancelled {
            do {
                if let leader = try await etcd.get(leaderKey) {
                    failures = 0
                    if let primary = ServerID(leader.value), primary != address {
                        if primary != following {
                            await service.follow(primary, as: address)
                            following = primary
                        }
                        let asked = ContinuousClock.now
                        await service.noteInSync(try await etcd.get(behindKey(address)) == nil, checkedAt: asked)
                    }
                    // Our own key, left by this master's previous run, lapses with that run's lease.
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                guard await service.mayCampaign else {
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                let started = ContinuousClock.now
                let lease = try await etcd.grantLease(ttl: ttl)
                // An empty log wins only where no primary ever was; the win marks the cluster as begun.
                let empty = await service.logIsEmpty
                var conditions: [(key: String, revision: UInt64)] = [(leaderKey, 0), (behindKey(address), 0)]
                if empty { conditions.append((initializedKey, 0)) }
                let (won, revision) = try await etcd.transaction(
                    if: conditions,
                    then: [.put(leaderKey, address.description, lease: lease), .put(initializedKey, "1", lease: nil)])
                guard won else {
                    await etcd.revokeLease(lease)
                    continue
                }
                await lead(lease: lease, epoch: revision, granted: started)
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 { logger.warning("election: \(error); retrying") }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Serves as primary while the lease is renewed; returns never: on losing it, the process exits.
    private func lead(lease: String, epoch: UInt64, granted: ContinuousClock.Instant) async {
        // The lease began at etcd after `granted`, so by this clock it ends no earlier than `granted + ttl`;
        // stepping down a fifth of the TTL before that leaves room for clock rate differences.
        let margin = Duration.seconds(ttl) / 5
        let deadline = NIOLockedValueBox(granted + .seconds(ttl) - margin)
        let (logger, leaving) = (self.logger, self.leaving)
        let watchdog = Task.detached {
            while !Task.isCancelled {
                let end = deadline.withLockedValue { $0 }
                if leaving.withLockedValue({ $0 }) { return }
                if ContinuousClock.now >= end {
                    logger.critical("could not renew the etcd lease in time; exiting so that no second primary serves")
                    exit(75)
                }
                try? await Task.sleep(until: end, clock: .continuous)
            }
        }
        defer { watchdog.cancel() }
        let (etcd, leaderKey) = (self.etcd, self.leaderKey)
        let keys = Dictionary(uniqueKeysWithValues: peers.map { ($0, behindKey($0)) })
        // Only while this master's election stands may it change who is in sync.
        let fence = ReplicaFence(
            markBehind: { replica in
                guard let key = keys[replica] else { return false }
                let outcome = try? await etcd.transaction(if: [(leaderKey, epoch)], then: [.put(key, "1", lease: nil)])
                return outcome?.succeeded ?? false
            },
            markInSync: { replica in
                guard let key = keys[replica] else { return false }
                let outcome = try? await etcd.transaction(if: [(leaderKey, epoch)], then: [.delete(key)])
                return outcome?.succeeded ?? false
            })
        // Renewal starts before taking over: taking over may wait for an unreachable log replica (until it
        // is marked behind), and must not let the lease lapse meanwhile.
        let ttl = self.ttl
        let renewal = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(ttl) / 3)
                let sent = ContinuousClock.now
                do {
                    let left = try await etcd.keepAlive(lease)
                    guard left > 0 else {
                        if leaving.withLockedValue({ $0 }) { return }
                        logger.critical("the etcd lease of epoch \(epoch) is gone; exiting so that no second primary serves")
                        exit(75)
                    }
                    // etcd never renews for longer than the TTL asked; a larger answer is not trusted.
                    deadline.withLockedValue { $0 = max($0, sent + .seconds(min(left, ttl)) - margin) }
                } catch {
                    logger.warning("renewing the etcd lease: \((error as? GFSError)?.message ?? "\(error)")")
                }
            }
        }
        defer { renewal.cancel() }
        reign.withLockedValue { $0 = (lease, epoch) }
        var behind: Set<ServerID> = [], unread: Set<ServerID> = []
        for peer in peers {
            // Unreadable counts as in sync: waiting for a replica costs time, never an acknowledged record.
            // But a hand-over must not count it (it may be behind in etcd, and may not campaign).
            do {
                if try await etcd.get(behindKey(peer)) != nil { behind.insert(peer) }
            } catch {
                unread.insert(peer)
            }
        }
        do {
            try await service.becomePrimary(epoch: epoch, behind: behind, maybeBehind: unread, fence: fence,
                                            stillLeading: { ContinuousClock.now < deadline.withLockedValue { $0 } })
        } catch {
            logger.critical("could not start as primary: \(error.message); exiting")
            await etcd.revokeLease(lease)
            exit(75)
        }
        await renewal.value  // runs until the process exits
    }
}
