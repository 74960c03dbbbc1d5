/// The sequential sink: each routed line goes straight to the input's ``Triage``.
final class TriageSink: LineSink {
  let triage: Triage
  let decoder: LineDecoder
  /// Added to the reader's line numbers (a file classified in parts).
  var lineOffset = 0

  init(triage: Triage, decoder: LineDecoder) {
    self.triage = triage
    self.decoder = decoder
  }

  var needsEveryLine: Bool { triage.needsEveryLine }

  func decodedLine(_ line: RawLine) {
    decoder.load(line.bytes)
    while let text = decoder.nextText() {
      triage.observe(text: text, line: line.number &+ lineOffset, timestamp: decoder.lastTimestamp)
    }
  }

  func plainLine(_ line: RawLine, hits: LiteralPrefilter.LineHits) {
    triage.observe(text: line.bytes, line: line.number &+ lineOffset, hits: hits, timestamp: decoder.lastTimestamp)
  }

  /// A plain-text line already matched by a split-file worker (see ``SegmentRecord``).
  func prematchedLine(_ line: RawLine, hits: LiteralPrefilter.LineHits, prematched: UnsafeBufferPointer<Int32>) {
    triage.observe(
      text: line.bytes, line: line.number &+ lineOffset, hits: hits, prematched: prematched, timestamp: decoder.lastTimestamp)
  }

  /// Whether the triage passes over a line with these hits and no other thread's matches:
  /// every entry they select is muted, and no bookkeeping needs the line.
  @inline(__always)
  func passesOver(_ hits: LiteralPrefilter.LineHits) -> Bool {
    !triage.needsEveryLine && triage.matcher.selectsOnlyMuted(hits)
  }

  /// The traceback state after frame lines a split-file worker did not record.
  func tracebackSnapshot(_ snapshot: UnsafeRawPointer) {
    triage.books.restoreTraceback(from: snapshot)
  }

  func unmatchedLine(_ line: RawLine) {
    triage.observeUnmatched(text: line.bytes, line: line.number &+ lineOffset)
  }

  func unmatchedStructuredLine(_ line: RawLine) {
    decoder.noteSkippedLine(line.bytes)
  }
}
