import Testing

@testable import SpaceTriage

/// A line matched ahead by another thread's matcher (``LineMatcher/collectMatches(in:hits:into:)``)
/// gives the matching thread the entries it would have found itself, in the same order: with
/// the running markers and the exception shapes muted or not, and without an entry whose
/// pattern gave up.
struct MatchingAheadTests {
  /// The entries `matcher` reports for `text`, matching it itself or from `ahead`'s list.
  private func matches(
    _ text: [UInt8], matcher: LineMatcher, ahead: LineMatcher?, prefilter: LiteralPrefilter
  ) -> [Int] {
    text.withUnsafeBytes { bytes in
      let room = UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>.allocate(capacity: 4096)
      defer { room.deallocate() }
      let found = prefilter.scan(bytes, into: room).count
      var hits = prefilter.lineHits(UnsafeBufferPointer(rebasing: room[0..<found]))
      let list = GrowableBuffer<Int32>()
      if let ahead {
        #expect(ahead.collectMatches(in: bytes, hits: hits, into: list))
        hits.matched = list.elements
      }
      var result: [Int] = []
      matcher.forEachMatch(in: bytes, line: 1, hits: hits) { result.append($0) }
      return result
    }
  }

  /// The entries left to the matching thread (the running markers and the exception shapes)
  /// are run there, muted or not, as the triage mutes them.
  @Test(arguments: [false, true], [false, true])
  func everyExampleLineGetsTheSameMatches(runningMarkersMuted: Bool, exceptionShapesMuted: Bool) throws {
    let catalog = try #require(BundledCatalog.compiled)
    let prefilter = LiteralPrefilter(signatures: catalog.signatures, markers: LineRouter.markers)
    let matcher = LineMatcher(catalog: catalog)
    let ahead = LineMatcher(catalog: catalog)
    for index in catalog.runningMarkers { matcher.setMuted(index, runningMarkersMuted) }
    for index in catalog.exceptionShapes { matcher.setMuted(index, exceptionShapesMuted) }
    #expect(!catalog.runningMarkers.isEmpty)
    #expect(catalog.exceptionShapes.map { catalog.signatures[$0].id }.sorted() == ["shape.node-error", "shape.python-exception"])
    var lines = 0
    var withMatches = 0
    var withRunningMarker = 0
    var withExceptionShape = 0
    for signature in catalog.signatures {
      for example in signature.mustMatch + signature.mustNotMatch {
        let text = Array(example.text.utf8)
        let own = matches(text, matcher: matcher, ahead: nil, prefilter: prefilter)
        let matchedAhead = matches(text, matcher: matcher, ahead: ahead, prefilter: prefilter)
        #expect(matchedAhead == own, "\(example.location): \(example.text)")
        lines += 1
        if !own.isEmpty { withMatches += 1 }
        if own.contains(where: catalog.runningMarkers.contains) { withRunningMarker += 1 }
        if own.contains(where: catalog.exceptionShapes.contains) { withExceptionShape += 1 }
      }
    }
    // The examples hold many matching lines, and the entries left to the matching thread
    // only while not muted.
    #expect(lines > 500 && withMatches > 300)
    #expect(runningMarkersMuted ? withRunningMarker == 0 : withRunningMarker > 20)
    #expect(exceptionShapesMuted ? withExceptionShape == 0 : withExceptionShape > 20)
  }

  /// An entry switched off here (its pattern gave up on an earlier line) stays off for a line
  /// matched ahead, where it matched.
  @Test func anEntryThatGaveUpHereStaysOff() throws {
    let catalog = try #require(BundledCatalog.compiled)
    let prefilter = LiteralPrefilter(signatures: catalog.signatures, markers: LineRouter.markers)
    let text = Array("ModuleNotFoundError: No module named 'einops'".utf8)
    let ahead = LineMatcher(catalog: catalog)
    let found = matches(text, matcher: LineMatcher(catalog: catalog), ahead: ahead, prefilter: prefilter)
    // A match limit of 1 makes the patterns that run give up on their first line.
    let limited = LineMatcher(catalog: catalog, matchLimit: 1)
    _ = matches(text, matcher: limited, ahead: nil, prefilter: prefilter)
    let gaveUp = Set(limited.regexProblems.map(\.signature))
    #expect(!gaveUp.isDisjoint(with: found))
    let afterwards = matches(text, matcher: limited, ahead: ahead, prefilter: prefilter)
    #expect(afterwards == found.filter { !gaveUp.contains($0) })
  }
}
