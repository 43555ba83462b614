import Foundation

/// Writes `[[feed]]` tables that `ConfigLoader` reads back unchanged.
public enum FeedTableWriter {
    public static func toml(_ feeds: [FeedSettings]) -> String {
        feeds.map { feed in
            var x = "[[feed]]\nname = \(quote(feed.name))\nurl = \(quote(feed.url))\n"
            if let interval = feed.interval { x += "interval = \(quote(DurationText.format(interval)))\n" }
            if !feed.tags.isEmpty { x += "tags = [\(feed.tags.map(quote).joined(separator: ", "))]\n" }
            if let agent = feed.userAgent { x += "user_agent = \(quote(agent))\n" }
            return x
        }.joined(separator: "\n")
    }

    /// A TOML basic string.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
