/// A worker's sink: records the lines of a segment for the replaying thread, and keeps the
/// traceback and banner bookkeeping itself, as ``Triage`` would, to know which lines to keep.
///
/// It also matches the plain-text lines that hold literals, as ``Triage`` would, except for the
/// entries the triage may mute (which depends on what came before): the replaying thread then
/// only runs those, so the regex work is spread over the workers.
final class SegmentRecorder: LineSink {
  private let decoder = LineDecoder()
  private let scanner: BlockScanner
  private let matcher: LineMatcher
  /// Per entry, whether the triage may mute it (left to the replaying thread).
  private let mutableEntries: UnsafeMutableBufferPointer<Bool>
  /// The current line's matches (reused).
  private var matches: [Int32] = []
  /// The same bookkeeping as ``Triage``'s; any line where an entry matched may have been a
  /// build banner.
  private let books = LineBookkeeping()
  private var record = SegmentRecord(reusing: nil)
  /// Reused by each segment's reader.
  private var lineBuffer: LineBuffer?
  /// The last JSON line passed over that set the decoder's timestamp, not recorded yet: only
  /// the latest one before a recorded line matters.
  private var pendingStateLine: Int?
  private var pendingStateBytes: [UInt8] = []
  /// The last frame line of the open traceback not recorded: the traceback's state after it is
  /// recorded before the next line (the replaying thread restores it instead of reading frames).
  private var pendingFrameLine: Int?
  private var snapshotBytes: [UInt8] = []

  /// - Parameter matcher: this worker's own matcher (over the catalog the replay uses).
  init(prefilter: LiteralPrefilter, matcher: LineMatcher) {
    scanner = BlockScanner(prefilter: prefilter)
    self.matcher = matcher
    mutableEntries = .allocate(capacity: max(1, matcher.catalog.signatures.count))
    _ = mutableEntries.initialize(from: ShapeState.mutableEntries(in: matcher.catalog))
  }

  deinit { mutableEntries.deallocate() }

  /// Routes every line of `source` (one segment, starting in the assumed state) and returns
  /// what was recorded, written into `buffer` if one is given.
  func record<Source: ByteSource>(_ source: Source, readSize: Int, into buffer: UnsafeMutableRawBufferPointer?) throws -> SegmentRecord {
    decoder.reset()
    // Whatever the last segment this worker read left open (its traceback above all).
    books.reset()
    // On an error the record (and with it `buffer`) is freed by the next segment's assignment.
    record = SegmentRecord(reusing: buffer)
    var reader = LineReader(source, readSize: readSize, reusing: lineBuffer)
    lineBuffer = reader.lineBuffer
    pendingStateLine = nil
    pendingFrameLine = nil
    // A pattern that gave up in an earlier segment runs again here (the replay decides).
    matcher.resetProblems()
    try LineRouter(decoder: decoder, scanner: scanner).route(&reader, to: self)
    flushPending()
    record.lines = reader.lineCount
    record.bytesRead = reader.bytesRead
    record.truncatedLines = reader.truncatedLines
    record.matchingGaveUp = !matcher.regexProblems.isEmpty
    var finished = SegmentRecord(reusing: nil)
    swap(&finished, &record)
    return finished
  }

  var needsEveryLine: Bool { books.needsEveryLine }

  func decodedLine(_ line: RawLine) {
    flushPending()
    record.append(.decoded, line, hits: nil)
    decoder.load(line.bytes)
    while let text = decoder.nextText() { keepBooks(text) }
    books.waitForTextAfterBanner(true)
  }

  func plainLine(_ line: RawLine, hits: LiteralPrefilter.LineHits) {
    flushPending()
    if hits.allSelectOnly(muted: mutableEntries) {
      // Only running markers (an access log, most often): nothing to match here, and no wait.
      record.append(.matched, line, hits: hits.occurrences, matches: nil)
      keepBooks(line.bytes)
      return
    }
    matches.removeAll(keepingCapacity: true)
    // As Triage matches it: without a collector's leading timestamp.
    matcher.forEachMatch(
      in: LeadingTimestamp.stripped(line.bytes), line: line.number, hits: hits, except: UnsafeBufferPointer(mutableEntries)
    ) {
      matches.append(Int32(truncatingIfNeeded: $0))
    }
    matches.withUnsafeBufferPointer { record.append(.matched, line, hits: hits.occurrences, matches: $0) }
    keepBooks(line.bytes)
    // A line that matched may have been a build banner, or a shape whose meaning is on the
    // next line with text: keep that line. A line where nothing matched but the running
    // markers (left to the triage) is neither: a running marker only ends such a wait.
    if !matches.isEmpty { books.waitForTextAfterBanner(true) }
  }

  func unmatchedLine(_ line: RawLine) {
    // Only lines that change the bookkeeping: the first line with text after a possible
    // banner, a traceback's frames and the line that closes it.
    let text = LeadingTimestamp.stripped(line.bytes)
    if books.onlyAddsFrame(text) {
      // Replaced by a snapshot of the traceback before the next recorded line.
      flushPendingState()
      pendingFrameLine = line.number
    } else if books.wouldChange(text) {
      flushPending()
      record.append(.unmatched, line, hits: nil)
    }
    keepBooks(line.bytes)
  }

  func unmatchedStructuredLine(_ line: RawLine) {
    let wasSSE = decoder.sawSSE
    guard decoder.noteSkippedLine(line.bytes) else { return }
    flushPendingFrames()
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

  /// Records what is pending (at most one of a traceback snapshot and a state line is: each
  /// flushes the other when it becomes pending, so they are recorded in line order).
  private func flushPending() {
    flushPendingFrames()
    flushPendingState()
  }

  private func flushPendingFrames() {
    guard let number = pendingFrameLine else { return }
    pendingFrameLine = nil
    let traceback = books.traceback
    let size = traceback.snapshotSize
    if snapshotBytes.count < size { snapshotBytes = Array(repeating: 0, count: TracebackTracker.maxSnapshotSize) }
    snapshotBytes.withUnsafeMutableBytes { bytes in
      traceback.writeSnapshot(to: bytes.baseAddress!)
      record.append(.traceback, RawLine(number: number, bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<size]), isTruncated: false), hits: nil)
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
