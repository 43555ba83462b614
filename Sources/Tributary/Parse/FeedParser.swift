import Foundation

/// Detects a document's format by its content and hands it to that format's adapter.
///
/// The parser never fetches anything: it sees bytes, an optional base URL (where the bytes
/// came from) and an optional HTTP charset.
public struct FeedParser: Sendable {
    public init() {}

    /// The feed in `data`; `FeedParseError.notAFeed` when it is readable but neither RSS, Atom nor JSON Feed.
    public func parse(_ data: Data, baseURL: String? = nil, httpCharset: String? = nil) throws(FeedParseError) -> ParsedFeed {
        let feed = try data.withUnsafeBytes { raw in Self.parse(bytes: raw, baseURL: baseURL, httpCharset: httpCharset) }.get()
        guard feed.format != .unknown else { throw .notAFeed("no RSS, Atom or JSON Feed root element") }
        return feed
    }

    private static func parse(bytes raw: UnsafeRawBufferPointer, baseURL: String?, httpCharset: String?) -> Result<ParsedFeed, FeedParseError> {
        do throws(FeedParseError) {
            var bytes = raw
            // Leading whitespace before the XML declaration is common and makes libxml2 stumble.
            var skip = 0
            if !(bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) {
                while skip < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[skip]) { skip += 1 }
                bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
            }
            guard bytes.count > 0 else { return .failure(.empty) }
            if FormatDetector.syntax(of: bytes) == .json {
                return .success(try JSONFeedAdapter.parse(Data(bytes), base: baseURL))
            }
            if let utf8 = Self.decodeUTF32(bytes) {
                // libxml2 has no UTF-32 decoder of its own here; hand it UTF-8 and say so.
                return utf8.withUnsafeBytes { b in
                    Result { () throws(FeedParseError) in try Self.parseXML(b, encoding: "UTF-8", repair: false, base: baseURL) }
                }
            }
            let declared = XMLDocumentReader.declaredEncoding(bytes)?.lowercased()
            let encoding = Self.encodingOverride(bytes, declared: declared, httpCharset: httpCharset)
            let isUTF8 = encoding == nil && (declared == nil || declared == "utf-8" || declared == "utf8")
                && !(bytes.count >= 2 && (bytes[0] == 0xFE || bytes[0] == 0xFF || bytes[0] == 0 || bytes[1] == 0))
            let first = Result { () throws(FeedParseError) in try Self.parseXML(bytes, encoding: encoding, repair: isUTF8, base: baseURL) }
            if case .success(let feed) = first, feed.format != .unknown { return first }
            if encoding == nil, declared != nil, !isUTF8 {
                // An encoding libxml2 does not know: fall back the way feedparser does.
                let fallback = String(validating: bytes, as: UTF8.self) != nil ? "UTF-8" : "windows-1252"
                let second = Result { () throws(FeedParseError) in try Self.parseXML(bytes, encoding: fallback, repair: false, base: baseURL) }
                if case .success(let feed) = second, feed.format != .unknown { return second }
            }
            return first
        } catch {
            return .failure(error)
        }
    }

    static func parseXML(_ bytes: UnsafeRawBufferPointer, encoding: String?, repair: Bool, base: String?) throws(FeedParseError) -> ParsedFeed {
        // Entity repair only ever changes what makes a document without a DTD ill-formed, so a document
        // that parses as well-formed as it is needs no repair pass (with a DTD, undeclared entities are
        // no error to libxml2, and the repair must run first).
        var triedAsIs = false
        if !EntityRepair.hasDocumentType(bytes) {
            if case .some(.some(let root)) = XMLDocumentReader.parseStreaming(bytes, encoding: encoding, base: base, repairMojibake: repair) {
                return adapt(root)
            }
            triedAsIs = true
        }
        let repaired = EntityRepair.repair(bytes)
        let parsedRoot = if let repaired {
            repaired.withUnsafeBytes { XMLDocumentReader.parse($0, encoding: encoding, base: base, repairMojibake: repair) }
        } else if triedAsIs {
            XMLDocumentReader.parseTree(bytes, encoding: encoding, base: base, repairMojibake: repair)
        } else {
            XMLDocumentReader.parse(bytes, encoding: encoding, base: base, repairMojibake: repair)
        }
        guard let root = parsedRoot else { throw .malformed("no XML document could be recovered") }
        return adapt(root)
    }

    /// Strict UTF-8 validation without building a String (documents run to megabytes).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i = ByteScan.firstNonASCII(in: bytes, from: i); continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07)
            default: return false
            }
            guard i + length <= n else { return false }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            i += length
        }
        return true
    }

    /// UTF-8 bytes for a UTF-32 document (by BOM or by the `<` pattern), else nil.
    static func decodeUTF32(_ bytes: UnsafeRawBufferPointer) -> Data? {
        guard bytes.count >= 4 else { return nil }
        let head = (bytes[0], bytes[1], bytes[2], bytes[3])
        let encoding: String.Encoding
        switch head {
        case (0, 0, 0xFE, 0xFF), (0, 0, 0, 0x3C): encoding = .utf32BigEndian
        case (0xFF, 0xFE, 0, 0), (0x3C, 0, 0, 0): encoding = .utf32LittleEndian
        default: return nil
        }
        var data = Data(bytes)
        if head == (0, 0, 0xFE, 0xFF) || head == (0xFF, 0xFE, 0, 0) { data = data.dropFirst(4) }
        guard let text = String(data: data, encoding: encoding) else { return nil }
        return Data(text.utf8)
    }

    /// Chooses the encoding libxml2 should use when the document's own signals are missing or wrong;
    /// `declared` is the XML declaration's encoding, lower-cased.
    static func encodingOverride(_ bytes: UnsafeRawBufferPointer, declared: String?, httpCharset: String?) -> String? {
        if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) { return nil }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return nil }
        if bytes.count >= 2 && (bytes[0] == 0 || bytes[1] == 0) { return nil } // UTF-16/32 without BOM: libxml2 sniffs it
        if let declared, declared != "utf-8" && declared != "utf8" {
            // GB2312 feeds routinely contain GBK/GB18030 characters.
            if declared == "gb2312" || declared == "gbk" { return "GB18030" }
            return nil
        }
        let validUTF8 = Self.isValidUTF8(bytes)
        if declared == nil, let charset = httpCharset?.lowercased(), charset != "utf-8", charset != "utf8", !validUTF8 || charset != "us-ascii" {
            return charset
        }
        return validUTF8 ? nil : "windows-1252"
    }

    static func adapt(_ root: MarkupElement) -> ParsedFeed {
        FormatDetector.adapt(root) ?? ParsedFeed(format: .unknown)
    }
}

