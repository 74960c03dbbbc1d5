import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One segment of a file, read into memory and probed in full by a worker thread of
/// ``SplitFileClassifier``: the bytes, and every literal occurrence in them.
///
/// The calling thread then hands the segment's lines to the triage straight from this memory
/// (``LineReader/init(filled:count:maxLineLength:)``), looking them up in the worker's hits
/// (``BlockScanner/adopt(_:epoch:)``) instead of reading and probing them itself. The worker
/// also finds where the lines that the reader must stop at begin (those holding a hit, and those
/// starting with a JSON or SSE byte) and how many lines come before each, and the lines with an
/// escape byte, so that the calling thread jumps from one to the next instead of counting the
/// lines in between. A segment owns its buffers and is filled again for a later segment once
/// routed.
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
  /// Per hit, where its line starts and how many lines come before it.
  private let hitLines = GrowableBuffer<BlockScanner.LineMark>()
  /// The lines starting with a byte of ``LineDecoder/structuredLineStarts``.
  private let structuredLines = GrowableBuffer<BlockScanner.LineMark>()
  /// The offset of the first escape byte of each line holding one.
  private let escapes = GrowableBuffer<Int32>()
  /// Whether the three lists above were made for this segment.
  private var indexed = false

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
      hits: UnsafeBufferPointer(rebasing: hits[0..<found]), isIndexed: indexed,
      hitLines: hitLines.elements,
      structuredLines: structuredLines.elements, escapes: escapes.elements)
  }

  /// Reads `range` of the file open on `descriptor` and probes it with `prefilter`, and
  /// indexes its lines if `indexing` (worth it when the calling thread, not this one, is the
  /// slower: the index saves it work and costs this thread more). A range longer than
  /// `largest` bytes is left unread (`isFilled` is `false`), so that memory stays bounded
  /// whatever the lines' lengths.
  func read(
    _ descriptor: FileDescriptor, range: Range<Int>, largest: Int, prefilter: LiteralPrefilter, indexing: Bool = true
  ) throws {
    count = 0
    found = 0
    indexed = false
    hitLines.removeAll()
    structuredLines.removeAll()
    escapes.removeAll()
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
    if indexing { indexLines() }
  }

  /// Fills ``hitLines``, ``structuredLines`` and ``escapes``.
  private func indexLines() {
    indexed = true
    let bytes = UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count])
    guard let base = bytes.baseAddress else { return }
    // Each hit's line: the newlines between one hit and the next are counted once, line by
    // line when the hits are close (most are), 32 bytes at a time when they are far apart.
    var lineStart = 0
    var linesBefore = 0
    for index in 0..<found {
      let position = Int(hits[index].position)
      if position &- lineStart > 512 {
        linesBefore &+= LineCounter.newlines(in: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<position]))
        var last = position &- 1
        while last >= lineStart && base.load(fromByteOffset: last, as: UInt8.self) != 0x0A { last &-= 1 }
        lineStart = last &+ 1
      } else {
        while position > lineStart, let newline = memchr(base + lineStart, 0x0A, position &- lineStart) {
          lineStart = base.distance(to: UnsafeRawPointer(newline)) &+ 1
          linesBefore &+= 1
        }
      }
      hitLines.append(BlockScanner.LineMark(lineStart: Int32(lineStart), linesBefore: Int32(linesBefore)))
    }
    // The lines a line count stops at (see ``LineCounter/wholeLines(in:stoppingAt:_:)``).
    let stops = LineDecoder.structuredLineStarts
    var offset = 0
    var lines = 0
    while offset < count {
      let run = LineCounter.wholeLines(in: UnsafeRawBufferPointer(rebasing: bytes[offset..<count]), stoppingAt: stops.0, stops.1)
      offset &+= run.end
      lines &+= run.lines
      guard offset < count, bytes[offset] == stops.0 || bytes[offset] == stops.1 else { break }
      structuredLines.append(BlockScanner.LineMark(lineStart: Int32(offset), linesBefore: Int32(lines)))
      guard let newline = memchr(base + offset, 0x0A, count &- offset) else { break }
      offset = base.distance(to: UnsafeRawPointer(newline)) &+ 1
      lines &+= 1
    }
    // The first escape byte of each line.
    offset = 0
    while offset < count, let escape = memchr(base + offset, 0x1B, count &- offset) {
      let position = base.distance(to: UnsafeRawPointer(escape))
      escapes.append(Int32(position))
      guard let newline = memchr(base + position, 0x0A, count &- position) else { break }
      offset = base.distance(to: UnsafeRawPointer(newline)) &+ 1
    }
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

/// A buffer of plain values that grows by doubling and keeps its memory when emptied.
final class GrowableBuffer<Element: BitwiseCopyable> {
  private var storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: 256)
  private(set) var count = 0

  deinit { storage.deallocate() }

  /// The elements (valid until the next append or `removeAll`).
  var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(rebasing: storage[0..<count]) }

  func append(_ element: Element) {
    if count == storage.count {
      let larger = UnsafeMutableBufferPointer<Element>.allocate(capacity: storage.count * 2)
      _ = larger.initialize(fromContentsOf: storage)
      storage.deallocate()
      storage = larger
    }
    storage[count] = element
    count &+= 1
  }

  func removeAll() { count = 0 }
}
