import Testing

@testable import SpaceTriage

struct LineCounterTests {
  /// The plain definition: whole lines up to the first one starting with a stop byte.
  private func expected(_ bytes: [UInt8], _ stopA: UInt8, _ stopB: UInt8) -> (lines: Int, end: Int) {
    var lines = 0
    var lineStart = 0
    for (offset, byte) in bytes.enumerated() {
      if offset == lineStart && (byte == stopA || byte == stopB) { break }
      if byte == 0x0A {
        lines += 1
        lineStart = offset + 1
      }
    }
    return (lines, lineStart)
  }

  @Test func agreesWithTheDefinitionOnRandomText() {
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("ab{d \n\n\u{1B}x".utf8)
    for length in Array(0...100) + [255 * 32 - 1, 255 * 32, 255 * 32 + 33, 20_000] {
      for _ in 0..<20 {
        var bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
        // Stop bytes are rare in real logs: most runs have none.
        if Bool.random(using: &generator) { bytes = bytes.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "d") ? 0x61 : $0 } }
        let counted = bytes.withUnsafeBytes { LineCounter.wholeLines(in: $0, stoppingAt: UInt8(ascii: "{"), UInt8(ascii: "d")) }
        let want = expected(bytes, UInt8(ascii: "{"), UInt8(ascii: "d"))
        #expect(counted.lines == want.lines && counted.end == want.end, "length \(length): \(bytes)")
      }
    }
  }

  @Test func stopsAtTheFirstByteAndAfterAVectorBoundary() {
    let lines = String(repeating: "0123456789abcdef0123456789abcde\n", count: 40) + "data: x\nmore\n"
    let bytes = Array(lines.utf8)
    let counted = bytes.withUnsafeBytes { LineCounter.wholeLines(in: $0, stoppingAt: UInt8(ascii: "{"), UInt8(ascii: "d")) }
    #expect(counted.lines == 40 && counted.end == 40 * 32)
    let atFront = Array("{\"data\": 1}\n".utf8).withUnsafeBytes { LineCounter.wholeLines(in: $0, stoppingAt: UInt8(ascii: "{"), UInt8(ascii: "d")) }
    #expect(atFront.lines == 0 && atFront.end == 0)
  }
}

struct SkipLinesTests {
  /// 400 lines: a JSON line every 37, a line longer than the maximum (100) every 37, a `\r`
  /// before every third newline.
  static let texts: [String] = (1...400).map { number in
    switch number % 37 {
    case 0: "{\"data\": \"json \(number)\"}"
    case 5: String(repeating: "long ", count: 30) + "\(number)"
    default: "line \(number)\(number % 3 == 0 ? "\r" : "")"
    }
  }

  /// Reads ``texts`` line by line with `advance` called after each line, aimed at a point up to
  /// ~600 bytes ahead (or past everything buffered); returns the reader's counts and the lines
  /// seen (number, text, cut), those `advance` adds included.
  static func walk(
    readSize: Int,
    _ advance: (inout LineReader<MemorySource>, UnsafeRawPointer, inout [(Int, String, Bool)]) -> Void
  ) throws -> (lines: Int, truncatedLines: Int, seen: [(Int, String, Bool)]) {
    var reader = LineReader(MemorySource(texts.joined(separator: "\n") + "\n"), maxLineLength: 100, readSize: readSize)
    var seen: [(Int, String, Bool)] = []
    var step = 0
    while let line = try reader.nextLine() {
      seen.append((line.number, String(decoding: line.bytes, as: UTF8.self), line.isTruncated))
      step += 1
      let block = reader.bufferedLines(from: line)
      advance(&reader, block.baseAddress! + min(block.count, (step * 97) % 600), &seen)
    }
    return (reader.lineCount, reader.truncatedLines, seen)
  }

  /// Each line seen (number, text, cut) is its original line, without `\r`, cut at 100 bytes.
  static func expectOriginals(_ seen: [(Int, String, Bool)]) {
    for (number, text, truncated) in seen {
      let original = texts[number - 1].hasSuffix("\r") ? String(texts[number - 1].dropLast()) : texts[number - 1]
      #expect(text == String(original.prefix(100)) && truncated == (original.utf8.count > 100), "line \(number)")
    }
  }

  /// Skipping to any line gives the same line numbers and texts as reading line by line, and
  /// never passes a line that starts with a stop byte or is longer than the maximum.
  @Test(arguments: [3, 40, 4096])
  func skippingKeepsLineNumbersAndStops(readSize: Int) throws {
    let (lines, truncatedLines, seen) = try Self.walk(readSize: readSize) { reader, target, _ in
      reader.skipLines(before: target, stoppingAt: UInt8(ascii: "{"), UInt8(ascii: "d"))
    }
    #expect(lines == 400)
    if readSize >= 4096 { #expect(seen.count < 300, "lines were passed over") }
    Self.expectOriginals(seen)
    // Every JSON line and every line the reader cuts was handed out, not skipped.
    let handedOut = Set(seen.map(\.0))
    for number in 1...400 where number % 37 == 0 || number % 37 == 5 { #expect(handedOut.contains(number), "line \(number)") }
    #expect(truncatedLines == (1...400).filter { $0 % 37 == 5 }.count)
  }

  /// The start of the line holding each position, found backwards 8 bytes at a time, is the
  /// one a byte-by-byte look finds, whatever the floor (a line start) it may not pass.
  @Test func findsTheLineStartBeforeEveryPosition() {
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("abc\n\u{0B}\u{8A}\u{0A}x".utf8)
    for length in [1, 7, 8, 9, 17, 64, 300] {
      for _ in 0..<20 {
        let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        bytes.withUnsafeBytes { buffer in
          for position in 0..<length {
            for floor in lineStarts where floor <= position {
              var want = position
              while want > floor && bytes[want - 1] != 0x0A { want -= 1 }
              let found = LineCounter.lineStart(before: position, notBefore: floor, in: buffer.baseAddress!)
              #expect(found == want, "\(bytes), position \(position), floor \(floor)")
            }
          }
        }
      }
    }
  }

  /// `handLines(before:stoppingAt:_:)` hands out exactly the lines `nextLine()` would, in
  /// order and numbered alike, stops before a JSON start or where the body says so, and never
  /// hands out a line the reader would cut.
  @Test(arguments: [64, 333, 4096])
  func handingLinesOutInBulkSeesEveryLineOnce(readSize: Int) throws {
    let (lines, truncatedLines, seen) = try Self.walk(readSize: readSize) { reader, target, seen in
      var handed = 0
      reader.handLines(before: target, stoppingAt: UInt8(ascii: "{"), UInt8(ascii: "d")) { line in
        #expect(line.bytes.first != UInt8(ascii: "{"), "a JSON line is left to nextLine()")
        seen.append((line.number, String(decoding: line.bytes, as: UTF8.self), line.isTruncated))
        handed += 1
        return handed < 5  // the body stops the run now and then
      }
    }
    #expect(lines == 400)
    #expect(seen.map(\.0) == Array(1...400))
    Self.expectOriginals(seen)
    #expect(truncatedLines == (1...400).filter { $0 % 37 == 5 }.count)
  }
}
