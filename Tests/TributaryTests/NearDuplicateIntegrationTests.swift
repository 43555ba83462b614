import XCTest
@testable import Tributary

/// One agency story re-published in other words by two papers, and the agency's follow-up with a new
/// figure, through the real binary and three loopback outlets.
final class NearDuplicateIntegrationTests: LoopbackTestCase {
    static let wire = """
        KARACHI, Aug 12 (APP): The death toll from flash floods in Sindh rose to 31 on Monday as rescue teams \
        reached villages cut off by the overflowing Indus, the Provincial Disaster Management Authority said. \
        Officials said 12 of the dead were children. More than 4,000 people have been moved to relief camps in \
        Dadu and Jamshoro districts, where the army is distributing food and tents. The Met Office has forecast \
        more rain for the coming 48 hours and warned of further flooding in low-lying areas.
        """
    static let dawn = """
        HYDERABAD: At least 31 people, among them 12 children, have lost their lives in flash floods in Sindh, the \
        Provincial Disaster Management Authority said on Monday. Rescue teams reached villages cut off by the \
        overflowing Indus, and more than 4,000 people have been moved to relief camps in Dadu and Jamshoro \
        districts. The army is distributing food and tents in the camps. The Met Office has forecast more rain \
        over the next 48 hours.
        """
    static let geo = """
        DADU (Web Desk) - Flash floods in Sindh have killed 31 people, 12 of them children, the Provincial Disaster \
        Management Authority said. Rescue teams have reached villages cut off by the overflowing Indus river and \
        more than 4,000 people have been moved to relief camps in Dadu and Jamshoro districts, where the army is \
        handing out food and tents. More rain is forecast for the coming 48 hours, the Met Office said.
        """
    static let followUp = """
        KARACHI, Aug 13 (APP): The death toll from flash floods in Sindh rose to 35 on Tuesday as rescue teams \
        reached villages cut off by the overflowing Indus, the Provincial Disaster Management Authority said. \
        Officials said 14 of the dead were children. More than 6,500 people have been moved to relief camps in \
        Dadu and Jamshoro districts, where the army is distributing food and tents. The Met Office has forecast \
        more rain for the coming 48 hours and warned of further flooding in low-lying areas.
        """

    func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    func config(_ outlets: [(name: String, url: String, optOut: Bool)], identity: String = "") throws -> URL {
        var text = """
            [storage]
            database = "state/tributary.sqlite"
            [output]
            path = "state/merged.atom"
            [poll]
            interval = "15m"
            timeout = "5s"
            \(identity)

            """
        for outlet in outlets {
            text += "[[feed]]\nname = \"\(outlet.name)\"\nurl = \"\(outlet.url)\"\n"
            if outlet.optOut { text += "near_duplicates = false\n" }
            text += "\n"
        }
        let url = folder.appendingPathComponent("feeds.toml")
        try Data(text.utf8).write(to: url)
        return url
    }

