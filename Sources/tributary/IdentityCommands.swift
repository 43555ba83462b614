import ArgumentParser
import Foundation
import Tributary

/// `tributary same-story`: the daemon's near-duplicate decision on labelled pairs, for evaluation.
struct SameStoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "same-story",
        abstract: "Say for each pair of texts whether the daemon would merge them as one story.",
        discussion: """
            Reads JSON lines {"id", "a": {"title", "text", "date"}, "b": {...}} (the format of neardup/score.py) \
            and prints "ID same" or "ID different" for each. Texts are plain, whole texts. The dates (ISO 8601) \
            say which story came first, else a did; they are not held to the [identity] window, which the \
            daemon also requires.
            """)

    @Argument(help: "The pairs, one JSON object a line.")
    var pairs: String

    @Option(name: .long, help: "Text similarity needed to merge (default \(SameStory.defaultThreshold)), as [identity] threshold.")
    var threshold: Double = SameStory.defaultThreshold

    @Flag(name: .long, help: "Print the figures behind each answer after it.")
    var explain = false

    func run() throws {
        let data = try readInput(pairs)
        var out = ""
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let id = object["id"].map({ "\($0)" }),
                  let a = object["a"] as? [String: Any], let b = object["b"] as? [String: Any] else {
                FileHandle.standardError.write(Data("\(pairs):\(lineNumber): not a pair object with id, a and b\n".utf8))
                throw ExitCode(2)
            }
            func story(_ side: [String: Any]) -> StoryText {
                StoryText(title: side["title"] as? String, text: side["text"] as? String, maxWords: SameStory.longestText)
            }
            // The daemon's path: the leads' screen, then the whole texts, the earlier first.
            var (first, second) = (story(a), story(b))
            if let dateA = a["date"] as? String, let dateB = b["date"] as? String, dateB < dateA { swap(&first, &second) }
            func sketch(_ side: [String: Any]) -> StorySketch {
                StorySketch(StoryText(lead: ContentFingerprint.normalize(side["text"] as? String ?? ""), words: StorySketch.leadWords))
            }
            let agreement = sketch(a).agreement(with: sketch(b))
            let indexed = agreement >= StorySketch.minimumAgreement
            let screened = SameStory.screen(SameStory.leadShingles(first), second)
            let evidence = SameStory.compare(first, second, threshold: threshold)
            out += "\(id) \(indexed && screened && evidence.same ? "same" : "different")"
            if explain {
                out += "  \(evidence.summary)\(screened ? "" : ", leads too far apart to compare")"
                out += ", sketches agree in \(agreement) of \(StorySketch.bands) bands\(indexed ? "" : ": not a candidate")"
            }
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

/// `tributary explain`: why each outlet of an entry is attached to it.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show why each source of an entry was attached to it: which layer, and the similarity figures.",
        discussion: "Safe while the daemon runs. A merge you disagree with is undone by `near_duplicates = false` on a feed, or a higher [identity] threshold, and the next poll.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The entry's id (its <id> in the merged feed), or its link, or the link of any outlet that carried it.")
    var entry: String

    func run() throws {
        let config = try options.load()
        guard FileManager.default.fileExists(atPath: config.storage.databasePath) else {
            FileHandle.standardError.write(Data("no database yet at \(config.storage.databasePath); run tributary poll or run first\n".utf8))
            throw ExitCode(2)
        }
        let explanation: EntryExplanation?
        do {
            let store = try FeedStore(path: config.storage.databasePath, readOnly: true)
            defer { store.close() }
            explanation = try store.explanation(of: entry)
        } catch {
            FileHandle.standardError.write(Data("cannot read the database: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard let explanation else {
            FileHandle.standardError.write(Data("no stored entry has the id or link \(entry)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data(explanation.report.utf8))
    }
}
