import Foundation
import TOMLKit

/// Reads `feeds.toml`, rejecting unknown keys and wrong types with the file, line and key.
public struct ConfigLoader {
    public init() {}

    public func load(path: String) throws(ConfigError) -> Configuration {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigError(path: path, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let (line, column) = Self.firstInvalidUTF8(data)
            throw ConfigError(path: path, line: line, column: column, message: "the file is not UTF-8 text (save it as UTF-8)")
        }
        return try parse(text: text, path: path, absolutePath: absolute)
    }

    /// Line and column (in bytes) of the first byte that is not part of valid UTF-8.
    static func firstInvalidUTF8(_ data: Data) -> (Int, Int) {
        let bytes = [UInt8](data)
        var line = 1, lineStart = 0, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            if length == 0 || i + length > bytes.count || String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil {
                return (line, i - lineStart + 1)
            }
            if b == 0x0A { line += 1; lineStart = i + 1 }
            i += length
        }
        return (line, 1)
    }

    /// Parses configuration text; `path` is used in messages, `absolutePath` anchors relative paths.
    public func parse(text: String, path: String, absolutePath: String) throws(ConfigError) -> Configuration {
        // What the TOML library would abort on rather than reject is refused here, located.
        if let problem = TOMLGuard.firstProblem(text) {
            throw ConfigError(path: path, line: problem.line, column: problem.column, message: problem.message)
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path: path, line: error.source.begin.line, column: error.source.begin.column,
                              message: error.description)
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        var walker = TableWalker(path: path, source: text)
        let base = URL(fileURLWithPath: absolutePath).deletingLastPathComponent()
        return try walker.configuration(root: root, sourcePath: absolutePath, base: base)
    }
}

/// The widest values the loader accepts; beyond them a setting is a typo, and arithmetic on it would overflow.
enum Limits {
    /// Polling less than monthly is not following a feed.
    static let longestInterval: TimeInterval = 30 * 86400
    /// Retention and output age: a century.
    static let longest: TimeInterval = 36500 * 86400
    static let largestBody = 1024 * 1024 * 1024
}

/// Walks the parsed TOML tree by hand, since TOMLKit's Decodable path ignores unknown keys.
struct TableWalker {
    let path: String
    let locator: KeyLocator

    init(path: String, source: String) {
        self.path = path
        self.locator = KeyLocator(source: source)
    }

    func fail(_ section: Section, _ key: String?, _ message: String) -> ConfigError {
        let position = locator.locate(section: section, key: key)
        return ConfigError(path: path, line: position?.line, column: position?.column,
                           key: section.dotted(key), message: message)
    }

    mutating func configuration(root: TOMLTable, sourcePath: String, base: URL) throws(ConfigError) -> Configuration {
        try rejectUnknown(root, allowed: ["storage", "output", "poll", "feed", "log", "serve", "identity"], section: .root)
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path
        }

        var storage = StorageSettings(databasePath: resolve("state/tributary.sqlite"), keep: nil)
        if let table = try subtable(root, "storage") {
            let section = Section.table("storage")
            try rejectUnknown(table, allowed: ["database", "keep"], section: section)
            if let db = try string(table, "database", section) { storage.databasePath = resolve(db) }
            storage.keep = try duration(table, "keep", section, range: 3600...Limits.longest)
        }

        var poll = PollSettings()
        if let table = try subtable(root, "poll") {
            let section = Section.table("poll")
            try rejectUnknown(table, allowed: ["interval", "concurrency", "per_host", "timeout", "connect_timeout",
                                               "max_body_size", "user_agent", "min_interval"], section: section)
            poll.interval = try duration(table, "interval", section, range: 1...Limits.longestInterval) ?? poll.interval
            poll.concurrency = try integer(table, "concurrency", section, range: 1...256) ?? poll.concurrency
            poll.perHost = try integer(table, "per_host", section, range: 1...64) ?? poll.perHost
            poll.timeout = try duration(table, "timeout", section, range: 1...3600) ?? poll.timeout
            poll.connectTimeout = min(try duration(table, "connect_timeout", section, range: 1...3600) ?? poll.connectTimeout, poll.timeout)
            poll.maxBodyBytes = try size(table, "max_body_size", section) ?? poll.maxBodyBytes
            poll.minimumInterval = try duration(table, "min_interval", section, range: 1...Limits.longestInterval) ?? poll.minimumInterval
            if let ua = try text(table, "user_agent", section) {
                guard !ua.isEmpty else { throw fail(section, "user_agent", "must not be empty") }
                poll.userAgent = ua
            }
        }

        let identity = try identitySettings(root)

