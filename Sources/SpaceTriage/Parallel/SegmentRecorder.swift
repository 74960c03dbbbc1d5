/// A worker's sink: records the lines of a segment instead of matching them, and keeps the
/// traceback and banner bookkeeping itself, as ``Triage`` would, to know which lines to keep.
final class SegmentRecorder: LineSink {
  private let decoder = LineDecoder()
  private let scanner: BlockScanner
  /// The same bookkeeping as ``Triage``'s; any line handed out may have been a build banner.
  private let books = LineBookkeeping()
  private var record = SegmentRecord(reusing: nil)
  /// Reused by each segment's reader.
  private var lineBuffer: LineBuffer?
  /// The last JSON line passed over that set the decoder's timestamp, not recorded yet: only
  /// the latest one before a recorded line matters.
  private var pendingStateLine: Int?
  private var pendingStateBytes: [UInt8] = []

  init(prefilter: LiteralPrefilter) {
    scanner = BlockScanner(prefilter: prefilter)
  }

  /// Routes every line of `source` (one segment, starting in the assumed state) and returns
  /// what was recorded, written into `buffer` if one is given.
  func record<Source: ByteSource>(_ source: Source, readSize: Int, into buffer: UnsafeMutableRawBufferPointer?) throws -> SegmentRecord {
    decoder.reset()
    books.waitForTextAfterBanner(false)
    // On an error the record (and with it `buffer`) is freed by the next segment's assignment.
    record = SegmentRecord(reusing: buffer)
    var reader = LineReader(source, readSize: readSize, reusing: lineBuffer)
    lineBuffer = reader.lineBuffer
    pendingStateLine = nil
    try LineRouter(decoder: decoder, scanner: scanner).route(&reader, to: self)
    flushPendingState()
    record.lines = reader.lineCount
    record.bytesRead = reader.bytesRead
    record.truncatedLines = reader.truncatedLines
    var finished = SegmentRecord(reusing: nil)
    swap(&finished, &record)
    return finished
  }

  var needsEveryLine: Bool { books.needsEveryLine }

  func decodedLine(_ line: RawLine) {
    flushPendingState()
    record.append(.decoded, line, hits: nil)
    decoder.load(line.bytes)
    while let text = decoder.nextText() { keepBooks(text) }
    books.waitForTextAfterBanner(true)
  }

  func plainLine(_ line: RawLine, hits: LiteralPrefilter.LineHits) {
    flushPendingState()
    record.append(.plain, line, hits: hits.occurrences)
    keepBooks(line.bytes)
    books.waitForTextAfterBanner(true)
  }

  func unmatchedLine(_ line: RawLine) {
    // Only lines that change the bookkeeping: the first line with text after a possible
    // banner, a traceback's frames and the line that closes it.
    if books.wouldChange(LeadingTimestamp.stripped(line.bytes)) {
      flushPendingState()
      record.append(.unmatched, line, hits: nil)
    }
    keepBooks(line.bytes)
  }

  func unmatchedStructuredLine(_ line: RawLine) {
    let wasSSE = decoder.sawSSE
    guard decoder.noteSkippedLine(line.bytes) else { return }
    if !wasSSE && decoder.sawSSE {
      // SSE mode began here: replay the line in its place.
      flushPendingState()
      record.append(.state, line, hits: nil)
    } else {
      // A newer timestamp: it replaces the pending one (copied into a reused buffer).
      pendingStateLine = line.number
      pendingStateBytes.removeAll(keepingCapacity: true)
      pendingStateBytes.append(contentsOf: line.bytes)
    }
  }

  private func flushPendingState() {
    guard let number = pendingStateLine else { return }
    pendingStateLine = nil
    pendingStateBytes.withUnsafeBytes { bytes in
      record.append(.state, RawLine(number: number, bytes: bytes, isTruncated: false), hits: nil)
    }
  }

  /// What ``Triage`` does with a line besides matching it.
  private func keepBooks(_ text: UnsafeRawBufferPointer) {
    // As Triage reads it: without a collector's leading timestamp.
    let text = LeadingTimestamp.stripped(text)
    _ = books.lineStarts(text, line: 0)
    books.lineEnds(text)
  }
}
