import Foundation
import Testing

/// Input that must never crash or hang the tool: each gives a report or a one-line error with
/// its exit status (docs/exit-status.md).
@Suite(.serialized)
struct HostileInputTests {
  private func scratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  /// Deterministic pseudo-random bytes (a linear congruential generator).
  private func junk(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
  }

  private func expectReport(_ result: CLIRunner.Result, _ what: String) {
    #expect([0, 3, 4, 75].contains(result.status), "\(what): status \(result.status) \(result.stderr)")
    #expect(result.stdout.contains("\"verdict\""), "\(what)")
  }

  /// What one `--format json` run found: its only report's verdict, counts and findings.
  private struct Found {
    var verdict: String
    var primary: String?
    var lines: Int
    var bytes: Int
    /// (id, line) of every finding, in report order.
    var findings: [Finding]
    struct Finding: Equatable, CustomStringConvertible {
      var id: String
      var line: Int
      var description: String { "\(id)@\(line)" }
    }
  }

  private func found(_ result: CLIRunner.Result, _ what: String) throws -> Found {
    expectReport(result, what)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(what)")
    let reports = try #require(document["reports"] as? [[String: Any]], "\(what)")
    try #require(reports.count == 1, "\(what): \(reports.count) reports")
    let report = reports[0]
    let findings = (report["findings"] as? [[String: Any]] ?? []).map {
      Found.Finding(id: $0["id"] as? String ?? "?", line: $0["line"] as? Int ?? -1)
    }
    return Found(
      verdict: report["verdict"] as? String ?? "?", primary: report["primary"] as? String, lines: report["lines"] as? Int ?? -1,
      bytes: report["bytes"] as? Int ?? -1, findings: findings)
  }

  @Test func randomBinaryBytes() throws {
    for seed in 1...5 {
      let bytes = junk(200_000, seed: UInt64(seed))
      let result = try CLIRunner.run(["classify", "--format", "json"], inputBytes: bytes)
      let report = try found(result, "seed \(seed)")
      // Every byte read, every line counted, nothing found in noise.
      #expect(report.bytes == 200_000)
      #expect(report.lines == bytes.count { $0 == 0x0A } + (bytes.last == 0x0A ? 0 : 1), "seed \(seed)")
      #expect(report.verdict == "unknown" && report.primary == nil && report.findings.isEmpty, "seed \(seed): \(report.findings)")
    }
  }

  @Test func nulInvalidAndOverlongUTF8() throws {
    let bytes: [UInt8] =
      Array("RuntimeError: No CUDA".utf8) + [0, 0xC0, 0xAF, 0xE0, 0x80, 0xAF, 0xF8, 0x88, 0x80, 0x80, 0x80]
      + Array(" GPUs are available\n\0\0\n".utf8) + [0xED, 0xA0, 0x80, 0x0A]
      + Array("RuntimeError: No CUDA GPUs are available ".utf8) + [0xFF, 0xFE, 0, 0x0A]
    let report = try found(try CLIRunner.run(["classify", "--format", "json"], inputBytes: bytes), "bad utf-8")
    // The message cut by a NUL is not the message; the one followed by junk still is.
    #expect(report.lines == 4)
    #expect(report.findings == [.init(id: "zerogpu.no-cuda-gpus", line: 4)])
    #expect(report.verdict == "transient" && report.primary == "zerogpu.no-cuda-gpus")
  }

