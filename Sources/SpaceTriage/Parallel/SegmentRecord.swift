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
    /// Bookkeeping only.
    case unmatched
    /// A JSON or SSE line without literals, for what it does to the decoder's state.
    case state
  }

  /// Each line: its number in the segment (Int), kind (UInt8), hit count (Int32), byte count
  /// (Int32), the hits, the bytes; in one buffer grown by doubling, which the record owns.
  private var bytes: UnsafeMutableRawBufferPointer
  private var used = 0
  /// Lines and bytes read, and lines cut, in the whole segment.
  var lines = 0
  var bytesRead = 0
  var truncatedLines = 0

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

  mutating func append(_ kind: Kind, _ line: RawLine, hits: UnsafeBufferPointer<LiteralPrefilter.LiteralHit>?) {
    let hitBytes = (hits?.count ?? 0) * MemoryLayout<LiteralPrefilter.LiteralHit>.stride
    let size = 17 + hitBytes + line.bytes.count
    if used + size > bytes.count {
      let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(64 << 10, 2 * bytes.count, used + size), alignment: 8)
      if used > 0 { grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<used])) }
      bytes.deallocate()
      bytes = grown
    }
    let base = bytes.baseAddress! + used
    base.storeBytes(of: line.number, toByteOffset: 0, as: Int.self)
    base.storeBytes(of: kind.rawValue, toByteOffset: 8, as: UInt8.self)
    base.storeBytes(of: Int32(hits?.count ?? 0), toByteOffset: 9, as: Int32.self)
    base.storeBytes(of: Int32(line.bytes.count), toByteOffset: 13, as: Int32.self)
    if let hits, let start = hits.baseAddress { (base + 17).copyMemory(from: start, byteCount: hitBytes) }
    if let start = line.bytes.baseAddress { (base + 17 + hitBytes).copyMemory(from: start, byteCount: line.bytes.count) }
    used += size
  }

  /// Sends the recorded lines numbered above `caughtUp` to `sink`.
  func replay(
    after caughtUp: Int, into sink: TriageSink, prefilter: LiteralPrefilter, scratch: inout [LiteralPrefilter.LiteralHit]
  ) {
    do {
      let buffer = UnsafeRawBufferPointer(rebasing: bytes[0..<used])
      var offset = 0
      while offset < buffer.count {
        let number = buffer.loadUnaligned(fromByteOffset: offset, as: Int.self)
        let kind = Kind(rawValue: buffer[offset + 8]) ?? .decoded
        let hitCount = Int(buffer.loadUnaligned(fromByteOffset: offset + 9, as: Int32.self))
        let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 13, as: Int32.self))
        let hitsStart = offset + 17
        let textStart = hitsStart + hitCount * MemoryLayout<LiteralPrefilter.LiteralHit>.stride
        offset = textStart + length
        guard number > caughtUp else { continue }
        let line = RawLine(number: number, bytes: UnsafeRawBufferPointer(rebasing: buffer[textStart..<textStart + length]), isTruncated: false)
        switch kind {
        case .decoded:
          sink.decodedLine(line)
        case .unmatched:
          sink.unmatchedLine(line)
        case .state:
          sink.unmatchedStructuredLine(line)
        case .plain:
          scratch.removeAll(keepingCapacity: true)
          for hit in 0..<hitCount {
            let at = hitsStart + hit * MemoryLayout<LiteralPrefilter.LiteralHit>.stride
            scratch.append(buffer.loadUnaligned(fromByteOffset: at, as: LiteralPrefilter.LiteralHit.self))
          }
          scratch.withUnsafeBufferPointer { sink.plainLine(line, hits: prefilter.lineHits($0)) }
        }
      }
    }
  }
}
