import Foundation
import Testing

/// End-to-end: the real binary, the bundled catalog, logs on stdin or in files.
@Suite(.serialized)
struct ClassifyCommandTests {
  static let zeroGPULog = """
    ===== Application Startup at 2026-04-15 10:00:00 =====

    ZeroGPU tensors packing: 3.27GB [00:05, 611MB/s]
    * Running on local URL:  http://0.0.0.0:7860
    Examples cached for 3 inputs.
    Traceback (most recent call last):
      File "/usr/local/lib/python3.10/site-packages/spaces/zero/wrappers.py", line 256, in thread_wrapper
        res = future.result()
    RuntimeError: No CUDA GPUs are available

    """

  static let buildLog = """
    ===== Build Queued at 2026-04-15 09:58:01 / Commit SHA: e9e3061 =====

    --> FROM docker.io/library/python:3.10@sha256:0f3e0b3b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e
    DONE 0.0s

    --> RUN --mount=target=/tmp/requirements.txt,source=requirements.txt pip install --no-cache-dir -r /tmp/requirements.txt
    Collecting torch==2.9.9
    ERROR: Could not find a version that satisfies the requirement torch==2.9.9 (from versions: 2.5.0, 2.5.1)
    ERROR: No matching distribution found for torch==2.9.9

    --> ERROR: process "/bin/sh -c pip install --no-cache-dir -r /tmp/requirements.txt" did not complete successfully: exit code: 1
    """

  static let healthyLog = """
    ===== Application Startup at 2026-04-15 10:00:00 =====

    Loading model...
    * Running on local URL:  http://0.0.0.0:7860
    Examples cached for 3 inputs.
    """

  @Test func zeroGPUNoCUDAIsTransient() throws {
    let result = try CLIRunner.run(["classify"], input: Self.zeroGPULog)
    #expect(result.status == 75, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("TRANSIENT"))
    #expect(result.stdout.contains("zerogpu.no-cuda-gpus"))
    #expect(result.stdout.contains("line 9: RuntimeError: No CUDA GPUs are available"))
  }

  @Test func pipNoMatchingDistributionIsPersistent() throws {
    let result = try CLIRunner.run(["classify", "--format", "json"], input: Self.buildLog)
    #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let report = try #require((document["reports"] as? [[String: Any]])?.first)
    #expect(report["verdict"] as? String == "persistent")
    #expect(report["primary"] as? String == "build.pip-no-matching-distribution")
    #expect(report["finalStage"] as? String == "build")
    let advice = try #require(report["advice"] as? [[String: String]])
    #expect(advice.contains { $0["text"]?.contains("torch==2.9.9") == true })
  }

  @Test func gradioStartIsHealthy() throws {
    let result = try CLIRunner.run(["classify", "-"], input: Self.healthyLog)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasPrefix("HEALTHY"))
  }

  @Test func ndjsonPrintsOneReportPerLine() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.healthyLog.write(to: directory.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
    try Self.buildLog.write(to: directory.appendingPathComponent("b.log"), atomically: true, encoding: .utf8)
    try "ignored".write(to: directory.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
    let result = try CLIRunner.run(["classify", "--format", "ndjson", "--jobs", "2", directory.path])
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first?.contains(#""verdict":"healthy""#) == true)
    #expect(lines.last?.contains(#""verdict":"persistent""#) == true)
    #expect(result.status == 4)
  }

  @Test func severalInputsPrintASummaryAndTheMostSevereStatus() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try Self.zeroGPULog.write(to: directory.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
    try Self.healthyLog.write(to: directory.appendingPathComponent("b.log"), atomically: true, encoding: .utf8)
    let result = try CLIRunner.run(["classify", directory.path])
    #expect(result.status == 75)
    #expect(result.stdout.contains("2 inputs: 1 healthy, 1 transient, 0 persistent, 0 unknown"))
  }

  @Test func missingInputExits66() throws {
    let result = try CLIRunner.run(["classify", "/no/such/file.log"])
    #expect(result.status == 66)
    #expect(result.stderr.contains("/no/such/file.log"))
  }

  @Test func usageErrorExits64() throws {
    #expect(try CLIRunner.run(["classify", "--format", "xml"]).status == 64)
    #expect(try CLIRunner.run(["classify", "--jobs", "0"]).status == 64)
    #expect(try CLIRunner.run(["classify", "--no-builtin"]).status == 64)
  }

  @Test func emptyInputIsUnknown() throws {
    let result = try CLIRunner.run(["classify"])
    #expect(result.status == 3)
  }

  @Test func tokensNeverReachTheOutput() throws {
    let token = "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"
    let log = "===== Application Startup at 2026-04-15 10:00:00 =====\nusing HF_TOKEN=\(token)\nKeyError: 'HF_TOKEN' \(token)\n"
    for format in ["text", "json", "ndjson"] {
      let result = try CLIRunner.run(["classify", "--format", format], input: log)
      #expect(!result.stdout.contains(token) && !result.stderr.contains(token), "\(format)")
    }
  }

  @Test func theEnvironmentsHFTokenIsMaskedWhateverItsShape() throws {
    let secret = "custom-Secret-0123456789"
    let log = "RuntimeError: No CUDA GPUs are available (worker \(secret))\n"
    let result = try CLIRunner.run(["classify", "--format", "json"], input: log, environment: ["HF_TOKEN": secret])
    #expect(result.status == 75)
    #expect(!result.stdout.contains(secret))
    #expect(result.stdout.contains("[REDACTED]"))
  }

  @Test func helpNamesTheCommandsAndExitStatuses() throws {
    let result = try CLIRunner.run(["--help"])
    #expect(result.status == 0)
    for word in ["classify", "patterns", "75 transient", "65 invalid catalog"] {
      #expect(result.stdout.contains(word), "\(word)")
    }
  }
}
