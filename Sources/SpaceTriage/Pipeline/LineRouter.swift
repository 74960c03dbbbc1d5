/// Where the fast path sends the lines of an input (see ``LineRouter``).
protocol LineSink: AnyObject {
  /// Whether the next line must be seen even if it holds no literal (a traceback is open, a
  /// build banner waits for the line after it).
  var needsEveryLine: Bool { get }
  /// A line to decode and match on its own: JSON or SSE, an escape byte, cut, or not covered
  /// by a block scan.
  func decodedLine(_ line: RawLine)
  /// A plain-text line holding these literal occurrences.
  func plainLine(_ line: RawLine, hits: LiteralPrefilter.LineHits)
  /// A plain-text line holding no literal, shown only for bookkeeping.
  func unmatchedLine(_ line: RawLine)
  /// A JSON or SSE line whose text holds no literal: only what it does to the decoder's state
  /// (SSE mode, the last timestamp) matters.
  func unmatchedStructuredLine(_ line: RawLine)
}

/// The fast path over one input: which lines are decoded and matched, which are matched from a
/// block scan's hits, and which are passed over without being handed out.
///
/// A ``BlockScanner`` probes every whole line buffered by the reader in one pass; lines with a
/// literal or an escape byte go to the sink to be matched, JSON and SSE lines without one only
/// for their effect on the decoder, and the reader counts its way over all other lines
/// (``LineReader/skipLines(before:stoppingAt:_:)``). Without a scanner (a catalog entry must
/// run on every line) every line is decoded.
struct LineRouter {
  /// Literals whose lines must be handed out besides the catalog's: a traceback header starts
  /// the bookkeeping that looks at every line (give them to the scanner's prefilter).
  static let markers = [TracebackTracker.headerText]

  /// Its SSE state decides which lines are plain text; the sink keeps it up to date.
  let decoder: LineDecoder
  let scanner: BlockScanner?

  /// Sends the lines of `reader` to `sink` until the input ends, or until `stop` (asked after
  /// each line handed out) says so. The scanner forgets what it scanned before: a new reader
  /// may reuse the memory, and even the buffer epoch, of an earlier one.
  ///
  /// - Parameter prescanned: the reader's whole input, already probed by another thread (a
  ///   reader of a filled buffer): its lines are looked up in those hits.
  func route<Source: ByteSource, Sink: LineSink>(
    _ reader: inout LineReader<Source>, to sink: Sink, stop: ((Sink) -> Bool)? = nil,
    prescanned: BlockScanner.Prescan? = nil
  ) throws {
    scanner?.reset()
    if let prescanned { scanner?.adopt(prescanned, epoch: reader.bufferEpoch) }
    while let line = try reader.nextLine() {
      guard let scanner, !line.isTruncated else {
        sink.decodedLine(line)
        if let stop, stop(sink) { return }
        continue
      }
      if scanner.needsScan(line.bytes, epoch: reader.bufferEpoch) {
        scanner.scan(reader.bufferedLines(from: line), epoch: reader.bufferEpoch)
      }
      guard decoder.isPlainText(line.bytes) else {
        // JSON or SSE: decoded only if a literal may be in its text. Escapes aside, the text
        // is a part of the raw line, so the block scan speaks for it.
        if !sink.needsEveryLine, case .skip = scanner.lookup(line.bytes),
          !JSONScanner.escapesMayHideLiteral(line.bytes, literalBytes: scanner.literalByteSet)
        {
          sink.unmatchedStructuredLine(line)
        } else {
          sink.decodedLine(line)
        }
        if let stop, stop(sink) { return }
        continue
      }
      switch scanner.lookup(line.bytes) {
      case .skip:
        // No entry can match, and no traceback starts here (its header is a marker literal):
        // only an open traceback or a build banner's bookkeeping may need the line.
        if sink.needsEveryLine { sink.unmatchedLine(line) }
      case .hits(let hits):
        sink.plainLine(line, hits: hits)
      case .ownPass:
        sink.decodedLine(line)
      }
      if let stop, stop(sink) { return }
      // The lines that hold no literal, no escape byte and no JSON or SSE start: passed over,
      // or, while the bookkeeping needs every line (a traceback's frames), handed out without
      // being looked up one by one.
      guard let next = scanner.nextPointOfInterest(after: line.bytes) else { continue }
      let stops = LineDecoder.structuredLineStarts
      if !sink.needsEveryLine {
        reader.skipLines(before: next, stoppingAt: stops.0, stops.1)
      } else if stop == nil && !decoder.sawSSE {
        reader.handLines(before: next, stoppingAt: stops.0, stops.1) { line in
          sink.unmatchedLine(line)
          return sink.needsEveryLine
        }
      }
    }
  }
}
