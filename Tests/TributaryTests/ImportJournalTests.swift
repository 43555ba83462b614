import Foundation
import XCTest
@testable import Tributary

/// A new database takes its first import under the rollback journal and is in WAL mode once that ends.
final class ImportJournalTests: XCTestCase {
    func journalMode(_ store: FeedStore) throws -> String? {
        var mode: String?
        try store.db.query("PRAGMA journal_mode") { row in mode = row.text(0) }
        return mode
    }

    func testANewDatabaseImportsUnderTheRollbackJournalThenUsesWAL() throws {
        let path = try makeTemporaryFolder(self).appendingPathComponent("db.sqlite").path
        let store = try FeedStore(path: path)
        XCTAssertEqual(try journalMode(store), "delete")
        let feeds = try store.syncFeeds([FeedSettings(name: "A", url: "https://a.example/feed", interval: nil, tags: [], userAgent: nil)])
        store.beginBatch()
        let items = (0..<200).map { FeedItem(id: "g\($0)", link: "https://a.example/\($0)", title: "Story \($0)", summary: storyText("s\($0)")) }
        let counts = try store.commit(feedID: feeds[0].id, feedURL: feeds[0].url, state: FeedPollState(lastPollAt: Date(), lastStatus: 200),
                                      parsed: ParsedFeed(format: .rss20, items: items))
        XCTAssertEqual(counts.new, 200)
        XCTAssertEqual(try journalMode(store), "delete", "the whole first batch goes through the rollback journal")
        try store.commitBatch()
        // A reader inside a transaction keeps the switch from taking its lock: the store stays as it is, and
        // switches at the end of a later batch.
        let reader = try SQLiteDatabase(path: path, readOnly: true)
        try reader.execute("BEGIN")
        XCTAssertEqual(try reader.scalar("SELECT count(*) FROM items"), 200)
        try store.endBatch()
        try reader.execute("COMMIT")
        XCTAssertEqual(try journalMode(store), "delete", "busy: switched later")
        reader.close()
        store.beginBatch()
        try store.endBatch()
        XCTAssertEqual(try journalMode(store), "wal")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-journal"))
        store.close()
        // An existing database is in WAL mode from the start.
        let again = try FeedStore(path: path)
        XCTAssertEqual(try journalMode(again), "wal")
        XCTAssertEqual(try again.itemCount(), 200)
        XCTAssertEqual(try again.integrityCheck(), "ok")
    }
}
