import CDeflate
import Foundation

// All libdeflate pointer handling lives in this file.

/// Undoes a response's `Content-Encoding`. Tributary asks for gzip (every server that compresses offers it)
/// and inflates the whole body at once with libdeflate, about three times as fast as zlib's streaming
/// inflate that libcurl would use: on a first poll of many feeds that was a tenth of the CPU.
/// The decoded body obeys the same size limit as an uncompressed one, so a small "gzip bomb" is refused
/// after at most `limit` bytes of output.
enum ContentDecoding {
    /// What Tributary sends as `Accept-Encoding`.
    static let accepted = "gzip, deflate"

    /// The body as the server meant it, or why it cannot be had.
    static func decode(_ body: Data, encoding: String?, limit: Int) -> Result<Data, FetchFailure> {
        let codings = (encoding ?? "").lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "identity" }
        guard !codings.isEmpty, !body.isEmpty else { return .success(body) }
        // One coding is what servers send; a chain of them (undone last to first) is allowed but rare.
        var current = body
        for coding in codings.reversed() {
            let format: Format
            switch coding {
            case "gzip", "x-gzip": format = .gzip
            case "deflate": format = .deflate
            default: return .failure(.network("the server sent Content-Encoding \"\(coding)\", which was not asked for"))
            }
            switch inflate(current, format: format, limit: limit) {
            case .success(let decoded): current = decoded
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(current)
    }

    enum Format { case gzip, deflate }

    private static func inflate(_ input: Data, format: Format, limit: Int) -> Result<Data, FetchFailure> {
        guard let decompressor = libdeflate_alloc_decompressor() else { return .failure(.network("out of memory inflating the body")) }
        defer { libdeflate_free_decompressor(decompressor) }
        return input.withUnsafeBytes { (source: UnsafeRawBufferPointer) -> Result<Data, FetchFailure> in
            guard let base = source.baseAddress else { return .success(Data()) }
            var output = Data()
            var offset = 0
            // A gzip body may be several members one after another; each is inflated in turn.
            while offset < source.count {
                let remaining = limit - output.count
                var capacity = min(remaining, sizeHint(source, from: offset, format: format))
                while true {
                    var consumed = 0
                    var produced = 0
                    var piece = Data(count: max(capacity, 1))
                    let result = piece.withUnsafeMutableBytes { out -> libdeflate_result in
                        let input = base + offset
                        let available = source.count - offset
                        switch format {
                        case .gzip:
                            return libdeflate_gzip_decompress_ex(decompressor, input, available, out.baseAddress, capacity, &consumed, &produced)
                        case .deflate:
                            // RFC 9110's "deflate" is a zlib stream; some servers send raw deflate instead.
                            let zlib = libdeflate_zlib_decompress_ex(decompressor, input, available, out.baseAddress, capacity, &consumed, &produced)
                            if zlib != LIBDEFLATE_BAD_DATA { return zlib }
                            return libdeflate_deflate_decompress_ex(decompressor, input, available, out.baseAddress, capacity, &consumed, &produced)
                        }
                    }
                    if result == LIBDEFLATE_SUCCESS {
                        piece.count = produced
                        if output.isEmpty { output = piece } else { output.append(piece) }
                        offset += consumed
                        break
                    }
                    guard result == LIBDEFLATE_INSUFFICIENT_SPACE else {
                        return .failure(.network("the body is not valid \(format == .gzip ? "gzip" : "deflate") data"))
                    }
                    // The size hint was short (it is only the gzip trailer's claim): try again with all that is allowed.
                    guard capacity < remaining else { return .failure(.tooLarge(limit: limit)) }
                    capacity = remaining
                }
                // Only gzip has members; whatever follows a deflate stream is ignored, as browsers do.
                if format == .deflate { break }
                // Padding after the last member (some servers add zero bytes) is not another member.
                if source[offset...].allSatisfy({ $0 == 0 }) { break }
            }
            return .success(output)
        }
    }

    /// A first guess at a member's inflated size: gzip's trailer says it (modulo 4 GiB), when the body is
    /// one member; otherwise four times the compressed size.
    private static func sizeHint(_ source: UnsafeRawBufferPointer, from offset: Int, format: Format) -> Int {
        let remaining = source.count - offset
        if format == .gzip, remaining >= 18 {
            let end = source.count
            let stated = Int(source[end - 4]) | Int(source[end - 3]) << 8 | Int(source[end - 2]) << 16 | Int(source[end - 1]) << 24
            if stated >= remaining / 1032 { return max(stated, 64) }
        }
        return max(remaining * 4, 4096)
    }
}
