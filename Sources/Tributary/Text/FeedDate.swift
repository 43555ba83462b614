import Foundation

/// Parses the date styles found in feeds (RFC 822 family and ISO 8601 / W3DTF) into UTC instants.
public enum FeedDate {
    /// Returns nil for anything it cannot read; never "now".
    public static func parse(_ raw: String) -> Date? {
        let text = raw.trimmed
        guard let first = text.utf8.first else { return nil }
        if (first >= 0x30 && first <= 0x39) || first == 0x2D, let date = iso8601(text) {
            return date
        }
        return rfc822(text)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ date: Date) -> String {
        let seconds = Int64(floor(date.timeIntervalSince1970))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(paddedYear)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    // MARK: ISO 8601 / W3DTF

    static func iso8601(_ text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { iso8601(bytes: $0) }
    }

    /// Works on the UTF-8 bytes, like `rfc822`: it runs for every dated item.
    private static func iso8601(bytes s: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        func peek() -> UInt8? { i < s.count ? s[i] : nil }
        func digits(_ count: Int) -> Int? {
            guard i + count <= s.count else { return nil }
            var n = 0
            for k in i..<(i + count) {
                guard s[k] >= 0x30 && s[k] <= 0x39 else { return nil }
                n = n * 10 + Int(s[k] - 0x30)
            }
            i += count
            return n
        }
        func skipSpaces() { while peek() == 0x20 { i += 1 } }
        guard let year = digits(4) else { return nil }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0
        var offset = 0
        if peek() == 0x2D {
            i += 1
            guard var m = digits(2) else { return nil }
            // "2003-012-31": a zero-padded three-digit month, read as feedparser reads it.
            if m < 10, let extra = peek(), extra >= 0x30, extra <= 0x39 { m = m * 10 + Int(extra - 0x30); i += 1 }
            month = m
            if peek() == 0x2D {
                i += 1
                guard let d = digits(2) else { return nil }
                day = d
            }
        } else if let m = digits(2) {
            // Compact form YYYYMMDD.
            month = m
            guard let d = digits(2) else { return nil }
            day = d
        }
        if let t = peek(), t == 0x54 || t == 0x74 || t == 0x20 { // T, t, space
            i += 1
            skipSpaces()
            guard let h = digits(2) else { return nil }
            hour = h
            if peek() == 0x3A { i += 1 }
            guard let mi = digits(2) else { return nil }
            minute = mi
            if peek() == 0x3A {
                i += 1
                guard let se = digits(2) else { return nil }
                second = se
            } else if let se = digits(2) {
                second = se
            }
            if peek() == 0x2E || peek() == 0x2C {
                i += 1
                while let c = peek(), c >= 0x30 && c <= 0x39 { i += 1 }
            }
            skipSpaces()
            if let z = peek() {
                if z == 0x5A || z == 0x7A { // Z, z
                    i += 1
                } else if z == 0x2B || z == 0x2D {
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    var om = 0
                    if peek() == 0x3A { i += 1 }
                    if let m = digits(2) { om = m }
                    offset = (oh * 60 + om) * 60 * (z == 0x2D ? -1 : 1)
                } else if let named = zoneOffset(String(decoding: UnsafeBufferPointer(rebasing: s[i...]), as: UTF8.self)) {
                    offset = named
                    i = s.count
                } else {
                    return nil
                }
            }
        }
        skipSpaces()
        guard i == s.count else { return nil }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    // MARK: RFC 822 and its many real-world variants

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    /// RFC 822 with the variations feeds use: optional weekday and seconds, one-digit days,
    /// two-digit years, named or numeric zones, `GMT+hh:mm`, a missing space after the comma.
    /// Works on the UTF-8 bytes: this runs for every item of every fetched feed.
    static func rfc822(_ text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { rfc822(bytes: $0) }
    }

    private static func rfc822(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var month: Int?
        var numbers: [Int] = []
        var numberWidths: [Int] = []
        var hour = 0, minute = 0, second = 0
        var sawTime = false
        var offset = 0
        var sawZone = false
        var i = 0
        let n = bytes.count
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        func parseOffset(_ start: Int, _ end: Int) -> Int? {
            // [+-]hh, [+-]hhmm or [+-]hh:mm
            guard end - start >= 2 else { return nil }
            let sign = bytes[start] == 0x2D ? -1 : 1
            var digits: [Int] = []
            for k in (start + 1)..<end {
                if isDigit(bytes[k]) { digits.append(Int(bytes[k] - 0x30)) } else if bytes[k] != 0x3A { return nil }
            }
            let h: Int, m: Int
            switch digits.count {
            case 1: (h, m) = (digits[0], 0)
            case 2: (h, m) = (digits[0] * 10 + digits[1], 0)
            case 3: (h, m) = (digits[0], digits[1] * 10 + digits[2])
            case 4: (h, m) = (digits[0] * 10 + digits[1], digits[2] * 10 + digits[3])
            default: return nil
            }
            return sign * (h * 3600 + m * 60)
        }
        while i < n {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x2C { i += 1; continue }
            var j = i
            while j < n, bytes[j] != 0x20, bytes[j] != 0x09, bytes[j] != 0x0A, bytes[j] != 0x0D, bytes[j] != 0x2C { j += 1 }
            defer { i = j }
            if isDigit(c) {
                var k = i
                var value = 0
                while k < j, isDigit(bytes[k]) { value = value * 10 + Int(bytes[k] - 0x30); k += 1 }
                if k == j {
                    numbers.append(value)
                    numberWidths.append(j - i)
                    continue
                }
                // "2020/1/10": year, month and day with slashes, the year first (day-first forms are ambiguous).
                if bytes[k] == 0x2F, k - i == 4, month == nil {
                    let parts = UnsafeBufferPointer(rebasing: bytes[i..<j]).split(separator: 0x2F)
                    guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(isDigit) }) else { return nil }
                    let values = parts.map { $0.reduce(0) { $0 * 10 + Int($1 - 0x30) } }
                    numbers += [values[2], values[0]]
                    numberWidths += [parts[2].count, 4]
                    month = values[1]
                    continue
                }
                guard bytes[k] == 0x3A, !sawTime else { return nil }
                // hh:mm[:ss][zone glued on]
                sawTime = true
                hour = value
                k += 1
                var part = 0, digits = 0
                while k < j, isDigit(bytes[k]) { part = part * 10 + Int(bytes[k] - 0x30); k += 1; digits += 1 }
                guard digits > 0 else { return nil }
                minute = part
                if k < j, bytes[k] == 0x3A {
                    k += 1
                    part = 0; digits = 0
                    while k < j, isDigit(bytes[k]) { part = part * 10 + Int(bytes[k] - 0x30); k += 1; digits += 1 }
                    second = part
                    if k < j, bytes[k] == 0x2E { k += 1; while k < j, isDigit(bytes[k]) { k += 1 } }
                }
                if k < j {
                    if bytes[k] == 0x2B || bytes[k] == 0x2D, let o = parseOffset(k, j) { offset = o; sawZone = true }
                    else if let z = zoneOffset(String(decoding: UnsafeBufferPointer(rebasing: bytes[k..<j]), as: UTF8.self)) { offset = z; sawZone = true }
                    else { return nil }
                }
                continue
            }
            if c == 0x2B || c == 0x2D {
                guard let o = parseOffset(i, j) else { return nil }
                offset += o
                sawZone = true
                continue
            }
            guard isLetter(c) else { return nil }
            var k = i
            while k < j, isLetter(bytes[k]) || bytes[k] == 0x2E { k += 1 }
            // Letters and dots only, so ASCII: lower-cased byte by byte, counted in bytes.
            var lowered = [UInt8](UnsafeBufferPointer(rebasing: bytes[i..<k]))
            for index in lowered.indices { lowered[index] |= lowered[index] == 0x2E ? 0 : 0x20 }
            let word = String(decoding: lowered, as: UTF8.self)
            if k < j {
                // "GMT+02:00", "UTC-5", "Etc/GMT"
                if (word == "gmt" || word == "utc" || word == "ut"), bytes[k] == 0x2B || bytes[k] == 0x2D, let o = parseOffset(k, j) {
                    offset = o
                    sawZone = true
                    continue
                }
                if word == "etc", bytes[k] == 0x2F { sawZone = true; continue }
                return nil
            }
            if month == nil, lowered.count >= 3, let m = months[String(decoding: lowered[..<3], as: UTF8.self)], !word.hasSuffix(".m.") {
                month = m
            } else if !sawZone, let minutes = zoneMinutes[word] {
                offset = minutes * 60
                sawZone = true
            }
            // Anything else alphabetic is a weekday or a stray word.
        }
        guard let month, numbers.count == 2 else { return nil }
        var day: Int, year: Int
        if numberWidths[0] == 4 {
            year = numbers[0]
            day = numbers[1]
        } else {
            day = numbers[0]
            year = numbers[1]
            if numberWidths[1] <= 2 { year += year < 70 ? 2000 : 1900 }
        }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offset: offset)
    }

    /// The zone abbreviations news feeds write, as minutes east of UTC. RFC 822's own (UT, GMT, EST…PDT)
    /// and the ones outlets use around the world. Where an abbreviation names two zones, the one news
    /// feeds mean: IST is India (+5:30), not Israel or Ireland; CST is US Central; BST is British Summer
    /// Time. Abbreviations too ambiguous to guess (such as BDT or AMT) are not listed: the date is then
    /// read as UTC.
    static let zoneMinutes: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "ist": 330, "cet": 60, "cest": 120,
        "met": 60, "mest": 120, "eet": 120, "eest": 180, "msk": 180, "wat": 60, "cat": 120, "sast": 120, "eat": 180,
        "trt": 180, "ast": -240, "adt": -180, "at": -240, "est": -300, "edt": -240, "et": -300,
        "cst": -360, "cdt": -300, "ct": -360, "mst": -420, "mdt": -360, "mt": -420, "pst": -480, "pdt": -420, "pt": -480,
        "akst": -540, "akdt": -480, "hst": -600, "nst": -210, "ndt": -150, "brt": -180, "art": -180,
        "gst": 240, "irst": 210, "aft": 270, "pkt": 300, "npt": 345, "ict": 420, "wib": 420,
        "hkt": 480, "sgt": 480, "pht": 480, "myt": 480, "awst": 480, "jst": 540, "kst": 540,
        "acst": 570, "acdt": 630, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
    ]

    static func zoneOffset(_ token: String) -> Int? {
        zoneMinutes[token.lowercased()].map { $0 * 60 }
    }

    static func make(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offset: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...24).contains(hour), (0...59).contains(minute),
              (0...60).contains(second), year > 0, year < 10000 else { return nil }
        let monthDays = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    // Proleptic Gregorian conversions (days since 1970-01-01), after Howard Hinnant's published algorithms.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
