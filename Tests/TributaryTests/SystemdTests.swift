import Foundation
import XCTest
@testable import Tributary

/// Collects datagrams sent to a real AF_UNIX socket, as systemd would receive them.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var thread: Thread?

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { throw NSError(domain: "NotifySocket", code: Int(errno)) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !Thread.current.isCancelled {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 {
                    let message = String(decoding: buffer[0..<n], as: UTF8.self)
                    lock.lock(); received.append(message); lock.unlock()
                }
            }
        }
        self.thread = thread
        thread.start()
    }

    var messages: [String] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    /// Every `KEY=value` line received, in order.
    var lines: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }

    func close() {
        thread?.cancel()
        Thread.sleep(forTimeInterval: 0.3)
        Glibc.close(fd)
        unlink(path)
    }
}

final class SystemdTests: XCTestCase {
    func testNotifyProtocolAcrossStartReloadAndStop() throws {
        let folder = try makeTemporaryFolder(self)
        let root = folder.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try FeedServer(root: root)
        defer { server.stop() }
        try server.write("a.xml", rssDocument(items: [("1", "One", "https://a.example/1", storyText("1"), "Mon, 10 Nov 2025 08:00:00 GMT")]))
        try server.write("b.xml", rssDocument(items: [("2", "Two", "https://b.example/2", storyText("2"), "Mon, 10 Nov 2025 08:00:00 GMT")]))
        let config = try writeConfig(folder, feeds: [("A", server.url("a.xml"), [])])
        let socket = try NotifySocket(path: folder.appendingPathComponent("notify.sock").path)
        defer { socket.close() }

        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["WATCHDOG_USEC"] = "1000000"
        let daemon = try TributaryBinary.start(["run", "--config", config.path], log: folder.appendingPathComponent("log"),
                                               environment: environment)
        defer { if daemon.isRunning { daemon.terminate() } }
        XCTAssertTrue(eventually(timeout: 10) { socket.lines.contains { $0.hasPrefix("STATUS=1 feeds, 0 failing, 1 items") } },
                      "\(socket.lines)")
        XCTAssertTrue(eventually(timeout: 5) { socket.lines.filter { $0 == "WATCHDOG=1" }.count >= 2 }, "keep-alives at half the interval")

        _ = try writeConfig(folder, feeds: [("A", server.url("a.xml"), []), ("B", server.url("b.xml"), [])])
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(eventually(timeout: 10) { socket.lines.contains { $0.hasPrefix("STATUS=2 feeds, 0 failing, 2 items") } },
                      "\(socket.lines)")
        kill(daemon.processIdentifier, SIGTERM)
        XCTAssertTrue(eventually(timeout: 6) { !daemon.isRunning })
        XCTAssertEqual(daemon.terminationStatus, 0)

        let lines = socket.lines.filter { $0 != "WATCHDOG=1" && !$0.hasPrefix("STATUS=") }
        XCTAssertEqual(lines, ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
        XCTAssertEqual(socket.lines.first, "READY=1", "READY comes first, once the database is open")
    }

    func testWatchdogNeedsTheEnvironment() {
        XCTAssertNil(SystemdNotifier(environment: [:]).watchdogInterval)
        XCTAssertEqual(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "20000000"]).watchdogInterval, 10)
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"]).watchdogInterval,
                     "the keep-alives are for another process")
        XCTAssertFalse(SystemdNotifier(environment: [:]).send("READY=1"))
    }

    func testUnitFileVerifies() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else { throw XCTSkip("no systemd-analyze") }
        let folder = try makeTemporaryFolder(self)
        let unit = try String(contentsOf: packageRoot.appendingPathComponent("systemd/tributary.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/tributary", with: TributaryBinary.path)
        let path = folder.appendingPathComponent("tributary.service")
        try Data(unit.utf8).write(to: path)
        for arguments in [["verify", path.path], ["security", "--offline=true", "--threshold=20", path.path]] {
            let (status, output) = try runTool("/usr/bin/systemd-analyze", arguments)
            XCTAssertEqual(status, 0, output)
            if arguments[0] == "security" {
                XCTAssertTrue(output.contains("Overall exposure level for tributary.service: 1."), output)
            }
        }
    }
}
