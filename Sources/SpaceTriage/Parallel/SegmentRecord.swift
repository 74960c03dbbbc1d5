/// The lines of one segment that the sequential path would look at, in order.
///
/// Owns its buffer: noncopyable, so a record is moved from the worker that wrote it to the
/// thread that replays it, and its buffer is freed exactly once, by `deinit`, or handed back
/// for reuse with ``releaseBuffer()``.
struct SegmentRecord: ~Copyable {
  /// How a recorded line is to be replayed.
  enum Kind: UInt8 {
    /// Decode and match it on its own.
    case decoded
    /// Match it with its literal hits.
    case plain
    /// Already matched by the worker: its literal hits and the entries that matched (all but
    /// the ones the triage may mute, which it matches itself).
    case matched
    /// Bookkeeping only.
    case unmatched
    /// A JSON or SSE line without literals, for what it does to the decoder's state.
    case state
    /// No line: the traceback's state after frame lines that were not recorded
    /// (``TracebackTracker/writeSnapshot(to:)``), numbered as the last of them.
    case traceback
  }

  /// Each line, aligned to 8 bytes: its number in the segment (Int), kind (UInt8, then 3 bytes
  /// of padding), hit count, byte count and match count (Int32 each), the hits, the matched
  /// entries (Int32 each), the bytes, padding; in one buffer grown by doubling, which the
  /// record owns. Hits and matches are read in place.
  private var bytes: UnsafeMutableRawBufferPointer
  private var used = 0
  private static let headerSize = 24
  /// Lines and bytes read, and lines cut, in the whole segment.
  var lines = 0
  var bytesRead = 0
  var truncatedLines = 0
  /// Whether a pattern gave up on some line while the worker matched: then the lines it
  /// matched are matched again by the replaying thread, whose matcher keeps the problem (and
  /// switches the entry off from that line on, as reading from the start would).
  var matchingGaveUp = false

  /// A record that writes into `buffer` (taking it over), or into a buffer of its own.
  init(reusing buffer: UnsafeMutableRawBufferPointer? = nil) {
    bytes = buffer ?? UnsafeMutableRawBufferPointer(start: nil, count: 0)
  }

  deinit {
    bytes.deallocate()
  }

  /// Ends the record and hands its buffer over (to be reused by another record, or freed).
  consuming func releaseBuffer() -> UnsafeMutableRawBufferPointer {
    let buffer = bytes
    discard self
    return buffer
  }

  mutating func append(
    _ kind: Kind, _ line: RawLine, hits: UnsafeBufferPointer<LiteralPrefilter.LiteralHit>?,
    matches: UnsafeBufferPointer<Int32>? = nil
  ) {
    let hitCount = hits?.count ?? 0
    let matchCount = matches?.count ?? 0
    let hitBytes = hitCount &* MemoryLayout<LiteralPrefilter.LiteralHit>.stride
    let matchBytes = matchCount &* 4
    let size = (Self.headerSize &+ hitBytes &+ matchBytes &+ line.bytes.count &+ 7) & ~7
    if used &+ size > bytes.count {
      let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(64 << 10, 2 * bytes.count, used + size), alignment: 8)
      if used > 0 { grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<used])) }
      bytes.deallocate()
      bytes = grown
    }
    let base = bytes.baseAddress! + used
    base.storeBytes(of: line.number, toByteOffset: 0, as: Int.self)
    base.storeBytes(of: kind.rawValue, toByteOffset: 8, as: UInt8.self)
    base.storeBytes(of: Int32(hitCount), toByteOffset: 12, as: Int32.self)
    base.storeBytes(of: Int32(line.bytes.count), toByteOffset: 16, as: Int32.self)
    base.storeBytes(of: Int32(matchCount), toByteOffset: 20, as: Int32.self)
    var at = Self.headerSize
    if let hits, let start = hits.baseAddress { (base + at).copyMemory(from: start, byteCount: hitBytes) }
    at &+= hitBytes
    if let matches, let start = matches.baseAddress { (base + at).copyMemory(from: start, byteCount: matchBytes) }
    at &+= matchBytes
    if let start = line.bytes.baseAddress { (base + at).copyMemory(from: start, byteCount: line.bytes.count) }
    used &+= size
  }

  /// Sends the recorded lines numbered above `caughtUp` to `sink`.
  func replay(after caughtUp: Int, into sink: TriageSink, prefilter: LiteralPrefilter) {
    guard let start = bytes.baseAddress else { return }
    let base = UnsafeRawPointer(start)
    var offset = 0
    while offset < used {
      let entry = base + offset
      let number = entry.load(as: Int.self)
      let kind = Kind(rawValue: entry.load(fromByteOffset: 8, as: UInt8.self)) ?? .decoded
      let hitCount = Int(entry.load(fromByteOffset: 12, as: Int32.self))
      let length = Int(entry.load(fromByteOffset: 16, as: Int32.self))
      let matchCount = Int(entry.load(fromByteOffset: 20, as: Int32.self))
      let hitBytes = hitCount &* MemoryLayout<LiteralPrefilter.LiteralHit>.stride
      let matchesStart = Self.headerSize &+ hitBytes
      let textStart = matchesStart &+ matchCount &* 4
      offset &+= (textStart &+ length &+ 7) & ~7
      guard number > caughtUp else { continue }
      let line = RawLine(number: number, bytes: UnsafeRawBufferPointer(start: entry + textStart, count: length), isTruncated: false)
      switch kind {
      case .decoded:
        sink.decodedLine(line)
      case .unmatched:
        sink.unmatchedLine(line)
      case .state:
        sink.unmatchedStructuredLine(line)
      case .traceback:
        sink.tracebackSnapshot(entry + textStart)
      case .plain, .matched:
        // SAFETY: the hits and matches were written 4-byte aligned (entries start 8-aligned,
        // the header is 24 bytes, a hit 8) and stay in this record's buffer while it lives.
        let hits = prefilter.lineHits(
          UnsafeBufferPointer(start: (entry + Self.headerSize).bindMemory(to: LiteralPrefilter.LiteralHit.self, capacity: hitCount), count: hitCount))
        if kind == .matched && !matchingGaveUp {
          // Most such lines are access logs of a running Space, whose markers are muted: the
          // triage would return at once (see ``Triage/observe(text:line:hits:prematched:timestamp:)``).
          if matchCount == 0 && sink.passesOver(hits) { continue }
          let matches = UnsafeBufferPointer(start: (entry + matchesStart).bindMemory(to: Int32.self, capacity: matchCount), count: matchCount)
          sink.prematchedLine(line, hits: hits, prematched: matches)
        } else {
          sink.plainLine(line, hits: hits)
        }
      }
    }
  }
}
