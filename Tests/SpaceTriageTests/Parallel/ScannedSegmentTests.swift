import Foundation
import SystemPackage
import Testing

@testable import SpaceTriage

/// A segment read and probed by a split-file worker holds the literal occurrences one block
/// scan over the same bytes finds, however many there are.
struct ScannedSegmentTests {
  private static let prefilter = LiteralPrefilter(signatures: [
    Signature(id: "a.oom", title: "OOM", stage: .running, signatureClass: .persistent, pattern: "OOMKilled"),
    Signature(id: "a.cuda", title: "CUDA", stage: .running, signatureClass: .persistent, pattern: "No CUDA GPUs are available"),
  ])

  /// A hit as a line lookup sees it: the line it lies in and its literal (its position is a
  /// probe's, which depends on where the scan started).
  private struct LineHit: Equatable {
    var line: Int
    var literal: Int32
  }

  /// The hits (in order of position) with their lines, in one pass over the bytes.
  private func lineHits(_ hits: [LiteralPrefilter.LiteralHit], in bytes: [UInt8]) -> [LineHit] {
    var line = 0
    var offset = 0
    return hits.map { hit in
      while offset < Int(hit.position) {
        if bytes[offset] == 0x0A { line += 1 }
        offset += 1
      }
      return LineHit(line: line, literal: hit.literal)
    }
  }

  /// Every occurrence, from one scan with room for all of them.
  private func allHits(_ bytes: [UInt8]) -> [LineHit] {
    let room = UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>.allocate(capacity: bytes.count + 64)
    defer { room.deallocate() }
    let result = bytes.withUnsafeBytes { Self.prefilter.scan($0, into: room) }
    #expect(result.covered == bytes.count)
    return lineHits(Array(room[0..<result.count]), in: bytes)
  }

  /// `bytes` written to a file, read back as one segment (and indexed).
  private func readSegment(_ bytes: [UInt8], largest: Int = .max) throws -> ScannedSegment {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("segment-\(UUID().uuidString).log").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
    defer { try? descriptor.close() }
    let segment = ScannedSegment()
    try segment.read(descriptor, range: 0..<bytes.count, largest: largest, prefilter: Self.prefilter)
    return segment
  }

  private func segmentHits(_ bytes: [UInt8], largest: Int = .max) throws -> (filled: Bool, hits: [LineHit], text: [UInt8]) {
    let segment = try readSegment(bytes, largest: largest)
    let prescan = segment.prescan
    return (segment.isFilled, lineHits(Array(prescan.hits), in: bytes), Array(prescan.block))
  }

  @Test(arguments: [
    // Few hits; more lines with hits than the initial room; one line with more hits than it.
    (10, 1), (3000, 1), (2, 5000),
  ])
  func holdsEveryOccurrenceInOrder(lines: Int, perLine: Int) throws {
    var text = ""
    for index in 0..<lines {
      text += "step \(index) " + String(repeating: index % 2 == 0 ? "OOMKilled " : "No CUDA GPUs are available ", count: perLine) + "\n"
    }
    let bytes = Array(text.utf8)
    let segment = try segmentHits(bytes)
    #expect(segment.filled && segment.text == bytes)
    #expect(segment.hits.count == lines * perLine)
    #expect(segment.hits == allHits(bytes))
  }

  /// The lines a reader stops at, as the worker indexes them: each hit's line, the lines that
  /// start a JSON object or an SSE field, the first escape byte of a line; with the lines
  /// before each (what lets the calling thread jump instead of counting).
  @Test func indexesTheLinesAReaderStopsAt() throws {
    var text = ""
    for index in 0..<400 {
      switch index % 7 {
      case 0: text += "step \(index) OOMKilled twice: OOMKilled\n"
      case 1: text += "{\"message\": \"step \(index)\"}\n"
      case 2: text += "data: step \(index)\n"
      case 3: text += "\u{1B}[31mred \(index)\u{1B}[0m and \u{1B}[1mbold\u{1B}[0m\n"
      case 4: text += String(repeating: "quiet ", count: index) + "\n"
      default: text += "step \(index) ok\n"
      }
    }
    let bytes = Array(text.utf8)
    let starts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }.dropLast()
    func mark(_ offset: Int) -> (Int32, Int32) {
      let line = starts.lastIndex { $0 <= offset }!
      return (Int32(starts[line]), Int32(line))
    }
    let segment = try readSegment(bytes)
    let prescan = segment.prescan
    #expect(prescan.hits.count == 2 * 58 && prescan.hitLines.count == prescan.hits.count)
    for (hit, line) in zip(prescan.hits, prescan.hitLines) {
      #expect((line.lineStart, line.linesBefore) == mark(Int(hit.position)))
    }
    let structured = starts.filter { bytes[$0] == UInt8(ascii: "{") || bytes[$0] == UInt8(ascii: "d") }
    #expect(prescan.structuredLines.map(\.lineStart) == structured.map { Int32($0) })
    #expect(prescan.structuredLines.map(\.linesBefore) == structured.map { Int32(starts.firstIndex(of: $0)!) })
    let ends = starts.dropFirst().map { $0 - 1 } + [bytes.count]
    let escapes = zip(starts, ends).compactMap { start, end in bytes[start..<end].firstIndex(of: 0x1B).map { Int32($0) } }
    #expect(Array(prescan.escapes) == escapes && escapes.count == 57)
  }

  @Test func aSegmentLargerThanTheLimitIsNotHeld() throws {
    let bytes = Array("OOMKilled\n".utf8)
    #expect(try segmentHits(bytes, largest: bytes.count).filled)
    let tooLarge = try segmentHits(bytes, largest: bytes.count - 1)
    #expect(!tooLarge.filled && tooLarge.text.isEmpty && tooLarge.hits.isEmpty)
  }
}
