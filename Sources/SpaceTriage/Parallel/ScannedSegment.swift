import SystemPackage

/// One segment of a file, read into memory and probed in full by a worker thread of
/// ``SplitFileClassifier``: the bytes, and every literal occurrence in them.
///
/// The calling thread then hands the segment's lines to the triage straight from this memory
/// (``LineReader/init(filled:count:maxLineLength:)``), looking them up in the worker's hits
/// (``BlockScanner/adopt(_:epoch:)``) instead of reading and probing them itself. A segment
/// owns its buffers and is filled again for a later segment once replayed.
final class ScannedSegment: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): a segment is used by one thread at a time, the worker that
  // fills it, then the thread that replays it, handed over through the pool's lock.

  /// The segment's bytes (and one byte of room, as the filled reader needs).
  private(set) var buffer: LineBuffer
  /// How many bytes of `buffer` hold the segment, 0 when it was too large to hold (``read``).
  private(set) var count = 0
  private var hits: UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>
  /// How many of `hits` were found.
  private var found = 0

  init() {
    buffer = LineBuffer(byteCount: 1)
    hits = .allocate(capacity: 1024)
  }

  deinit { hits.deallocate() }

  /// Whether the segment is in memory; one too large to hold is read by the caller itself.
  var isFilled: Bool { count > 0 }

  /// The bytes and literal occurrences, for the reader and the scanner (valid until the
  /// segment is filled again).
  var prescan: BlockScanner.Prescan {
    BlockScanner.Prescan(
      block: UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count]),
      hits: UnsafeBufferPointer(rebasing: hits[0..<found]))
  }

  /// Reads `range` of the file open on `descriptor` and probes it with `prefilter`. A range
  /// longer than `largest` bytes is left unread (`isFilled` is `false`), so that memory stays
  /// bounded whatever the lines' lengths.
  func read(_ descriptor: FileDescriptor, range: Range<Int>, largest: Int, prefilter: LiteralPrefilter) throws {
    count = 0
    found = 0
    guard range.count <= largest, !range.isEmpty else { return }
    if buffer.bytes.count <= range.count { buffer = LineBuffer(byteCount: range.count + range.count / 8 + 1) }
    var filled = 0
    while filled < range.count {
      let read = try descriptor.read(
        fromAbsoluteOffset: Int64(range.lowerBound + filled),
        into: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[filled..<range.count]), retryOnInterrupt: true)
      if read == 0 { break }  // the file was cut short while being read: classify what is there
      filled += read
    }
    count = filled
    probe(with: prefilter)
  }

  /// Records every literal occurrence of the segment, in order: one block scan after another,
  /// each taking up from the start of the line where the last one had to stop, with more room
  /// for hits when a single line holds more than there is.
  private func probe(with prefilter: LiteralPrefilter) {
    let bytes = UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count])
    var lineStart = 0
    while lineStart < count {
      let block = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<count])
      let room = UnsafeMutableBufferPointer(rebasing: hits[found..<hits.count])
      let result = prefilter.scan(block, into: room)
      if result.covered >= block.count {
        keep(result.count, from: room, shiftedBy: lineStart)
        return
      }
      // Whole lines before the one holding `covered` are done; that line is probed again.
      var resume = result.covered
      while resume > 0 && block[resume &- 1] != 0x0A { resume &-= 1 }
      if resume == 0 {
        grow()
        continue
      }
      var kept = 0
      while kept < result.count && Int(room[kept].position) < resume { kept &+= 1 }
      keep(kept, from: room, shiftedBy: lineStart)
      lineStart &+= resume
      if hits.count &- found < hits.count / 4 { grow() }
    }
  }

  /// Counts the first `kept` hits of `room` (just past the ones found) as found, their
  /// positions made relative to the segment's start.
  private func keep(_ kept: Int, from room: UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>, shiftedBy offset: Int) {
    let shift = Int32(truncatingIfNeeded: offset)
    for index in 0..<kept { room[index].position &+= shift }
    found &+= kept
  }

  private func grow() {
    let larger = UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>.allocate(capacity: hits.count * 2)
    _ = larger.initialize(fromContentsOf: hits[0..<found])
    hits.deallocate()
    hits = larger
  }
}
