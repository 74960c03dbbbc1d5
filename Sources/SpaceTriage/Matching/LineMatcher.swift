public import PCRE2Swift

/// Runs a compiled catalog over lines of text; one per thread.
///
/// Reuses one match data for every match, so matching allocates nothing. A pattern that gives
/// up (match or depth limit) on a line does not stop the run: the problem is recorded once per
/// entry in ``regexProblems`` and the entry counts as not matching that line.
public final class LineMatcher {
  /// The catalog being matched.
  public let catalog: CompiledCatalog
  private let matchData: PCRE2MatchData
  /// Entries whose pattern failed on some line: (entry index, line number, error), once each.
  public private(set) var regexProblems: [(signature: Int, line: Int, error: PCRE2Error)] = []
  private var reported: Set<Int> = []

  public init(catalog: CompiledCatalog, matchLimit: UInt32 = PCRE2MatchData.defaultMatchLimit) {
    self.catalog = catalog
    self.matchData = PCRE2MatchData(matchLimit: matchLimit)
  }

  /// Calls `onMatch` with the index of every entry whose pattern matches `text`.
  public func forEachMatch(in text: UnsafeRawBufferPointer, line: Int, _ onMatch: (Int) throws -> Void) rethrows {
    let patterns = catalog.patterns
    for index in patterns.indices {
      let matched: Bool
      do {
        matched = try matchData.matches(patterns[index], in: text)
      } catch {
        if reported.insert(index).inserted { regexProblems.append((index, line, error)) }
        continue
      }
      if matched { try onMatch(index) }
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
