#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A line handed out by ``LineReader``: a borrowed view, valid only during the callback.
public struct RawLine {
  /// 1-based line number in the input.
  public var number: Int
  /// The line's bytes without its terminator (`\n` or `\r\n`).
  public var bytes: UnsafeRawBufferPointer
  /// True when the line was longer than the reader's maximum and was cut.
  public var isTruncated: Bool
}

/// Splits a byte stream into lines, in constant memory, without allocating per line.
///
/// - Lines end at `\n`; a `\r` just before it is dropped; a last line without a terminator is
///   still a line. A lone `\r` is ordinary data.
/// - A line longer than `maxLineLength` is cut to its first `maxLineLength` bytes, handed out
///   with `isTruncated`, and the rest of it up to the next `\n` is skipped.
/// - NUL bytes and invalid UTF-8 are passed through untouched.
///
/// Memory is one buffer of `readSize + maxLineLength` bytes, allocated once.
public struct LineReader<Source: ByteSource> {
  /// The longest line handed out whole (1 MiB, SPEC "Input").
  public static var defaultMaxLineLength: Int { 1 << 20 }
  /// How many bytes one `read` asks for.
  public static var defaultReadSize: Int { 256 << 10 }

  private var source: Source
  private let maxLineLength: Int
  private let readSize: Int
  /// Bytes read so far.
  public private(set) var bytesRead = 0
  /// Lines handed out so far.
  public private(set) var lineCount = 0
  /// Lines cut to `maxLineLength`.
  public private(set) var truncatedLines = 0

  public init(
    _ source: Source, maxLineLength: Int = LineReader.defaultMaxLineLength,
    readSize: Int = LineReader.defaultReadSize
  ) {
    self.source = source
    self.maxLineLength = max(1, maxLineLength)
    self.readSize = max(1, readSize)
  }

  /// Calls `body` with each line in order until the input ends or `body` returns `false`.
  ///
  /// - Throws: what the source throws, or what `body` throws.
  public mutating func forEachLine(_ body: (RawLine) throws -> Bool) throws {
    let capacity = readSize + maxLineLength
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    var start = 0  // first byte of the current (incomplete) line
    var end = 0  // end of valid data
    var skipping = false  // inside the tail of a cut line
    var atEOF = false
    while !atEOF {
      if end == capacity {
        // Keep the unfinished line; it is shorter than maxLineLength (checked below).
        let pending = end - start
        if start > 0 {
          buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending)
        }
        start = 0
        end = pending
      }
      let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<capacity]))
      if count == 0 { atEOF = true } else { bytesRead &+= count }
      var scan = end
      end &+= count
      // Hand out every complete line in the new bytes.
      while scan < end {
        guard let newline = memchr(buffer.baseAddress! + scan, 0x0A, end &- scan) else { break }
        let position = buffer.baseAddress!.distance(to: UnsafeMutableRawPointer(newline))
        if skipping {
          skipping = false
        } else if !(try emit(buffer, start, position, truncated: false, body)) {
          return
        }
        start = position &+ 1
        scan = start
      }
      if skipping {
        start = end  // drop the rest of a cut line as it arrives
      } else if end &- start >= maxLineLength {
        if !(try emit(buffer, start, start &+ maxLineLength, truncated: true, body)) { return }
        skipping = true
        start = end
      }
      if start == end {
        start = 0
        end = 0
      }
    }
    if start < end && !skipping {
      _ = try emit(buffer, start, end, truncated: false, body)
    }
  }

  private mutating func emit(
    _ buffer: UnsafeMutableRawBufferPointer, _ start: Int, _ end: Int, truncated: Bool,
    _ body: (RawLine) throws -> Bool
  ) throws -> Bool {
    var stop = end
    var truncated = truncated
    if !truncated && stop > start && buffer[stop &- 1] == 0x0D { stop &-= 1 }
    if stop &- start > maxLineLength {
      // A line completed by the same read that took it past the limit.
      stop = start &+ maxLineLength
      truncated = true
    }
    lineCount &+= 1
    if truncated { truncatedLines &+= 1 }
    let line = RawLine(
      number: lineCount, bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<stop]),
      isTruncated: truncated)
    return try body(line)
  }
}
