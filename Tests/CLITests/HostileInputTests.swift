import Foundation
import Testing

/// Input that must never crash or hang the tool: each gives a report or a one-line error with
/// SPEC's exit status.
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

  @Test func randomBinaryBytes() throws {
    for seed in 1...5 {
      let result = try CLIRunner.run(["classify", "--format", "json"], inputBytes: junk(200_000, seed: UInt64(seed)))
      expectReport(result, "seed \(seed)")
    }
  }

  @Test func nulInvalidAndOverlongUTF8() throws {
    let bytes: [UInt8] =
      Array("RuntimeError: No CUDA".utf8) + [0, 0xC0, 0xAF, 0xE0, 0x80, 0xAF, 0xF8, 0x88, 0x80, 0x80, 0x80]
      + Array(" GPUs are available\n\0\0\n".utf8) + [0xED, 0xA0, 0x80, 0x0A]
    expectReport(try CLIRunner.run(["classify", "--format", "json"], inputBytes: bytes), "bad utf-8")
  }

  @Test func twentyMegabyteLineWithoutNewline() throws {
    var bytes = Array("ERROR: No matching distribution found for torch==9.9 ".utf8)
    bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 20 << 20)
    let result = try CLIRunner.run(["classify", "--format", "json"], inputBytes: bytes)
    expectReport(result, "20 MB line")
    #expect(result.stdout.contains(#""truncatedLines":1"#))
    #expect(result.stdout.contains("build.pip-no-matching-distribution"))
  }

  @Test func carriageReturnOnlyLineEndings() throws {
    let log = "===== Application Startup at 2026-04-15 10:00:00 =====\rloading\rRuntimeError: No CUDA GPUs are available\r"
    expectReport(try CLIRunner.run(["classify", "--format", "json"], input: log), "CR only")
  }

  @Test func brokenJSONAndSSE() throws {
    let log = """
      data: {"data": "RuntimeError: No CUDA GPUs are avail
      data: {"data": 12, "timestamp": []}
      {"data": {"nested": {"deeper": [1, 2, {"x": "y"}]}}}
      {"message": null}
      data: {"data": "\\ud800\\u0000 ok", "timestamp": "2026"}
      """ + String(repeating: "[", count: 50_000) + "\n" + #"{"data": ""# + String(repeating: "\\", count: 10_001) + "\n"
    expectReport(try CLIRunner.run(["classify", "--format", "json"], input: log), "broken JSON")
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
    #expect(result.stdout.split(separator: "\n").count == 1, "\(result.stdout)")
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
    let result = try CLIRunner.run(["classify", fifo])
    #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
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
