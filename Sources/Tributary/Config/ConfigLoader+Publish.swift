import Foundation
import TOMLKit

// The keys that say how outputs are published: `[serve]`, and each output's path, hub and time zone.
extension TableWalker {
    /// Paths the server answers itself; an output may not take them.
    static let reservedPaths: Set<String> = ["/", "/status", "/status.json", "/sources.opml"]

    /// `[serve]`, or nil when the table is absent (serving is off by default).
    func serve(_ root: TOMLTable) throws(ConfigError) -> ServeSettings? {
        guard let table = try subtable(root, "serve") else { return nil }
        let section = Section.table("serve")
        try rejectUnknown(table, allowed: ["listen", "time_zone", "max_connections"], section: section)
        let texts: [String]
        if let one = table["listen"]?.string {
            texts = [one]
        } else if table["listen"] != nil {
            texts = try strings(table, "listen", section) ?? []
        } else {
            throw fail(section, nil, "missing required key \"listen\" (such as \"127.0.0.1:8080\")")
        }
        guard !texts.isEmpty else { throw fail(section, "listen", "must name at least one address") }
        var addresses: [ListenAddress] = []
        for text in texts {
            guard let address = ListenAddress(text.trimmingCharacters(in: .whitespaces)) else {
                throw fail(section, "listen", "\"\(text)\" is not an address and port such as \"127.0.0.1:8080\" or \"[::1]:8080\"")
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        var settings = ServeSettings(listen: addresses)
        settings.timeZone = try timeZone(table, section) ?? settings.timeZone
        settings.maxConnections = try integer(table, "max_connections", section, range: 4...4096) ?? settings.maxConnections
        return settings
    }

    /// An IANA time zone name, checked against the system's zone database.
    func timeZone(_ table: TOMLTable, _ section: Section) throws(ConfigError) -> String? {
        guard let name = try text(table, "time_zone", section) else { return nil }
        guard ZoneTable.load(name) != nil else {
            throw fail(section, "time_zone", "unknown time zone \"\(name)\" (an IANA name such as \"Asia/Karachi\" or \"UTC\")")
        }
        return name
    }

    /// `url_path`, `hub` and `time_zone` of one output.
    func publishing(_ table: TOMLTable, _ section: Section, into output: inout OutputSettings) throws(ConfigError) {
        if let path = try text(table, "url_path", section) {
            let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
            // One segment of safe characters: no folders, so no path can climb out, and relative links
            // between the river and its tag pages hold wherever it is served.
            guard !name.isEmpty, !name.hasPrefix("."),
                  name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }) else {
                throw fail(section, "url_path", "\"\(path)\" must be \"/\" and one name of letters, digits, '.', '_' or '-', such as \"/pakistan.atom\"")
            }
            output.urlPath = "/" + name
        }
        if let hub = try url(table, "hub", section) {
            guard output.link != nil else {
                throw fail(section, "hub", "needs \"link\" too: the public URL of this output, which the hub fetches")
            }
            output.hub = hub
        }
        if let zone = try timeZone(table, section) {
            guard output.format == .html else { throw fail(section, "time_zone", "applies to format = \"html\" only") }
            output.timeZone = zone
        }
    }

    /// Each output at a path of its own, none taking a path the server answers itself.
    func checkURLPaths(_ outputs: [OutputSettings], sections: [Section]) throws(ConfigError) {
        var taken: [String: Int] = [:]
        for (index, output) in outputs.enumerated() {
            let key = output.urlPath.lowercased()
            if Self.reservedPaths.contains(key) {
                throw fail(sections[index], "url_path", "\(output.urlPath) is the server's own page; choose another url_path")
            }
            if let first = taken[key] {
                throw fail(sections[index], "url_path", "\(output.urlPath) is already served for output[\(first)] (same file name); set url_path")
            }
            taken[key] = index
        }
    }
}
