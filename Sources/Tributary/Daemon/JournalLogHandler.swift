import Foundation
import Logging

/// One line per event on stderr: `level: message key=value ...`, which journald stores as is.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(event.level.rawValue): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            let value = "\(merged[key]!)"
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" }
            line += " \(key)=" + (needsQuotes ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value)
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Builds a logger writing through this handler at `level` (info when unknown).
    public static func logger(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        return Logger(label: "tributary") { JournalLogHandler(label: $0, level: parsed) }
    }
}
