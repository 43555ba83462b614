import Foundation
import Tributary
#if canImport(Glibc)
import Glibc
#endif

// Benchmarks that print figures; run through scripts/bench.sh.
//   tributary-bench parse DIR [PASSES]   parse every feed file in DIR from memory, best of PASSES

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
    print(String(format: "parse: %d files, %.1f MB, %d items (%d dated), best of %d: %.2f CPU-s, %.2f s wall, %.1f MB per CPU-second, %.0f items/s",
                 files.count, mb, items, dated, passes, best, bestWall, mb / best, Double(items) / best))
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "parse" else {
    FileHandle.standardError.write(Data("usage: tributary-bench parse DIR [PASSES]\n".utf8))
    exit(2)
}
do {
    try parseBenchmark(directory: arguments[2], passes: arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3)
} catch {
    FileHandle.standardError.write(Data("tributary-bench: \(error)\n".utf8))
    exit(1)
}
