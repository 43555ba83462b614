import Foundation
import XCTest
@testable import Tributary

/// What is bound is what is stored and read back: empty and long texts, a NUL, blobs, many parameters, reuse.
final class SQLiteBindingTests: XCTestCase {
    func testValuesBoundInPlaceAreStoredAsTheyWere() throws {
        let db = try SQLiteDatabase(path: try makeTemporaryFolder(self).appendingPathComponent("t.sqlite").path)
        try db.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v)")
        let long = String(repeating: "long text é 中 ", count: 500)
        let values: [SQLValue] = [.text(""), .text("small"), .text(long), .text("cut\u{0}after the NUL"), .blob([]), .blob([0, 1, 2, 255]),
                                  .blob([UInt8](repeating: 7, count: 5000)), .null, .int(-5), .real(2.5)]
        for (k, value) in values.enumerated() { try db.run("INSERT INTO t(k, v) VALUES(?, ?)", [.int(Int64(k)), value]) }
        var read: [String] = []
        try db.query("SELECT typeof(v), quote(v) FROM t ORDER BY k") { row in read.append("\(row.text(0) ?? "?") \((row.text(1) ?? "?").prefix(24))") }
        XCTAssertEqual(read, ["text ''", "text 'small'", "text 'long text é 中 long text", "text 'cut'", "blob X''", "blob X'000102FF'",
                              "blob X'0707070707070707070707", "null NULL", "integer -5", "real 2.5"])
        var stored: String?
        try db.query("SELECT v FROM t WHERE k = 2") { row in stored = row.text(0) }
        XCTAssertEqual(stored, long)
        // Many parameters, and the same statement run again with other values: no binding leaks into the next run.
        try db.execute("CREATE TABLE w(a, b, c, d, e, f, g, h)")
        let sql = "INSERT INTO w VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
        try db.run(sql, (0..<8).map { .text(String(repeating: "x", count: $0 * 40)) })
        try db.run(sql, [.int(1), .null, .text("b"), .blob([1]), .real(1), .text(long), .null, .text("h")])
        var rows: [String] = []
        try db.query("SELECT quote(a), quote(b), quote(c), length(d), quote(e), length(f), quote(g), quote(h) FROM w") { row in
            rows.append((0..<8).map { row.text($0) ?? "-" }.joined(separator: ","))
        }
        XCTAssertEqual(rows, ["'',\(quoted(40)),\(quoted(80)),120,\(quoted(160)),200,\(quoted(240)),\(quoted(280))",
                              "1,NULL,'b',1,1.0,\(long.unicodeScalars.count),NULL,'h'"])
        // A failing statement (a constraint) leaves the cached statement usable.
        XCTAssertThrowsError(try db.run("INSERT INTO t(k, v) VALUES(?, ?)", [.int(1), .text("again")]))
        try db.run("INSERT INTO t(k, v) VALUES(?, ?)", [.int(100), .text("after the failure")])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM t WHERE v = ?", [.text("after the failure")]), 1)
    }

    private func quoted(_ count: Int) -> String { "'" + String(repeating: "x", count: count) + "'" }
}
