import Foundation

/// Many polls in one transaction. Each feed's items and poll state still commit together (a savepoint
/// of the batch), and a kill loses only polls whose ETags were not stored either, so the next poll
/// fetches them again. One transaction per feed rewrote the same index pages, and synced the log, once
/// per feed: on a new database most of the writing was that.
public struct PollBatch {
    var limits: CommitLimits
    /// When the batch's transaction began, if it is open.
    var openedAt: Date?
    /// Items stored since then.
    var items = 0
    /// SQLite rolled the transaction back under a failed poll (a full disk): the polls before it are lost.
    var lost: StoreError?

    public struct CommitLimits: Sendable {
        /// Commit once this many items are waiting: bounds the page cache the batch dirties.
        public var items: Int
        /// Commit after this long: bounds what a kill loses (polls to fetch again) and how long another
        /// writer waits.
        public var seconds: Double
        /// A first poll of 1,000 feeds (46,000 items) commits a few times; at 5,000 feeds a batch of
        /// 2 s wrote 4.2 bytes per byte stored, one of 10 s 2.6.
        public init(items: Int = 50_000, seconds: Double = 10) {
            self.items = items
            self.seconds = seconds
        }
    }
}

extension FeedStore {
    /// From now on, `commit` groups polls into longer transactions, until `endBatch`.
    public func beginBatch(_ limits: PollBatch.CommitLimits = PollBatch.CommitLimits()) {
        guard batch == nil else { return }
        batch = PollBatch(limits: limits)
        // Pages a batch changes stay in memory until it commits: the indexes' pages are written once per
        // batch, not once per feed. Only a large batch (a first poll) fills it.
        try? setCacheSize(Self.batchCacheBytes)
    }

    /// Whether the open batch has reached a limit and should be committed now.
    public func batchIsDue(now: Date = Date()) -> Bool {
        guard let batch, let opened = batch.openedAt else { return false }
        return batch.lost != nil || batch.items >= batch.limits.items || now.timeIntervalSince(opened) >= batch.limits.seconds
    }

    /// Commits the polls stored since the last commit of the batch. On failure none of them is stored:
    /// the caller must treat each as a failed poll (its old ETag and items stand).
    public func commitBatch() throws(StoreError) {
        guard var open = batch else { return }
        defer { batch = open }
        let lost = open.lost
        open.openedAt = nil
        open.items = 0
        open.lost = nil
        do throws(StoreError) {
            if let lost {
                throw StoreError(message: "a failed write rolled back the polls stored with it: \(lost.message)", code: lost.code)
            }
            if db.inTransaction {
                try writeHeldKeys()
                try db.execute("COMMIT")
            }
            heldKeys.discard()
        } catch {
            if db.inTransaction { try? db.execute("ROLLBACK") }
            nearIndex = nil
            heldKeys.discard()
            throw error
        }
    }

    /// Commits what waits and stops batching.
    public func endBatch() throws(StoreError) {
        defer {
            batch = nil
            try? setCacheSize(Self.idleCacheBytes)
        }
        try commitBatch()
        // A new database's first import is stored: from now on, WAL (FeedStore.importJournal).
        if importJournal { try switchToWAL(waiting: false) }
    }

    /// Opens the batch's transaction before a poll is stored in it.
    func openBatchTransaction() throws(StoreError) {
        guard batch != nil, batch?.openedAt == nil, !db.inTransaction else { return }
        try db.execute("BEGIN IMMEDIATE")
        batch?.openedAt = Date()
    }

    /// After a poll's savepoint failed: if SQLite took the whole transaction back, the batch is lost.
    func noteBatchFailure(_ error: StoreError) {
        guard batch?.openedAt != nil, !db.inTransaction, batch?.lost == nil else { return }
        batch?.lost = error
    }
}
