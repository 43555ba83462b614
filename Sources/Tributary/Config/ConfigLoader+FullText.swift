import TOMLKit

extension TableWalker {
    /// `full_text`, `content_xpath` and `remove_xpath` of a `[[feed]]`. The rules are compiled here, so a
    /// typo in an XPath is a config error naming its line, not a silent miss on every page.
    func fullTextSettings(_ table: TOMLTable, _ section: Section) throws(ConfigError) -> FullTextSettings? {
        var enabled = false
        if let value = table["full_text"] {
            guard let flag = value.bool else { throw fail(section, "full_text", "expected true or false, found \(describe(value))") }
            enabled = flag
        }
        let content = try text(table, "content_xpath", section)
        let remove: [String]
        if let value = table["remove_xpath"], value.string != nil {
            remove = [try text(table, "remove_xpath", section) ?? ""]
        } else {
            remove = try strings(table, "remove_xpath", section) ?? []
        }
        for (key, expression) in [("content_xpath", content)] + remove.map({ ("remove_xpath", Optional($0)) }) {
            guard let expression else { continue }
            guard !expression.isBlank, ArticlePage.isValidXPath(expression) else {
                throw fail(section, key, "\"\(expression)\" is not a valid XPath 1.0 expression")
            }
            guard enabled else { throw fail(section, key, "applies only to full text; add full_text = true") }
        }
        return enabled ? FullTextSettings(contentXPath: content, removeXPaths: remove) : nil
    }
}
