import Foundation

/// One rendered document of an output: where it is written and where it is served.
public struct RenderedPage: Sendable {
    public var filePath: String
    public var urlPath: String
    public var contentType: String
    public var data: Data
}

/// Picks the writer for an output's format. An html output is a river page and a page per tag beside it.
public enum OutputRendering {
    public static func pages(_ document: OutputDocument, now: Date) -> [RenderedPage] {
        let settings = document.settings
        let type = contentType(settings.format)
        switch settings.format {
        case .atom:
            return [RenderedPage(filePath: settings.path, urlPath: settings.urlPath, contentType: type, data: AtomWriter.render(document))]
        case .json:
            return [RenderedPage(filePath: settings.path, urlPath: settings.urlPath, contentType: type, data: JSONFeedWriter.render(document))]
        case .html:
            let folder = (settings.path as NSString).deletingLastPathComponent
            return RiverPage.render(document, now: now).enumerated().map { index, page in
                RenderedPage(filePath: index == 0 ? settings.path : (folder as NSString).appendingPathComponent(page.name),
                             urlPath: index == 0 ? settings.urlPath : "/" + page.name, contentType: type, data: page.data)
            }
        }
    }

    /// Removes the tag pages of tags no longer shown beside an html output's file (only names of the
    /// river's own pattern, `<name>-tag-….html`, are considered).
    public static func removeStaleTagPages(of settings: OutputSettings, keeping keep: Set<String>) {
        let folder = (settings.path as NSString).deletingLastPathComponent
        let prefix = RiverPage.tagPagePrefix(settings.urlPath)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".html") {
            let path = (folder as NSString).appendingPathComponent(name)
            if !keep.contains(path) { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// The exact media types: RFC 4287's for Atom, JSON Feed 1.1's own, HTML as UTF-8.
    public static func contentType(_ format: OutputFormat) -> String {
        switch format {
        case .atom: "application/atom+xml; charset=utf-8"
        case .json: "application/feed+json"
        case .html: "text/html; charset=utf-8"
        }
    }
}
