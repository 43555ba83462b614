/// `story_keys` rows written while a batch of polls is open, held back until the batch commits.
///
/// Keys are hashes, so each new item's three rows land on random pages of the index. Inside a batch every
/// poll is a savepoint, and SQLite copies each page that existed before the savepoint into its statement
/// journal the first time the savepoint changes it: a poll of 50 new items copied some 150 index pages,
/// and a cold import spent more time journaling those pages than inserting the rows. Held here, the rows
/// are inserted once, sorted, just before the batch's COMMIT, and every look-up reads them as well.
///
/// A poll whose savepoint is rolled back takes its changes here back too, as SQLite takes back its other
/// writes. Flat arrays with a chain per key: a batch holds up to 150,000 rows.
struct StoryKeyBuffer {
    private var keys: [Int64] = []
    /// The item of each row; -1 once taken out.
    private var itemOfRow: [Int64] = []
    /// The key's previous row, -1 for none.
    private var previousRow: [Int32] = []
    private var newestRow: [Int64: Int32] = [:]
    /// Rows from here on belong to the poll being stored; rows it took out, with their items.
    private var pollStart = 0
    private var pollRemovals: [(row: Int32, item: Int64)] = []

    var isEmpty: Bool { newestRow.isEmpty }
    /// Rows held, taken-out ones included.
    var count: Int { keys.count }

    /// The items held under `key`, newest first.
    func items(under key: Int64) -> [Int64] {
        var found: [Int64] = []
        var row = newestRow[key] ?? -1
        while row >= 0 {
            if itemOfRow[Int(row)] >= 0 { found.append(itemOfRow[Int(row)]) }
            row = previousRow[Int(row)]
        }
        return found
    }

    /// Whether `item` is held under `key` (a walk of its chain, without building the list).
    private func holds(_ key: Int64, _ item: Int64) -> Bool {
        var row = newestRow[key] ?? -1
        while row >= 0 {
            if itemOfRow[Int(row)] == item { return true }
            row = previousRow[Int(row)]
        }
        return false
    }

    mutating func add(key: Int64, item: Int64) {
        guard !holds(key, item) else { return }
        keys.append(key)
        itemOfRow.append(item)
        previousRow.append(newestRow[key] ?? -1)
        newestRow[key] = Int32(keys.count - 1)
    }

    /// Takes a held row out (a row already in the table is the caller's to delete).
    mutating func remove(key: Int64, item: Int64) {
        var row = newestRow[key] ?? -1
        while row >= 0 {
            if itemOfRow[Int(row)] == item {
                pollRemovals.append((row, item))
                itemOfRow[Int(row)] = -1
            }
            row = previousRow[Int(row)]
        }
    }

    /// The current poll is stored: its changes stay.
    mutating func pollCommitted() {
        pollStart = keys.count
        pollRemovals.removeAll(keepingCapacity: true)
    }

    /// The current poll's savepoint was rolled back: so are its changes here.
    mutating func pollRolledBack() {
        for removal in pollRemovals.reversed() where Int(removal.row) < pollStart {
            itemOfRow[Int(removal.row)] = removal.item
        }
        pollRemovals.removeAll(keepingCapacity: true)
        while keys.count > pollStart {
            let key = keys.removeLast()
            itemOfRow.removeLast()
            let previous = previousRow.removeLast()
            newestRow[key] = previous >= 0 ? previous : nil
        }
    }

    /// Calls `body` with the key of every row held (taken-out rows included: the caller only over-counts).
    func forEachKey(_ body: (Int64) -> Void) {
        for key in keys { body(key) }
    }

    /// The rows to insert, in key order (then item), leaving the buffer empty.
    mutating func drain() -> [(key: Int64, item: Int64)] {
        var rows: [(key: Int64, item: Int64)] = []
        rows.reserveCapacity(keys.count)
        for (key, item) in zip(keys, itemOfRow) where item >= 0 { rows.append((key, item)) }
        rows.sort { ($0.key, $0.item) < ($1.key, $1.item) }
        discard()
        return rows
    }

    /// The batch is committed or lost: nothing is held any more.
    mutating func discard() {
        keys.removeAll()
        itemOfRow.removeAll()
        previousRow.removeAll()
        newestRow.removeAll()
        pollStart = 0
        pollRemovals.removeAll()
    }
}
