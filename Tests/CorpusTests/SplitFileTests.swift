import Foundation
import PatternCatalog
import SystemPackage
import Testing

@testable import SpaceTriage

/// A file read in segments by several threads gives the report of reading it from start to end.
struct SplitFileTests {
  static let catalog = try? CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory]))

  /// Classifies `path` in segments of `segmentSize` bytes with `jobs` threads: with every
  /// segment's lines matched ahead by the workers, with none, and with those a worker has time
  /// for (the report must not differ).
  private func splitReport(_ path: String, segmentSize: Int, jobs: Int, catalog: CompiledCatalog) throws -> Report? {
    let descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
    defer { try? descriptor.close() }
    let size = Int(try descriptor.seek(offset: 0, from: .end))
    let classifier = Classifier(catalog: catalog)
    // Split reading is the fast path's: without it this would compare the plain engine with itself.
    try #require(classifier.usesFastPath)
    var reports: [Report?] = []
    for matchingAhead in [SplitFileClassifier.MatchingAhead.always, .never, .whenIdle] {
      reports.append(
        try SplitFileClassifier.classify(
          descriptor, size: size, name: path, with: classifier, jobs: jobs, segmentSize: segmentSize, matchingAhead: matchingAhead))
    }
    #expect(reports[0] == reports[1], "\(path): segments of \(segmentSize) bytes, \(jobs) jobs, with and without matching ahead")
    #expect(reports[2] == reports[1], "\(path): segments of \(segmentSize) bytes, \(jobs) jobs, matching ahead when idle")
    return reports[0]
  }

  private func plainReport(_ path: String, catalog: CompiledCatalog) throws -> Report {
    try BatchClassifier.classify(.file(path), with: Classifier(catalog: catalog, usesPrefilter: false)).get()
  }

  @Test(arguments: CorpusCase.all)
  func everyCorpusLogInSmallSegments(_ corpusCase: CorpusCase) throws {
    let catalog = try #require(Self.catalog)
    let plain = try plainReport(corpusCase.log, catalog: catalog)
    for (segmentSize, jobs) in [(64, 2), (700, 3), (1 << 20, 2)] {
      let split = try #require(try splitReport(corpusCase.log, segmentSize: segmentSize, jobs: jobs, catalog: catalog))
      #expect(split == plain, "\(corpusCase.testDescription), segments of \(segmentSize) bytes, \(jobs) jobs")
    }
  }

  /// Every Corpus log one after another: tracebacks, banners and JSON lines fall across
  /// segment boundaries, and once an SSE log has come every later segment is caught up line by
  /// line. Once with and once without the SSE logs.
  @Test(arguments: [true, false])
  func allCorpusLogsInOneFile(withSSE: Bool) throws {
    let catalog = try #require(Self.catalog)
    var bytes: [UInt8] = []
    for corpusCase in CorpusCase.all where withSSE || !corpusCase.log.contains("/sse-") {
      bytes += try Array(Data(contentsOf: URL(fileURLWithPath: corpusCase.log)))
      if bytes.last != 0x0A { bytes.append(0x0A) }
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString).log").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let plain = try plainReport(path, catalog: catalog)
    for (segmentSize, jobs) in [(97, 2), (1000, 2), (4096, 3), (50_000, 2)] {
      let split = try #require(try splitReport(path, segmentSize: segmentSize, jobs: jobs, catalog: catalog))
      #expect(split == plain, "segments of \(segmentSize) bytes, \(jobs) jobs")
    }
  }

  /// A pattern that gives up on a line is switched off from that line on, whichever worker
  /// matched the lines after it: the split report names the same line and finds what the
  /// sequential one finds (the entry's matches before the give-up, none after it).
  @Test func aPatternThatGivesUpIsSwitchedOffFromThatLineOn() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("split-runaway-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
    schema: 1
    signatures:
      - id: user.runaway
        title: Runaway
        stage: running
        class: persistent
        pattern: 'aaaa(a+)+$'
        advice: [{action: fix, text: Fix it.}]
        must-match: ['aaaaa']
        must-not-match: ['bbbb']
    """.write(to: directory.appendingPathComponent("runaway.yaml"), atomically: true, encoding: .utf8)
    let catalog = try CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory, directory]))
    var text = ""
    for index in 0..<400 {
      // Matches early on, gives up in the middle (line 201), would match again later.
      text += index == 200 ? String(repeating: "a", count: 60) + "b\n" : (index % 50 == 7 ? "aaaaaaa\n" : "step \(index) ok\n")
    }
    text += "RuntimeError: No CUDA GPUs are available\n"
    let path = directory.appendingPathComponent("runaway.log").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let sequential = try BatchClassifier.classify(.file(path), with: Classifier(catalog: catalog)).get()
    #expect(sequential.catalogProblems.count == 1 && sequential.catalogProblems[0].contains("line 201"), "\(sequential.catalogProblems)")
    #expect(sequential.findings.first { $0.id == "user.runaway" }?.line == 158, "the last match before the give-up")
    for segmentSize in [300, 2000, 6000] {
      let split = try #require(try splitReport(path, segmentSize: segmentSize, jobs: 2, catalog: catalog))
      #expect(split == sequential, "segments of \(segmentSize) bytes")
    }
  }

  /// Logs stitched at random from runs of Corpus lines (tracebacks, banners, access logs, JSON
  /// and restarts cut and mixed in every order), read in segments of every size: the split
  /// report is the sequential one. Seeded, so a failure names the seed that shows it.
  @Test(arguments: 1...24)
  func randomMixesOfCorpusLines(seed: UInt64) throws {
    let catalog = try #require(Self.catalog)
    // Lines as bytes: some Corpus logs hold invalid UTF-8 on purpose.
    var lines: [ArraySlice<UInt8>] = []
    for corpusCase in CorpusCase.all where !corpusCase.log.contains("/sse-") {
      lines += try Array(Data(contentsOf: URL(fileURLWithPath: corpusCase.log))).split(separator: 0x0A, omittingEmptySubsequences: false)
    }
    var random = SplitMix64(seed: seed)
    var bytes: [UInt8] = []
    while bytes.count < 60_000 {
      let start = Int(random.next() % UInt64(lines.count))
      for line in lines[start..<min(lines.count, start + 1 + Int(random.next() % 24))] { bytes += line + [0x0A] }
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("split-mix-\(seed)-\(UUID().uuidString).log").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let sequential = try BatchClassifier.classify(.file(path), with: Classifier(catalog: catalog)).get()
    // Which worker reads which segment depends on timing: a worker must start each one afresh.
    for (segmentSize, jobs) in [(150, 2), (700, 4), (1500, 3), (9000, 2)] {
      let split = try #require(try splitReport(path, segmentSize: segmentSize, jobs: jobs, catalog: catalog))
      #expect(split == sequential, "seed \(seed), segments of \(segmentSize) bytes, \(jobs) jobs")
    }
  }

  /// A segment too large to hold in memory (a line of more than a megabyte) is read by the
  /// calling thread itself, between segments the workers read: same report.
  @Test func aSegmentTooLargeToHoldIsReadInPlace() throws {
    let catalog = try #require(Self.catalog)
    var text = ""
    for index in 0..<300 { text += index == 150 ? "No CUDA GPUs are available " + String(repeating: "x", count: 1_500_000) + "\n" : "step \(index) ok\n" }
    text += "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("split-long-\(UUID().uuidString).log").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let sequential = try BatchClassifier.classify(.file(path), with: Classifier(catalog: catalog)).get()
    #expect(sequential.truncatedLines == 1 && !sequential.findings.isEmpty)
    for segmentSize in [64, 5000] {
      let split = try #require(try splitReport(path, segmentSize: segmentSize, jobs: 2, catalog: catalog))
      #expect(split == sequential, "segments of \(segmentSize) bytes")
    }
  }

  @Test func segmentsAreContiguousAndEndAfterANewline() throws {
    let text = (1...500).map { "line \($0) " + String(repeating: "x", count: $0 % 97) }.joined(separator: "\n")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("segments-\(UUID().uuidString).log").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
    defer { try? descriptor.close() }
    let bytes = Array(text.utf8)
    for segmentSize in [1, 50, 1000, 100_000] {
      let segments = try SplitFileClassifier.lineAlignedSegments(descriptor, size: bytes.count, segmentSize: segmentSize)
      #expect(segments.first?.lowerBound == 0 && segments.last?.upperBound == bytes.count)
      for (left, right) in zip(segments, segments.dropFirst()) {
        #expect(left.upperBound == right.lowerBound && bytes[left.upperBound - 1] == 0x0A)
      }
      #expect(segments.allSatisfy { !$0.isEmpty })
    }
  }

  /// The batch path picks the split reader for a large regular file when it has threads to spare.
  @Test func batchClassifierSplitsALargeFile() throws {
    let catalog = try #require(Self.catalog)
    let log = try #require(CorpusCase.all.first { $0.log.hasSuffix("zerogpu/no-cuda-gpus-restart-loop.log") })
    let sequential = try BatchClassifier.classify(.file(log.log), with: Classifier(catalog: catalog)).get()
    let split = try BatchClassifier.classify(.file(log.log), with: Classifier(catalog: catalog), jobs: 2, splitSize: 1).get()
    #expect(split == sequential)
    #expect(split.findings.map(\.id) == ["zerogpu.no-cuda-gpus"])
  }
}

/// A small seeded generator (SplitMix64), so that a random test can be replayed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
