import Foundation
import XCTest
@testable import Tributary

/// The daemon's HTTP server against real clients on 127.0.0.1: curl, newsboat, feedparser, headless
/// Chromium, a loopback WebSub hub, socket activation, and hostile clients.
final class ServeClientTests: LoopbackTestCase {
    /// A port nobody listens on now (bound and released; the daemon binds it next).
    func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether this machine has an IPv6 loopback to listen on.
    func ipv6Loopback() -> Bool {
        guard let fd = try? ListenSocket.open(ListenAddress("[::1]:\(freePort())")!) else { return false }
        close(fd)
        return true
    }

    /// Two outlets: one story carried by both (one entry with a via link), one Urdu story, one more.
    func outlets(_ server: FeedServer) throws {
        let shared = storyText("budget")
        try server.write("dawn.xml", rssDocument(title: "Dawn", link: "https://dawn.example/", items: [
            ("d1", "Assembly passes the budget", "https://dawn.example/budget", shared, "Tue, 01 Dec 2026 08:00:00 GMT"),
            ("d2", "کراچی میں بارش کا امکان", "https://dawn.example/rain", "محکمہ موسمیات کے مطابق کراچی میں آج بارش کا امکان ہے، شہر کے بیشتر علاقوں میں ہلکی بارش ہوگی", "Tue, 01 Dec 2026 09:00:00 GMT"),
        ]))
        try server.write("geo.xml", rssDocument(title: "Geo", link: "https://geo.example/", items: [
            ("g1", "Assembly passes the budget", "https://geo.example/budget", shared, "Tue, 01 Dec 2026 08:30:00 GMT"),
            ("g2", "Cricket &lt;script&gt;alert(1)&lt;/script&gt; team named", "https://geo.example/cricket", "&lt;p&gt;Squad named.&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt; " + storyText("cricket"), "Tue, 01 Dec 2026 10:00:00 GMT"),
        ]))
    }

