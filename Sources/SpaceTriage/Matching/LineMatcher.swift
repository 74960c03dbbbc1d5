public import PCRE2Swift

/// Runs a compiled catalog over lines of text; one per thread.
///
/// Reuses one match data for every match, so matching allocates nothing. A pattern that gives
/// up (match or depth limit) on a line does not stop the run: the problem is recorded once per
/// entry in ``regexProblems``, and the entry is switched off for the rest of this matcher's
/// life, so a catastrophically backtracking pattern costs its limit once, not once per line.
public final class LineMatcher {
  /// The catalog being matched.
  public let catalog: CompiledCatalog
  private let matchData: PCRE2MatchData
  /// Entries whose pattern failed on some line: (entry index, line number, error), once each.
  public private(set) var regexProblems: [(signature: Int, line: Int, error: PCRE2Error)] = []
  private var reported: Set<Int> = []

  /// Whether the literal prefilter picks the patterns to run (`false`: run every pattern on
  /// every line; the results are the same, only slower).
  public let usesPrefilter: Bool
  private var candidates: [Int] = []
  private var stamps: [UInt32]
  private var stamp: UInt32 = 0

  public init(catalog: CompiledCatalog, matchLimit: UInt32 = PCRE2MatchData.defaultMatchLimit, usesPrefilter: Bool = true) {
    self.catalog = catalog
    self.matchData = PCRE2MatchData(matchLimit: matchLimit)
    self.usesPrefilter = usesPrefilter
    self.stamps = [UInt32](repeating: 0, count: catalog.signatures.count)
    candidates.reserveCapacity(catalog.signatures.count)
  }

  /// Calls `onMatch` with the index of every entry whose pattern matches `text`, in catalog
  /// order.
  public func forEachMatch(in text: UnsafeRawBufferPointer, line: Int, _ onMatch: (Int) throws -> Void) rethrows {
    guard usesPrefilter else {
      for index in catalog.patterns.indices where run(index, text, line) { try onMatch(index) }
      return
    }
    let prefilter = catalog.prefilter
    candidates.removeAll(keepingCapacity: true)
    stamp &+= 1
    if stamp == 0 {
      // The stamp wrapped around: forget every old mark.
      for index in stamps.indices { stamps[index] = 0 }
      stamp = 1
    }
    prefilter.forEachCandidate(in: text) { index in
      if stamps[index] != stamp {
        stamps[index] = stamp
        candidates.append(index)
      }
    }
    if candidates.isEmpty && prefilter.alwaysRun.isEmpty { return }
    for index in prefilter.alwaysRun where stamps[index] != stamp {
      stamps[index] = stamp
      candidates.append(index)
    }
    if candidates.count > 1 { candidates.sort() }
    for index in candidates where run(index, text, line) { try onMatch(index) }
  }

  /// Runs one pattern; a pattern that gives up is recorded once and counts as no match.
  private func run(_ index: Int, _ text: UnsafeRawBufferPointer, _ line: Int) -> Bool {
    if !reported.isEmpty && reported.contains(index) { return false }
    do {
      return try matchData.matches(catalog.patterns[index], in: text)
    } catch {
      if reported.insert(index).inserted { regexProblems.append((index, line, error)) }
      return false
    }
  }

  /// Whether entry `index` matches `text`, and then its named captures (for a reported line).
  public func captures(of index: Int, in text: UnsafeRawBufferPointer) -> [String: String] {
    let pattern = catalog.patterns[index]
    guard !pattern.captureNames.isEmpty, (try? matchData.matches(pattern, in: text)) == true else { return [:] }
    var values: [String: String] = [:]
    for (name, group) in pattern.captureNames {
      guard let range = matchData.range(ofGroup: group) else { continue }
      values[name] = String(decoding: UnsafeRawBufferPointer(rebasing: text[range]), as: UTF8.self)
    }
    return values
  }
}
