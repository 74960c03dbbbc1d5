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
/// (``BlockScanner/adopt(_:epoch:)``) instead of reading and probing them itself. A worker may
/// also match the segment's lines ahead (``matchAhead(with:)``): run the candidates
/// of each line holding a hit (``LineMatcher/collectMatches(in:hits:into:)``) and write the
/// template of a line that may be an unrecognised failure. Neither depends on the triage's
/// state: the calling thread then only leaves out what is muted at that moment. A segment owns
/// its buffers and is filled again for a later segment once routed.
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
  /// Whether the lines were matched ahead (``matchAhead(with:)``).
  private(set) var isMatchedAhead = false
  /// Per hit, the entries that match its line: a range of `matchedEntries` (empty when the
  /// lines were not matched here), and the template of a line that looks like an unrecognised
  /// failure, a range of `templates`.
  private let matchSpans = GrowableBuffer<BlockScanner.MatchSpan>()
  private let matchedEntries = GrowableBuffer<Int32>()
  private let templates = GrowableBuffer<UInt8>()

  /// What a worker needs to match lines ahead of the calling thread: a matcher of its own,
  /// per entry, its part in telling unrecognised failure lines (``UnrecognizedCollector/role(_:)``),
  /// and the prefilter the segments are probed with.
  final class ReadAhead {
    let matcher: LineMatcher
    let roles: [UInt8]
    let prefilter: LiteralPrefilter
    /// Per literal of `prefilter`, whether it selects an entry this thread matches
    /// (``LineMatcher/readAheadEntries``): a line whose literals select none is not matched.
    let literalSelectsReadAheadEntry: [Bool]

    init(catalog: CompiledCatalog, matchLimit: UInt32, prefilter: LiteralPrefilter) {
      matcher = LineMatcher(catalog: catalog, matchLimit: matchLimit)
      roles = catalog.signatures.map(UnrecognizedCollector.role)
      self.prefilter = prefilter
      literalSelectsReadAheadEntry = prefilter.literals.map { [matcher] literal in
        literal.signatures.contains { matcher.readAheadEntries[$0] }
      }
    }
  }

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
      hits: UnsafeBufferPointer(rebasing: hits[0..<found]), matchSpans: matchSpans.elements, matchedEntries: matchedEntries.elements, templates: templates.elements)
  }

  /// Reads `range` of the file open on `descriptor` and probes it with `prefilter`. A range
  /// longer than `largest` bytes is left unread (`isFilled` is `false`), so that memory stays
  /// bounded whatever the lines' lengths.
  func read(_ descriptor: FileDescriptor, range: Range<Int>, largest: Int, prefilter: LiteralPrefilter) throws {
    count = 0
    found = 0
    isMatchedAhead = false
    matchSpans.removeAll()
    matchedEntries.removeAll()
    templates.removeAll()
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

  /// Matches the lines of the segment read last that hold a hit with `readAhead`'s matcher
  /// (once per segment read). Worth it only when the calling thread, not this one, is the
  /// slower: it saves that thread about the work it costs this one.
  func matchAhead(with readAhead: ReadAhead) {
    guard isFilled, !isMatchedAhead else { return }
    isMatchedAhead = true
    matchLines(with: readAhead)
  }

  /// Fills ``matchSpans``, ``matchedEntries`` and ``templates``: each line holding a hit is matched as the
  /// calling thread's triage would match it (without its leading timestamp), unless its literals
  /// select only entries left to that thread (an empty list then), or it is longer than a line may
  /// be (the reader cuts it, and it is matched there).
  private func matchLines(with readAhead: ReadAhead) {
    let bytes = UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count])
    guard let base = bytes.baseAddress else { return }
    let maxLineLength = LineReader<MemorySource>.defaultMaxLineLength
    let selects = readAhead.literalSelectsReadAheadEntry
    // The end of the last line looked at (its newline's offset + 1): hits before it lie in it.
    var lineEnd = 0
    var first = 0
    while first < found {
      // The hit's line: to the next newline, from the last one before it (none between the
      // last line and it means the line starts there), looked for only when the line is matched.
      let position = Int(hits[first].position)
      let previousLineEnd = lineEnd
      let newline = memchr(base + position, 0x0A, count &- position).map { base.distance(to: UnsafeRawPointer($0)) }
      lineEnd = newline.map { $0 &+ 1 } ?? count
      // A line whose literals select only entries left to the calling thread (running markers,
      // exception shapes) has nothing to match here.
      var matters = selects[Int(hits[first].literal)]
      var next = first &+ 1
      while next < found && Int(hits[next].position) < lineEnd {
        matters = matters || selects[Int(hits[next].literal)]
        next &+= 1
      }
      var span = BlockScanner.MatchSpan(start: Int32(matchedEntries.count), count: 0)
      if matters {
        let lineStart = LineCounter.lineStart(before: position, notBefore: previousLineEnd, in: base)
        let lineHits = readAhead.prefilter.lineHits(UnsafeBufferPointer(rebasing: hits[first..<next]))
        span = matchLine(lineStart..<(newline ?? count), hits: lineHits, with: readAhead, base: base, maxLineLength: maxLineLength)
      }
      for _ in first..<next { matchSpans.append(span) }
      first = next
    }
  }

  /// The entries that match `line`, which holds `lineHits`, appended to ``matchedEntries``;
  /// `count` -1 when the line is left to the calling thread.
  @inline(__always)
  private func matchLine(
    _ line: Range<Int>, hits lineHits: LiteralPrefilter.LineHits, with readAhead: ReadAhead, base: UnsafeRawPointer,
    maxLineLength: Int
  ) -> BlockScanner.MatchSpan {
    let lineStart = line.lowerBound
    let matcher = readAhead.matcher
    let start = matchedEntries.count
    var end = line.upperBound
    if end > lineStart && base.load(fromByteOffset: end &- 1, as: UInt8.self) == 0x0D { end &-= 1 }
    guard end &- lineStart <= maxLineLength else { return .notMatched }
    let text = LeadingTimestamp.stripped(UnsafeRawBufferPointer(start: base + lineStart, count: end &- lineStart))
    guard matcher.collectMatches(in: text, hits: lineHits, into: matchedEntries) else {
      matchedEntries.truncate(to: start)
      return .notMatched
    }
    var span = BlockScanner.MatchSpan(start: Int32(start), count: Int32(matchedEntries.count &- start))
    let matched = UnsafeBufferPointer(rebasing: matchedEntries.elements[start...])
    if UnrecognizedCollector.mayBeUnrecognized(matched, roles: readAhead.roles) {
      span.templateStart = Int32(templates.count)
      span.templateCount = Int32(templates.append(upTo: TemplateMasker.outputCapacity) { TemplateMasker.write(text, into: $0) })
    }
    return span
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
    if count == storage.count { reserve(1) }
    storage[count] = element
    count &+= 1
  }

  func removeAll() { count = 0 }

  /// Appends what `write` writes into room for `capacity` elements (it returns how many it
  /// wrote); returns that count.
  func append(upTo capacity: Int, _ write: (UnsafeMutablePointer<Element>) -> Int) -> Int {
    reserve(capacity)
    let written = write(storage.baseAddress! + count)
    count &+= written
    return written
  }

  /// Keeps the first `count` elements.
  func truncate(to count: Int) { self.count = min(self.count, max(0, count)) }

  /// Makes room for `extra` more elements, doubling the storage as often as needed.
  private func reserve(_ extra: Int) {
    guard storage.count &- count < extra else { return }
    var capacity = storage.count * 2
    while capacity &- count < extra { capacity *= 2 }
    let larger = UnsafeMutableBufferPointer<Element>.allocate(capacity: capacity)
    _ = larger.initialize(fromContentsOf: storage[0..<count])
    storage.deallocate()
    storage = larger
  }
}