    struct RunningDaemon {
        let process: Process
        let port: Int
        let log: URL
        var base: String { "http://127.0.0.1:\(port)" }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    func startDaemon(server: FeedServer, serve: String? = nil, outputKeys: String = "", poll: String? = nil,
                     environment: [String: String]? = nil, launcher: [String] = []) throws -> RunningDaemon {
        let port = freePort()
        let listen = ipv6Loopback() ? "[\"127.0.0.1:\(port)\", \"[::1]:\(port)\"]" : "\"127.0.0.1:\(port)\""
        let serveTable = serve ?? "[serve]\nlisten = \(listen)\ntime_zone = \"Asia/Karachi\""
        let config = try writeConfig(folder, feeds: [("Dawn", server.url("dawn.xml"), ["pakistan"]), ("Geo", server.url("geo.xml"), ["pakistan", "sport"])],
                                     extra: serveTable, poll: poll ?? "[poll]\ninterval = \"15m\"\nconcurrency = 4\ntimeout = \"5s\"")
        if !outputKeys.isEmpty {
            let text = try String(contentsOf: config, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "max_entries = 100", with: "max_entries = 100\n" + outputKeys).utf8).write(to: config)
        }
        let log = folder.appendingPathComponent("daemon-\(port).log")
        let arguments = ["run", "--config", config.path, "--log-level", "debug"]
        let process: Process
        if launcher.isEmpty {
            process = try TributaryBinary.start(arguments, log: log, environment: environment)
        } else {
            // The launcher execs the daemon on the first connection; started detached (through sh and
            // `&`), so that the test process never waits on a child that changes its program.
            let command = (launcher + ["127.0.0.1:\(port)", TributaryBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
            let started = try runTool("/bin/sh", ["-c", "\(command) >'\(log.path)' 2>&1 </dev/null & echo $!"])
            let pid = pid_t(started.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            addTeardownBlock { if pid > 0 { kill(pid, SIGTERM) } }
            XCTAssertTrue(eventually(timeout: 10) { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("Listening on") })
            process = Process()
        }
        addTeardownBlock { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let daemon = RunningDaemon(process: process, port: port, log: log)
        XCTAssertTrue(eventually(timeout: 20) { (try? curl(["-s", "\(daemon.base)/merged.atom"]).output.contains("Assembly passes the budget")) == true },
                      "the merged feed is served: \(daemon.logText())")
        return daemon
    }

    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/curl", ["--max-time", "10"] + arguments)
    }

    // MARK: readers

    func testCurlNewsboatAndFeedparserSubscribeOverHTTP() throws {
        let server = try startServer()
        try outlets(server)
        let daemon = try startDaemon(server: server)

        // curl: validators, exact content types, gzip, HEAD, 304.
        let head = try curl(["-s", "-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", "\(daemon.base)/merged.atom"]).output
        XCTAssertTrue(head.contains("Content-Type: application/atom+xml; charset=utf-8"), head)
        XCTAssertTrue(head.contains("Content-Encoding: gzip"), head)
        XCTAssertTrue(head.contains("Cache-Control: public, max-age=450"), "half the 15-minute interval: \(head)")
        let etag = try XCTUnwrap(head.split(separator: "\r\n").first { $0.hasPrefix("ETag: ") }?.dropFirst(6))
        let conditional = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Accept-Encoding: gzip", "-H", "If-None-Match: \(etag)", "\(daemon.base)/merged.atom"])
        XCTAssertEqual(conditional.output, "304")
        if ipv6Loopback() {
            let six = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-g", "http://[::1]:\(daemon.port)/merged.atom"])
            XCTAssertEqual(six.output, "200", "served on the IPv6 loopback too")
        }
        let headOnly = try curl(["-s", "-I", "\(daemon.base)/"]).output
        XCTAssertTrue(headOnly.hasPrefix("HTTP/1.1 200") && headOnly.contains("Content-Type: text/html; charset=utf-8"), headOnly)
        XCTAssertTrue(try curl(["-s", "-D", "-", "-o", "/dev/null", "\(daemon.base)/status.json"]).output.contains("Content-Type: application/json"))
        let opml = try curl(["-s", "\(daemon.base)/sources.opml"]).output
        XCTAssertTrue(opml.contains("<opml version=\"2.0\">") && opml.contains(server.url("geo.xml")), opml)
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(curl(["-s", "\(daemon.base)/status.json"]).output.utf8)) as? [[String: Any]])
        XCTAssertEqual(status.map { $0["name"] as? String }, ["Dawn", "Geo"])
        XCTAssertEqual(status.map { $0["items_24h"] as? Int }, [2, 2])
        XCTAssertEqual(status.first?["health"] as? String, "ok")
        XCTAssertEqual((status.first?["items_per_day"] as? [Int])?.count, 14)

        // feedparser over HTTP: a well-formed feed with the three stories.
        let parsed = try runTool("/usr/bin/python3", ["-c", """
            import feedparser, sys
            d = feedparser.parse(sys.argv[1])
            print(int(d.bozo), d.status, len(d.entries), d.headers.get('content-type'))
            """, "\(daemon.base)/merged.atom"])
        XCTAssertEqual(parsed.output.trimmingCharacters(in: .whitespacesAndNewlines), "0 200 3 application/atom+xml; charset=utf-8")

        // newsboat subscribes and reloads. Version 2.21 keeps a feed's validators only once the feed is in
        // its cache, that is from its second download on: from the third reload on, each one is a 304.
        let home = folder.appendingPathComponent("newsboat")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try Data("\(daemon.base)/merged.atom\n".utf8).write(to: home.appendingPathComponent("urls"))
        try Data("".utf8).write(to: home.appendingPathComponent("config"))
        let cache = home.appendingPathComponent("cache.db").path
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        let newsboat = ["-u", home.appendingPathComponent("urls").path, "-c", cache, "-C", home.appendingPathComponent("config").path, "-x", "reload"]
        func answers() -> [String] {
            daemon.logText().split(separator: "\n").filter { $0.contains("method=GET path=/merged.atom") }.map { String($0.suffix(3)) }
        }
        let earlier = answers().count
        for _ in 0..<4 {
            let run = try runTool("/usr/bin/newsboat", newsboat, environment: environment)
            XCTAssertEqual(run.status, 0, run.output)
        }
        XCTAssertTrue(eventually(timeout: 3) { answers().count == earlier + 4 })
        XCTAssertEqual(Array(answers().suffix(4)), ["200", "200", "304", "304"], "newsboat's reloads after it stored the validators are 304s")
        let titles = try runTool("/usr/bin/env", ["python3", "-c", "import sqlite3,sys; print('\\n'.join(sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select title from rss_item'))))", cache])
        XCTAssertEqual(titles.output.split(separator: "\n").count, 3, titles.output)
        XCTAssertTrue(titles.output.contains("Assembly passes the budget") && titles.output.contains("کراچی میں بارش کا امکان"), titles.output)
    }

