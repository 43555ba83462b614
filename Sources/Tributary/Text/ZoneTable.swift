import Foundation

/// The UTC offsets and abbreviations of an IANA time zone, read from the system's TZif file (RFC 8536)
/// rather than through Foundation's TimeZone and Calendar, whose ICU data costs the daemon megabytes of
/// memory for a clock on a web page.
public struct ZoneTable: Sendable {
    private var transitions: [Int64] = []
    private var transitionTypes: [Int] = []
    private var types: [(offset: Int, abbreviation: String)] = [(0, "UTC")]

    public static let utc = ZoneTable()
    static let folder = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"

    private init() {}

    /// The zone called `identifier` ("Asia/Karachi"), or nil when the system has no such zone.
    public static func load(_ identifier: String) -> ZoneTable? {
        if identifier == "UTC" || identifier == "Etc/UTC" { return .utc }
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return nil }
        guard let data = FileManager.default.contents(atPath: folder + "/" + identifier) else { return nil }
        return parse([UInt8](data))
    }

    /// Reads the 64-bit (version 2+) block when there is one, else the version 1 block.
    static func parse(_ bytes: [UInt8]) -> ZoneTable? {
        func int32(_ at: Int) -> Int? {
            guard at + 4 <= bytes.count else { return nil }
            return Int(Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])))
        }
        func int64(_ at: Int) -> Int64? {
            guard let high = int32(at), let low = int32(at + 4) else { return nil }
            return Int64(high) << 32 | Int64(UInt32(truncatingIfNeeded: low))
        }
        func block(at start: Int, wide: Bool) -> (table: ZoneTable, end: Int)? {
            guard start + 44 <= bytes.count, bytes[start..<(start + 4)].elementsEqual("TZif".utf8) else { return nil }
            let counts = (0..<6).compactMap { int32(start + 20 + $0 * 4) }
            guard counts.count == 6, counts.allSatisfy({ $0 >= 0 && $0 < 100_000 }) else { return nil }
            let (isut, isstd, leap, time, type, chars) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
            let width = wide ? 8 : 4
            var at = start + 44
            var table = ZoneTable()
            table.transitions = (0..<time).compactMap { wide ? int64(at + $0 * 8) : int32(at + $0 * 4).map(Int64.init) }
            at += time * width
            guard at + time + type * 6 + chars <= bytes.count, type > 0 else { return nil }
            table.transitionTypes = (0..<time).map { Int(bytes[at + $0]) }
            at += time
            let charStart = at + type * 6
            table.types = (0..<type).map { i in
                let offset = int32(at + i * 6) ?? 0
                // An abbreviation index past the characters gives an empty abbreviation, not a read past them.
                let start = charStart + min(Int(bytes[at + i * 6 + 5]), chars)
                var end = start
                while end < charStart + chars && bytes[end] != 0 { end += 1 }
                return (offset, String(decoding: bytes[start..<end], as: UTF8.self))
            }
            guard table.transitionTypes.allSatisfy({ $0 < type }), table.transitions.count == time else { return nil }
            at = charStart + chars + leap * (width + 4) + isstd + isut
            return (table, at)
        }
        guard let first = block(at: 0, wide: false) else { return nil }
        if bytes.count > 4, bytes[4] >= 0x32, let second = block(at: first.end, wide: true) { return second.table }
        return first.table
    }

    /// Offset from UTC in seconds and the zone's abbreviation at `date`. After the last listed
    /// transition the last rule holds (the files list them to 2037).
    public func offset(at date: Date) -> (seconds: Int, abbreviation: String) {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= t { low = mid + 1 } else { high = mid }
        }
        // Before the first transition: the first standard-time type, as RFC 8536 §3.2 says for version 1.
        let type = low == 0 ? (types.indices.first { _ in true } ?? 0) : transitionTypes[low - 1]
        let entry = types[type]
        return (entry.offset, entry.abbreviation)
    }

    /// "2 Dec 2026, 14:05 PKT": day first, unambiguous in every locale. Numeric abbreviations ("+05")
    /// are written as offsets ("UTC+5").
    public func describe(_ date: Date) -> String {
        let (offset, abbreviation) = self.offset(at: date)
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(offset)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let (year, month, day) = FeedDate.civil(fromDays: days)
        let rest = local - days * 86400
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var label = abbreviation
        if label.isEmpty || label.first == "+" || label.first == "-" {
            let hours = offset / 3600, minutes = abs(offset % 3600) / 60
            label = offset == 0 ? "UTC" : "UTC\(hours >= 0 ? "+" : "")\(hours)" + (minutes > 0 ? ":\(minutes < 10 ? "0" : "")\(minutes)" : "")
        }
        return "\(day) \(months[Int(month) - 1]) \(year), \(two(rest / 3600)):\(two(rest % 3600 / 60)) \(label)"
    }
}
