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

  /// `bytes` written to a file, read back as one segment and probed with `prefilter`.
  private func readSegment(
    _ bytes: [UInt8], largest: Int = .max, prefilter: LiteralPrefilter = ScannedSegmentTests.prefilter
  ) throws -> ScannedSegment {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("segment-\(UUID().uuidString).log").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
    defer { try? descriptor.close() }
    let segment = ScannedSegment()
    try segment.read(descriptor, range: 0..<bytes.count, largest: largest, prefilter: prefilter)
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

  /// Matched ahead, each hit's line carries the entries whose patterns match it, in catalog
  /// order (by id) (a literal alone is not enough when the pattern asks for more), and the template of
  /// a line that may be an unrecognised failure; the running markers and the exception shapes
  /// are left to the calling thread, and a segment is matched once however often it is asked.
  @Test func matchesTheLinesHoldingAHitAhead() throws {
    let signatures = [
      Signature(id: "a.exit", title: "Exit", stage: .running, signatureClass: .persistent, pattern: #"exit code: [1-9]\d*"#),
      Signature(id: "a.oom", title: "OOM", stage: .running, signatureClass: .persistent, pattern: "OOMKilled"),
      Signature(
        id: "a.error", title: "Error", stage: .running, signatureClass: .info, pattern: "Error: ", effect: .looksLikeFailure),
      Signature(id: "a.serving", title: "Serving", stage: .running, signatureClass: .info, pattern: "Running on local URL"),
      Signature(
        id: "shape.python-exception", title: "Exception", stage: .running, signatureClass: .info, pattern: #"\w+Error: "#,
        effect: .failureShape),
    ]
    let catalog = try CompiledCatalog(Catalog(signatures: signatures))
    #expect(catalog.runningMarkers == [3] && catalog.exceptionShapes == [4])
    let prefilter = LiteralPrefilter(signatures: catalog.signatures, markers: LineRouter.markers)
    let lines = [
      "quiet line",
      "Job failed with exit code: 137. Reason: OOMKilled",
      "exit code: 0",
      "ValueError: something odd 42",
      "* Running on local URL:  http://0.0.0.0:7860",
      "OOMKilled\r",
    ]
    let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
    let segment = try readSegment(bytes, prefilter: prefilter)
    #expect(segment.prescan.matchSpans.isEmpty && !segment.isMatchedAhead)
    let readAhead = ScannedSegment.ReadAhead(catalog: catalog, matchLimit: LineMatcher(catalog: catalog).matchLimit, prefilter: prefilter)
    segment.matchAhead(with: readAhead)
    segment.matchAhead(with: readAhead)
    let prescan = segment.prescan
    #expect(segment.isMatchedAhead && prescan.matchSpans.count == prescan.hits.count)
    let starts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
    var byLine: [Int: (entries: [String], template: String?)] = [:]
    for (hit, span) in zip(prescan.hits, prescan.matchSpans) {
      let line = starts.lastIndex { $0 <= Int(hit.position) }!
      let entries = prescan.matchedEntries[Int(span.start)..<Int(span.start + span.count)].map { catalog.signatures[Int($0)].id }
      let template =
        span.templateCount < 0
        ? nil : String(decoding: prescan.templates[Int(span.templateStart)..<Int(span.templateStart + span.templateCount)], as: UTF8.self)
      // Every hit of a line carries the same span.
      if let earlier = byLine[line] { #expect(earlier.entries == entries && earlier.template == template) }
      byLine[line] = (entries, template)
    }
    #expect(byLine[0] == nil)
    #expect(byLine[1]?.entries == ["a.exit", "a.oom"] && byLine[1]?.template == nil)
    #expect(byLine[2]?.entries == [])
    #expect(byLine[3]?.entries == ["a.error"] && byLine[3]?.template != nil)
    #expect(byLine[3]?.template?.contains("42") == false)
    #expect(byLine[4]?.entries == [])
    #expect(byLine[5]?.entries == ["a.oom"])
  }

  @Test func aSegmentLargerThanTheLimitIsNotHeld() throws {
    let bytes = Array("OOMKilled\n".utf8)
    #expect(try segmentHits(bytes, largest: bytes.count).filled)
    let tooLarge = try segmentHits(bytes, largest: bytes.count - 1)
    #expect(!tooLarge.filled && tooLarge.text.isEmpty && tooLarge.hits.isEmpty)
  }
}