    func testChromiumRendersTheRiverAndStatusWithoutFeedScripts() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { throw XCTSkip("chromium is not installed (scripts/install-deps.sh --test installs it)") }
        let server = try startServer()
        try outlets(server)
        let daemon = try startDaemon(server: server)
        let profile = folder.appendingPathComponent("chromium").path
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile)",
                     "--no-first-run", "--disable-extensions"]
        // stdout only: the DOM; chromium's stderr chatter (D-Bus) is dropped.
        func dumpDOM(_ path: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = flags + ["--dump-dom", "\(daemon.base)\(path)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let dom = try dumpDOM("/")
        for expected in ["Assembly passes the budget", "کراچی میں بارش کا امکان", ">Dawn<", ">Geo<", "Also reported by",
                         "href=\"https://geo.example/budget\"", "<article dir=\"rtl\">", "min read", "href=\"tag-sport.html\""] {
            XCTAssertTrue(dom.contains(expected), "\(expected) in \(dom)")
        }
        XCTAssertFalse(dom.contains("alert("), "no script from a feed survives")
        XCTAssertEqual(dom.components(separatedBy: "<script").count - 1, 0)
        let tagPage = try dumpDOM("/tag-sport.html")
        XCTAssertTrue(tagPage.contains("Cricket") && !tagPage.contains("کراچی"), "only the stories of feeds tagged sport")
        let status = try dumpDOM("/status")
        XCTAssertTrue(status.contains(">Dawn<") && status.contains(">Geo<") && status.contains("<svg") && status.contains(">ok<"), status)

        let artifacts = packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        for (name, size, path) in [("river-phone", "390,844", "/"), ("river-desktop", "1280,900", "/"), ("status-desktop", "1280,700", "/status")] {
            let file = artifacts.appendingPathComponent("\(name).png").path
            try? FileManager.default.removeItem(atPath: file)
            _ = try runTool(chromium, flags + ["--window-size=\(size)", "--screenshot=\(file)", "\(daemon.base)\(path)"])
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            XCTAssertGreaterThan(bytes.count, 5000, "\(name) screenshot")
            XCTAssertEqual(bytes.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
        }
    }

    func testValidatorsSurviveARestart() throws {
        let server = try startServer()
        try outlets(server)
        func validators(_ daemon: RunningDaemon) throws -> [String] {
            try curl(["-s", "-D", "-", "-o", "/dev/null", "\(daemon.base)/merged.atom"]).output.split(separator: "\r\n")
                .filter { $0.hasPrefix("ETag:") || $0.hasPrefix("Last-Modified:") }.map(String.init)
        }
        let first = try startDaemon(server: server)
        let before = try validators(first)
        XCTAssertEqual(before.count, 2)
        first.process.terminate()
        first.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 1.1)  // a new second: a Last-Modified taken from the clock would differ
        let second = try startDaemon(server: server)
        XCTAssertEqual(try validators(second), before, "a reader's If-Modified-Since still matches after a restart")
    }

    func testRiverFilesFollowTheTagsShown() throws {
        let server = try startServer()
        try outlets(server)
        func write(tags: String) throws -> URL {
            let config = try writeConfig(folder, feeds: [("Dawn", server.url("dawn.xml"), [])], extra: """
                [[output]]
                path = "state/river.html"
                format = "html"
                [[output]]
                path = "state/river-tag-notes.html"
                format = "html"
                """)
            // writeConfig's [output] table becomes the first of three; the feed's tags come from `tags`.
            var text = try String(contentsOf: config, encoding: .utf8)
            text = text.replacingOccurrences(of: "[output]\npath = \"state/merged.atom\"", with: "[[output]]\npath = \"state/merged.atom\"")
            text = text.replacingOccurrences(of: "url = \"\(server.url("dawn.xml"))\"", with: "url = \"\(server.url("dawn.xml"))\"\ntags = \(tags)")
            try Data(text.utf8).write(to: config)
            return config
        }
        let state = folder.appendingPathComponent("state")
        let first = try TributaryBinary.run(["poll", "--config", try write(tags: "[\"politics\"]").path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: state.appendingPathComponent("river-tag-politics.html").path))
        let second = try TributaryBinary.run(["poll", "--config", try write(tags: "[\"weather\"]").path])
        XCTAssertEqual(second.status, 0, second.stderr)
        let third = try TributaryBinary.run(["poll", "--config", folder.appendingPathComponent("feeds.toml").path])
        XCTAssertFalse(third.stdout.contains("river-tag-notes-tag-weather.html") || third.stderr.contains("river-tag-notes-tag-weather.html"),
                       "one output's tag page is not removed and rewritten by another's clean-up")
        let names = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasSuffix(".html") }.sorted()
        XCTAssertEqual(names, ["river-tag-notes-tag-weather.html", "river-tag-notes.html", "river-tag-weather.html", "river.html"],
                       "the vanished tag's page is removed; another output named like a tag page is kept")
    }

    // MARK: WebSub

    func testHubGetsOnePingPerRewriteNoneWithoutChangeAndARetry() throws {
        let server = try startServer()
        try outlets(server)
        let hub = try startServer()
        // The first ping fails with a Retry-After of one second; later ones succeed.
        try hub.routes(["/hub": [["status": 503, "headers": ["Retry-After": "1"], "body": "busy"], ["status": 204]]])
        let topic = "https://news.example/merged.atom"
        let daemon = try startDaemon(server: server, outputKeys: "link = \"\(topic)\"\nhub = \"\(hub.url("hub"))\"",
                                     poll: "[poll]\ninterval = \"2s\"\nmin_interval = \"1s\"\ntimeout = \"5s\"")
        func pings() -> [[String: Any]] { hub.requests().filter { $0["method"] as? String == "POST" } }

        XCTAssertTrue(eventually(timeout: 15) { pings().count == 2 }, "a failed ping and its retry: \(pings())")
        XCTAssertEqual(pings().first?["body"] as? String, "hub.mode=publish&hub.url=https%3A%2F%2Fnews.example%2Fmerged.atom")
        let atom = try String(contentsOf: folder.appendingPathComponent("state/merged.atom"), encoding: .utf8)
        XCTAssertTrue(atom.contains("<link rel=\"hub\" href=\"\(hub.url("hub"))\"/>") && atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"\(topic)\"/>"))

        // Polls every 2 s find nothing new: no rewrite, no ping.
        let polled = server.requests().count
        XCTAssertTrue(eventually(timeout: 10) { server.requests().count >= polled + 4 }, "polls go on")
        XCTAssertEqual(pings().count, 2, "no ping without a change")

        // A new story: one rewrite, one ping.
        try server.write("dawn.xml", rssDocument(title: "Dawn", link: "https://dawn.example/", items: [
            ("d3", "Late story", "https://dawn.example/late", storyText("late"), "Tue, 01 Dec 2026 12:00:00 GMT"),
        ]))
        XCTAssertTrue(eventually(timeout: 10) { pings().count == 3 }, "\(pings())")
        let afterChange = server.requests().count
        XCTAssertTrue(eventually(timeout: 10) { server.requests().count >= afterChange + 4 })
        XCTAssertEqual(pings().count, 3, "exactly one ping for that rewrite")
        let logText = daemon.logText()
        XCTAssertTrue(logText.contains("hub ping failed; will retry") && logText.contains("hub notified"), logText)
    }

    // MARK: systemd socket activation

    func testSocketActivatedServerNeedsNoListenSetting() throws {
        let activate = ["/usr/bin/systemd-socket-activate", "/lib/systemd/systemd-socket-activate"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let activate else { throw XCTSkip("systemd-socket-activate is not installed") }
        let server = try startServer()
        try outlets(server)
        // No [serve] table: the socket comes from the launcher, as from tributary.socket under systemd.
        let daemon = try startDaemon(server: server, serve: "", launcher: [activate, "-l"])
        let page = try curl(["-s", "\(daemon.base)/"]).output
        XCTAssertTrue(page.contains("<!DOCTYPE html>") && page.contains("Assembly passes the budget"))
        XCTAssertTrue(daemon.logText().contains("systemd sockets (1)"), daemon.logText())
    }

    func testAPortInUseIsAClearStartError() throws {
        let server = try startServer()
        try outlets(server)
        let holder = try ListenSocket.open(ListenAddress("127.0.0.1:\(freePort())")!)
        defer { close(holder) }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let config = try writeConfig(folder, feeds: [("Dawn", server.url("dawn.xml"), [])], extra: "[serve]\nlisten = \"127.0.0.1:\(port)\"")
        let result = try TributaryBinary.run(["run", "--config", config.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("cannot serve: cannot listen on 127.0.0.1:\(port): Address already in use"), result.stderr)
    }

    // MARK: hostile clients

    /// A TCP connection to the daemon from `source` (any 127/8 address is this machine's loopback).
    func connect(port: Int, from source: String) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    func sendAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// What the server answered before it closed (or 5 s passed).
    func receiveAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    func rawRequest(port: Int, _ text: String) -> String {
        let fd = connect(port: port, from: "127.0.0.3")
        defer { close(fd) }
        sendAll(fd, text)
        return receiveAll(fd)
    }

    func testSlowlorisHugeHeadersTraversalAndOddMethodsLeaveServingAndPollingUp() throws {
        let server = try startServer()
        try outlets(server)
        let daemon = try startDaemon(server: server, poll: "[poll]\ninterval = \"2s\"\nmin_interval = \"1s\"\ntimeout = \"5s\"")
        let attackStart = Date().timeIntervalSince1970
        // One connection that never says anything: the idle timeout (10 s) ends it.
        let silent = connect(port: daemon.port, from: "127.0.0.4")
        defer { close(silent) }

        // Slowloris from one address: 100 connections, each dripping header lines and never finishing.
        let slow = (0..<100).map { _ in connect(port: daemon.port, from: "127.0.0.1") }
        defer { slow.forEach { close($0) } }
        for fd in slow { sendAll(fd, "GET /merged.atom HTTP/1.1\r\nHost: victim\r\n") }
        let dripping = DispatchGroup()
        DispatchQueue.global().async(group: dripping) {
            for round in 0..<12 {
                for fd in slow { _ = "X-Drip-\(round): a\r\n".withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        Thread.sleep(forTimeInterval: 0.5)
        // Another client is served at once while the slowloris holds its connections.
        let started = Date()
        let other = try curl(["-s", "--interface", "127.0.0.2", "-o", "/dev/null", "-w", "%{http_code}", "\(daemon.base)/merged.atom"])
        XCTAssertEqual(other.output, "200")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "served without waiting for the slow connections")

        // A 1 MB header is refused without taking the server down.
        let huge = rawRequest(port: daemon.port, "GET /merged.atom HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n")
        XCTAssertFalse(huge.hasPrefix("HTTP/1.1 200"), "a 1 MB header is not served: \(huge.prefix(80))")
        XCTAssertTrue(huge.isEmpty || huge.hasPrefix("HTTP/1.1 431") || huge.hasPrefix("HTTP/1.1 413") || huge.hasPrefix("HTTP/1.1 400"), String(huge.prefix(80)))

        // Paths that climb out of the site find nothing.
        for path in ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/state/tributary.sqlite", "/feeds.toml"] {
            let answer = rawRequest(port: daemon.port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 404") || answer.hasPrefix("HTTP/1.1 400"), "\(path): \(answer.prefix(60))")
            XCTAssertFalse(answer.contains("root:") || answer.contains("SQLite format"))
        }
        // Methods other than GET and HEAD, known or not.
        for method in ["BREW", "DELETE", "PUT"] {
            let answer = rawRequest(port: daemon.port, "\(method) /merged.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 405") || answer.hasPrefix("HTTP/1.1 501"), "\(method): \(answer.prefix(60))")
        }
        dripping.wait()

        // The silent connection was closed by the server, not left to hold a slot.
        XCTAssertTrue(eventually(timeout: 15) { var byte: UInt8 = 0; return recv(silent, &byte, 1, Int32(MSG_DONTWAIT)) == 0 },
                      "idle connections are closed")
        // Polling went on throughout: the outlets were asked again during the attack.
        let attackEnd = Date().timeIntervalSince1970
        let polls = server.requests().filter { ($0["start"] as? Double ?? 0) > attackStart && ($0["start"] as? Double ?? 0) < attackEnd }
        XCTAssertGreaterThanOrEqual(polls.count, 4, "polls completed during the attack")
        XCTAssertTrue(daemon.logText().contains("polled"), daemon.logText())
        slow.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        // The status pages are remade when asked for (at most every 10 s): the polls above show up.
        func lastPoll() -> String? {
            let text = (try? curl(["-s", "\(daemon.base)/status.json"]).output) ?? ""
            let feeds = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]]
            return feeds?.first?["last_poll"] as? String
        }
        let shown = lastPoll()
        XCTAssertNotNil(shown)
        XCTAssertTrue(eventually(timeout: 15) { Thread.sleep(forTimeInterval: 0.5); return lastPoll() != shown }, "status follows the polls when asked for")
        XCTAssertTrue(eventually(timeout: 5) { (try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "\(daemon.base)/merged.atom"]).output) == "200" })
        XCTAssertTrue(daemon.process.isRunning)
    }
}