    func testRewrittenAgencyStoryIsOneEntryWithTwoViaLinksAndTheFollowUpIsAnother() throws {
        let now = Date()
        let (app, dawn, geo) = (try startServer(), try startServer(), try startServer())
        try app.write("rss.xml", rssDocument(title: "APP", link: "https://app.example/", items: [
            ("app-2", "Sindh flood death toll rises to 35", "https://app.example/2", Self.followUp, rfc822(now.addingTimeInterval(-1800))),
            ("app-1", "Sindh flood death toll climbs to 31", "https://app.example/1", Self.wire, rfc822(now.addingTimeInterval(-7200))),
        ]))
        try dawn.write("rss.xml", rssDocument(title: "Dawn", link: "https://dawn.example/", items: [
            ("dawn-1", "Floods claim 31 lives in Sindh, thousands shifted to camps", "https://dawn.example/floods",
             Self.dawn, rfc822(now.addingTimeInterval(-5400))),
        ]))
        try geo.write("rss.xml", rssDocument(title: "Geo", link: "https://geo.example/", items: [
            ("geo-1", "31 dead as floods lash Sindh", "https://geo.example/sindh-floods", Self.geo, rfc822(now.addingTimeInterval(-5000))),
        ]))
        let outlets = [("APP", app.url("rss.xml"), false), ("Dawn", dawn.url("rss.xml"), false), ("Geo", geo.url("rss.xml"), false)]
        // The agency is polled first, as it publishes first.
        let agencyOnly = try TributaryBinary.run(["poll", "--config", try config(Array(outlets.prefix(1))).path])
        XCTAssertEqual(agencyOnly.status, 0, agencyOnly.stderr)
        XCTAssertTrue(agencyOnly.stdout.contains("APP: 200, 2 new"), agencyOnly.stdout)
        let all = try config(outlets)
        let poll = try TributaryBinary.run(["poll", "--config", all.path])
        XCTAssertEqual(poll.status, 0, poll.stderr)
        XCTAssertTrue(poll.stdout.contains("Dawn: 200, 0 new, 0 updated, 0 duplicate, 1 near-duplicate"), poll.stdout)
        XCTAssertTrue(poll.stdout.contains("Geo: 200, 0 new, 0 updated, 0 duplicate, 1 near-duplicate"), poll.stdout)
        XCTAssertTrue(poll.stdout.contains("0 duplicate, 2 near-duplicate"), poll.stdout)

        let atom = folder.appendingPathComponent("state/merged.atom")
        var entries = try AtomEntries(atom)
        XCTAssertEqual(entries.titles, ["Sindh flood death toll rises to 35", "Sindh flood death toll climbs to 31"],
                       "the follow-up with a new figure is a story of its own")
        XCTAssertEqual(entries.via(of: "Sindh flood death toll climbs to 31"),
                       ["https://dawn.example/floods", "https://geo.example/sindh-floods"])
        XCTAssertEqual(entries.via(of: "Sindh flood death toll rises to 35"), [])

        // Why: each paper's item is attached as a near-duplicate, with its figures.
        let entryID = try XCTUnwrap(entries.id(of: "Sindh flood death toll climbs to 31"))
        let explain = try TributaryBinary.run(["explain", "--config", all.path, entryID])
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("- APP (https://app.example/1"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("first publisher"), explain.stdout)
        let nearLines = explain.stdout.split(separator: "\n").filter { $0.contains("near-duplicate): text similarity") }
        XCTAssertEqual(nearLines.count, 2, explain.stdout)
        XCTAssertTrue(nearLines.allSatisfy { $0.contains("threshold 0.20") }, explain.stdout)
        let byLink = try TributaryBinary.run(["explain", "--config", all.path, "https://geo.example/sindh-floods"])
        XCTAssertEqual(byLink.stdout, explain.stdout, "an outlet's link finds the entry too")
        let missing = try TributaryBinary.run(["explain", "--config", all.path, "tag:nothing"])
        XCTAssertEqual(missing.status, 1)

        let status = try TributaryBinary.run(["status", "--config", all.path, "--json"])
        let feeds = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let near = Dictionary(uniqueKeysWithValues: feeds.map { ($0["name"] as! String, ($0["duplicates"] as! [String: Int])["near"]!) })
        XCTAssertEqual(near, ["APP": 0, "Dawn": 1, "Geo": 1])

        // Geo opts out: its story becomes an entry of its own on the next poll, though nothing changed on the server.
        let optOut = try config([outlets[0], outlets[1], ("Geo", geo.url("rss.xml"), true)])
        let after = try TributaryBinary.run(["poll", "--config", optOut.path])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertTrue(after.stdout.contains("Geo: 200, 1 new"), after.stdout)
        XCTAssertTrue(after.stdout.contains("Dawn: 304"), after.stdout)
        entries = try AtomEntries(atom)
        XCTAssertEqual(entries.titles.count, 3, entries.titles.description)
        XCTAssertEqual(entries.via(of: "Sindh flood death toll climbs to 31"), ["https://dawn.example/floods"])

        // A threshold above the merge's similarity undoes Dawn's too.
        let strict = try config([outlets[0], outlets[1], ("Geo", geo.url("rss.xml"), true)],
                                identity: "[identity]\nthreshold = 0.95")
        let strictPoll = try TributaryBinary.run(["poll", "--config", strict.path])
        XCTAssertTrue(strictPoll.stdout.contains("Dawn: 200, 1 new"), strictPoll.stdout)
        entries = try AtomEntries(atom)
        XCTAssertEqual(entries.titles.count, 4, entries.titles.description)
        XCTAssertEqual(entries.via(of: "Sindh flood death toll climbs to 31"), [])
    }

    /// Items that carry their whole text (content:encoded), so that the later one's length is weighed.
    func fullTextFeed(_ title: String, items: [(guid: String, title: String, link: String, text: String, date: String)]) -> String {
        var x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
        x += "<channel><title>\(title)</title><link>https://\(title.lowercased()).example/</link>\n"
        for item in items {
            x += "<item><guid isPermaLink=\"false\">\(item.guid)</guid><title>\(item.title)</title><link>\(item.link)</link>"
            x += "<content:encoded><![CDATA[<p>\(item.text)</p>]]></content:encoded><pubDate>\(item.date)</pubDate></item>\n"
        }
        return x + "</channel></rss>\n"
    }

