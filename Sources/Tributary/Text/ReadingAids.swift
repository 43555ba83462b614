import Foundation

/// Which way a text runs, as a browser's `dir="auto"` would decide but over the whole text: a title in
/// Urdu with one English acronym is still right to left.
public enum TextDirection: String, Sendable {
    case leftToRight = "ltr"
    case rightToLeft = "rtl"

    /// Right to left when letters of right-to-left scripts (Hebrew, Arabic and its extensions, Syriac,
    /// Thaana, N'Ko) outnumber the others.
    public static func of(_ text: String) -> TextDirection {
        var rtl = 0
        var ltr = 0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x0590...0x08FF).contains(v) || (0xFB1D...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v) {
                if scalar.properties.isAlphabetic { rtl += 1 }
            } else if scalar.properties.isAlphabetic {
                ltr += 1
            }
        }
        return rtl > ltr ? .rightToLeft : .leftToRight
    }
}

/// Minutes a reader needs for a text: 200 words a minute, and for scripts written without spaces
/// (Chinese, Japanese, Thai) 500 characters a minute. At least one.
public enum ReadingTime {
    public static func minutes(_ text: String) -> Int {
        var words = 0
        var unspaced = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x3040...0x30FF).contains(v) || (0x3400...0x9FFF).contains(v) || (0xAC00...0xD7AF).contains(v) || (0x0E00...0x0E7F).contains(v) {
                unspaced += 1
                inWord = false
            } else if scalar.properties.isWhitespace {
                inWord = false
            } else if !inWord {
                words += 1
                inWord = true
            }
        }
        let minutes = Double(words) / 200 + Double(unspaced) / 500
        return max(1, Int(minutes.rounded()))
    }
}

/// How long ago, in the words a reader glances at: "just now", "5 min ago", "3 h ago", "2 days ago".
public enum RelativeTime {
    public static func describe(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 60 { return seconds < -60 ? "scheduled" : "just now" }
        if seconds < 3600 { return "\(seconds / 60) min ago" }
        if seconds < 86400 { return "\(seconds / 3600) h ago" }
        let days = seconds / 86400
        return days == 1 ? "1 day ago" : "\(days) days ago"
    }
}

/// HTTP-dates (RFC 9110 §5.6.7): always IMF-fixdate in GMT when written; any of the three forms read.
public enum HTTPDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let dayNumber = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let (year, month, day) = FeedDate.civil(fromDays: dayNumber)
        let rest = seconds - dayNumber * 86400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let weekday = days[Int(((dayNumber % 7) + 7) % 7)]
        return "\(weekday), \(two(day)) \(months[Int(month) - 1]) \(year) \(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60)) GMT"
    }

    public static func parse(_ text: String) -> Date? {
        FeedDate.parse(text)
    }
}
