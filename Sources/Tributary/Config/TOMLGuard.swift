import Foundation

/// Finds what the TOML library would abort the process on instead of rejecting: a table header whose
/// name starts with a character no key may start with (`[[&eed]]` trips an assertion in toml++'s key
/// parser, found by fuzzing), raw control characters, and inline tables and stray braces, which
/// `feeds.toml` never needs (a `}` inside an array trips an assertion in its value parser).
/// Everything else is left to the library, which reports it with a line and column.
enum TOMLGuard {
    struct Problem: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static func firstProblem(_ text: String) -> Problem? {
        var lineNumber = 0
        var depth = 0                 // brackets of a value still open from earlier lines
        var openString: String?       // the delimiter of a multi-line string still open
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Array(rawLine.unicodeScalars)
            // The TOML library skips a byte-order mark, so a header right after one is still a header.
            if lineNumber == 1, line.first == "\u{FEFF}" { line.removeFirst() }
            for (i, scalar) in line.enumerated() {
                let v = scalar.value
                let isLastCR = v == 0x0D && i == line.count - 1
                if ((v < 0x20 && v != 0x09) || v == 0x7F) && !isLastCR {
                    return Problem(line: lineNumber, column: i + 1,
                                   message: "control character U+\(String(format: "%04X", v)) is not allowed in TOML (write it escaped inside a string)")
                }
            }
            var i = 0
            if let delimiter = openString {
                guard let end = find(delimiter, in: line, from: 0) else { continue }
                openString = nil
                i = end + 3
            } else if depth == 0 {
                while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 }
                if i < line.count, line[i] == "[" {
                    if let column = invalidHeader(line, at: i) {
                        return Problem(line: lineNumber, column: column + 1,
                                       message: "bad table header: write [name] or [[name]] with letters, digits, _ or -, or a quoted name")
                    }
                    continue
                }
            }
            // A key-value line, or the rest of a value spanning lines: follow strings and brackets.
            while i < line.count {
                let c = line[i]
                if c == "#" { break }
                if c == "\"" || c == "'" {
                    let quote = String(c)
                    if i + 2 < line.count, line[i + 1] == c, line[i + 2] == c {
                        let delimiter = String(repeating: quote, count: 3)
                        guard let end = find(delimiter, in: line, from: i + 3) else { openString = delimiter; break }
                        i = end + 3
                        continue
                    }
                    i = endOfString(line, at: i) + 1
                    continue
                }
                // Inline tables are never needed here, and a stray "}" inside an array trips another assertion
                // of the library (in its value parser; the fuzzer's fifth finding).
                if c == "{" || c == "}" {
                    return Problem(line: lineNumber, column: i + 1, message: "inline tables ({ … }) are not used in this file; write a [table]")
                }
                if c == "[" { depth += 1 }
                if c == "]" { depth = max(0, depth - 1) }
                i += 1
            }
        }
        return nil
    }

    /// The index of the first character that makes `[…]` or `[[…]]` at `start` no table header, or nil.
    private static func invalidHeader(_ line: [Unicode.Scalar], at start: Int) -> Int? {
        var i = start + 1
        let array = i < line.count && line[i] == "["
        if array { i += 1 }
        func skipBlanks() { while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 } }
        while true {
            skipBlanks()
            guard i < line.count else { return i }
            let c = line[i]
            if c == "\"" || c == "'" {
                i = endOfString(line, at: i)
                guard i < line.count else { return i }
                i += 1
            } else if isBareKeyCharacter(c) {
                while i < line.count, isBareKeyCharacter(line[i]) { i += 1 }
            } else {
                return i
            }
            skipBlanks()
            guard i < line.count else { return i }
            if line[i] == "." { i += 1; continue }
            break
        }
        guard line[i] == "]" else { return i }
        i += 1
        if array {
            guard i < line.count, line[i] == "]" else { return i }
            i += 1
        }
        skipBlanks()
        return i < line.count && line[i] != "#" && line[i] != "\r" ? i : nil
    }

    /// The index of the quote that closes the one-line string opening at `start` (backslash escapes in
    /// basic strings, none in literal ones), or `line.count` when it does not close.
    private static func endOfString(_ line: [Unicode.Scalar], at start: Int) -> Int {
        let quote = line[start]
        var i = start + 1
        while i < line.count, line[i] != quote {
            if quote == "\"", line[i] == "\\" { i += 1 }
            i += 1
        }
        return min(i, line.count)
    }

    private static func isBareKeyCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
    }

    private static func find(_ delimiter: String, in line: [Unicode.Scalar], from start: Int) -> Int? {
        let d = Array(delimiter.unicodeScalars)
        var i = start
        while i + d.count <= line.count {
            if Array(line[i..<(i + d.count)]) == d { return i }
            i += 1
        }
        return nil
    }
}