    func testAPapersOwnArticleOpeningWithTheWireStaysAnEntryOfItsOwn() throws {
        let now = Date()
        let (app, express, geo) = (try startServer(), try startServer(), try startServer())
        try app.write("rss.xml", fullTextFeed("APP", items: [
            ("app-1", "Sindh flood death toll climbs to 31", "https://app.example/1", Self.wire, rfc822(now.addingTimeInterval(-7200))),
        ]))
        // The paper's own reporting from the camps, three times the wire's length, after the wire's facts.
        let reporting = (1...14).map { "In camp \($0) near Dadu, families told our correspondent they had waited days for clean water, medicine and word of relatives still missing." }
        try express.write("rss.xml", fullTextFeed("Express", items: [
            ("ex-1", "Inside Sindh's flood camps", "https://express.example/camps", Self.dawn + " " + reporting.joined(separator: " "),
             rfc822(now.addingTimeInterval(-3600))),
        ]))
        try geo.write("rss.xml", fullTextFeed("Geo", items: [
            ("geo-1", "31 dead as floods lash Sindh", "https://geo.example/sindh-floods", Self.geo, rfc822(now.addingTimeInterval(-5000))),
        ]))
        let outlets = [("APP", app.url("rss.xml"), false), ("Express", express.url("rss.xml"), false), ("Geo", geo.url("rss.xml"), false)]
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", try config(Array(outlets.prefix(1))).path]).status, 0)
        let all = try config(outlets)
        let poll = try TributaryBinary.run(["poll", "--config", all.path])
        XCTAssertEqual(poll.status, 0, poll.stderr)
        XCTAssertTrue(poll.stdout.contains("Express: 200, 1 new, 0 updated, 0 duplicate, 0 near-duplicate"), poll.stdout)
        XCTAssertTrue(poll.stdout.contains("Geo: 200, 0 new, 0 updated, 0 duplicate, 1 near-duplicate"), poll.stdout)
        let entries = try AtomEntries(folder.appendingPathComponent("state/merged.atom"))
        XCTAssertEqual(Set(entries.titles), ["Sindh flood death toll climbs to 31", "Inside Sindh's flood camps"])
        XCTAssertEqual(entries.via(of: "Sindh flood death toll climbs to 31"), ["https://geo.example/sindh-floods"])
        let entryID = try XCTUnwrap(entries.id(of: "Sindh flood death toll climbs to 31"))
        let explain = try TributaryBinary.run(["explain", "--config", all.path, entryID])
        XCTAssertTrue(explain.stdout.contains("lengths "), "whole texts are weighed: \(explain.stdout)")
    }

    func testAPapersCutOfTheWireIsAttachedAndStaysSoUntilTheThresholdRises() throws {
        let now = Date()
        let (app, nawa) = (try startServer(), try startServer())
        let article = Self.wire + " " + """
            The chief minister visited the camps in Dadu on Monday afternoon and announced compensation of 500,000 \
            rupees for the family of each person killed. He said the provincial government had released funds for \
            tents, medicine and drinking water and asked the federal government for boats and helicopters. Doctors at \
            the camps said cases of diarrhoea and skin infections were rising among children. The railways suspended \
            two trains between Karachi and Larkana after water reached the tracks near Sehwan.
            """
        // The wire's first sentence, shortened, and two of its last: a third of its length, its lead mostly gone.
        let cut = """
            LARKANA: The death toll from flash floods in Sindh rose to 31 on Monday as rescue teams reached villages \
            cut off by the overflowing Indus. Doctors at the camps said cases of diarrhoea and skin infections were \
            rising among children. The railways suspended two trains between Karachi and Larkana after water reached \
            the tracks near Sehwan.
            """
        try app.write("rss.xml", fullTextFeed("APP", items: [
            ("app-1", "Sindh flood death toll climbs to 31", "https://app.example/1", article, rfc822(now.addingTimeInterval(-7200))),
        ]))
        let cutItem = ("nawa-1", "Trains suspended as floods rise", "https://nawa.example/trains", cut, rfc822(now.addingTimeInterval(-3600)))
        try nawa.write("rss.xml", fullTextFeed("Nawa", items: [cutItem]))
        let outlets = [("APP", app.url("rss.xml"), false), ("Nawa", nawa.url("rss.xml"), false)]
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", try config(Array(outlets.prefix(1))).path]).status, 0)
        let all = try config(outlets)
        let poll = try TributaryBinary.run(["poll", "--config", all.path])
        XCTAssertEqual(poll.status, 0, poll.stderr)
        XCTAssertTrue(poll.stdout.contains("Nawa: 200, 0 new, 0 updated, 0 duplicate, 1 near-duplicate"), poll.stdout)
        let atom = folder.appendingPathComponent("state/merged.atom")
        XCTAssertEqual(try AtomEntries(atom).via(of: "Sindh flood death toll climbs to 31"), ["https://nawa.example/trains"])
        let entryID = try XCTUnwrap(try AtomEntries(atom).id(of: "Sindh flood death toll climbs to 31"))
        let explain = try TributaryBinary.run(["explain", "--config", all.path, entryID])
        let line = try XCTUnwrap(explain.stdout.split(separator: "\n").first { $0.contains("near-duplicate)") }, explain.stdout)
        XCTAssertTrue(line.contains("of the later text found in the earlier"), String(line))
        let similarity = try XCTUnwrap(line.range(of: "text similarity ").map { Double(line[$0.upperBound...].prefix(4)) } ?? nil)
        XCTAssertLessThan(similarity, SameStory.defaultThreshold, "the cut is merged by its wording, not its lead: \(line)")

        // The paper's next story changes its feed: the cut, read again, stays attached under the same configuration.
        try nawa.write("rss.xml", fullTextFeed("Nawa", items: [
            ("nawa-2", "Wheat support price raised", "https://nawa.example/wheat",
             "LAHORE: The Punjab cabinet raised the support price of wheat for the coming season after a meeting with growers' representatives, who had asked for more to cover the higher cost of fertiliser and diesel this year.",
             rfc822(now.addingTimeInterval(-600))),
            cutItem,
        ]))
        let again = try TributaryBinary.run(["poll", "--config", all.path])
        XCTAssertTrue(again.stdout.contains("Nawa: 200, 1 new, 0 updated, 0 duplicate, 0 near-duplicate"), again.stdout)
        XCTAssertEqual(try AtomEntries(atom).titles.count, 2)
        XCTAssertEqual(try AtomEntries(atom).via(of: "Sindh flood death toll climbs to 31"), ["https://nawa.example/trains"])

        // A threshold whose cut bar (1.75 times it) is above any share undoes it on the next poll.
        let strict = try config(outlets, identity: "[identity]\nthreshold = 0.6")
        let strictPoll = try TributaryBinary.run(["poll", "--config", strict.path])
        XCTAssertTrue(strictPoll.stdout.contains("Nawa: 200, 1 new"), strictPoll.stdout)
        XCTAssertEqual(try AtomEntries(atom).titles.count, 3)
        XCTAssertEqual(try AtomEntries(atom).via(of: "Sindh flood death toll climbs to 31"), [])
    }

