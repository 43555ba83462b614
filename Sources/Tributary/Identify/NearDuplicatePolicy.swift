/// Which items the near-duplicate layer may merge, from `[identity]` and each feed's opt-out.
public struct NearDuplicatePolicy: Sendable, Equatable {
    public var enabled: Bool
    /// Two items are compared only when published within this of each other, and only items published
    /// within it of now are indexed: a story seen later than that is not news re-published.
    public var window: Double
    public var threshold: Double
    /// Feeds (by store id) whose items are neither merged into others nor have others merged into them.
    public var optedOut: Set<Int64>

    public static let defaultWindow: Double = 48 * 3600
    public static let off = NearDuplicatePolicy(enabled: false)

    public init(enabled: Bool = true, window: Double = defaultWindow, threshold: Double = SameStory.defaultThreshold,
                optedOut: Set<Int64> = []) {
        self.enabled = enabled
        self.window = window
        self.threshold = threshold
        self.optedOut = optedOut
    }

    /// Whether the feed's new items take part at all.
    public func applies(to feedID: Int64) -> Bool { enabled && (optedOut.isEmpty || !optedOut.contains(feedID)) }

    /// Whether an earlier near-duplicate merge of `feedID`'s item into `ownerFeedID`'s still holds under
    /// this policy; when it does not, the next poll of `feedID` makes the item an entry of its own again.
    /// A merge recorded without its figures holds while the layer is on for both feeds; `containment` is
    /// recorded for a later text cut from the earlier (`SameStory` rule 5).
    public func keeps(similarity: Double?, comparedWords: Int?, containment: Double? = nil, feedID: Int64, ownerFeedID: Int64) -> Bool {
        guard applies(to: feedID), applies(to: ownerFeedID) else { return false }
        guard let similarity, let comparedWords else { return true }
        return similarity >= SameStory.requiredSimilarity(threshold: threshold, comparedWords: comparedWords)
            || containment.map { $0 >= SameStory.requiredContainment(threshold: threshold) } == true
    }
}
