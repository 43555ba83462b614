import CSQLite
import Foundation

// All SQLite pointer handling lives in this file.

/// A storage failure, with SQLite's own message and its extended result code when SQLite gave one.
public struct StoreError: Error, CustomStringConvertible {
    public var message: String
    /// SQLite's extended result code (`SQLITE_FULL` = 13, `SQLITE_CORRUPT` = 11, `SQLITE_BUSY` = 5, …).
    public var code: Int32?
    public init(message: String, code: Int32? = nil) {
        self.message = message
        self.code = code
    }
    public var description: String { message }
    /// The primary result code (the low byte of the extended one).
    public var primaryCode: Int32? { code.map { $0 & 0xFF } }
}

/// A value bound to or read from a statement.
enum SQLValue: Equatable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    init(_ s: String?) { self = s.map { .text($0) } ?? .null }
    init(_ i: Int?) { self = i.map { .int(Int64($0)) } ?? .null }
    init(_ d: Double?) { self = d.map { .real($0) } ?? .null }
    init(_ d: Date?) { self = d.map { .real($0.timeIntervalSince1970) } ?? .null }
}

/// One result row, read by column index or by column name.
struct SQLRow {
    fileprivate let statement: OpaquePointer

    /// The index of the result column called `name` (a linear scan: rows read by name are few and narrow).
    func index(_ name: String) -> Int32 {
        // One C string for the whole scan: passing `name` to strcmp converted it again for every column.
        let found = name.withCString { wanted -> Int32? in
            for i in 0..<sqlite3_column_count(statement) {
                if let p = sqlite3_column_name(statement, i), strcmp(p, wanted) == 0 { return i }
            }
            return nil
        }
        guard let found else { preconditionFailure("no result column \(name)") }
        return found
    }

    func int(_ name: String) -> Int { int(index(name)) }
    func int64(_ name: String) -> Int64 { int64(index(name)) }
    func optionalInt(_ name: String) -> Int? { optionalInt(index(name)) }
    func optionalDouble(_ name: String) -> Double? { isNull(index(name)) ? nil : double(index(name)) }
    func date(_ name: String) -> Date? { date(index(name)) }
    func text(_ name: String) -> String? { text(index(name)) }

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_NULL }
    func int(_ i: Int32) -> Int { Int(sqlite3_column_int64(statement, i)) }
    func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(statement, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(statement, i) }
    func optionalInt(_ i: Int32) -> Int? { isNull(i) ? nil : int(i) }
    func date(_ i: Int32) -> Date? { isNull(i) ? nil : Date(timeIntervalSince1970: double(i)) }
    func isBlob(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_BLOB }
    /// The column's bytes as a blob, valid only inside `body`.
    func withBlob<T>(_ i: Int32, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let p = sqlite3_column_blob(statement, i)
        return body(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, i))))
    }
    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, i) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    }
}

/// A SQLite connection with a statement cache. Not thread-safe: one owner at a time.
final class SQLiteDatabase {
    private var handle: OpaquePointer?
    private var statements: [StatementKey: OpaquePointer] = [:]
    let path: String

