import Foundation

/// The whole validated configuration of one Tributary instance.
public struct Configuration: Sendable, Equatable {
    /// Absolute path of the file this configuration was read from.
    public var sourcePath: String
    public var storage: StorageSettings
    public var outputs: [OutputSettings]
    public var poll: PollSettings
    public var log: LogSettings
    public var feeds: [FeedSettings]
    /// The HTTP server; nil (no `[serve]` table) leaves serving off.
    public var serve: ServeSettings? = nil
    /// How stories from different outlets are found to be one (`[identity]`).
    public var identity = IdentitySettings()

    /// The folder that relative paths in the file are resolved against.
    public var baseDirectory: URL { URL(fileURLWithPath: sourcePath).deletingLastPathComponent() }
}

/// Where state lives and how long it is kept.
public struct StorageSettings: Sendable, Equatable {
    /// Absolute path of the SQLite database.
    public var databasePath: String
    /// Items older than this (and not in an output) are pruned; nil keeps everything.
    public var keep: TimeInterval?
}

/// `[identity]`: the near-duplicate layer, after the exact ones (URL, content fingerprint), which are always on.
public struct IdentitySettings: Sendable, Equatable {
    /// Merge another outlet's rewrite of a stored story (re-published agency copy).
    public var nearDuplicates = true
    /// Only items published within this of each other are compared.
    public var window: TimeInterval = NearDuplicatePolicy.defaultWindow
    /// Text similarity a merge needs (see `SameStory`); higher merges less.
    public var threshold: Double = SameStory.defaultThreshold

    public init() {}
}

/// One merged output file.
public struct OutputSettings: Sendable, Equatable {
    public var path: String
    public var title: String
    public var maxEntries: Int
    /// Items older than this are left out of the file.
    public var maxAge: TimeInterval?
    /// Public URL of the output, written as `link rel="self"`.
    public var link: String?
    /// Only items from feeds carrying one of these tags; empty means all.
    public var tags: [String] = []
    public var format: OutputFormat = .atom
    /// Where the server publishes it: `/` and one path segment (the file's name unless `url_path` says).
    public var urlPath: String = "/"
    /// WebSub hub told of each rewrite; requires `link`, the URL the hub fetches.
    public var hub: String?
    /// For the river page's absolute times (an IANA name such as `Asia/Karachi`).
    public var timeZone: String = "UTC"

    public static let defaultTitle = "Tributary"
    public static let defaultMaxEntries = 200
    /// Relative to the config file's folder.
    public static func defaultPath(_ format: OutputFormat) -> String {
        switch format {
        case .atom: "state/merged.atom"
        case .json: "state/merged.json"
        case .html: "state/river.html"
        }
    }

    /// The other settings start at their defaults: no age limit, no self link, every feed, Atom.
    public init(path: String, title: String = defaultTitle, maxEntries: Int = defaultMaxEntries) {
        self.path = path
        self.title = title
        self.maxEntries = maxEntries
        self.urlPath = "/" + (path as NSString).lastPathComponent
    }
}

/// The serialisation of an output file.
public enum OutputFormat: String, Sendable, Equatable {
    case atom
    case json
    /// The river page: a web page of the newest stories, with a page per tag beside it.
    case html
}

/// The built-in HTTP server (`[serve]`).
public struct ServeSettings: Sendable, Equatable {
    /// Addresses to listen on; ignored when systemd passes sockets (socket activation).
    public var listen: [ListenAddress]
    /// Time zone of the pages the server makes itself (`/` without an html output, `/status`).
    public var timeZone: String = "UTC"
    /// Connections open at once, in all; each client address may hold a quarter of them.
    public var maxConnections: Int = 256

    public init(listen: [ListenAddress]) {
        self.listen = listen
    }
}

/// A numeric address and port to listen on: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80`, `[::]:8080`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Nil unless the text is an IPv4 or bracketed IPv6 literal and a port (names would need DNS at start).
    public init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
            guard hostPart.contains(":"), hostPart.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            let octets = hostPart.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && (UInt8($0) != nil) }) else { return nil }
        }
        guard let port = Int(portPart), (1...65535).contains(port), portPart.allSatisfy(\.isASCII) else { return nil }
        host = String(hostPart)
        self.port = port
    }

    public var isIPv6: Bool { host.contains(":") }
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Defaults and limits for polling.
public struct PollSettings: Sendable, Equatable {
    public var interval: TimeInterval = 15 * 60
    public var concurrency: Int = 8
    public var perHost: Int = 2
    public var timeout: TimeInterval = 30
    public var connectTimeout: TimeInterval = 10
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    public var userAgent: String = PollSettings.defaultUserAgent
    /// Politeness floor: a configured interval below it is rejected by the loader.
    public var minimumInterval: TimeInterval = 5 * 60

    /// How Tributary names itself to servers unless `user_agent` says otherwise.
    public static let defaultUserAgent = "Tributary/\(Product.version) (feed aggregator)"
}

/// Logging threshold.
public struct LogSettings: Sendable, Equatable {
    public var level: String = "info"
}

/// One `[[feed]]` table.
public struct FeedSettings: Sendable, Equatable {
    public var name: String
    public var url: String
    public var interval: TimeInterval?
    public var tags: [String]
    public var userAgent: String?
    /// Set when `full_text = true`: each new or changed item's page is fetched and its article stored.
    public var fullText: FullTextSettings?
    /// False keeps this feed out of near-duplicate merging, both ways (`near_duplicates = false`).
    public var nearDuplicates = true

    public init(name: String, url: String, interval: TimeInterval? = nil, tags: [String] = [], userAgent: String? = nil,
                fullText: FullTextSettings? = nil) {
        self.name = name
        self.url = url
        self.interval = interval
        self.tags = tags
        self.userAgent = userAgent
        self.fullText = fullText
    }
}

/// A feed's full-text rules: XPath for sites whose pages defeat the extractor's heuristics.
public struct FullTextSettings: Sendable, Equatable {
    /// The article's element(s); when set, the heuristics only clean what it selects.
    public var contentXPath: String?
    /// Parts removed from the page before anything else.
    public var removeXPaths: [String]

    public init(contentXPath: String? = nil, removeXPaths: [String] = []) {
        self.contentXPath = contentXPath
        self.removeXPaths = removeXPaths
    }
}

/// What Tributary is, for `--version`, the User-Agent and the output's generator element.
public enum Product {
    public static let version = "0.1.0"
}
