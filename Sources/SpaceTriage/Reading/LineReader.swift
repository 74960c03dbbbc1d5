#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The memory a ``LineReader`` reads into. (A `deinit` on the noncopyable generic reader itself
/// was found not to run under Swift 6.3 — AddressSanitizer showed one leaked buffer per input —
/// so the buffer lives in a class whose `deinit` always does.)
package final class LineBuffer {
  package let bytes: UnsafeMutableRawBufferPointer
  package init(byteCount: Int) { bytes = .allocate(byteCount: byteCount, alignment: 16) }
  deinit { bytes.deallocate() }
}

/// A line handed out by ``LineReader``: a borrowed view, valid only during the callback.
package struct RawLine {
  /// 1-based line number in the input.
  package var number: Int
  /// The line's bytes without its terminator (`\n` or `\r\n`).
  package var bytes: UnsafeRawBufferPointer
  /// True when the line was longer than the reader's maximum and was cut.
  package var isTruncated: Bool
}

/// Splits a byte stream into lines, in constant memory, without allocating per line.
///
/// - Lines end at `\n`; a `\r` just before it is dropped; a last line without a terminator is
///   still a line. A lone `\r` is ordinary data.
/// - A line longer than `maxLineLength` is cut to its first `maxLineLength` bytes, handed out
///   with `isTruncated`, and the rest of it up to the next `\n` is skipped.
/// - NUL bytes and invalid UTF-8 are passed through untouched.
///
/// Memory is one buffer of `readSize + maxLineLength + 2` bytes, allocated once. Reading is pulled
/// with ``nextLine()``; a line's bytes stay valid until the next call.
package struct LineReader<Source: ByteSource>: ~Copyable {
  /// The longest line handed out whole (1 MiB, docs/input.md).
  package static var defaultMaxLineLength: Int { 1 << 20 }
  /// How many bytes one `read` asks for.
  package static var defaultReadSize: Int { 256 << 10 }

  private var source: Source
  private let maxLineLength: Int
  private let storage: LineBuffer
  /// `storage.bytes`, copied so that reading it touches no reference count.
  private let buffer: UnsafeMutableRawBufferPointer
  private var start = 0  // first byte of the current line
  private var end = 0  // end of valid data
  private var scan = 0  // bytes before this, from start, hold no newline
  private var skipping = false  // inside the tail of a cut line
  private var atEOF = false
  /// Bytes read so far.
  package private(set) var bytesRead = 0
  /// Lines handed out so far.
  package private(set) var lineCount = 0
  /// Lines cut to `maxLineLength`.
  package private(set) var truncatedLines = 0
  /// Changes whenever buffered bytes are moved or overwritten, which ends the validity of every
  /// pointer into the buffer handed out before (see ``bufferedLines(from:)``).
  package private(set) var bufferEpoch = 0

  /// - Parameter reusing: a buffer left by an earlier reader (of the same sizes) to read into,
  ///   instead of allocating one; only one reader may use it at a time.
  package init(
    _ source: Source, maxLineLength: Int = LineReader.defaultMaxLineLength,
    readSize: Int = LineReader.defaultReadSize, reusing reused: LineBuffer? = nil
  ) {
    self.source = source
    self.maxLineLength = max(1, maxLineLength)
    // Room for a pending line of max + 2 bytes (one more than a line of max bytes and its
    // `\r`) and one more read.
    let byteCount = max(1, readSize) + self.maxLineLength + 2
    if let reused, reused.bytes.count == byteCount {
      self.storage = reused
    } else {
      self.storage = LineBuffer(byteCount: byteCount)
    }
    self.buffer = storage.bytes
  }

  /// A reader of the first `count` bytes of `filled`, which hold a whole input (or a part of one
  /// that ends after a newline): nothing more is read, and the lines are handed out at their
  /// addresses in `filled` (its buffer epoch never changes). `filled` must have room for at
  /// least one byte more than `count`.
  package init(filled: LineBuffer, count: Int, maxLineLength: Int = LineReader.defaultMaxLineLength)
  where Source == FilledBufferSource {
    precondition(count < filled.bytes.count, "a filled buffer keeps a byte of room")
    self.source = FilledBufferSource()
    self.maxLineLength = max(1, maxLineLength)
    self.storage = filled
    self.buffer = filled.bytes
    self.end = count
    self.bytesRead = count
  }

  /// The buffer this reader reads into, for a later reader to reuse.
  package var lineBuffer: LineBuffer { storage }

  /// The next line, or `nil` at the end of the input.
  ///
  /// The returned bytes are valid only until the next call.
  /// - Throws: what the source throws.
  package mutating func nextLine() throws -> RawLine? {
    let base = buffer.baseAddress!
    while true {
      if scan < end, let newline = memchr(base + scan, 0x0A, end &- scan) {
        let position = base.distance(to: UnsafeMutableRawPointer(newline))
        let lineStart = start
        start = position &+ 1
        scan = start
        if skipping {
          skipping = false
          continue
        }
        return line(lineStart, position, truncated: false)
      }
      scan = end
      if skipping {
        start = end  // drop the rest of a cut line as it arrives
      } else if end &- start > maxLineLength &+ 1 || (end &- start == maxLineLength &+ 1 && buffer[end &- 1] != 0x0D) {
        // Longer than the maximum whatever comes next (max bytes and a `\r` may still end
        // with `\n`): cut it now. Deciding earlier would depend on where reads end.
        let lineStart = start
        skipping = true
        start = end
        scan = end
        return line(lineStart, lineStart &+ maxLineLength, truncated: true)
      }
      if atEOF {
        guard start < end else { return nil }
        let lineStart = start
        start = end
        return line(lineStart, end, truncated: false)
      }
      if start == end {
        start = 0
        end = 0
        scan = 0
        bufferEpoch &+= 1
      } else if end == buffer.count {
        // Keep the unfinished line (shorter than maxLineLength, checked above) at the front.
        let pending = end &- start
        base.copyMemory(from: base + start, byteCount: pending)
        start = 0
        end = pending
        scan = pending
        bufferEpoch &+= 1
      }
      let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<buffer.count]))
      if count == 0 {
        atEOF = true
      } else {
        bytesRead &+= count
        end &+= count
      }
    }
  }

  /// The bytes from the start of `line` (the line just handed out) to the end of the last whole
  /// line already in the buffer: lines that later ``nextLine()`` calls will hand out at the same
  /// addresses without reading, as long as ``bufferEpoch`` does not change. Lets a consumer look
  /// at many lines in one pass. Never includes an unfinished line.
  package func bufferedLines(from line: RawLine) -> UnsafeRawBufferPointer {
    let base = UnsafeRawPointer(buffer.baseAddress!)
    let from = base.distance(to: line.bytes.baseAddress ?? base)
    var stop = end
    while stop > start && buffer[stop &- 1] != 0x0A { stop &-= 1 }
    stop = max(stop, from &+ line.bytes.count)
    return UnsafeRawBufferPointer(start: base + from, count: stop &- from)
  }

  /// Passes over the whole buffered lines that end before `address` (a pointer into the lines
  /// of ``bufferedLines(from:)``), counting them as read, so that the next ``nextLine()`` hands
  /// out the line holding `address`. Stops early before a line that starts with `stopA` or
  /// `stopB`, before a line longer than the maximum (``nextLine()`` cuts it), and never skips
  /// past the buffered data.
  ///
  /// - Returns: how many lines were passed over.
  @discardableResult
  package mutating func skipLines(before address: UnsafeRawPointer, stoppingAt stopA: UInt8, _ stopB: UInt8) -> Int {
    guard !skipping else { return 0 }
    let base = UnsafeRawPointer(buffer.baseAddress!)
    let limit = wholeLinesEnd(before: address)
    guard limit > start else { return 0 }
    let run = LineCounter.wholeLines(
      in: UnsafeRawBufferPointer(start: base + start, count: limit &- start), stoppingAt: stopA, stopB)
    start &+= run.end
    scan = start
    lineCount &+= run.lines
    return run.lines
  }

  /// Hands out, in order, the whole buffered lines that end before `address` (as
  /// ``skipLines(before:stoppingAt:_:)`` passes over them), until `body` returns `false`: the
  /// lines ``nextLine()`` would return, without a look at anything past them. Stops before a
  /// line that starts with `stopA` or `stopB`.
  package mutating func handLines(
    before address: UnsafeRawPointer, stoppingAt stopA: UInt8, _ stopB: UInt8, _ body: (RawLine) -> Bool
  ) {
    guard !skipping else { return }
    let base = UnsafeRawPointer(buffer.baseAddress!)
    let limit = wholeLinesEnd(before: address)
    while start < limit {
      let first = buffer[start]
      guard first != stopA && first != stopB, let newline = memchr(base + start, 0x0A, limit &- start) else { return }
      let position = base.distance(to: UnsafeRawPointer(newline))
      let lineStart = start
      start = position &+ 1
      scan = start
      if !body(line(lineStart, position, truncated: false)) { return }
    }
  }

  /// The end of the whole buffered lines from the current line on that end before `address`:
  /// no more than one maximum line length at a time, so that none of them can be a line that
  /// ``nextLine()`` would have cut.
  private func wholeLinesEnd(before address: UnsafeRawPointer) -> Int {
    var limit = min(end, start &+ maxLineLength, max(start, UnsafeRawPointer(buffer.baseAddress!).distance(to: address)))
    while limit > start && buffer[limit &- 1] != 0x0A { limit &-= 1 }
    return limit
  }

  /// Calls `body` with each line in order until the input ends or `body` returns `false`.
  package mutating func forEachLine(_ body: (RawLine) throws -> Bool) throws {
    while let line = try nextLine() {
      if try !body(line) { return }
    }
  }

  private mutating func line(_ lineStart: Int, _ lineEnd: Int, truncated: Bool) -> RawLine {
    var stop = lineEnd
    var truncated = truncated
    if !truncated && stop > lineStart && buffer[stop &- 1] == 0x0D { stop &-= 1 }
    if stop &- lineStart > maxLineLength {
      // A line completed by the same read that took it past the limit.
      stop = lineStart &+ maxLineLength
      truncated = true
    }
    lineCount &+= 1
    if truncated { truncatedLines &+= 1 }
    return RawLine(
      number: lineCount, bytes: UnsafeRawBufferPointer(rebasing: buffer[lineStart..<stop]),
      isTruncated: truncated)
  }
}
