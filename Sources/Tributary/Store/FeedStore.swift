import Foundation

/// SQLite-backed storage of feeds and items, with layered identity (guid, canonical URL, content).
public final class FeedStore {
    let db: SQLiteDatabase
    /// Recent stories' MinHash bands, built from `story_sketches` on first use; nil after a failed write,
    /// so that it is rebuilt from what was committed.
    var nearIndex: NearDuplicateIndex?
    /// Article bodies are compressed on the way in and out (summary, content, fetched full text).
    let bodies = CompressedText()
    /// The open batch of polls, while `beginBatch` is in effect (see FeedStore+Batch.swift).
    var batch: PollBatch?
    /// `story_keys` rows of the open batch, inserted when it commits (StoryKeyBuffer.swift).
    var heldKeys = StoryKeyBuffer()
    /// Which story keys may be stored (StoryKeyFilter.swift): built once look-ups have paid for it, kept
    /// while this connection is the database's only writer.
    var keyFilter: StoryKeyFilter?
    /// Key look-ups since the filter was last dropped, and the `data_version` that tells another
    /// connection's commit (nil until this store first commits: read-only stores never build the filter).
    var keyLookups = 0
    var keyFilterDue = Int.max
    /// Look-ups before the filter is considered at all (tests lower it).
    var keyFilterMinimumLookUps = 4096
    var dataVersion: Int?
    /// A new database takes its first import under SQLite's rollback journal, synced in full, and is put in
    /// WAL mode when that batch ends. Pages appended to a file are not journaled, so the import writes each
    /// page once; through WAL it wrote each twice (log, then checkpoint), which was 5% of its CPU time.
    /// A kill leaves a hot journal that the next open rolls back, as SQLite always does.
    var importJournal = false
    /// Updates caused by content churn alone (same title and link) stop counting after this many.
    public static let maxChurnRevisions = 5