    init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw StoreError(message: "cannot open database \(path): \(message)", code: rc)
        }
        handle = db
        sqlite3_busy_timeout(db, Self.busyMilliseconds)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { close() }

    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    static let busyMilliseconds: Int32 = 5000

    /// Runs `body` with lock waits of `milliseconds` instead (0: fail at once when busy).
    func waitingOnLocks<T>(_ milliseconds: Int32, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        if let handle { sqlite3_busy_timeout(handle, milliseconds) }
        defer { if let handle { sqlite3_busy_timeout(handle, Self.busyMilliseconds) } }
        return try body()
    }

    func close() {
        for (_, statement) in statements { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func error(_ context: String) -> StoreError {
        guard let handle else { return StoreError(message: "\(context): database is closed") }
        return StoreError(message: "\(context): \(String(cString: sqlite3_errmsg(handle)))", code: sqlite3_extended_errcode(handle))
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(StoreError) {
        guard let handle else { throw StoreError(message: "database is closed") }
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw StoreError(message: "\(text) (in: \(sql.prefix(80)))", code: sqlite3_extended_errcode(handle))
        }
    }

    private func prepared(_ sql: String, cache: Bool) throws(StoreError) -> OpaquePointer {
        if let cached = statements[StatementKey(sql: sql)] { return cached }
        guard let handle else { throw StoreError(message: "database is closed") }
        var statement: OpaquePointer?
        let flags = cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        guard sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil) == SQLITE_OK, let statement else {
            throw error("cannot prepare \(sql.prefix(80))")
        }
        if cache { statements[StatementKey(sql: sql)] = statement }
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ values: [SQLValue]) throws(StoreError) {
        for (index, value) in values.enumerated() {
            let i = Int32(index + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, i)
            case .int(let n): rc = sqlite3_bind_int64(statement, i, n)
            case .real(let d): rc = sqlite3_bind_double(statement, i, d)
            case .text(let s): rc = sqlite3_bind_text(statement, i, s, -1, tributary_sqlite_transient())
            case .blob(let bytes): rc = bytes.withUnsafeBytes {
                sqlite3_bind_blob(statement, i, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), tributary_sqlite_transient())
            }
            }
            guard rc == SQLITE_OK else { throw error("cannot bind parameter \(i)") }
        }
    }

    /// Runs a statement, calling `row` for each result row. `cache: false` is for SQL built at run
    /// time (lists of ids), which would otherwise fill the statement cache for as long as the daemon runs.
    func query(_ sql: String, _ values: [SQLValue] = [], cache: Bool = true, row: (SQLRow) throws -> Void) throws(StoreError) {
        let statement = try prepared(sql, cache: cache)
        defer {
            if cache {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        try bind(statement, values)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error("query failed") }
            do {
                try row(SQLRow(statement: statement))
            } catch let e as StoreError {
                throw e
            } catch {
                throw StoreError(message: "\(error)")
            }
        }
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
        try query(sql, values) { _ in }
    }

    /// The first column of the first row, as an integer.
    func scalar(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int? {
        var result: Int?
        try query(sql, values) { row in if result == nil, !row.isNull(0) { result = row.int(0) } }
        return result
    }

    /// Statements kept prepared; bounded by the fixed SQL texts of the store.
    var cachedStatementCount: Int { statements.count }

    var lastInsertID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }
    var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Whether a transaction is open on this connection (a batch of polls, see `FeedStore.beginBatch`).
    var inTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs `body` in one transaction; rolls back if it throws. Inside an open transaction it is a
    /// savepoint of it: a failure takes back only what `body` did.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let nested = inTransaction
        try execute(nested ? "SAVEPOINT step" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute(nested ? "RELEASE step" : "COMMIT")
            return result
        } catch {
            // SQLite may already have rolled the whole transaction back (a full disk, an I/O error).
            if nested, inTransaction {
                try? execute("ROLLBACK TO step; RELEASE step")
            } else if inTransaction {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }
}

/// A statement's SQL as the statement cache's key, hashed from its length and sixteen of its bytes rather
/// than all of them: the cache is consulted for every statement run, and hashing whole statements of a few
/// hundred bytes cost more than SQLite's work for the short ones. Equality still compares the whole text.
private struct StatementKey: Hashable {
    let sql: String

    static func == (a: StatementKey, b: StatementKey) -> Bool { a.sql == b.sql }

    func hash(into hasher: inout Hasher) {
        let count = sql.utf8.count
        hasher.combine(count)
        guard count > 0 else { return }
        let sampled = sql.utf8.withContiguousStorageIfAvailable { bytes in
            var value: UInt64 = 0
            for k in 0..<16 { value = value &* 0x100_0000_01B3 &+ UInt64(bytes[k * (count - 1) / 15]) }
            return value
        }
        if let sampled { hasher.combine(sampled) } else { hasher.combine(sql) }
    }
}
