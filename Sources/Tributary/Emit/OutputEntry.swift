import Foundation

/// An entry as an output shows it: the stored item, the outlet that published it first, and the others.
public struct OutputEntry: Sendable {
    public var entry: StoredEntry
    public var source: FeedRecord
    /// Other outlets that carried the same story, with their own links.
    public var via: [(feed: FeedRecord, link: String?)]
    /// Tags of every configured feed that carried it.
    public var tags: [String]
}

/// Everything one output file is made from.
public struct OutputDocument: Sendable {
    public var settings: OutputSettings
    public var entries: [OutputEntry]

    /// A stable feed id: the public link when configured, else one minted from the output path.
    public var feedID: String {
        if let link = settings.link { return link }
        return "tag:tributary.invalid,2026:output/" + ContentFingerprint.sha256Hex(settings.path).prefix(24)
    }

    /// The newest entry's `updated`; a fixed instant for an empty feed so the file stays byte-stable.
    public var updated: Date {
        entries.map(\.entry.updated).max() ?? Date(timeIntervalSince1970: 0)
    }
}

/// Text that XML 1.0 can carry: control characters and non-characters removed.
enum XMLText {
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\t", "\n", "\r":
                if attribute { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
