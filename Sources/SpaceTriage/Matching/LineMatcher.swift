package import PCRE2Swift

/// Runs a compiled catalog over lines of text; one per thread.
///
/// Reuses one match data for every match, so matching allocates nothing. A pattern that gives
/// up (match or depth limit) on a line does not stop the run: the problem is recorded once per
/// entry in ``regexProblems``, and the entry is switched off for the rest of this matcher's
/// life, so a catastrophically backtracking pattern costs its limit once, not once per line.
package final class LineMatcher {
  /// The catalog being matched.
  package let catalog: CompiledCatalog
  private let matchData: PCRE2MatchData
  /// Entries whose pattern failed on some line: (entry index, line number, error), once each.
  package private(set) var regexProblems: [(signature: Int, line: Int, error: PCRE2Error)] = []
  /// Per entry, whether its pattern gave up (switched off until ``resetProblems()``), as an
  /// unsafe buffer: no exclusivity check per pattern run.
  private let gaveUp: UnsafeMutableBufferPointer<Bool>

  /// Whether the literal prefilter picks the patterns to run (`false`: run every pattern on
  /// every line; the results are the same, only slower).
  package let usesPrefilter: Bool
  /// The steps a match may take before it gives up (the same for every thread's matcher).
  package let matchLimit: UInt32
  // SAFETY: `catalog` (held strongly above) owns its prefilter, once built, for as long as this
  // matcher lives; unmanaged only spares the reference counting on every line. `nil` until
  // the first line probed on its own (``CompiledCatalog/prefilter`` is built on first use).
  private let prefilter: UnsafeMutablePointer<Unmanaged<LiteralPrefilter>?>
  /// Entries without literals (run on every line), as an unsafe buffer: no retain per line.
  private let alwaysRun: UnsafeMutableBufferPointer<Int>
  // Per-line scratch, allocated once: candidate entries and a stamp per entry for de-duplication.
  private let candidates: UnsafeMutableBufferPointer<Int>
  private let stamps: UnsafeMutableBufferPointer<UInt32>
  /// The current line's stamp (in unsafe storage: no exclusivity check per line).
  private let stamp: UnsafeMutablePointer<UInt32>
  /// Entries not to run for now, whatever the line (see ``setMuted(_:_:)``).
  private let muted: UnsafeMutableBufferPointer<Bool>
  /// ``CompiledCatalog/provenByLiteral``, as an unsafe buffer: the candidates it flags need no
  /// regex.
  private let provenByLiteral: UnsafeMutableBufferPointer<Bool>
  /// Per entry, whether a thread matching ahead runs it (``collectMatches(in:hits:into:)``):
  /// all but those the triage often leaves out, so that their lines cost that thread nothing:
  /// the running markers, muted while the Space runs (access logs, mostly), and the exception
  /// shapes, not run inside an open traceback (its frames' code lines name errors).
  let readAheadEntries: UnsafeMutableBufferPointer<Bool>
  /// Each entry's pattern once taken from the catalog (which compiles it on its first use):
  /// later lines need no lock. SAFETY: the catalog, held above, keeps every pattern alive.
  private let compiled: UnsafeMutableBufferPointer<Unmanaged<PCRE2Pattern>?>

  package init(catalog: CompiledCatalog, matchLimit: UInt32 = PCRE2MatchData.defaultMatchLimit, usesPrefilter: Bool = true) {
    self.catalog = catalog
    self.matchData = PCRE2MatchData(matchLimit: matchLimit)
    self.matchLimit = matchLimit
    self.usesPrefilter = usesPrefilter
    self.prefilter = .allocate(capacity: 1)
    prefilter.initialize(to: nil)
    self.alwaysRun = .allocate(capacity: catalog.alwaysRun.count)
    _ = alwaysRun.initialize(from: catalog.alwaysRun)
    let count = max(1, catalog.signatures.count)
    self.candidates = .allocate(capacity: count)
    self.stamps = .allocate(capacity: count)
    stamps.initialize(repeating: 0)
    self.stamp = .allocate(capacity: 1)
    stamp.initialize(to: 0)
    self.muted = .allocate(capacity: count)
    muted.initialize(repeating: false)
    self.compiled = .allocate(capacity: count)
    compiled.initialize(repeating: nil)
    self.provenByLiteral = .allocate(capacity: count)
    self.gaveUp = .allocate(capacity: count)
    self.readAheadEntries = .allocate(capacity: count)
    readAheadEntries.initialize(repeating: true)
    for index in catalog.runningMarkers + catalog.exceptionShapes { readAheadEntries[index] = false }
    gaveUp.initialize(repeating: false)
    _ = provenByLiteral.initialize(from: catalog.provenByLiteral)
  }

  deinit {
    candidates.deallocate()
    stamps.deallocate()
    stamp.deallocate()
    prefilter.deallocate()
    alwaysRun.deallocate()
    muted.deallocate()
    compiled.deallocate()
    provenByLiteral.deallocate()
    gaveUp.deallocate()
    readAheadEntries.deallocate()
  }

  /// Stops running entry `index` on the lines that follow (or starts again): for entries whose
  /// match could change nothing now, such as a marker of a stage already reached. Its lines then
  /// cost no regex. Muting is the caller's bookkeeping; ``resetProblems()`` clears it.
  package func setMuted(_ index: Int, _ isMuted: Bool) {
    muted[index] = isMuted
  }

  /// Calls `onMatch` with the index of every entry whose pattern matches `text`, in catalog
  /// order.
  package func forEachMatch(in text: UnsafeRawBufferPointer, line: Int, _ onMatch: (Int) throws -> Void) rethrows {
    guard usesPrefilter else {
      for index in catalog.patterns.indices where !muted[index] && run(index, text, line) { try onMatch(index) }
      return
    }
    let current = nextStamp()
    var found = 0
    // Locals only in the closure: capturing `self` would cost a retain per line.
    let stamps = self.stamps
    let candidates = self.candidates
    let prefilter = self.prefilter.pointee?.takeUnretainedValue() ?? catalogPrefilter()
    prefilter.forEachCandidate(in: text) { index in
      if stamps[index] != current {
        stamps[index] = current
        candidates[found] = index
        found &+= 1
      }
    }
    try runCandidates(found, current, text, line, onMatch)
  }

  /// The catalog's prefilter, kept for the lines that follow.
  private func catalogPrefilter() -> LiteralPrefilter {
    let built = catalog.prefilter
    prefilter.pointee = Unmanaged.passUnretained(built)
    return built
  }

  /// Like ``forEachMatch(in:line:_:)``, with the literal occurrences in `text` already found
  /// by ``LiteralPrefilter/scan(_:into:)`` over a block holding the line.
  package func forEachMatch(
    in text: UnsafeRawBufferPointer, line: Int, hits: LiteralPrefilter.LineHits,
    _ onMatch: (Int) throws -> Void
  ) rethrows {
    guard usesPrefilter else { return try forEachMatch(in: text, line: line, onMatch) }
    let current = nextStamp()
    if let matched = hits.matched {
      // Matched by another thread but for the entries left to this one (not
      // ``readAheadEntries``), which run here unless muted.
      var found = 0
      hits.forEachSignature { index in
        if !readAheadEntries[index] && !muted[index] { add(index, current, &found) }
      }
      var chosen = UnsafeMutableBufferPointer(rebasing: candidates[0..<found])
      if found > 1 { chosen.sort() }
      // Both lists ascend: merged in catalog order. What is muted now, or gave up here, is left
      // out, as above.
      var next = 0
      for index in chosen where runCandidate(index, text, line) {
        while next < matched.count && Int(matched[next]) < index { try deliver(matched, &next, onMatch) }
        try onMatch(index)
      }
      while next < matched.count { try deliver(matched, &next, onMatch) }
      return
    }
    var found = 0
    hits.forEachSignature { index in add(index, current, &found) }
    try runCandidates(found, current, text, line, onMatch)
  }

  /// Hands on the entry `matched[next]` unless it is muted or gave up here, and moves on.
  @inline(__always)
  private func deliver(_ matched: UnsafeBufferPointer<Int32>, _ next: inout Int, _ onMatch: (Int) throws -> Void) rethrows {
    let index = Int(matched[next])
    next &+= 1
    if !muted[index] && !gaveUp[index] { try onMatch(index) }
  }

  /// For a thread that reads ahead of the one matching (``ScannedSegment``): appends to `list`
  /// every entry of ``readAheadEntries`` among the candidates `hits` selects whose pattern
  /// matches `text`, in catalog order, whatever is muted or gave up here (the matching thread
  /// leaves those out itself).
  ///
  /// - Returns: `false` when a pattern gave up on the line (`list` then holds a part of the
  ///   matches): the matching thread runs the line's candidates itself and records the problem.
  func collectMatches(in text: UnsafeRawBufferPointer, hits: LiteralPrefilter.LineHits, into list: GrowableBuffer<Int32>) -> Bool {
    let current = nextStamp()
    var found = 0
    hits.forEachSignature { index in if readAheadEntries[index] { add(index, current, &found) } }
    for index in alwaysRun where readAheadEntries[index] { add(index, current, &found) }
    var chosen = UnsafeMutableBufferPointer(rebasing: candidates[0..<found])
    if found > 1 { chosen.sort() }
    for index in chosen {
      if !provenByLiteral[index] {
        guard let pattern = unretainedPattern(index) else { continue }
        guard case .success(let matches) = match(pattern, text) else { return false }
        if !matches { continue }
      }
      list.append(Int32(truncatingIfNeeded: index))
    }
    return true
  }

  /// The muted flags, by entry (read by the block scanner, which then passes over lines whose
  /// literals select only muted entries). Valid while this matcher lives.
  var mutedEntries: UnsafeMutableBufferPointer<Bool> { muted }

  /// Whether every entry the literals in `hits` select is muted (see ``setMuted(_:_:)``): the
  /// line can match nothing that matters now.
  @inline(__always)
  func selectsOnlyMuted(_ hits: LiteralPrefilter.LineHits) -> Bool {
    hits.allSelectOnly(muted: muted)
  }

  /// Forgets the patterns that gave up (call between inputs: each input's report lists its
  /// own, and a pattern switched off for one input runs again on the next).
  package func resetProblems() {
    regexProblems.removeAll()
    gaveUp.update(repeating: false)
    muted.update(repeating: false)
  }

  /// Whether some entry must be run on every line (it has no literal for the prefilter).
  package var hasAlwaysRunEntries: Bool { !alwaysRun.isEmpty || !usesPrefilter }

  /// A fresh stamp for a new line's candidates.
  @inline(__always)
  private func nextStamp() -> UInt32 {
    var current = stamp.pointee &+ 1
    if current == 0 {
      // The stamp wrapped around: forget every old mark.
      stamps.update(repeating: 0)
      current = 1
    }
    stamp.pointee = current
    return current
  }

  @inline(__always)
  private func add(_ index: Int, _ current: UInt32, _ found: inout Int) {
    if stamps[index] != current {
      stamps[index] = current
      candidates[found] = index
      found &+= 1
    }
  }

  /// Adds the always-run entries to the `found` candidates and runs them all in catalog order.
  @inline(__always)
  private func runCandidates(
    _ found: Int, _ current: UInt32, _ text: UnsafeRawBufferPointer, _ line: Int, _ onMatch: (Int) throws -> Void
  ) rethrows {
    if found == 0 && alwaysRun.isEmpty { return }
    var found = found
    for index in alwaysRun { add(index, current, &found) }
    var chosen = UnsafeMutableBufferPointer(rebasing: candidates[0..<found])
    if found > 1 { chosen.sort() }
    for index in chosen where !muted[index] && runCandidate(index, text, line) { try onMatch(index) }
  }

  /// Whether a literal of entry `index` in a line proves that the entry matches it.
  package func isProvenByLiteral(_ index: Int) -> Bool { provenByLiteral[index] }

  /// Whether candidate `index` (an entry some literal of which occurs in `text`, or an
  /// always-run entry) matches: proven by the literal, or by running its pattern.
  @inline(__always)
  private func runCandidate(_ index: Int, _ text: UnsafeRawBufferPointer, _ line: Int) -> Bool {
    provenByLiteral[index] || run(index, text, line)
  }

  /// Runs one pattern; a pattern that gives up is recorded once and counts as no match.
  private func run(_ index: Int, _ text: UnsafeRawBufferPointer, _ line: Int) -> Bool {
    if gaveUp[index] { return false }
    guard let pattern = unretainedPattern(index) else { return false }
    switch match(pattern, text) {
    case .success(let matches):
      return matches
    case .failure(let error):
      gaveUp[index] = true
      regexProblems.append((index, line, error))
      return false
    }
  }

  /// Runs `pattern` on `text` without retaining it (the catalog keeps every pattern alive).
  @inline(__always)
  private func match(_ pattern: Unmanaged<PCRE2Pattern>, _ text: UnsafeRawBufferPointer) -> Result<Bool, PCRE2Error> {
    let matchData = self.matchData
    return pattern._withUnsafeGuaranteedRef { pattern in
      Result { () throws(PCRE2Error) -> Bool in try matchData.matches(pattern, in: text) }
    }
  }

  /// Entry `index`'s compiled pattern (compiled on its first use, by whichever thread asks first).
  @inline(__always)
  private func pattern(_ index: Int) -> PCRE2Pattern? {
    unretainedPattern(index)?.takeUnretainedValue()
  }

  /// Entry `index`'s compiled pattern, unretained: the catalog keeps it alive.
  @inline(__always)
  private func unretainedPattern(_ index: Int) -> Unmanaged<PCRE2Pattern>? {
    if let known = compiled[index] { return known }
    guard let pattern = catalog.patterns[index] else { return nil }
    let unretained = Unmanaged.passUnretained(pattern)
    compiled[index] = unretained
    return unretained
  }

  /// Whether entry `index` matches `text` with its capture group `name` set (no string written).
  package func sets(_ name: String, of index: Int, in text: UnsafeRawBufferPointer) -> Bool {
    guard let pattern = pattern(index), (try? matchData.matches(pattern, in: text)) == true else { return false }
    return pattern.captureNames.contains { $0.name == name && matchData.range(ofGroup: $0.group) != nil }
  }

  /// Whether entry `index` matches `text`, and then its named captures (for a reported line).
  package func captures(of index: Int, in text: UnsafeRawBufferPointer) -> [String: String] {
    guard let pattern = pattern(index), !pattern.captureNames.isEmpty, (try? matchData.matches(pattern, in: text)) == true else { return [:] }
    var values: [String: String] = [:]
    for (name, group) in pattern.captureNames {
      guard let range = matchData.range(ofGroup: group) else { continue }
      values[name] = String(decoding: UnsafeRawBufferPointer(rebasing: text[range]), as: UTF8.self)
    }
    return values
  }
}
