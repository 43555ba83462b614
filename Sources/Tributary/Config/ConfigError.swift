import Foundation

/// A configuration problem, located as precisely as the source allows.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var column: Int?
    /// Dotted key the problem is about, such as `feed[2].interval`.
    public var key: String?
    public var message: String

    public var description: String {
        var text = path
        if let line {
            text += ":\(line):\(column ?? 1):"
            if let key { text += " \(key):" }
        } else if let key {
            text += ": \(key):"
        } else {
            text += ":"
        }
        return text + " " + message
    }
}
