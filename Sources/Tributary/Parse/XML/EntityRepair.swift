import Foundation

/// Rewrites the entity references real feeds get wrong before libxml2 sees them.
///
/// XML knows only five named entities, yet feeds are full of HTML's (`&nbsp;`, `&eacute;`)
/// and of bare ampersands (`AT&T`). libxml2's recover mode drops those, and text with them;
/// feedparser decodes them. So: HTML names become numeric references, unknown names and bare
/// ampersands become `&amp;`. CDATA sections and comments are left alone, as are entities the
/// document declares itself.
enum EntityRepair {
    /// Whether `bytes[from..<to]` is one of XML's five names (escaped HTML is full of them).
    private static func isXMLName(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
        switch to - from {
        case 2: return (bytes[from] == 0x6C || bytes[from] == 0x67) && bytes[from + 1] == 0x74 // lt, gt
        case 3: return bytes[from] == 0x61 && bytes[from + 1] == 0x6D && bytes[from + 2] == 0x70 // amp
        case 4:
            return (bytes[from] == 0x71 && bytes[from + 1] == 0x75 && bytes[from + 2] == 0x6F && bytes[from + 3] == 0x74) // quot
                || (bytes[from] == 0x61 && bytes[from + 1] == 0x70 && bytes[from + 2] == 0x6F && bytes[from + 3] == 0x73) // apos
        default: return false
        }
    }

    /// The repaired document, or nil when it needs no repair (or is not in an ASCII-compatible encoding).
    static func repair(_ bytes: UnsafeRawBufferPointer) -> Data? {
        let n = bytes.count
        guard n > 0, bytes.contains(UInt8(ascii: "&")) else { return nil }
        if n >= 2 && (bytes[0] == 0 || bytes[1] == 0 || (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) {
            return nil
        }
        let declared = declaredEntities(bytes)
        var out: [UInt8]? = nil
        var copied = 0 // bytes[0..<copied] are already in `out`
        var i = 0

        func emit(upTo end: Int, replacement: [UInt8]) {
            if out == nil { out = []; out!.reserveCapacity(n + 256) }
            out!.append(contentsOf: bytes[copied..<end])
            out!.append(contentsOf: replacement)
        }
        func skip(to terminator: StaticString, from index: Int) -> Int {
            let count = terminator.utf8CodeUnitCount
            let first = terminator.utf8Start[0]
            var j = index
            while true {
                j = ByteScan.firstIndex(of: first, in: bytes, from: j)
                guard j + count <= n else { return n }
                if hasPrefix(bytes, terminator, at: j) { return j + count }
                j += 1
            }
        }
        func isNameStart(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80 }
        func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x3A }
        let amp: [UInt8] = Array("&amp;".utf8)

        while i < n {
            i = ByteScan.firstIndex(of: UInt8(ascii: "<"), or: UInt8(ascii: "&"), in: bytes, from: i)
            guard i < n else { break }
            let c = bytes[i]
            if c == UInt8(ascii: "<") {
                if hasPrefix(bytes, "<![CDATA[", at: i) { i = skip(to: "]]>", from: i + 9); continue }
                if hasPrefix(bytes, "<!--", at: i) { i = skip(to: "-->", from: i + 4); continue }
                i += 1
                continue
            }
            guard c == UInt8(ascii: "&") else { i += 1; continue }
            var j = i + 1
            if j < n && bytes[j] == UInt8(ascii: "#") {
                j += 1
                let hex = j < n && (bytes[j] == UInt8(ascii: "x") || bytes[j] == UInt8(ascii: "X"))
                if hex { j += 1 }
                let digitsStart = j
                while j < n, hex ? (bytes[j] < 0x80 && Character(Unicode.Scalar(bytes[j])).isHexDigit) : (bytes[j] >= 0x30 && bytes[j] <= 0x39) { j += 1 }
                if j > digitsStart && j < n && bytes[j] == UInt8(ascii: ";") { i = j + 1; continue }
                emit(upTo: i, replacement: amp)
                copied = i + 1
                i += 1
                continue
            }
            guard j < n, isNameStart(bytes[j]) else {
                emit(upTo: i, replacement: amp)
                copied = i + 1
                i += 1
                continue
            }
            while j < n, isNameChar(bytes[j]), j - i < 40 { j += 1 }
            guard j < n, bytes[j] == UInt8(ascii: ";") else {
                emit(upTo: i, replacement: amp)
                copied = i + 1
                i += 1
                continue
            }
            if isXMLName(bytes, from: i + 1, to: j) { i = j + 1; continue }
            let name = Array(bytes[(i + 1)..<j])
            if declared.contains(name) { i = j + 1; continue }
            let code = name.withUnsafeBufferPointer { HTMLEntities.codePoint($0) }
            if let code {
                emit(upTo: i, replacement: Array("&#\(code);".utf8))
            } else {
                // An unknown name stays as literal text: "&name;" becomes "&amp;name;".
                emit(upTo: i, replacement: amp)
                copied = i + 1
                i = j + 1
                continue
            }
            copied = j + 1
            i = j + 1
        }
        guard var result = out else { return nil }
        result.append(contentsOf: bytes[copied..<n])
        return Data(result)
    }

    /// Where each `<!` and `<?` before the root element starts: the prolog's markup. (A DTD's own
    /// declarations count too, as they begin the same way.)
    private static func prologMarkup(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        var found: [Int] = []
        var i = 0
        while true {
            i = ByteScan.firstIndex(of: 0x3C, in: bytes, from: i)
            guard i + 1 < bytes.count, bytes[i + 1] == 0x21 || bytes[i + 1] == 0x3F else { return found }
            found.append(i)
            i += 1
        }
    }

    /// Whether `bytes` holds `marker` at `index`.
    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ marker: StaticString, at index: Int) -> Bool {
        let count = marker.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let p = marker.utf8Start
        for k in 0..<count where bytes[index + k] != p[k] { return false }
        return true
    }

    /// Whether a `<!DOCTYPE` comes before the root element.
    static func hasDocumentType(_ bytes: UnsafeRawBufferPointer) -> Bool {
        prologMarkup(bytes).contains { hasPrefix(bytes, "<!DOCTYPE", at: $0) }
    }

    /// Names the document declares in an internal DTD subset; those are libxml2's to handle.
    private static func declaredEntities(_ bytes: UnsafeRawBufferPointer) -> Set<[UInt8]> {
        var names: Set<[UInt8]> = []
        let marker: StaticString = "<!ENTITY"
        for i in prologMarkup(bytes) where hasPrefix(bytes, marker, at: i) {
            var j = i + marker.utf8CodeUnitCount
            while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x25 { j += 1 }
            let start = j
            while j < bytes.count, bytes[j] != 0x20 && bytes[j] != 0x09 && bytes[j] != 0x0A && bytes[j] != 0x0D { j += 1 }
            if j > start { names.insert(Array(bytes[start..<j])) }
        }
        return names
    }
}
