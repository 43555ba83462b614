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

    /// `[identity]`: `near_duplicates`, `window` and `threshold`.
    func identitySettings(_ root: TOMLTable) throws(ConfigError) -> IdentitySettings {
        var identity = IdentitySettings()
        guard let table = try subtable(root, "identity") else { return identity }
        let section = Section.table("identity")
        try rejectUnknown(table, allowed: ["near_duplicates", "window", "threshold"], section: section)
        identity.nearDuplicates = try flag(table, "near_duplicates", section) ?? true
        // Up to a year: a longer window would compare today's news with last year's.
        identity.window = try duration(table, "window", section, range: 3600...(365 * 86400)) ?? identity.window
        if let value = table["threshold"] {
            guard let number = value.double ?? value.int.map(Double.init) else {
                throw fail(section, "threshold", "expected a number between 0.05 and 1, found \(describe(value))")
            }
            guard number >= 0.05 && number <= 1 else {
                throw fail(section, "threshold", "\(number) is out of range (0.05 to 1; the default is \(SameStory.defaultThreshold))")
            }
            identity.threshold = number
        }
        return identity
    }

    func flag(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw fail(section, key, "expected true or false, found \(describe(value))") }
        return flag
    }
}
