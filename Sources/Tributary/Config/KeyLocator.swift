import Foundation

/// A place in the configuration tree: the root, a `[table]`, or the n-th `[[array]]` table.
enum Section: Equatable {
    case root
    case table(String)
    case array(String, Int)

    func dotted(_ key: String?) -> String? {
        switch self {
        case .root: return key
        case .table(let name): return key.map { "\(name).\($0)" } ?? name
        case .array(let name, let index): return "\(name)[\(index)]" + (key.map { ".\($0)" } ?? "")
        }
    }
}

/// Finds the line of a key in the TOML source, since the TOML library only positions syntax errors.
struct KeyLocator {
    private let lines: [Substring]

    init(source: String) {
        // "\r\n" is one Character in Swift: split on every line ending, or a CRLF file is one long line.
        lines = source.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    /// 1-based line and column of `key` inside `section`, or of the section header when `key` is nil.
    func locate(section: Section, key: String?) -> (line: Int, column: Int)? {
        var current: Section = .root
        var arrayCounts: [String: Int] = [:]
        var headerLine: Int?
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[[") , let end = line.range(of: "]]") {
                let name = line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound].trimmingCharacters(in: .whitespaces)
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                current = .array(name, index)
                if current == section { headerLine = number + 1; if key == nil { return (number + 1, 1) } }
                continue
            }
            if line.hasPrefix("["), let end = line.firstIndex(of: "]") {
                let name = line[line.index(after: line.startIndex)..<end].trimmingCharacters(in: .whitespaces)
                current = .table(name)
                if current == section { headerLine = number + 1; if key == nil { return (number + 1, 1) } }
                continue
            }
            guard current == section, let key else { continue }
            let candidates = [key, "\"\(key)\"", "'\(key)'"]
            for candidate in candidates where line.hasPrefix(candidate) {
                let rest = line.dropFirst(candidate.count).drop { $0 == " " || $0 == "\t" }
                if rest.hasPrefix("=") {
                    let column = raw.distance(from: raw.startIndex, to: raw.firstIndex { $0 != " " && $0 != "\t" } ?? raw.startIndex) + 1
                    return (number + 1, column)
                }
            }
        }
        if let headerLine { return (headerLine, 1) }
        // A key of the root that is really a table header somewhere (`[pol]`, `[feed]` for `[[feed]]`).
        if section == .root, let key {
            for (number, raw) in lines.enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                if line.hasPrefix("["), name == key || name.hasPrefix(key + ".") { return (number + 1, 1) }
            }
        }
        return nil
    }
}
