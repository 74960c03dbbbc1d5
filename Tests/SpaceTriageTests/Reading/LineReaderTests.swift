import SpaceTriage
import Testing

/// A line as the reader handed it out, copied for comparison.
struct CollectedLine: Equatable, CustomStringConvertible {
  var number: Int
  var bytes: [UInt8]
  var truncated: Bool
  var description: String { "\(number):\(String(decoding: bytes, as: UTF8.self))\(truncated ? " [cut]" : "")" }
}

func collectLines(_ source: MemorySource, maxLineLength: Int = 1 << 20, readSize: Int = 256 << 10) throws -> [CollectedLine] {
  var reader = LineReader(source, maxLineLength: maxLineLength, readSize: readSize)
  var lines: [CollectedLine] = []
  try reader.forEachLine { line in
    lines.append(CollectedLine(number: line.number, bytes: Array(line.bytes), truncated: line.isTruncated))
    return true
  }
  return lines
}

func texts(_ lines: [CollectedLine]) -> [String] { lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

struct LineReaderTests {
  static let fixture =
    Array("first\r\nsecond\n\nfourth has\0a NUL\r\n\u{FF}\u{FE} junk\nlast without newline".utf8)
    + [0xC3, 0x28]  // invalid UTF-8 at the very end

  static let expected: [String] = {
    ["first", "second", "", "fourth has\0a NUL", "\u{FF}\u{FE} junk"]
      + [String(decoding: Array("last without newline".utf8) + [0xC3, 0x28], as: UTF8.self)]
  }()

  @Test func splitsLFAndCRLFAndKeepsTheLastLine() throws {
    let lines = try collectLines(MemorySource(Self.fixture))
    #expect(texts(lines) == Self.expected)
    #expect(lines.map(\.number) == Array(1...6))
    #expect(lines.last?.bytes.suffix(2) == [0xC3, 0x28])
  }

  /// A reader of bytes already in its buffer (a split-file segment) hands out what a reader
  /// of a stream does: CRLF, NUL, invalid UTF-8, an unterminated last line, and lines longer
  /// than the maximum cut.
  @Test func aFilledBufferGivesTheLinesOfAStream() throws {
    let long = Array(repeating: UInt8(ascii: "x"), count: 40)
    for bytes in [Self.fixture, long + [0x0A] + Self.fixture + [0x0A] + long + [0x0D, 0x0A], [0x0A, 0x0A], []] {
      for maxLineLength in [8, 39, 40, 41, 1 << 20] {
        let buffer = LineBuffer(byteCount: bytes.count + 1)
        bytes.withUnsafeBytes { buffer.bytes.copyMemory(from: $0) }
        var reader = LineReader(filled: buffer, count: bytes.count, maxLineLength: maxLineLength)
        var lines: [CollectedLine] = []
        // The lines stay where they are: a block scan of the buffer speaks for all of them.
        var epochs: Set<Int> = []
        while let line = try reader.nextLine() {
          lines.append(CollectedLine(number: line.number, bytes: Array(line.bytes), truncated: line.isTruncated))
          epochs.insert(reader.bufferEpoch)
        }
        let streamed = try collectLines(MemorySource(bytes, chunkSize: 5), maxLineLength: maxLineLength, readSize: 16)
        #expect(lines == streamed, "\(bytes.count) bytes, lines of at most \(maxLineLength)")
        #expect(reader.bytesRead == bytes.count && epochs.count <= 1)
      }
    }
  }

  @Test func everySplitPointGivesTheSameLines() throws {
    let whole = try collectLines(MemorySource(Self.fixture))
    // A read size smaller than the input forces every split point through the buffer logic.
    for readSize in 1...Self.fixture.count {
      #expect(try collectLines(MemorySource(Self.fixture), readSize: readSize) == whole, "readSize \(readSize)")
    }
    for chunk in 1...Self.fixture.count {
      #expect(try collectLines(MemorySource(Self.fixture, chunkSize: chunk), readSize: 7) == whole, "chunk \(chunk)")
    }
  }

  @Test func oneByteDrip() throws {
    let lines = try collectLines(MemorySource(Self.fixture, chunkSize: 1), readSize: 3)
    #expect(texts(lines) == Self.expected)
  }

  @Test func longLinesAreCutAndCounted() throws {
    let input = Array("short\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 50) + Array("\nafter\n".utf8)
    for readSize in [1, 3, 8, 16, 64] {
      var reader = LineReader(MemorySource(input), maxLineLength: 16, readSize: readSize)
      var lines: [CollectedLine] = []
      try reader.forEachLine { line in
        lines.append(CollectedLine(number: line.number, bytes: Array(line.bytes), truncated: line.isTruncated))
        return true
      }
      #expect(texts(lines) == ["short", String(repeating: "x", count: 16), "after"], "readSize \(readSize)")
      #expect(lines.map(\.truncated) == [false, true, false])
      #expect(reader.truncatedLines == 1)
      #expect(reader.bytesRead == input.count)
    }
  }

  @Test func longLastLineWithoutNewline() throws {
    let input = Array(repeating: UInt8(ascii: "y"), count: 40)
    let lines = try collectLines(MemorySource(input), maxLineLength: 16, readSize: 5)
    #expect(lines.count == 1)
    #expect(lines.first?.truncated == true)
    #expect(lines.first?.bytes.count == 16)
  }

  @Test func loneCarriageReturnsAreData() throws {
    let lines = try collectLines(MemorySource("a\rb\rc\n"))
    #expect(texts(lines) == ["a\rb\rc"])
  }

  @Test func emptyInputHasNoLines() throws {
    #expect(try collectLines(MemorySource([UInt8]())).isEmpty)
    #expect(try texts(collectLines(MemorySource("\n"))) == [""])
  }

  @Test func stopsWhenTheBodySaysSo() throws {
    var reader = LineReader(MemorySource("a\nb\nc\n"))
    var seen = 0
    try reader.forEachLine { _ in
      seen += 1
      return seen < 2
    }
    #expect(seen == 2)
  }
}

struct BufferedLinesTests {
  /// `bufferedLines(from:)` starts at the line just handed out and ends with a whole line; the
  /// lines handed out next lie inside it, at the same addresses, while the epoch stays.
  @Test(arguments: [1, 5, 16, 64, 4096])
  func coversTheNextLinesAtTheirAddresses(readSize: Int) throws {
    let text = (1...200).map { "line \($0) " + String(repeating: "x", count: $0 % 23) }.joined(separator: "\n") + "\nlast"
    var reader = LineReader(MemorySource(text), maxLineLength: 64, readSize: readSize)
    var block: UnsafeRawBufferPointer?
    var epoch = -1
    var checked = 0
    while let line = try reader.nextLine() {
      let start = line.bytes.baseAddress!
      if epoch == reader.bufferEpoch, let block, start >= block.baseAddress!,
        start + line.bytes.count <= block.baseAddress! + block.count
      {
        checked += 1  // a line announced by an earlier block is where the block said
      } else {
        let lines = reader.bufferedLines(from: line)
        #expect(lines.baseAddress == start)
        #expect(lines.count >= line.bytes.count)
        if lines.count > line.bytes.count { #expect(lines.last == 0x0A, "a block ends with a whole line") }
        block = lines
        epoch = reader.bufferEpoch
      }
      #expect(String(decoding: line.bytes, as: UTF8.self).hasPrefix("line") || line.number == 201)
    }
    if readSize >= 64 { #expect(checked > 0) }
  }
}

struct MaximumLengthTests {
  /// A line of exactly the maximum length (with or without `\r`) is whole, one byte more is
  /// cut, whatever the read size: the decision never depends on where a read ends.
  @Test(arguments: [1, 3, 10, 16, 17, 64])
  func theCutDoesNotDependOnReads(readSize: Int) throws {
    let max = 16
    let exact = String(repeating: "a", count: max)
    let longer = String(repeating: "b", count: max + 1)
    let input = exact + "\n" + exact + "\r\n" + longer + "\n" + longer + "\r\n" + "tail\n"
    let lines = try collectLines(MemorySource(input), maxLineLength: max, readSize: readSize)
    #expect(lines.map(\.truncated) == [false, false, true, true, false], "read size \(readSize)")
    #expect(texts(lines) == [exact, exact, String(longer.prefix(max)), String(longer.prefix(max)), "tail"])
  }
}
