import Foundation

extension String {
    /// Whether any UTF-8 byte satisfies `predicate`; scans contiguous storage, which the
    /// generic `utf8.contains(where:)` does not.
    func containsByte(where predicate: (UInt8) -> Bool) -> Bool {
        var copy = self
        return copy.withUTF8 { $0.contains(where: predicate) }
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space plus the separators U+001C–U+001F, as Python's `str.split()` sees them.
    /// A switch: the Unicode property lookup dominated profiles of whitespace collapsing.
    var isFeedWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
extension StringProtocol {
    /// Whether the text is empty or only whitespace; unlike `trimmed.isEmpty`, copies nothing.
    var isBlank: Bool {
        unicodeScalars.allSatisfy { $0.isFeedWhitespace }
    }

    /// Without leading and trailing Unicode whitespace. Foundation's `trimmingCharacters`
    /// goes through UTF-16 and dominated parse time, so only the ends are inspected here.
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isFeedWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isFeedWhitespace })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return String(self) }
        return String(self[first...last])
    }
}