    /// Opens (and, unless `readOnly`, creates or upgrades) the database at `path`.
    ///
    /// Refuses another program's database and one whose schema is newer than this build. Read-only
    /// opening (for `status`) never writes, never migrates, and refuses a schema older than this build's.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        if !readOnly {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(message: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        db = try SQLiteDatabase(path: path, readOnly: readOnly)
        // Before anything that writes (the journal mode is a write): a foreign file stays untouched.
        let version: Int
        do {
            version = try checkOwnership().version
        } catch where readOnly && error.code == 776 { // SQLITE_READONLY_ROLLBACK
            throw StoreError(message: "\(path): the first import was interrupted and its journal needs rolling back, which a reader cannot do; run `tributary poll` or restart the daemon, which rolls it back", code: error.code)
        }
        if readOnly {
            try db.execute("PRAGMA query_only = ON")
            if version < Schema.migrations.count {
                throw StoreError(message: "\(path): schema version \(version) is older than this tributary's (\(Schema.migrations.count)); run `tributary poll` or restart the daemon once to upgrade it")
            }
            return
        }
        // A new file gets 16 KB pages: a compressed body is 1–3 KB, and in 4 KB pages such a row often
        // took a page of its own (a third of the file was slack). Fixed once the file has a page.
        let isNew = try db.scalar("PRAGMA page_count") == 0
        if isNew { try db.execute("PRAGMA page_size = \(Self.pageSize)") }
        // WAL: readers (tributary status) never block the daemon; NORMAL sync is crash-safe in WAL mode.
        // journal_size_limit: after a checkpoint the WAL file shrinks back instead of keeping its peak size.
        // A new file's first import keeps SQLite's rollback journal instead (see `importJournal`), and
        // switches to WAL when its batch ends.
        importJournal = isNew
        if !isNew { try switchToWAL(waiting: true) }
        // temp_store: the statement journal each savepoint keeps stays in memory (in a file it was most of
        // the bytes written). The checkpoint runs once the log holds 64 MB: a page changed by several
        // commits in between reaches the database file once.
        try db.execute("PRAGMA synchronous = \(importJournal ? "FULL" : "NORMAL"); PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 33554432; PRAGMA temp_store = MEMORY;")
        let pageBytes = try db.scalar("PRAGMA page_size") ?? 4096
        try db.execute("PRAGMA wal_autocheckpoint = \(Self.checkpointBytes / max(pageBytes, 512))")
        try setCacheSize(Self.idleCacheBytes)
        try migrate()
    }

    public func close() { db.close() }

    /// Puts the database in WAL mode, which takes an exclusive lock. `waiting` retries for a while (another
    /// process opening the same new database switches it at the same time); otherwise a database another
    /// connection is reading stays as it is at once, and the caller tries again after its next batch.
    func switchToWAL(waiting: Bool) throws(StoreError) {
        var attempts = 0
        while true {
            do {
                try db.waitingOnLocks(waiting ? SQLiteDatabase.busyMilliseconds : 0) { () throws(StoreError) in
                    try db.execute("PRAGMA journal_mode = WAL")
                }
                if importJournal { try db.execute("PRAGMA synchronous = NORMAL") }
                importJournal = false
                return
            } catch where error.primaryCode == 5 && !waiting {
                return // busy: tried again after the next batch
            } catch where error.primaryCode == 5 && attempts < 100 {
                attempts += 1
                usleep(50_000)
            }
        }
    }

    static let pageSize = 16_384
    static let checkpointBytes = 64 << 20
    /// SQLite's page cache between polls, and while a batch of polls is stored (FeedStore+Batch.swift).
    static let idleCacheBytes = 16 << 20
    /// 56 MB, not 64: a batch's held story keys (StoryKeyBuffer, up to about 7 MB) come out of the same
    /// budget, and the index pages they would have dirtied are no longer in the cache during the batch.
    static let batchCacheBytes = 56 << 20

    /// Sizes SQLite's page cache; a smaller size frees the pages above it.
    func setCacheSize(_ bytes: Int) throws(StoreError) {
        try db.execute("PRAGMA cache_size = -\(bytes >> 10)")
    }

    /// A body column as stored by `bodies`: a compressed frame, or text from older databases.
    func storedText(_ row: SQLRow, _ name: String) -> String? {
        let column = row.index(name)
        guard row.isBlob(column) else { return row.text(column) }
        return row.withBlob(column) { bodies.decode($0) }
    }

    /// The schema version and application id, after checking that the file is Tributary's (or empty).
    private func checkOwnership() throws(StoreError) -> (version: Int, application: Int) {
        let application = try db.scalar("PRAGMA application_id") ?? 0
        let version = try db.scalar("PRAGMA user_version") ?? 0
        let tables = try db.scalar("SELECT count(*) FROM sqlite_master") ?? 0
        if (application != 0 && application != Schema.applicationID) || (version == 0 && tables > 0) {
            throw StoreError(message: "\(db.path) is not a Tributary database (it belongs to another program); refusing to change it. Point [storage] database at a new file.")
        }
        guard version <= Schema.migrations.count else {
            throw StoreError(message: "\(db.path): schema version \(version) is newer than this tributary understands (\(Schema.migrations.count)); use a newer tributary")
        }
        return (version, application)
    }

    /// Runs the migrations this database has not had. The version is read and checked inside the same
    /// write transaction, so two processes opening one database at once cannot both run a migration.
    func migrate() throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            let (version, application) = try checkOwnership()
            for index in version..<Schema.migrations.count {
                try db.execute(Schema.migrations[index])
                if index + 1 == Schema.storyKeys { try fileExistingItemsUnderKeys() }
            }
            if version < Schema.migrations.count { try db.execute("PRAGMA user_version = \(Schema.migrations.count)") }
            // New databases, and those made before the application id existed, get it now.
            if application == 0 { try db.execute("PRAGMA application_id = \(Schema.applicationID)") }
        }
    }

    /// Whether the database answers a trivial query (for the watchdog).
    public func ping() -> Bool {
        (try? db.scalar("SELECT 1")) == 1
    }

    /// Checks the database file for corruption: "ok", or SQLite's list of problems.
    /// `quick` skips the index-content checks, which read every row.
    public func integrityCheck(quick: Bool = false) throws(StoreError) -> String {
        var result: [String] = []
        try db.query(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check", cache: false) { row in result.append(row.text(0) ?? "") }
        return result.joined(separator: "; ")
    }
}