        var log = LogSettings()
        if let table = try subtable(root, "log") {
            let section = Section.table("log")
            try rejectUnknown(table, allowed: ["level"], section: section)
            if let level = try string(table, "level", section) {
                let known = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                guard known.contains(level) else {
                    throw fail(section, "level", "unknown level \"\(level)\" (one of \(known.joined(separator: ", ")))")
                }
                log.level = level
            }
        }

        var outputs: [OutputSettings] = []
        let outputTables: [TOMLTable]
        var outputIsArray = false
        if let value = root["output"] {
            if let table = value.table {
                outputTables = [table]
            } else if let array = value.array {
                outputIsArray = true
                outputTables = try array.enumerated().map { (i, v) throws(ConfigError) -> TOMLTable in
                    guard let t = v.table else { throw fail(.array("output", i), nil, "must be a table") }
                    return t
                }
            } else {
                throw fail(.root, "output", "must be a table")
            }
        } else {
            outputTables = []
        }
        for (index, table) in outputTables.enumerated() {
            let section: Section = outputIsArray ? .array("output", index) : .table("output")
            try rejectUnknown(table, allowed: ["path", "title", "max_entries", "max_age", "link", "tags", "format",
                                              "url_path", "hub", "time_zone"],
                              section: section)
            let format: OutputFormat
            if let f = try string(table, "format", section) {
                guard let parsed = OutputFormat(rawValue: f) else {
                    throw fail(section, "format", "unknown format \"\(f)\" (atom, json or html)")
                }
                format = parsed
            } else {
                format = .atom
            }
            var output = OutputSettings(
                path: resolve(try string(table, "path", section) ?? OutputSettings.defaultPath(format)),
                title: try text(table, "title", section) ?? OutputSettings.defaultTitle,
                maxEntries: try integer(table, "max_entries", section, range: 1...100_000) ?? OutputSettings.defaultMaxEntries)
            output.maxAge = try duration(table, "max_age", section, range: 60...Limits.longest)
            output.link = try url(table, "link", section)
            output.tags = try strings(table, "tags", section) ?? []
            output.format = format
            try publishing(table, section, into: &output)
            outputs.append(output)
        }
        if outputs.isEmpty {
            outputs.append(OutputSettings(path: resolve(OutputSettings.defaultPath(.atom))))
        }

        // An output replaces its file: it must never be the database, its journal, the config, or another output.
        var taken: [String: String] = [sourcePath: "the configuration file"]
        for suffix in ["", "-wal", "-shm", "-journal"] { taken[storage.databasePath + suffix] = "the database" }
        for (index, output) in outputs.enumerated() {
            let section: Section = outputIsArray ? .array("output", index) : .table("output")
            let real = URL(fileURLWithPath: output.path).resolvingSymlinksInPath().path
            if let owner = taken[output.path] ?? taken[real] {
                throw fail(section, "path", "\"\(output.path)\" is \(owner); an output must be a file of its own")
            }
            taken[output.path] = "already written by another output"
            taken[real] = taken[output.path]
        }
        try checkURLPaths(outputs, sections: outputs.indices.map { outputIsArray ? .array("output", $0) : .table("output") })
        let serve = try serve(root)

