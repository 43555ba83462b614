/// Lowercase hexadecimal text of bytes, written straight into the string's storage: digests are made for
/// every stored item, and appending 64 `Character`s one by one cost more than the SHA-256 itself.
enum HexText {
    private static let digits: StaticString = "0123456789abcdef"

    /// `lead` (an ASCII byte, or none) followed by two digits per byte of `bytes`.
    static func of(_ bytes: UnsafeRawBufferPointer, lead: UInt8? = nil) -> String {
        let start = lead == nil ? 0 : 1
        return String(unsafeUninitializedCapacity: start + 2 * bytes.count) { out in
            let table = digits.utf8Start
            if let lead { out[0] = lead }
            for (k, byte) in bytes.enumerated() {
                out[start + 2 * k] = table[Int(byte >> 4)]
                out[start + 2 * k + 1] = table[Int(byte & 0x0F)]
            }
            return start + 2 * bytes.count
        }
    }
}
