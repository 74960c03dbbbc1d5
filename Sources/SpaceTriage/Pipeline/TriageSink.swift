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

  func unmatchedLine(_ line: RawLine) {
    triage.observeUnmatched(text: line.bytes, line: line.number &+ lineOffset)
  }

  func unmatchedStructuredLine(_ line: RawLine) {
    decoder.noteSkippedLine(line.bytes)
  }
}