        // Politeness floor: an interval shorter than min_interval is almost always a typo.
        if poll.interval < poll.minimumInterval {
            throw fail(.table("poll"), "interval", "\(DurationText.format(poll.interval)) is below min_interval (\(DurationText.format(poll.minimumInterval))); raise it, or lower [poll] min_interval")
        }
        var feeds: [FeedSettings] = []
        var seenURLs: [String: Int] = [:]
        if let value = root["feed"] {
            guard let array = value.array else { throw fail(.root, "feed", "must be written as [[feed]] tables") }
            for (index, element) in array.enumerated() {
                let section = Section.array("feed", index)
                guard let table = element.table else { throw fail(section, nil, "must be a table") }
                try rejectUnknown(table, allowed: ["name", "url", "interval", "tags", "user_agent", "full_text", "content_xpath", "remove_xpath",
                                                    "near_duplicates"],
                                  section: section)
                guard let feedURL = try url(table, "url", section) else {
                    throw fail(section, nil, "missing required key \"url\"")
                }
                if let first = seenURLs[feedURL] {
                    throw fail(section, "url", "\(feedURL) is already listed by feed[\(first)]")
                }
                seenURLs[feedURL] = index
                let interval = try duration(table, "interval", section, range: 1...Limits.longestInterval)
                if let interval, interval < poll.minimumInterval {
                    throw fail(section, "interval", "\(DurationText.format(interval)) is below [poll] min_interval (\(DurationText.format(poll.minimumInterval))); raise it, or lower min_interval")
                }
                let name = try text(table, "name", section) ?? URL(string: feedURL)?.host ?? feedURL
                let agent = try text(table, "user_agent", section)
                if agent?.isEmpty == true { throw fail(section, "user_agent", "must not be empty") }
                var settings = FeedSettings(name: name, url: feedURL, interval: interval,
                                            tags: try strings(table, "tags", section) ?? [], userAgent: agent,
                                            fullText: try fullTextSettings(table, section))
                settings.nearDuplicates = try flag(table, "near_duplicates", section) ?? true
                feeds.append(settings)
            }
        }
        var configuration = Configuration(sourcePath: sourcePath, storage: storage, outputs: outputs, poll: poll, log: log,
                                          feeds: feeds, serve: serve)
        configuration.identity = identity
        return configuration
    }

    // MARK: typed accessors that name the real problem

    func rejectUnknown(_ table: TOMLTable, allowed: Set<String>, section: Section) throws(ConfigError) {
        for key in table.keys where !allowed.contains(key) {
            let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }
            var message = "unknown key"
            if let suggestion, editDistance(suggestion, key) <= 2 { message += " (did you mean \"\(suggestion)\"?)" }
            throw fail(section, key, message)
        }
    }

    func subtable(_ table: TOMLTable, _ key: String) throws(ConfigError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw fail(.root, key, "must be a table, written [\(key)]") }
        return sub
    }

    func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a date or time"
        }
    }

    func string(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw fail(section, key, "expected a string, found \(describe(value))") }
        return s
    }

    func strings(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw fail(section, key, "expected an array of strings, found \(describe(value))")
        }
        var result: [String] = []
        for element in array {
            guard let s = element.string else {
                throw fail(section, key, "expected an array of strings, found \(describe(element)) in it")
            }
            let tag = s.trimmingCharacters(in: .whitespaces)
            guard !tag.isEmpty else { throw fail(section, key, "empty string in the list") }
            if let bad = Self.firstControlCharacter(tag) { throw controlCharacter(section, key, bad) }
            if !result.contains(tag) { result.append(tag) }
        }
        return result
    }

    /// A string that ends up in a header, a log line or an output: no control characters (a CR LF in a
    /// User-Agent would inject headers).
    func text(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> String? {
        guard let s = try string(table, key, section) else { return nil }
        if let bad = Self.firstControlCharacter(s) { throw controlCharacter(section, key, bad) }
        return s
    }

    /// C0 and C1 controls and DEL, tabs and line breaks included.
    static func firstControlCharacter(_ s: String) -> Unicode.Scalar? {
        s.unicodeScalars.first { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    func controlCharacter(_ section: Section, _ key: String, _ bad: Unicode.Scalar) -> ConfigError {
        fail(section, key, "contains a control character (U+\(String(format: "%04X", bad.value))); line breaks and tabs are not allowed here")
    }

    func integer(_ table: TOMLTable, _ key: String, _ section: Section, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else { throw fail(section, key, "expected an integer, found \(describe(value))") }
        guard range.contains(n) else {
            throw fail(section, key, "\(n) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return n
    }

    func duration(_ table: TOMLTable, _ key: String, _ section: Section, range: ClosedRange<TimeInterval>) throws(ConfigError) -> TimeInterval? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else {
            throw fail(section, key, "expected a duration string such as \"15m\", found \(describe(value))")
        }
        guard let seconds = DurationText.seconds(s) else {
            throw fail(section, key, "bad duration \"\(s)\" (a number followed by s, m, h or d, such as \"90s\" or \"1h30m\")")
        }
        guard range.contains(seconds) else {
            throw fail(section, key, "\"\(s)\" is out of range (\(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound)))")
        }
        return seconds
    }

    func size(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        if let n = value.int {
            guard (1024...Limits.largestBody).contains(n) else { throw fail(section, key, "\(n) is out of range (1KB to 1GB)") }
            return n
        }
        guard let s = value.string?.uppercased() else {
            throw fail(section, key, "expected a size such as \"10MB\", found \(describe(value))")
        }
        let units: [(String, Int)] = [("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024), ("B", 1)]
        var bytes: Int?
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            if let n = Int(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n > 0 {
                let (product, overflow) = n.multipliedReportingOverflow(by: factor)
                bytes = overflow ? Int.max : product
                break
            }
        }
        guard let bytes else { throw fail(section, key, "bad size \"\(s)\" (such as \"512KB\" or \"10MB\")") }
        // A body is held in memory while it is parsed.
        guard (1024...Limits.largestBody).contains(bytes) else {
            throw fail(section, key, "\"\(s)\" is out of range (1KB to 1GB)")
        }
        return bytes
    }

    func url(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> String? {
        guard let s = try text(table, key, section) else { return nil }
        let trimmed = s.trimmingCharacters(in: .whitespaces)
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else {
            throw fail(section, key, "\"\(s)\" is not an http or https URL")
        }
        return trimmed
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
