import Foundation

/// An entry as an output shows it: the stored item, the outlet that published it first, and the others.
public struct OutputEntry: Sendable {
    public var entry: StoredEntry
    public var source: FeedRecord
    /// Other outlets that carried the same story, with their own links.
    public var via: [(feed: FeedRecord, link: String?)]
    /// Tags of every configured feed that carried it.
    public var tags: [String]

    public init(entry: StoredEntry, source: FeedRecord, via: [(feed: FeedRecord, link: String?)], tags: [String]) {
        self.entry = entry
        self.source = source
        self.via = via
        self.tags = tags
    }

    /// Where a reader goes from this entry; every entry has one (RFC 4287 §4.1.2 wants a link or content,
    /// and readers want something to open). The item's link; else its permalink guid or http(s) id;
    /// else the outlet's site; else the site of the feed's own address.
    public var alternateLink: String {
        if let link = entry.link, !link.isEmpty { return link }
        if let permalink = entry.permalink { return permalink }
        if let site = source.siteLink.flatMap(URIText.webAddress) { return site }
        if let url = URLComponents(string: source.url), let scheme = url.scheme, let host = url.host {
            return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")/"
        }
        return source.url
    }
}

/// Everything one output file is made from.
public struct OutputDocument: Sendable {
    public var settings: OutputSettings
    public var entries: [OutputEntry]

    public init(settings: OutputSettings, entries: [OutputEntry]) {
        self.settings = settings
        self.entries = entries
    }

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
    /// Bytes `escape` must look at; the rest are copied as they are.
    private static let special: [Bool] = (0..<256).map { b in
        b < 0x20 || b == 0x22 || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x7F || b == 0xC2 || b == 0xEF
    }

    static func escape(_ text: String, attribute: Bool = false) -> String {
        // Most text needs nothing: check the bytes first and return it untouched.
        let clean = !text.containsByte { byte in
            byte == 0x26 || byte == 0x3C || byte == 0x3E || (attribute && (byte == 0x22 || byte == 0x09 || byte == 0x0A || byte == 0x0D))
                || (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F || byte == 0xC2 || byte == 0xEF
        }
        if clean { return text }
        // Byte-level: markup characters are ASCII; C1 controls are C2 80–9F; U+FFFE/FFFF are EF BF BE/BF.
        // Runs of bytes that need nothing (most of a body) are copied whole.
        var copy = text
        return copy.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 8)
            let count = bytes.count
            var i = 0
            var run = 0
            Self.special.withUnsafeBufferPointer { special in
                while i < count {
                    let b = bytes[i]
                    if !special[Int(b)] { i += 1; continue }
                    if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                    switch b {
                    case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])
                    case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])
                    case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])
                    case 0x22 where attribute: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])
                    case 0x09, 0x0A, 0x0D:
                        if attribute { out.append(contentsOf: Array("&#\(b);".utf8)) } else { out.append(b) }
                    case 0x7F, 0x00..<0x20:
                        break
                    case 0xC2 where i + 1 < count && (0x80...0x9F).contains(bytes[i + 1]):
                        i += 1
                    // U+FFFE/FFFF are not XML characters; U+FFFD marks bytes that were lost before us and tells
                    // a reader nothing.
                    case 0xEF where i + 2 < count && bytes[i + 1] == 0xBF && (bytes[i + 2] >= 0xBD && bytes[i + 2] <= 0xBF):
                        i += 2
                    default:
                        out.append(b)
                    }
                    i += 1
                    run = i
                }
            }
            if run < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<count])) }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