  @Test func twentyMegabyteLineWithoutNewline() throws {
    var bytes = Array("ERROR: No matching distribution found for torch==9.9 ".utf8)
    bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 20 << 20)
    let result = try CLIRunner.run(["classify", "--format", "json"], inputBytes: bytes)
    let report = try found(result, "20 MB line")
    #expect(result.stdout.contains(#""truncatedLines":1"#))
    #expect(report.bytes == bytes.count && report.lines == 1)
    #expect(report.findings == [.init(id: "build.pip-no-matching-distribution", line: 1)])
    #expect(report.verdict == "persistent")
  }

  @Test func carriageReturnOnlyLineEndings() throws {
    let log = "===== Application Startup at 2026-04-15 10:00:00 =====\rloading\rRuntimeError: No CUDA GPUs are available\r"
    let report = try found(try CLIRunner.run(["classify", "--format", "json"], input: log), "CR only")
    // A lone CR ends no line (docs/input.md: LF or CRLF): one line, and the message is found in it.
    #expect(report.lines == 1)
    #expect(report.findings == [.init(id: "zerogpu.no-cuda-gpus", line: 1)])
    #expect(report.verdict == "transient")
  }

  @Test func brokenJSONAndSSE() throws {
    let log = """
      data: {"data": "RuntimeError: No CUDA GPUs are avail
      data: {"data": 12, "timestamp": []}
      {"data": {"nested": {"deeper": [1, 2, {"x": "y"}]}}}
      {"message": null}
      data: {"data": "\\ud800\\u0000 ok", "timestamp": "2026"}
      """ + String(repeating: "[", count: 50_000) + "\n" + #"{"data": ""# + String(repeating: "\\", count: 10_001) + "\n"
      + "RuntimeError: No CUDA GPUs are available\n"
    let report = try found(try CLIRunner.run(["classify", "--format", "json"], input: log), "broken JSON")
    // The cut message on line 1 is not the message; the reading goes on past every broken line.
    #expect(report.lines == 7)
    #expect(report.findings == [.init(id: "zerogpu.no-cuda-gpus", line: 7)])
    #expect(report.verdict == "transient")
  }

  @Test func emptyInputsAndDevNull() throws {
    #expect(try CLIRunner.run(["classify"]).status == 3)
    #expect(try CLIRunner.run(["classify", "/dev/null"]).status == 3)
  }

  @Test func directoryWithSymlinkLoopAndDanglingLink() throws {
    let directory = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "* Running on local URL:  http://0.0.0.0:7860\n".write(to: directory.appendingPathComponent("ok.log"), atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("loop").path, withDestinationPath: directory.path)
    try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("dangling.log").path, withDestinationPath: "/no/such/target")
    let result = try CLIRunner.run(["classify", "--format", "ndjson", directory.path])
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stdout)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
    #expect((report["source"] as? String)?.hasSuffix("/ok.log") == true, "\(report)")
    #expect(report["verdict"] as? String == "healthy")
    #expect([0, 66].contains(result.status))
  }

  @Test func fifoIsReadLikeAPipe() throws {
    let directory = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("pipe.log").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let writer = Thread {
      if let handle = FileHandle(forWritingAtPath: fifo) {
        handle.write(Data("RuntimeError: No CUDA GPUs are available\n".utf8))
        try? handle.close()
      }
    }
    writer.start()
    let result = try CLIRunner.run(["classify", "--format", "json", fifo])
    #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
    let report = try found(result, "FIFO")
    #expect(report.lines == 1 && report.findings == [.init(id: "zerogpu.no-cuda-gpus", line: 1)])
  }

  @Test func catastrophicUserPatternCostsBoundedTimeAndIsReportedOnce() throws {
    let yaml = """
      schema: 1
      signatures:
        - id: user.runaway
          title: Runaway
          stage: running
          class: persistent
          pattern: '(a+)+$'
          advice: [{action: fix, text: Fix it.}]
          must-match: ['aaaa']
          must-not-match: ['bbbb']
      """
    let line = String(repeating: "a", count: 5_000) + "b\n"
    let input = String(repeating: line, count: 200) + "RuntimeError: No CUDA GPUs are available\n"
    try CLIRunner.withUserCatalog(yaml) { directory in
      let result = try CLIRunner.run(["classify", "--patterns", directory, "--format", "json"], input: input)
      #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.components(separatedBy: "user.runaway: pattern gave up").count == 2, "\(result.stdout)")
      let report = try found(result, "runaway")
      #expect(report.findings == [.init(id: "zerogpu.no-cuda-gpus", line: 201)], "the run went on after the runaway pattern")
    }
  }

  @Test func closedPipeEndsQuietly() throws {
    // `classify … | head -c 1`: the tool must not crash or print a stack trace on EPIPE.
    let log = String(repeating: "RuntimeError: No CUDA GPUs are available\n", count: 50)
    let directory = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for index in 0..<200 {
      try log.write(to: directory.appendingPathComponent("f\(index).log"), atomically: true, encoding: .utf8)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "'\(CLIRunner.binary.path)' classify '\(directory.path)' | head -c 1 >/dev/null; echo ${PIPESTATUS:-done}"]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    process.waitUntilExit()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(!stderr.contains("Fatal error") && !stderr.contains("Stack dump"), "\(stderr)")
  }
}
