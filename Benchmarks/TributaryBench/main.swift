import CLibXML2
import CSQLite
import Foundation
import Tributary
#if canImport(Glibc)
import Glibc
#endif

// Benchmarks that print figures; run through scripts/bench.sh.
//   tributary-bench parse DIR [PASSES]   parse every feed file in DIR from memory, best of PASSES
//                                        (PARSE_ONLY=1: skip the libxml2 comparison runs)
//   tributary-bench emit DB N            fill DB with N synthetic items (once), then time rewriting a 500-entry output
//   tributary-bench extract DIR          the full-text extractor in one process over DIR/*/page.html (start-up
//                                        left out): CPU per page, for scripts/fulltext-bench.sh

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func parseBenchmark(directory: String, passes: Int) throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { !$0.hasSuffix(".gz") && !$0.hasPrefix(".") }.sorted()
    let files = try names.map { try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent($0)) }
    let bytes = files.reduce(0) { $0 + $1.count }
    let parser = FeedParser()
    var best = Double.infinity
    var bestWall = 0.0
    var items = 0
    var dated = 0
    for _ in 0..<passes {
        items = 0
        dated = 0
        let wallStart = Date()
        let start = cpuSeconds()
        for data in files {
            if let feed = try? parser.parse(data) {
                items += feed.items.count
                dated += feed.items.filter { $0.published != nil || $0.updated != nil }.count
            }
        }
        let cpu = cpuSeconds() - start
        if cpu < best { best = cpu; bestWall = Date().timeIntervalSince(wallStart) }
    }
    let mb = Double(bytes) / 1_000_000
    if ProcessInfo.processInfo.environment["PARSE_ONLY"] != nil {
        print(String(format: "parse: %.2f CPU-s, %.1f MB per CPU-second", best, mb / best))
        return
    }
    // For comparison: libxml2 alone reading every document into its tree, then every item body through its
    // HTML parser (what the first version of the parser did), and the same through SAX with no tree.
    var bodies: [String] = []
    for data in files { if let feed = try? parser.parse(data) { bodies += feed.items.compactMap { $0.content ?? $0.summary } } }
    let floorStart = cpuSeconds()
    for data in files {
        data.withUnsafeBytes { raw in
            let doc = xmlReadMemory(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count), nil, nil,
                                    Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NONET.rawValue))
            xmlFreeDoc(doc)
        }
    }
    let xmlFloor = cpuSeconds() - floorStart
    let xmlSaxStart = cpuSeconds()
    var xmlHandler = xmlSAXHandler()
    xmlHandler.initialized = XML_SAX2_MAGIC
    xmlHandler.startElementNs = { _, _, _, _, _, _, _, _, _ in }
    xmlHandler.endElementNs = { _, _, _, _ in }
    xmlHandler.characters = { _, _, _ in }
    xmlHandler.cdataBlock = { _, _, _ in }
    for data in files {
        data.withUnsafeBytes { raw in
            _ = xmlSAXUserParseMemory(&xmlHandler, nil, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
    }
    print(String(format: "XML documents through SAX2 (no tree): %.2f CPU-s", cpuSeconds() - xmlSaxStart))
    let htmlStart = cpuSeconds()
    for var body in bodies {
        body.withUTF8 { b in
            let doc = b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) {
                htmlReadMemory($0, Int32(b.count), nil, "UTF-8",
                               Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue))
            }
            xmlFreeDoc(doc)
        }
    }
    let htmlFloor = cpuSeconds() - htmlStart
    // The same bodies through the HTML parser's SAX interface, with no tree built.
    let saxStart = cpuSeconds()
    var handler = htmlSAXHandler()
    handler.startElement = { _, _, _ in }
    handler.endElement = { _, _ in }
    handler.characters = { _, _, _ in }
    for var body in bodies {
        body.withUTF8 { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                guard let ctxt = htmlCreateMemoryParserCtxt(p, Int32(b.count)) else { return }
                withUnsafeMutablePointer(to: &handler) { h in
                    let saved = ctxt.pointee.sax
                    ctxt.pointee.sax = UnsafeMutableRawPointer(h).assumingMemoryBound(to: xmlSAXHandler.self)
                    htmlCtxtUseOptions(ctxt, Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue))
                    htmlParseDocument(ctxt)
                    ctxt.pointee.sax = saved
                }
                htmlFreeParserCtxt(ctxt)
            }
        }
    }
    print(String(format: "item bodies through HTML SAX (no tree): %.2f CPU-s", cpuSeconds() - saxStart))
    print(String(format: "libxml2 alone, trees: XML documents %.2f CPU-s, item bodies as HTML %.2f CPU-s, together %.1f MB per CPU-second",
                 xmlFloor, htmlFloor, mb / (xmlFloor + htmlFloor)))
    print(String(format: "parse: %d files, %.1f MB, %d items (%d dated), best of %d: %.2f CPU-s, %.2f s wall, %.1f MB per CPU-second, %.0f items/s",
                 files.count, mb, items, dated, passes, best, bestWall, mb / best, Double(items) / best))
}