    func testLayerOffKeepsRewritesApart() throws {
        let now = Date()
        let (app, dawn) = (try startServer(), try startServer())
        try app.write("rss.xml", rssDocument(title: "APP", items: [
            ("app-1", "Sindh flood death toll climbs to 31", "https://app.example/1", Self.wire, rfc822(now.addingTimeInterval(-7200))),
        ]))
        try dawn.write("rss.xml", rssDocument(title: "Dawn", items: [
            ("dawn-1", "Floods claim 31 lives", "https://dawn.example/floods", Self.dawn, rfc822(now.addingTimeInterval(-5400))),
        ]))
        let off = try config([("APP", app.url("rss.xml"), false), ("Dawn", dawn.url("rss.xml"), false)],
                             identity: "[identity]\nnear_duplicates = false")
        let poll = try TributaryBinary.run(["poll", "--config", off.path])
        XCTAssertEqual(poll.status, 0, poll.stderr)
        XCTAssertTrue(poll.stdout.contains("2 new, 0 updated, 0 duplicate, 0 near-duplicate"), poll.stdout)
        XCTAssertEqual(try AtomEntries(folder.appendingPathComponent("state/merged.atom")).titles.count, 2)
    }
}

/// Titles, ids and `via` links of a merged Atom file, found in its text (Tributary writes one element a line).
struct AtomEntries {
    let entries: [(title: String, id: String, via: [String])]

    init(_ file: URL) throws {
        let data = try Data(contentsOf: file)
        let text = String(decoding: data, as: UTF8.self)
        var found: [(String, String, [String])] = []
        for chunk in text.components(separatedBy: "<entry").dropFirst() {
            let body = chunk.components(separatedBy: "</entry>")[0]
            func element(_ name: String) -> String {
                guard let start = body.range(of: "<\(name)"), let open = body[start.upperBound...].range(of: ">"),
                      let close = body[open.upperBound...].range(of: "</\(name)>") else { return "" }
                return unescapeXML(String(body[open.upperBound..<close.lowerBound]))
            }
            var via: [String] = []
            for link in body.components(separatedBy: "<link").dropFirst() where link.contains("rel=\"via\"") {
                if let h = link.range(of: "href=\""), let end = link[h.upperBound...].firstIndex(of: "\"") {
                    via.append(unescapeXML(String(link[h.upperBound..<end])))
                }
            }
            found.append((element("title"), element("id"), via.sorted()))
        }
        entries = found
    }

    var titles: [String] { entries.map(\.title) }
    func via(of title: String) -> [String]? { entries.first { $0.title == title }?.via }
    func id(of title: String) -> String? { entries.first { $0.title == title }?.id }
}

private func unescapeXML(_ s: String) -> String {
    s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
}
