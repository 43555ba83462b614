import CZstd

// All libzstd pointer handling lives in this file.

/// Article bodies as the store keeps them: a zstd frame in a BLOB when that is smaller, else the text
/// itself. Bodies are most of a database (4 KB of HTML per item against 200 bytes of keys and dates)
/// and only the entries an output shows are ever read back, so each is compressed once, on insert, at
/// zstd's fastest level. A TEXT value is read as it is: databases written before this keep working.
final class CompressedText {
    /// Shorter texts (most summaries) are stored as they are: at a few hundred bytes zstd saves a quarter
    /// of the bytes at three times the CPU per byte of a whole article (its per-frame set-up dominates).
    static let minimumBytes = 1024
    private let compressor: OpaquePointer
    private let decompressor: OpaquePointer

    init() {
        compressor = ZSTD_createCCtx()
        decompressor = ZSTD_createDCtx()
        ZSTD_CCtx_setParameter(compressor, ZSTD_c_compressionLevel, 1)
        // Matches of six bytes or more: on bodies of a few kilobytes, 6% less time than level 1's choice for
        // their size at 2% more bytes (the compressed bodies of the bench corpus, 42,714 of them).
        ZSTD_CCtx_setParameter(compressor, ZSTD_c_minMatch, 6)
        // No checksum: SQLite's pages are what must stay whole; the frame keeps its size for decoding.
        ZSTD_CCtx_setParameter(compressor, ZSTD_c_checksumFlag, 0)
    }

    deinit {
        ZSTD_freeCCtx(compressor)
        ZSTD_freeDCtx(decompressor)
    }

    /// The value to store for `text`.
    func encode(_ text: String?) -> SQLValue {
        guard let text else { return .null }
        var bytes = text
        return bytes.withUTF8 { source -> SQLValue in
            guard source.count >= Self.minimumBytes, let base = source.baseAddress else { return .text(text) }
            let bound = ZSTD_compressBound(source.count)
            let frame = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                let written = ZSTD_compress2(compressor, buffer.baseAddress, bound, base, source.count)
                count = ZSTD_isError(written) != 0 ? 0 : written
            }
            // Incompressible text (rare: already short, or mostly references) stays text.
            return frame.isEmpty || frame.count >= source.count ? .text(text) : .blob(frame)
        }
    }

    /// The text a stored frame holds, or nil when it is not one this store wrote (never expected).
    func decode(_ frame: UnsafeRawBufferPointer) -> String? {
        guard let base = frame.baseAddress else { return "" }
        let size = ZSTD_getFrameContentSize(base, frame.count)
        guard size != ZSTD_CONTENTSIZE_UNKNOWN, size != ZSTD_CONTENTSIZE_ERROR, size < 1 << 31 else { return nil }
        var failed = false
        let text = String(unsafeUninitializedCapacity: Int(size)) { buffer in
            let written = ZSTD_decompressDCtx(decompressor, buffer.baseAddress, Int(size), base, frame.count)
            if ZSTD_isError(written) != 0 { failed = true; return 0 }
            return written
        }
        return failed ? nil : text
    }
}