/// Bulk-loads synthetic items straight through SQLite (the product's ingest path is measured by the
/// poll cycles), then measures what the daemon does after each changed cycle: query and render.
func emitBenchmark(database: String, items: Int) throws {
    let feedCount = 1000
    let store = try FeedStore(path: database)
    let feeds = try store.syncFeeds((0..<feedCount).map { FeedSettings(name: "Outlet \($0)", url: "https://outlet\($0).example/feed") })
    if try store.itemCount() < items {
        store.close()
        var db: OpaquePointer?
        guard sqlite3_open(database, &db) == SQLITE_OK else { throw StoreError(message: "cannot open \(database)") }
        let summary = String(repeating: "Synthetic summary text for the benchmark. ", count: 8)
        let sql = """
            BEGIN;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(items))
            INSERT INTO items(entry_id, feed_id, canonical_url, fingerprint, link, title, author, summary, content,
                              published, updated, first_seen, effective_at, revision, changed_at)
            SELECT 'tag:bench,2026:' || i, (i % \(feedCount)) + \(feeds[0].id), '//bench.example/' || i, hex(randomblob(16)),
                   'https://bench.example/' || i, 'Story number ' || i, 'Reporter ' || (i % 97), '<p>\(summary)</p>', NULL,
                   1700000000 + i * 60, 1700000000 + i * 60, 1700000000 + i * 60, 1700000000 + i * 60, 'r', 1700000000 + i * 60
            FROM n;
            INSERT INTO item_sources(feed_id, guid, item_id, link, first_seen)
            SELECT feed_id, entry_id, id, link, first_seen FROM items;
            COMMIT;
            """
        let start = Date()
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw StoreError(message: String(cString: sqlite3_errmsg(db)))
        }
        sqlite3_close(db)
        print(String(format: "emit: loaded %d synthetic items in %.1f s", items, Date().timeIntervalSince(start)))
    } else {
        store.close()
    }
    let reopened = try FeedStore(path: database)
    let records = Dictionary(uniqueKeysWithValues: try reopened.allFeeds().map { ($0.id, $0) })
    let settings = OutputSettings(path: database + ".atom", title: "bench", maxEntries: 500)
    var timings: [Double] = []
    var bytes = 0
    for _ in 0..<7 {
        // An unchanged output is not rewritten: without this, only the first pass would write and fsync.
        try? FileManager.default.removeItem(atPath: settings.path)
        let start = Date()
        let stored = try reopened.entries(feedIDs: Array(records.keys), limit: 500, notBefore: nil)
        let entries = stored.map { OutputEntry(entry: $0, source: records[$0.sourceFeedID]!, via: [], tags: []) }
        let data = AtomWriter.render(OutputDocument(settings: settings, entries: entries))
        try AtomicFile.write(data, to: settings.path)
        bytes = data.count
        timings.append(Date().timeIntervalSince(start) * 1000)
    }
    timings.sort()
    print(String(format: "emit: %d items stored, 500-entry output (%d KB) queried, rendered and written: median %.1f ms, best %.1f ms",
                 try reopened.itemCount(), bytes / 1024, timings[timings.count / 2], timings[0]))
}

func extractBenchmark(directory: String) throws {
    let folders = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    let pages = folders.compactMap { FileManager.default.contents(atPath: "\(directory)/\($0)/page.html").map { [UInt8]($0) } }
    var best = Double.infinity, characters = 0
    for _ in 0..<3 {
        let start = cpuSeconds()
        characters = 0
        for page in pages { characters += ArticlePage.extract(page, url: nil)?.plainText.utf8.count ?? 0 }
        best = min(best, cpuSeconds() - start)
    }
    print(String(format: "extract: %d pages, %.1f ms of CPU per page in one process (best of 3), %d bytes of text",
                 pages.count, best * 1000 / Double(max(pages.count, 1)), characters))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["parse", "emit", "extract"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: tributary-bench parse DIR [PASSES] | emit DB N | extract DIR\n".utf8))
    exit(2)
}
do {
    if arguments[1] == "extract" {
        try extractBenchmark(directory: arguments[2])
    } else if arguments[1] == "emit" {
        try emitBenchmark(database: arguments[2], items: arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000)
    } else {
        try parseBenchmark(directory: arguments[2], passes: arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3)
    }
} catch {
    FileHandle.standardError.write(Data("tributary-bench: \(error)\n".utf8))
    exit(1)
}
